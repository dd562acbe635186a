"""Whether the last build is still current, so that a rebuild with nothing changed is skipped.

Builds are deterministic: the same inputs give the same bytes. So when every
input of a build is exactly what the last successful build read, and its
output folder is exactly what that build wrote, building again would write the
same files, and ``build_site`` (``commands/build_command.py``) returns the recorded result instead.

The stamp (an entry of the build's store, one per output folder) records a digest of the
inputs: every file under ``content/``, ``templates/`` and ``static/`` (by their
bytes, not their times), the code of this package and its theme, the versions
of the libraries that render the site, the Python version, the base URL, the last
commit of ``content/facts/`` (the revision notes come from its history), and
the date the build would stamp (``settings.build_day``). It also records the
size, modification and change times and inode of every file in the output folder, so that
an output file edited, removed or added by hand makes the next build run. The
warnings of the recorded build are kept and shown again.

A file's bytes are read again only when what ``stat`` says of it changed: the
stamp keeps each input file's digest with its size, modification time, change
time, inode and device, as git's index does. The change time cannot be set by
hand (``os.utime`` sets it to now), so an edit that keeps the size and puts the
old modification time back is still seen. A file changed within ``RACY_NS`` of
the moment it was read could change again within the same timestamp tick and
keep all of those ("racy git"): its stat is not trusted, and it is read again
next time (the stamp written after a build reads such files once more).
"""
from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cache import Store, code_version
from ..errors import Problem
from ..files import MAX_STATIC_BYTES, read_regular
from ..content.folders import Project
from ..content.git import history_key
from ..settings import build_day

STAMP_VERSION = 2
# Longer than any file system's timestamp tick (FAT's is 2 s) plus the kernel clock's (a few ms).
RACY_NS = 3_000_000_000

FileDigests = Mapping[str, Sequence]  # path under the project -> [stat key..., digest]


@dataclass(frozen=True)
class BuildStamp:
    """What a successful build read and wrote, and what it reported."""

    inputs: str
    outputs: str
    pages: int
    charts: int
    files: int
    warnings: tuple[Problem, ...]
    digests: FileDigests  # each input file's digest by its stat, where the stat can vouch for the bytes


@dataclass(frozen=True)
class InputDigest:
    """The digest of everything a build reads (None when an input cannot be read), and each file's digest."""

    digest: str | None
    files: FileDigests  # every regular input file read or vouched for: [stat key..., digest, trusted]


def input_digest(project: Project, base_url: str | None, known: FileDigests | None = None) -> InputDigest:
    """A digest of everything a build of ``project`` reads; ``known`` (a stamp's digests) spares reading files."""
    digest = hashlib.sha256()
    for part in (STAMP_VERSION, code_version(), base_url, history_key(project.root, project.content),
                 build_day().isoformat(),
                 str(project.out)):
        digest.update(f"{part}\n".encode())
    try:
        listing, files = _input_files(project, known or {})
    except OSError:
        return InputDigest(None, {})  # the build itself will report what cannot be read
    for rel, file_digest in listing:
        digest.update(f"{rel}\n{file_digest}\n".encode(errors="surrogateescape"))  # any name Linux allows
    return InputDigest(digest.hexdigest(), files)


def _input_files(project: Project, known: FileDigests) -> tuple[list[tuple[str, str]], dict[str, list]]:
    # Every input file's path and digest, in order, and the records of those that were read or vouched for.
    listing, files = [], {}
    root, now = str(project.root), time.time_ns()
    prefix = os.path.join(root, "")
    for folder in (project.content, project.templates, project.static):
        for path, entry in _entries(str(folder), root):
            rel = path[len(prefix):].replace(os.sep, "/")
            file_digest, record = _file_digest(path, entry, root, known.get(rel), now)
            if record is not None and _utf8(rel):  # the stamp is JSON: only names it can hold
                files[rel] = record
            listing.append((rel, file_digest))
    return listing, files


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a file name that is not UTF-8 (surrogate escapes): read every time instead
        return False
    return True


def _file_digest(path: str, entry: os.DirEntry, root: str, known: Sequence | None,
                 now: int) -> tuple[str, list | None]:
    # Only regular files inside the project are read, and none bigger than a static file may be: a FIFO
    # would block, a link to /dev/zero would never end. A file the build reads is refused by the build
    # itself; one it does not read (content/notes, say) stands in by what stat says of it.
    info = entry.stat()
    key = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]
    changed = max(info.st_mtime_ns, info.st_ctime_ns)
    outside = False
    if entry.is_symlink():  # a link made again (another target) is a new link: its own inode and change time
        own = entry.stat(follow_symlinks=False)
        key += [own.st_ino, own.st_ctime_ns]
        changed = max(changed, own.st_ctime_ns)
        outside = not Path(path).resolve().is_relative_to(root)  # resolved every time: links are few
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STATIC_BYTES or outside:
        return f"{info.st_mode} {info.st_size} {info.st_mtime_ns} {info.st_ino}", None
    if known is not None and known[-1] is True and list(known[:-2]) == key:
        return known[-2], list(known)
    file_digest = f"{info.st_size} {hashlib.sha256(read_regular(Path(path), MAX_STATIC_BYTES)).hexdigest()}"
    return file_digest, key + [file_digest, changed < now - RACY_NS]


def changed_before(info: os.stat_result, moment: int) -> bool:
    """Whether what ``info`` describes was last modified, and its inode last changed, before ``moment`` (ns).

    A stat taken after ``now`` vouches for a file or folder from then on when it was unchanged before
    ``now - RACY_NS`` (see above): ``stamp.py``, ``texts.py`` and ``listings.py`` keep only those.
    """
    return max(info.st_mtime_ns, info.st_ctime_ns) < moment


def settled(project: Project, inputs: InputDigest) -> dict[str, list]:
    """The file digests a stamp keeps: those whose stat vouches for their bytes, racy files read once more.

    Called when the stamp is written, after the build: a file that was changed just
    before the build read it is read again now, and kept if it is old enough by now.
    """
    if inputs.digest is None:
        return {}
    if all(record[-1] is True for record in inputs.files.values()):
        return dict(inputs.files)
    trusted = settled_now(inputs)
    try:
        files = _input_files(project, trusted)[1]
    except OSError:
        return trusted
    return {rel: record for rel, record in files.items() if record[-1] is True}


def settled_now(inputs: InputDigest) -> dict[str, list]:
    """The file digests a stamp keeps, without reading anything again: those whose stat vouches for their bytes."""
    return {rel: record for rel, record in inputs.files.items() if record[-1] is True}


def output_digest(out: Path) -> str | None:
    """A digest of the output folder's listing (path, size, times, inode); None if it is missing."""
    if not out.is_dir():
        return None
    digest = hashlib.sha256()
    top = str(out)
    prefix = os.path.join(top, "")
    try:
        for path, entry in _entries(top, None, follow=False):
            info = entry.stat(follow_symlinks=False)
            rel = path[len(prefix):].replace(os.sep, "/")
            digest.update(f"{rel} {info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}\n"
                          .encode(errors="surrogateescape"))
    except OSError:
        return None
    return digest.hexdigest()


def current_stamp(project: Project, stamp: BuildStamp | None, inputs: InputDigest) -> BuildStamp | None:
    """``stamp``, if the output is still what the last build wrote from these same ``inputs``."""
    if inputs.digest is None or stamp is None or stamp.inputs != inputs.digest \
            or stamp.outputs != output_digest(project.out):
        return None
    return stamp


def read_stamp(project: Project, store: Store) -> BuildStamp | None:
    """The stamp of the last successful build into ``project.out``; None if there is none or it is unreadable."""
    data = store.get_json("builds", _stamp_key(project, store))
    try:
        if data.get("version") != STAMP_VERSION:
            return None
        digests = data["digests"]
        if not isinstance(digests, dict) or not all(isinstance(v, list) and len(v) >= 7 for v in digests.values()):
            return None
        return BuildStamp(str(data["inputs"]), str(data["outputs"]), int(data["pages"]), int(data["charts"]),
                          int(data["files"]), tuple(Problem(str(p), int(n), str(m)) for p, n, m in data["warnings"]),
                          digests)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def write_stamp(project: Project, store: Store, stamp: BuildStamp) -> None:
    """Record ``stamp`` in the store (a cache folder that cannot be written only costs speed)."""
    data = {"version": STAMP_VERSION, "inputs": stamp.inputs, "outputs": stamp.outputs, "pages": stamp.pages,
            "charts": stamp.charts, "files": stamp.files,
            "warnings": [[w.path, w.line, w.message] for w in stamp.warnings], "digests": stamp.digests}
    store.put_json("builds", _stamp_key(project, store), data)


def _stamp_key(project: Project, store: Store) -> str:
    return store.key("builds", str(project.out))


def _entries(folder: str, within: str | None, follow: bool = True) -> Iterator[tuple[str, os.DirEntry]]:
    # Every file under ``folder``, in a fixed order (a folder's files by name, then its folders by name).
    # With ``follow``, linked folders are followed, as the loader's globs follow them (a shared data folder
    # linked into content/ is content), each real folder once, so that a link loop cannot walk forever;
    # given ``within``, none outside it.
    seen: set[str] = set()
    pending = [folder]
    while pending:
        parent = pending.pop()
        if follow:
            real = os.path.realpath(parent)
            if real in seen or (within and not Path(real).is_relative_to(within)):
                continue
            seen.add(real)
        try:
            with os.scandir(parent) as found:
                entries = sorted(found, key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            if parent == folder:
                return  # no such folder: no files
            raise
        folders = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=follow):
                folders.append(entry.path)
            else:
                yield entry.path, entry
        pending.extend(reversed(folders))
