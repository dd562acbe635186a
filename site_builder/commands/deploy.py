"""``briefing deploy``: build, then commit the output folder to a gh-pages branch and push it.

As ``mkdocs gh-deploy`` does, the commit is made by ghp-import: one commit on
top of the branch holding exactly the built files, written with
``git fast-import`` so that the working tree, the index and the checked-out
branch are never touched. The order is the safety: the repository is checked
first, then the site is built (content errors stop here, before any commit),
then committed, then pushed. Every failure is a BuildError saying what to do.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..build import BuildResult, build_site
from ..errors import BuildError
from ..compute.project import Project

GIT_TIMEOUT = 300  # seconds; a push over a slow link can take a while, a hung credential prompt must not hang forever


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did: the build, the commit on the branch, and where it was pushed (None if not)."""

    build: BuildResult
    branch: str
    commit: str
    pushed_to: str | None

    def summary(self) -> str:
        """One line for the terminal."""
        where = f"pushed to {self.pushed_to}" if self.pushed_to else "not pushed (--no-push)"
        return f"Committed {self.build.files} files to {self.branch} ({self.commit[:12]}), {where}"


def deploy(project: Project, remote: str = "origin", branch: str = "gh-pages", message: str | None = None,
           push: bool = True, base_url: str | None = None, strict: bool = False) -> DeployResult:
    """Build the site, commit it to ``branch`` and push that branch to ``remote``; raises BuildError(s) on failure.

    With ``strict``, a warning stops the deploy as an error does: StrictWarnings, nothing committed or pushed.
    """
    repo = git_toplevel(project.root)
    _refuse_checked_out_branch(repo, branch)
    _require_committer(repo)
    if push:
        _require_remote(repo, remote)
    result = build_site(project, base_url, strict=strict)
    commit = commit_site(project.out, repo, branch, message or default_message(repo), remote)
    if push:
        push_branch(repo, remote, branch)
    return DeployResult(result, branch, commit, remote if push else None)


def git_toplevel(path: Path) -> Path:
    """The root of the git working tree holding ``path``; BuildError when there is none."""
    done = _git(path, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise _deploy_error(path, f"{path} is not inside a git repository; deploy commits the site to a branch "
                                  "of the project's repository (run `git init` and add a remote first)")
    return Path(done.stdout.strip())


def default_message(repo: Path) -> str:
    """The commit message naming the source commit, as ``mkdocs gh-deploy`` does."""
    head = _git(repo, "rev-parse", "--short", "HEAD")
    source = f" from {head.stdout.strip()}" if head.returncode == 0 else ""
    return f"Deploy site{source} with briefing {__version__}"


def commit_site(out: Path, repo: Path, branch: str, message: str, remote: str) -> str:
    """Commit the folder ``out`` as the whole content of ``branch`` with ghp-import; returns the new commit id.

    ghp-import starts from ``remote/branch`` when it exists, so a deploy from a
    fresh clone continues the published history instead of replacing it.
    """
    before = _branch_commit(repo, branch)
    command = [sys.executable, "-m", "ghp_import", "--message", message, "--branch", branch,
               "--remote", remote, str(out)]
    done = _run(command, repo)
    after = _branch_commit(repo, branch)
    if done.returncode != 0 or after is None or after == before:
        raise _deploy_error(repo, f"could not commit {out} to branch {branch!r}: {_reason(done) or 'no commit made'}")
    return after


def push_branch(repo: Path, remote: str, branch: str) -> None:
    """Push ``branch`` to ``remote``; BuildError with git's own explanation when it fails."""
    done = _git(repo, "push", remote, f"refs/heads/{branch}:refs/heads/{branch}")
    if done.returncode != 0:
        raise _deploy_error(repo, f"git push {remote} {branch} failed: {_reason(done)} (the site was committed "
                                  f"to the local {branch!r} branch; fix the problem and run deploy again)")


def _refuse_checked_out_branch(repo: Path, branch: str) -> None:
    current = _git(repo, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    if current == branch:
        raise _deploy_error(repo, f"refusing to deploy onto {branch!r}: it is the branch checked out here, "
                                  "and deploy replaces a branch's whole content (choose another --branch)")


def _require_committer(repo: Path) -> None:
    # ghp-import takes the committer from these variables or git's config, without git's guessing.
    for variable, key in (("GIT_COMMITTER_NAME", "user.name"), ("GIT_COMMITTER_EMAIL", "user.email")):
        if not os.environ.get(variable) and not _git(repo, "config", key).stdout.strip():
            raise _deploy_error(repo, f"git has no {key} to sign the deploy commit with: "
                                      f"set it with `git config {key} ...`")


def _require_remote(repo: Path, remote: str) -> None:
    if _git(repo, "remote", "get-url", remote).returncode != 0:
        raise _deploy_error(repo, f"this repository has no git remote named {remote!r} (add one with "
                                  f"`git remote add {remote} URL`, pick one with --remote, or use --no-push)")


def _branch_commit(repo: Path, branch: str) -> str | None:
    done = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(["git", *args], cwd)


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # No terminal prompts: a deploy that needs credentials it does not have must fail, not wait.
    env = os.environ | {"GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=GIT_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        missing = f"no folder {cwd}" if not cwd.is_dir() else f"{command[0]} is not installed or not on PATH"
        raise _deploy_error(cwd, missing) from None
    except subprocess.TimeoutExpired:
        raise _deploy_error(cwd, f"`{' '.join(command[:3])} ...` took more than {GIT_TIMEOUT} s; gave up") from None


def _reason(done: subprocess.CompletedProcess[str]) -> str:
    """Git's explanation of a failure: its error lines (fatal:, error:, ! [rejected]), else its last line."""
    lines = [line.strip() for line in (done.stderr + "\n" + done.stdout).splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("fatal:", "!")) or "error:" in line.lower()]
    return "; ".join(errors[:3]) if errors else (lines[-1] if lines else "")


def _deploy_error(path: Path, message: str) -> BuildError:
    return BuildError(str(path), 1, f"deploy: {message}")
