"""The hostile corpus (tests/hostile/): every malformed or hostile input is refused with one located
message and exit code 1, without a traceback, and the site built before it is left byte for byte alone.

The command runs in-process through ``cli.main`` (what ``briefing`` and ``python -m site_builder``
call) because a fresh interpreter per case would cost twenty times as much; an exception escaping
``main`` fails the test just as a traceback would. tests/test_cli.py runs the real process.
"""
from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.content.loader import MAX_FILE_BYTES

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = tomllib.loads((HOSTILE / "cases.toml").read_text(encoding="utf-8"))
ERROR_LINE = re.compile(r"^(?P<where>.+?:\d+): (?P<message>.*)$")


def setup_huge_file(root: Path, outside: Path) -> None:
    (root / "content/facts/huge.yaml").write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")


def setup_symlink_facts(root: Path, outside: Path) -> None:
    target = outside / "secret.yaml"
    target.write_text("facts:\n  - id: secret\n    label: Secret\n    value: 1\n    source: agency\n")
    (root / "content/facts/linked.yaml").symlink_to(target)


def setup_symlink_sources(root: Path, outside: Path) -> None:
    sources = root / "content/sources.yaml"
    target = outside / "sources.yaml"
    shutil.copyfile(sources, target)
    sources.unlink()
    sources.symlink_to(target)


def setup_sparse_template(root: Path, outside: Path) -> None:
    (root / "templates").mkdir(exist_ok=True)
    with open(root / "templates/notes.md", "wb") as file:  # read whole, with every template, before: 3 GB
        file.truncate(1 << 30)


SETUPS = {"sparse-template": setup_sparse_template, "huge-file": setup_huge_file, "symlink-facts": setup_symlink_facts, "symlink-sources": setup_symlink_sources}


def test_corpus_index_folders_and_readme_agree():
    folders = {p.name for p in HOSTILE.iterdir() if p.is_dir()}
    made_by_test = {name for name, case in CASES.items() if "setup" in case or "args" in case}
    assert folders == set(CASES) - made_by_test
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^\| `([a-z0-9-]+)` \|", readme, re.M)) == set(CASES)
    assert len(CASES) >= 30
    for case in CASES.values():
        assert set(case) <= {"about", "expect", "message", "setup", "args"} and case.get("setup", "huge-file") in SETUPS


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_at_its_line_and_the_site_is_untouched(name, mini_site, tmp_path, capsys, files_of):
    case = CASES[name]
    root = tmp_path / "project"
    shutil.copytree(mini_site.root, root, symlinks=True)  # the mini project, already built once
    before = files_of(root / "_site")
    assert "index.html" in before
    if (HOSTILE / name).is_dir():
        shutil.copytree(HOSTILE / name, root, dirs_exist_ok=True)
    if "setup" in case:
        outside = tmp_path / "outside"
        outside.mkdir()
        SETUPS[case["setup"]](root, outside)
    args = [arg.replace("{root}", str(root)) for arg in case.get("args", [])]

    code = main(["build", "--quiet", "--root", str(root), *args])

    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "Traceback" not in captured.err
    errors = [m for line in captured.err.splitlines()
              if (m := ERROR_LINE.match(line)) and not m["message"].startswith("warning:")]
    assert errors, captured.err
    expected_where = case["expect"].replace("{root}", str(root))
    assert errors[0]["where"] == expected_where, captured.err
    assert case["message"] in errors[0]["message"], captured.err
    expected_file = expected_where.rsplit(":", 1)[0]
    assert all(e["where"].rsplit(":", 1)[0] == expected_file for e in errors), captured.err
    assert files_of(root / "_site") == before
    assert not [p.name for p in root.iterdir() if p.name.startswith("._site.")]
