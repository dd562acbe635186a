"""``briefing deploy``: build, then commit the output folder to a gh-pages branch and push it.

As ``mkdocs gh-deploy`` does, the commit is made by ghp-import: one commit on
top of the branch holding exactly the built files, written with
``git fast-import`` so that the working tree, the index and the checked-out
branch are never touched. The order is the safety: the repository is checked
first, then the site is built (content errors stop here, before any commit),
then compared with what the branch already holds (the same files: no commit),
then committed, then pushed. Every failure is a BuildError saying what to do.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..progress import BuildResult
from .build_command import build_site
from ..errors import BuildError
from ..content.folders import Project
from ..output import check_output_folder

GIT_TIMEOUT = 300  # seconds; a push over a slow link can take a while, a hung credential prompt must not hang forever
SHOWN = 5  # changed file names listed in a dry run's summary


@dataclass(frozen=True)
class SiteChanges:
    """How the built files differ from the branch's: paths added, changed and removed, each sorted."""

    files: int = 0  # built files in all
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def counts(self) -> str:
        """``2 added, 1 changed, 0 removed``."""
        return f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed"

    def summary(self) -> str:
        """The counts, then the first few paths: ``2 added, 1 changed, 0 removed: a.html, b.html, c.css``."""
        paths = sorted(self.added + self.changed + self.removed)
        shown = ", ".join(paths[:SHOWN]) + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")
        return f"{self.counts()}: {shown}" if shown else self.counts()


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did: the build, how it differs from the branch, the commit (None if none was made), where
    it was pushed (None if not), and the uncommitted source files it was built from."""

    build: BuildResult
    branch: str
    commit: str | None
    pushed_to: str | None
    changes: SiteChanges = SiteChanges()
    base: str | None = None  # the branch commit the site was compared with (None: the branch is new)
    dry_run: bool = False
    uncommitted: tuple[str, ...] = ()
    moved: bool = False  # the remote's branch is not the commit last fetched from it

    def summary(self) -> str:
        """One line for the terminal."""
        where = f"pushed to {self.pushed_to}" if self.pushed_to else "not pushed (--no-push)"
        against = f"{self.branch} ({self.base[:12]})" if self.base else f"a new branch {self.branch}"
        if self.dry_run:
            push = f" and push it to {self.pushed_to}" if self.pushed_to else ""
            if self.moved:
                return (f"Dry run: {self.pushed_to}'s {self.branch} is not the commit last fetched from it "
                        f"({self.base[:12]}): a deploy would be refused; fetch it first")
            if not self.changes:
                return f"Dry run: nothing to deploy, the built site is what {against} holds"
            return f"Dry run: would commit {self.changes.summary()} to {against}{push}; nothing was committed"
        if self.commit is None:
            pushed = f"; pushed it to {self.pushed_to}" if self.pushed_to else ""
            return f"Nothing to deploy: the built site is what {against} already holds, no commit made{pushed}"
        return (f"Committed {self.changes.files} files to {self.branch} ({self.commit[:12]}), {where}: "
                f"{self.changes.counts()}")


def deploy(project: Project, remote: str = "origin", branch: str = "gh-pages", message: str | None = None,
           push: bool = True, base_url: str | None = None, strict: bool = False,
           dry_run: bool = False) -> DeployResult:
    """Build the site, commit it to ``branch`` and push that branch to ``remote``; raises BuildError(s) on failure.

    With ``strict``, a warning stops the deploy as an error does (StrictWarnings, nothing committed or pushed),
    and so do uncommitted changes to the sources, which are otherwise reported in the result and the message.
    When the built files are those the branch already holds, no commit is made. ``dry_run`` builds and
    compares, and commits and pushes nothing.
    """
    check_output_folder(project.out, project.root)  # as the build would, before anything else is asked of git
    repo = git_toplevel(project.root)
    _refuse_checked_out_branch(repo, branch)
    if not dry_run:
        _require_committer(repo)
    if push:
        _require_remote(repo, remote)
    uncommitted = uncommitted_sources(project, repo)
    if strict and uncommitted:
        shown = ", ".join(uncommitted[:3]) + (", ..." if len(uncommitted) > 3 else "")
        raise _deploy_error(repo, f"{len(uncommitted)} source file(s) have uncommitted changes ({shown}); "
                                  "commit them, or deploy without --strict")
    result = build_site(project, base_url, strict=strict)
    base, published = _base_commit(repo, remote, branch)
    changes = compare_site(project.out, repo, base)
    # The remote's branch as last fetched may be out of date: then the site is committed on it as ghp-import
    # does, and git refuses the push, rather than "nothing to deploy" on the strength of an old copy.
    moved = push and published and _remote_head(repo, remote, branch) != base
    if dry_run:
        return DeployResult(result, branch, None, remote if push else None, changes, base, True, uncommitted,
                            moved)
    commit = None
    if changes or base is None or moved:
        commit = commit_site(project.out, repo, branch, message or default_message(repo, bool(uncommitted)), remote)
    pushing = push and (commit is not None or not published)  # an unchanged site the remote lacks is pushed
    if pushing:
        push_branch(repo, remote, branch)
    return DeployResult(result, branch, commit, remote if pushing else None, changes, base, False, uncommitted)


def git_toplevel(path: Path) -> Path:
    """The root of the git working tree holding ``path``; BuildError when there is none."""
    done = _git(path, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise _deploy_error(path, f"{path} is not inside a git repository; deploy commits the site to a branch "
                                  "of the project's repository (run `git init` and add a remote first)")
    return Path(done.stdout.strip())


def default_message(repo: Path, uncommitted: bool = False) -> str:
    """The commit message naming the source commit, as ``mkdocs gh-deploy`` does, and whether the site was
    built with uncommitted changes to its sources."""
    head = _git(repo, "rev-parse", "--short", "HEAD")
    source = f" from {head.stdout.strip()}" if head.returncode == 0 else ""
    if uncommitted:
        source += " + uncommitted changes" if source else " from uncommitted changes"
    return f"Deploy site{source} with briefing {__version__}"


def uncommitted_sources(project: Project, repo: Path) -> tuple[str, ...]:
    """The project's source files (content/, templates/, static/, site.yaml) that differ from the last commit,
    untracked ones included, as git names them; ignored files are not sources."""
    sources = [project.content, project.templates, project.static, project.root / "site.yaml"]
    done = _git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *map(str, sources))
    if done.returncode != 0:
        raise _deploy_error(repo, f"git status failed: {_reason(done)}")
    entries = [entry for entry in done.stdout.split("\0") if entry]
    names, skip = [], False
    for entry in entries:
        if skip:  # the old name of a rename
            skip = False
            continue
        names.append(entry[3:])
        skip = entry[0] in "RC"
    return tuple(sorted(names))


def compare_site(out: Path, repo: Path, base: str | None) -> SiteChanges:
    """How the files under ``out`` differ from the tree of commit ``base`` (all added when None), by content."""
    built = _built_blobs(out, repo)
    held = _committed_blobs(repo, base) if base else {}
    return SiteChanges(len(built), tuple(sorted(built.keys() - held.keys())),
                       tuple(sorted(p for p in built.keys() & held.keys() if built[p] != held[p])),
                       tuple(sorted(held.keys() - built.keys())))


def _built_blobs(out: Path, repo: Path) -> dict[str, str]:
    # The files ghp-import would commit (it walks the folder, following no folder links), with their git blob
    # ids, hashed byte for byte as ghp-import writes them (no filters, no line-ending conversion).
    paths = sorted(p for p in out.rglob("*") if p.is_file())
    if not paths:
        return {}
    done = _run(["git", "hash-object", "--no-filters", "--stdin-paths"], repo, "".join(f"{p}\n" for p in paths))
    if done.returncode != 0:
        raise _deploy_error(repo, f"could not hash the built files: {_reason(done)}")
    return dict(zip((p.relative_to(out).as_posix() for p in paths), done.stdout.split()))


def _committed_blobs(repo: Path, commit: str) -> dict[str, str]:
    done = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit)
    if done.returncode != 0:
        raise _deploy_error(repo, f"could not read {commit[:12]}: {_reason(done)}")
    held = {}
    for entry in filter(None, done.stdout.split("\0")):
        meta, _, path = entry.partition("\t")
        held[path] = meta.split()[2]
    return held


def _base_commit(repo: Path, remote: str, branch: str) -> tuple[str | None, bool]:
    """The commit ghp-import builds on, and whether it is the remote's: ``remote/branch`` as last fetched or
    pushed when there is one (ghp-import then resets the local branch to it), else the local branch."""
    published = _ref_commit(repo, f"refs/remotes/{remote}/{branch}")
    return (published, True) if published else (_branch_commit(repo, branch), False)


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


def _remote_head(repo: Path, remote: str, branch: str) -> str | None:
    done = _git(repo, "ls-remote", "--heads", remote, f"refs/heads/{branch}")
    if done.returncode != 0:
        raise _deploy_error(repo, f"git ls-remote {remote} failed: {_reason(done)}")
    return done.stdout.split()[0] if done.stdout.strip() else None


def _branch_commit(repo: Path, branch: str) -> str | None:
    return _ref_commit(repo, f"refs/heads/{branch}")


def _ref_commit(repo: Path, ref: str) -> str | None:
    done = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(["git", *args], cwd)


def _run(command: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    # No terminal prompts: a deploy that needs credentials it does not have must fail, not wait.
    env = os.environ | {"GIT_TERMINAL_PROMPT": "0"}
    feed = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=GIT_TIMEOUT,
                              **feed)
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
