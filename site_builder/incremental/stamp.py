"""Whether the last build is still current, so that a rebuild with nothing changed is skipped.

Builds are deterministic: the same inputs give the same bytes. So when every
input of a build is exactly what the last successful build read, and its
output folder is exactly what that build wrote, building again would write the
same files, and ``build_site`` returns the recorded result instead.

The stamp (an entry of the build's store, one per output folder) records a digest of the
inputs: every file under ``content/``, ``templates/`` and ``static/`` (by their
bytes, not their times), the code of this package and its theme, the versions
of the libraries that render the site, the Python version, the base URL, the last
commit of ``content/facts/`` (the revision notes come from its history), and
the date the build would stamp (``SOURCE_DATE_EPOCH``, else today). It also records the
size, modification time and inode of every file in the output folder, so that
an output file edited, removed or added by hand makes the next build run. The
warnings of the recorded build are kept and shown again.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .cache import Store, code_version
from ..errors import Problem
from ..files import MAX_STATIC_BYTES, read_regular
from ..content.history import history_key
from ..compute.project import Project
from ..settings import build_day

STAMP_VERSION = 1


@dataclass(frozen=True)
class BuildStamp:
    """What a successful build read and wrote, and what it reported."""

    inputs: str
    outputs: str
    pages: int
    charts: int
    files: int
    warnings: tuple[Problem, ...]


def input_digest(project: Project, base_url: str | None) -> str | None:
    """A digest of everything a build of ``project`` reads; None when an input cannot be read."""
    digest = hashlib.sha256()
    for part in (STAMP_VERSION, code_version(), base_url, history_key(project.root, project.content),
                 build_day().isoformat(),
                 str(project.out)):
        digest.update(f"{part}\n".encode())
    try:
        for folder in (project.content, project.templates, project.static):
            for path in _files(folder, project.root):
                digest.update(f"{path.relative_to(project.root).as_posix()}\n{_file_digest(path, project.root)}\n"
                              .encode())
    except OSError:
        return None  # the build itself will report what cannot be read
    return digest.hexdigest()


def _file_digest(path: Path, root: Path) -> str:
    # Only regular files inside the project are read, and none bigger than a static file may be: a FIFO
    # would block, a link to /dev/zero would never end. A file the build reads is refused by the build
    # itself; one it does not read (content/notes, say) stands in by what stat says of it.
    info = path.stat()
    outside = path.is_symlink() and not path.resolve().is_relative_to(root)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STATIC_BYTES or outside:
        return f"{info.st_mode} {info.st_size} {info.st_mtime_ns} {info.st_ino}"
    return f"{info.st_size} {hashlib.sha256(read_regular(path, MAX_STATIC_BYTES)).hexdigest()}"


def output_digest(out: Path) -> str | None:
    """A digest of the output folder's listing (path, size, modification time, inode); None if it is missing."""
    if not out.is_dir():
        return None
    digest = hashlib.sha256()
    try:
        for path in _files(out):
            info = path.stat(follow_symlinks=False)
            digest.update(f"{path.relative_to(out).as_posix()} {info.st_size} {info.st_mtime_ns} {info.st_ino}\n"
                          .encode())
    except OSError:
        return None
    return digest.hexdigest()


def current_stamp(project: Project, store: Store, inputs: str | None) -> BuildStamp | None:
    """The recorded stamp, if the output is still what the last build wrote from these same ``inputs``."""
    if inputs is None:
        return None
    stamp = read_stamp(project, store)
    if stamp is None or stamp.inputs != inputs or stamp.outputs != output_digest(project.out):
        return None
    return stamp


def read_stamp(project: Project, store: Store) -> BuildStamp | None:
    """The stamp of the last successful build into ``project.out``; None if there is none or it is unreadable."""
    data = store.get_json("builds", _stamp_key(project, store))
    try:
        if data.get("version") != STAMP_VERSION:
            return None
        return BuildStamp(str(data["inputs"]), str(data["outputs"]), int(data["pages"]), int(data["charts"]),
                          int(data["files"]), tuple(Problem(str(p), int(n), str(m)) for p, n, m in data["warnings"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def write_stamp(project: Project, store: Store, stamp: BuildStamp) -> None:
    """Record ``stamp`` in the store (a cache folder that cannot be written only costs speed)."""
    data = {"version": STAMP_VERSION, "inputs": stamp.inputs, "outputs": stamp.outputs, "pages": stamp.pages,
            "charts": stamp.charts, "files": stamp.files,
            "warnings": [[w.path, w.line, w.message] for w in stamp.warnings]}
    store.put_json("builds", _stamp_key(project, store), data)


def _stamp_key(project: Project, store: Store) -> str:
    return store.key("builds", str(project.out))


def _files(folder: Path, within: Path | None = None) -> list[Path]:
    # Linked folders are followed, as the loader's globs follow them (a shared data folder linked into
    # content/ is content), each real folder once, so that a link loop cannot walk forever; given
    # ``within``, none outside it.
    if not folder.is_dir():
        return []
    found, seen = [], set()
    for parent, dirs, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(parent)
        if real in seen or (within and not Path(real).is_relative_to(within)):
            dirs.clear()
            continue
        seen.add(real)
        dirs.sort()
        found.extend(Path(parent) / name for name in sorted(names))
    return found
