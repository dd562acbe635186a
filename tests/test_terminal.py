"""terminal.py: no escape codes where a terminal cannot take them, ASCII stand-ins where the encoding lacks a
character, checked on the bytes a real ``briefing`` process writes."""
from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, SOURCE_DATE_EPOCH, copy_project, run_cli
from site_builder.progress import TerminalProgress, progress_for
from site_builder.terminal import ascii_fallback, escapes_allowed, use_ascii_fallbacks


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> bytes:
    """What ``briefing ARGS`` writes to a pseudo-terminal (stdout and stderr both), as bytes."""
    master, slave = pty.openpty()
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONDONTWRITEBYTECODE": "1", **env}
    with subprocess.Popen([sys.executable, "-m", "site_builder", *args], stdin=subprocess.DEVNULL,
                          stdout=slave, stderr=slave, env=full_env) as process:
        os.close(slave)
        written = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            written += chunk
        os.close(master)
        assert process.wait(timeout=120) == 0, written
    return written


@pytest.mark.parametrize("env", [{"TERM": "dumb"}, {"TERM": "xterm-256color", "NO_COLOR": "1"}],
                         ids=["TERM=dumb", "NO_COLOR"])
def test_a_terminal_that_takes_no_escape_codes_gets_progress_without_them(tmp_path, env):
    root = copy_project(tmp_path / "site")  # no chart cache: the charts take long enough for progress to show
    written = run_on_a_terminal(["build", "--root", str(root)], env)
    assert b"Building: pages" in written  # the progress line was drawn...
    assert b"\x1b" not in written  # ...with no escape code at all
    assert b"Built 1 briefing(s)" in written


def test_escape_codes_only_on_a_terminal_without_term_dumb_or_no_color():
    assert escapes_allowed(Terminal(), {"TERM": "xterm"})
    assert escapes_allowed(Terminal(), {"NO_COLOR": ""})  # empty means unset (no-color.org)
    for environ in ({"TERM": "dumb"}, {"NO_COLOR": "1"}, {"NO_COLOR": "0", "TERM": "xterm"}):
        assert not escapes_allowed(Terminal(), environ), environ
    assert not escapes_allowed(io.StringIO(), {"TERM": "xterm"})


@pytest.mark.parametrize("environ, erased", [({"TERM": "xterm"}, True), ({"TERM": "dumb"}, False),
                                             ({"NO_COLOR": "yes"}, False)])
def test_the_progress_line_is_erased_with_escapes_or_overwritten_with_spaces(environ, erased):
    terminal = Terminal()
    progress = progress_for(terminal, environ=environ)
    assert isinstance(progress, TerminalProgress)
    progress.delay = progress.interval = 0
    progress.start(pages=1, charts=0)
    progress.page_done()
    progress.finish()
    drawn = terminal.getvalue()
    assert ("\x1b" in drawn) is erased
    if not erased:
        line = "Building: pages 1/1 · charts 0/0"
        assert drawn == "\r\r" + line + "\r" + " " * len(line) + "\r"


def test_non_ascii_characters_get_ascii_stand_ins():
    assert ascii_fallback("1.8 million → 2.0 million… ✓ “done” ‘ok’ — café · x") == \
        "1.8 million -> 2.0 million... ok \"done\" 'ok' -- cafe - x"
    assert ascii_fallback("漢") == "?"


def test_a_stream_whose_encoding_lacks_a_character_writes_its_stand_in():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    use_ascii_fallbacks(stream)
    stream.write("a → b\n")
    stream.flush()
    assert raw.getvalue() == b"a -> b\n"
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    use_ascii_fallbacks(utf8)
    assert utf8.errors == "strict"  # a stream that can write everything is left alone


def run_bytes(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONDONTWRITEBYTECODE": "1", **env}
    return subprocess.run([sys.executable, "-m", "site_builder", *args], env=full_env, capture_output=True,
                          timeout=120)


@pytest.mark.parametrize("env, cafe", [
    ({"PYTHONIOENCODING": "ascii"}, b"cafe->"),
    ({"PYTHONIOENCODING": "latin-1"}, "caf\u00e9->".encode("latin-1")),  # what latin-1 has is kept
    ({"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ANSI_X3.4-1968"}, b"cafe->"),
], ids=["ascii", "latin-1", "LANG=C"])
def test_a_non_utf8_terminal_gets_ascii_stand_ins_and_no_encoding_error(make_project, env, cafe):
    project = make_project()
    built = run_bytes("build", "--root", str(project.root), env=env)
    assert built.returncode == 0, built.stderr
    assert built.stdout.endswith(b" files changed -> _site\n"), built.stdout
    assert built.stdout.isascii() and built.stderr.isascii()
    assert b"warning: check 'forecast-2030'" in built.stderr
    again = run_bytes("build", "--root", str(project.root), env=env)
    assert b"chart(s) -> _site (--force builds anyway)" in again.stdout
    briefing = project.content / "briefings/widget-outlook.md"
    briefing.write_text(briefing.read_text().replace('{{ fact("growth") }}', '{{ fact("caf\u00e9→") }}'))
    broken = run_bytes("build", "--root", str(project.root), env=env)
    assert broken.returncode == 1
    assert b"Traceback" not in broken.stderr and b"UnicodeEncodeError" not in broken.stderr
    assert broken.stderr.splitlines()[0] == b"content/briefings/widget-outlook.md:10: unknown fact '" + cafe + b"'"
    usage = run_bytes("build", "--root", str(project.root), "--base-url", "caf\u00e9→", env=env)
    assert usage.returncode == 2 and b"Traceback" not in usage.stderr
    assert b"base_url '" + cafe + b"' must be an absolute" in usage.stderr, usage.stderr


def test_a_utf8_terminal_keeps_the_real_characters(make_project):
    built = run_cli("build", "--root", str(make_project().root), env={"PYTHONIOENCODING": "utf-8"})
    assert built.returncode == 0 and built.stdout.endswith(" files changed → _site\n")
