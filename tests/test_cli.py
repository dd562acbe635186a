"""cli.py in a real process: exit codes 0, 1 and 2, and errors printed as ``path:line: message``."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.errors import MAX_REPORTED_ERRORS
from conftest import copy_project
from site_builder.compute.project import Project

BUILT = "Built 1 briefing(s)"


def edit(project, rel: str, old: str, new: str) -> None:
    path = project.root / rel
    text = path.read_text()
    assert old in text, f"{old!r} is not in {rel}"
    path.write_text(text.replace(old, new, 1))


def test_build_exits_0_and_reports_what_it_did(make_project, cli):
    project = make_project()
    result = cli("build", "--root", str(project.root))
    assert result.returncode == 0, result.stderr
    assert BUILT in result.stdout and "2 chart(s)" in result.stdout
    assert "content/facts/widgets.yaml:56: warning: check 'forecast-2030'" in result.stderr
    assert "Traceback" not in result.stderr
    assert (project.out / "index.html").is_file()


def test_a_second_build_with_nothing_changed_says_so_and_force_builds(make_project, cli):
    project = make_project()
    assert cli("build", "--root", str(project.root)).returncode == 0
    again = cli("build", "--root", str(project.root))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Up to date: nothing changed since the last build of 1 briefing(s)")
    assert "content/facts/widgets.yaml:56: warning: check 'forecast-2030'" in again.stderr  # warnings still shown
    forced = cli("build", "--force", "--root", str(project.root))
    assert forced.returncode == 0 and BUILT in forced.stdout and "0 of" in forced.stdout


def test_build_runs_from_the_project_folder_by_default(make_project, cli):
    project = make_project()
    result = cli("build", "--quiet", cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (project.root / "_site/index.html").is_file()


def test_check_warns_and_strict_check_fails(make_project, cli):
    project = make_project()
    relaxed = cli("check", "--root", str(project.root))
    assert relaxed.returncode == 0
    assert "content/facts/widgets.yaml:56: warning:" in relaxed.stderr
    strict = cli("check", "--strict", "--root", str(project.root))
    assert strict.returncode == 1
    assert "failing because of --strict" in strict.stderr
    assert not project.out.exists()


@pytest.mark.parametrize("args", [[], ["bogus"], ["build", "--bogus"], ["build", "--root"], ["serve", "--port", "abc"]])
def test_bad_usage_exits_2(cli, tmp_path, args):
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: briefing")
    assert "Traceback" not in result.stderr


def test_version_exits_0(cli):
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("briefing ")


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("briefing")
    assert script.exists() or shutil.which("briefing")


def test_folder_without_content_exits_1(cli, tmp_path):
    result = cli("build", "--root", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == "content:1: no content/ folder here (use --root, or `briefing new DIR`)\n"


# --- the errors an author meets most, each located in the right file and line ----------------------

FACTS = "content/facts/widgets.yaml"
MD = "content/briefings/widget-outlook.md"
CHARTS = "content/charts/widgets.yaml"

AUTHOR_ERRORS = {
    "malformed YAML": (FACTS, "    value: 700000\n", "    value: [700000\n",
                       f"{FACTS}:12: malformed YAML: expected ',' or ']', but got ':'"),
    "fact missing a field": (FACTS, "    label: Widget sales, 2022\n", "",
                             f"{FACTS}:9: facts[1].label: missing required field"),
    "wrongly typed field": (FACTS, "    period: \"2021\"\n", "    period: [2021]\n",
                            f"{FACTS}:7: facts[0].period: must be a year or a text such as \"2024-Q1\", \"2024-03\" or \"2023-01/2023-11\""),
    "unknown source id": (FACTS, "    value: 700000\n    unit: widgets\n    period: \"2022\"\n    source: agency\n",
                          "    value: 700000\n    unit: widgets\n    period: \"2022\"\n    source: agencyy\n",
                          f"{FACTS}:9: fact 'sales.2022': unknown source id 'agencyy'"),
    "unknown fact in Markdown": (MD, '{{ fact("growth") }}', '{{ fact("grwoth") }}',
                                 f"{MD}:10: unknown fact 'grwoth'"),
    "unknown chart in Markdown": (MD, '{{ chart("compare") }}', '{{ chart("comparison") }}',
                                  f"{MD}:17: unknown chart 'comparison'"),
    "chart naming a missing series fact": (CHARTS, "facts: [sales.2023, forecast.2030]", "facts: [sales.2023, forecast.2031]",
                                           f"{CHARTS}:21: chart 'compare': series 'Widgets' names missing fact 'forecast.2031'"),
    "template syntax error": ("templates/sources.html", None,
                              "{% extends 'base.html' %}\n{% block main %}\n<h1>Sources</h1>\n{{ cited( }}\n{% endblock %}\n",
                              "templates/sources.html:4: template syntax: unexpected '}', expected ')'"),
}


@pytest.mark.parametrize("name", list(AUTHOR_ERRORS))
def test_author_errors_exit_1_with_file_and_line(mini_site, tmp_path, cli, files_of, name):
    rel, old, new, expected = AUTHOR_ERRORS[name]
    project = Project.at(shutil.copytree(mini_site.root, tmp_path / "mini", symlinks=True))  # built once already
    before = files_of(project.out)
    assert "index.html" in before
    if old is None:
        (project.root / rel).write_text(new)
    else:
        edit(project, rel, old, new)
    result = cli("build", "--root", str(project.root))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == expected
    assert result.stdout == ""
    assert files_of(project.out) == before


def test_every_error_is_printed_with_a_count(make_project, cli):
    project = make_project()
    edit(project, MD, '{{ fact("growth") }}', '{{ fact("grwoth") }}')
    edit(project, MD, '{{ chart("compare") }}', '{{ chart("comparison") }}')
    result = cli("build", "--root", str(project.root))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{MD}:10: unknown fact 'grwoth'", f"{MD}:17: unknown chart 'comparison'",
                                          "briefing: 2 error(s); nothing was written"]


def test_long_error_lists_are_capped_with_a_count(make_project, capsys):
    project = make_project()
    facts = "".join(f"  - id: f{i}\n    label: F{i}\n    value: {i}\n    source: nobody\n" for i in range(MAX_REPORTED_ERRORS + 10))
    (project.content / "facts/many.yaml").write_text("facts:\n" + facts)
    assert main(["build", "--root", str(project.root)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == MAX_REPORTED_ERRORS + 2
    assert lines[0] == "content/facts/many.yaml:2: fact 'f0': unknown source id 'nobody'"
    assert lines[-2:] == ["... and 10 more errors", f"briefing: {MAX_REPORTED_ERRORS + 10} error(s); nothing was written"]


def test_strict_build_fails_on_a_warning_and_quiet_hides_warnings(make_project, cli):
    project = make_project()
    strict = cli("build", "--root", str(project.root), "--strict", "-q")
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[0].startswith("content/facts/widgets.yaml:56: warning: check 'forecast-2030'")
    assert strict.stderr.splitlines()[-1] == ("briefing: 1 warning(s), failing because of --strict; "
                                              "nothing was written")
    assert not project.out.exists()
    quiet = cli("build", "--root", str(project.root), "-q", "--force")
    assert quiet.returncode == 0 and quiet.stdout == ""
    assert "warning" not in quiet.stderr


def test_strict_build_after_a_relaxed_one_fails_and_leaves_that_site_alone(make_project, cli, files_of):
    project = make_project()
    assert cli("build", "--root", str(project.root)).returncode == 0
    before = files_of(project.out)
    strict = cli("build", "--root", str(project.root), "--strict")  # up to date, and its warning still counts
    assert strict.returncode == 1 and "failing because of --strict" in strict.stderr
    assert files_of(project.out) == before
    edit(project, FACTS, "tolerance: 0.02", "tolerance: 0.99")
    fixed = cli("build", "--root", str(project.root), "--strict")
    assert fixed.returncode == 0 and "warning" not in fixed.stderr and BUILT in fixed.stdout


@pytest.mark.parametrize("args", [
    ("serve", "--port", "99999"), ("serve", "--port", "-1"), ("serve", "--port", "http"),
    ("build", "--base-url", "notaurl"), ("new",), ("deploy", "--nope"), ("check", "--port", "1"), ("frobnicate",),
])
def test_bad_arguments_are_usage_errors_without_a_traceback(cli, tmp_path, args):
    done = cli(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "usage:" in done.stderr


def test_every_argument_and_command_has_help():
    import argparse
    from site_builder.cli import make_parser
    parser = make_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help, (name, action.dest)


# --- every subcommand with bad arguments: a usage error (2) or a content/build error (1), one line, no traceback

USAGE, FAILED = 2, 1
PROJECT_COMMANDS = ("build", "serve", "check", "deploy")
BAD_FOR_EVERY_PROJECT_COMMAND = {
    "unknown flag": (["--bogus"], USAGE, "unrecognized arguments: --bogus"),
    "missing value": (["--root"], USAGE, "argument --root: expected one argument"),
    "nonexistent --root": (["--root", "{tmp}/nowhere"], USAGE, "argument --root: no folder '{tmp}/nowhere'"),
    "--root is a file": (["--root", "{tmp}/a-file"], USAGE, "argument --root: '{tmp}/a-file' is a file, not a folder"),
    "bad --base-url": (["--root", "{site}", "--base-url", "javascript:alert(1)"], USAGE,
                       "argument --base-url: base_url 'javascript:alert(1)' must be an absolute http(s) URL"),
    "--out inside content/": (["--root", "{site}", "--out", "{site}/content/out"], FAILED,
                              "{site}/content/out:1: the output folder cannot be inside content/"),
    "no content/ folder": (["--root", "{tmp}/empty"], FAILED, None),
}
BAD_OTHERS = {
    "no subcommand": ([], USAGE, "the following arguments are required: COMMAND"),
    "unknown subcommand": (["frobnicate"], USAGE, "argument COMMAND: invalid choice: 'frobnicate'"),
    "unknown top-level flag": (["--bogus", "build"], USAGE, "unrecognized arguments: --bogus"),
    "serve: port 70000": (["serve", "--port", "70000"], USAGE, "argument --port: 70000 is not a port"),
    "serve: port -1": (["serve", "--port", "-1"], USAGE, "argument --port: -1 is not a port"),
    "serve: port abc": (["serve", "--port", "abc"], USAGE, "argument --port: 'abc' is not a port number"),
    "serve: port missing": (["serve", "--port"], USAGE, "argument --port: expected one argument"),
    "deploy: --branch missing": (["deploy", "--branch"], USAGE, "argument --branch: expected one argument"),
    "deploy: not a git repository": (["deploy", "--root", "{site}"], FAILED, "{site}:1: deploy: {site} is not inside"),
    "new: no folder given": (["new"], USAGE, "the following arguments are required: DIR"),
    "new: unknown flag": (["new", "x", "--bogus"], USAGE, "unrecognized arguments: --bogus"),
    "new: non-empty folder": (["new", "{site}"], FAILED, "{site}:1: folder exists and is not empty"),
    "new: a file": (["new", "{tmp}/a-file"], FAILED, "{tmp}/a-file:1: exists and is not a folder"),
    "new: under a file": (["new", "{tmp}/a-file/site"], FAILED, "{tmp}/a-file/site:1: cannot create the project here"),
}
BAD_ARGUMENTS = {f"{command}: {name}": ([command, *args], code, message)
                 for command in PROJECT_COMMANDS
                 for name, (args, code, message) in BAD_FOR_EVERY_PROJECT_COMMAND.items()} | BAD_OTHERS


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict[str, str]:
    """A project (not a git repository), a plain file, an empty folder: what the table's arguments name."""
    tmp = tmp_path_factory.mktemp("bad-arguments")
    site = copy_project(tmp / "site")
    (tmp / "a-file").write_text("not a folder\n")
    (tmp / "empty").mkdir()
    return {"tmp": str(tmp), "site": str(site)}


@pytest.mark.parametrize("case", list(BAD_ARGUMENTS))
def test_every_command_refuses_bad_arguments_with_one_line_and_no_traceback(cli, places, case):
    args, code, message = BAD_ARGUMENTS[case]
    done = cli(*(arg.format(**places) for arg in args), cwd=places["tmp"])
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.splitlines()
    if code == USAGE:  # argparse: the usage, then one line naming the error
        assert lines[0].startswith("usage: briefing") and lines[-1].startswith("briefing")
        assert [line for line in lines if ": error: " in line] == [lines[-1]]
        error = lines[-1].partition(": error: ")[2]
    else:
        assert len(lines) == 1, lines
        error = lines[0]
    if message is not None:
        assert error.startswith(message.format(**places)), error


def option_entries(help_text: str) -> list[tuple[str, str]]:
    """Each argument of a ``--help`` text with its description (empty when it has none)."""
    entries: list[list[str]] = []
    in_section = False
    for line in help_text.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            in_section = line in ("options:", "positional arguments:")
        elif in_section and line.startswith("  ") and not line.startswith("   ") and line.strip():
            invocation, _, description = line.strip().partition("  ")
            entries.append([invocation, description.strip()])
        elif in_section and line.startswith("    ") and entries and line.strip():
            entries[-1][1] = (entries[-1][1] + " " + line.strip()).strip()
    return [(invocation, description) for invocation, description in entries]


@pytest.mark.parametrize("command", [[], ["build"], ["serve"], ["check"], ["deploy"], ["new"]],
                         ids=["briefing", "build", "serve", "check", "deploy", "new"])
def test_every_option_in_every_help_text_has_a_description(cli, command):
    done = cli(*command, "--help", env={"COLUMNS": "100"})
    assert done.returncode == 0 and done.stderr == ""
    entries = option_entries(done.stdout)
    assert len(entries) >= 2, done.stdout
    assert [entry for entry in entries if not entry[1]] == [], done.stdout
    if command in (["build"], ["serve"], ["check"], ["deploy"]):
        assert {"--root DIR", "--out DIR", "--base-url URL", "-q, --quiet"} <= {e[0] for e in entries}


def test_the_help_of_the_commands_lists_each_with_a_description(cli):
    shown = cli("--help", env={"COLUMNS": "100"}).stdout.splitlines()
    commands = dict(line.strip().split(None, 1) for line in shown if line.startswith("    ") and line[4] != " ")
    assert set(commands) == {"build", "serve", "check", "deploy", "new"}
    assert all(description.strip() for description in commands.values()), commands
