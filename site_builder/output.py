"""Writing the site: all of it or none of it.

The new site is written into a temporary folder beside the output folder and
swapped in only when complete, so a failed build never leaves a half-written
or deleted site behind. A long-running build (``briefing serve``) that knows
what it wrote last time updates the folder instead: every changed file is
written beside its target first, and only when all of them are written are
they renamed into place.
"""
from __future__ import annotations

import json
import marshal
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError
from .files import folder_listing, listing
from .frozen import FrozenDict
from .swap import site_folder, staging_folder, swap_in

# Every site we write lists its own files here; a folder without it, or holding files it does not
# list, is not ours to replace.
RECORD = ".briefing-site.json"
_TEMPORARY = re.compile(r"\..+\.\d+\.new")  # update_site's files written beside their targets


def replace_file(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` whole; raises OSError.

    The bytes go into a temporary file beside ``path``, which is then renamed
    over it: a reader, or another process writing the same cache entry, sees
    the old bytes or the new, never half of them.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    tmp.replace(path)


def check_output_folder(out: Path, root: Path) -> dict[str, tuple[int, int, int]]:
    """Refuse output folders whose replacement would destroy something that is not a built site.

    Returns the folder's ``listing`` (empty when there is no folder), which ``update_site`` can take.
    """
    out, root = out.resolve(), root.resolve()
    _check_place(out, root)
    return _check_files(out, folder_listing(out))


def check_output_folder_ahead(out: Path, root: Path) -> Callable[[], dict[str, tuple[int, int, int]]]:
    """``check_output_folder`` in two halves, for a build: where the folder is, checked now, and what it holds.

    The folder is listed by another process meanwhile (11,000 files' ``stat`` are a tenth of a rebuild's
    time, and a thread would hold the interpreter's lock for most of it); the function returned waits for
    that listing (made here instead, if the process failed), refuses what ``check_output_folder`` refuses,
    and returns it. A file changed after it was listed is put right by the next build, as before.
    """
    out, root = out.resolve(), root.resolve()
    _check_place(out, root)
    listed: list = []
    command = [sys.executable, "-I", "-S", "-c", _LIST_IN_CHILD, str(Path(__file__).parent.parent), _LISTER,
               str(out)]
    thread = threading.Thread(target=_list_in_child, args=(command, listed), daemon=True)
    thread.start()

    def checked() -> dict[str, tuple[int, int, int]]:
        thread.join()
        return _check_files(out, listed[0] if listed else folder_listing(out))
    return checked


# The child imports ``files`` alone (the standard library's os, stat and pathlib): 10 ms, not output's 30.
_LISTER = folder_listing.__module__
_LIST_IN_CHILD = ("import importlib, marshal, sys; sys.path.insert(0, sys.argv[1]); "
                  "listing = importlib.import_module(sys.argv[2]).folder_listing; "
                  "sys.stdout.buffer.write(marshal.dumps(listing(sys.argv[3])))")


def _list_in_child(command: list[str], listed: list) -> None:
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                              timeout=60, check=True)
        found = marshal.loads(done.stdout)
    except (OSError, ValueError, EOFError, TypeError, subprocess.SubprocessError):
        return  # listed in this process instead
    if found is None or isinstance(found, dict):
        listed.append(found)


def _check_place(out: Path, root: Path) -> None:
    # Where the output folder is (``out`` and ``root`` resolved).
    if out == root or root.is_relative_to(out):
        raise BuildError(str(out), 1, "the output folder cannot be the project folder or contain it")
    for name in ("content", "templates", "static"):
        if out.is_relative_to(root / name):
            raise BuildError(str(out), 1, f"the output folder cannot be inside {name}/")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise BuildError(str(out), 1, f"{out} exists and is not a folder; choose another --out or remove it")


def _check_files(out: Path, on_disk: dict[str, tuple[int, int, int]] | None) -> dict[str, tuple[int, int, int]]:
    # What the output folder holds (``on_disk``, its listing): only a site we wrote may be replaced.
    if on_disk is None:
        raise BuildError(str(out), 1, f"{out} cannot be read; choose another --out")
    if not on_disk:
        return on_disk
    listed = recorded_files(out)
    if listed is None:
        raise BuildError(str(out), 1, f"{out} exists and is not a site built by briefing (no {RECORD} listing "
                         "what briefing wrote there); choose another --out or remove it")
    foreign = sorted(rel for rel in on_disk if rel not in listed and not _our_temporary(rel))
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise BuildError(str(out), 1, f"{out} holds files that briefing did not write ({shown}); a build would "
                         "remove them: move them elsewhere or choose another --out")
    return on_disk


def recorded_files(out: Path) -> frozenset[str] | None:
    """The files the site in ``out`` was written with, as its record lists them; None without a valid record."""
    try:
        data = json.loads((out / RECORD).read_bytes()) if (out / RECORD).is_file() else None
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generator") != "site_builder" or not isinstance(data.get("files"), list):
        return None
    return frozenset(str(rel) for rel in data["files"])


def with_record(files: dict[str, bytes], last: Mapping[str, bytes] | None = None) -> dict[str, bytes]:
    """``files`` and the record that lists them (see ``RECORD``); ``last``'s record when it lists the same files."""
    if last is not None and RECORD in last and last.keys() == files.keys() | {RECORD}:
        return {**files, RECORD: last[RECORD]}
    listed = sorted({*files, RECORD})
    record = json.dumps({"generator": "site_builder", "files": listed}, indent=0) + "\n"
    return {**files, RECORD: record.encode()}


def _our_temporary(rel: str) -> bool:
    # A file of update_site's that a killed build left beside its target.
    return bool(_TEMPORARY.fullmatch(rel.rsplit("/", 1)[-1]))


def write_site(files: dict[str, bytes], out: Path) -> list[str]:
    """Replace ``out`` with exactly ``files`` (relative path → bytes); returns the paths whose bytes changed.

    Files identical to the current site's are hard-linked rather than rewritten,
    so their modification times show what a rebuild really touched.
    """
    files = with_record(files)
    out = site_folder(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = staging_folder(out)
    except OSError as exc:
        raise BuildError(str(out), 1, f"cannot write the output folder: {exc.strerror or exc}") from None
    changed: list[str] = []
    try:
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            old = out / rel
            if _same_bytes(old, data):
                try:
                    os.link(old, target)
                    continue
                except OSError:
                    pass  # a file system without hard links: fall back to writing
            target.write_bytes(data)
            changed.append(rel)
        swap_in(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(str(out), 1, f"cannot write the site: {exc.strerror or exc}"
                         f"{f' ({exc.filename})' if exc.filename else ''}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return changed


@dataclass(frozen=True)
class WrittenSite:
    """What a build left in the output folder: every file's bytes, and its size, modification time and inode."""

    files: FrozenDict[str, bytes]
    stats: FrozenDict[str, tuple[int, int, int]]


def update_site(files: dict[str, bytes], out: Path, last: WrittenSite | None,
                on_disk: dict[str, tuple[int, int, int]] | None = None) -> tuple[list[str], WrittenSite]:
    """Make ``out`` hold exactly ``files``, as ``write_site`` does; returns the paths written and the new record.

    Given ``last``, the record of the previous call, only the files whose bytes
    differ from it are written (or whose file on disk is no longer the one
    written), and files no longer made are removed, rather than copying the
    whole site. Without it, or when most files change, the whole site is
    written and swapped in. ``on_disk`` is the folder's ``listing`` when the
    build has made it already (``check_output_folder``, as it started): a file
    someone changes in the folder during the build is then put right by the
    next build, which sees it differ from the record.
    """
    files = with_record(files, last.files if last is not None else None)
    if last is None:
        on_disk = None
    elif on_disk is None:
        on_disk = listing(out)
    if not on_disk:  # no record, or no folder to update
        changed = write_site(files, out)
        return changed, WrittenSite(FrozenDict(files), FrozenDict(listing(out) or {}))
    stale = {rel for rel, stat in on_disk.items() if last.stats.get(rel) != stat}  # changed by someone else
    write = sorted(rel for rel, data in files.items()
                   if rel not in on_disk or rel in stale or last.files.get(rel) != data)  # bytes ==: identity first
    remove = sorted(on_disk.keys() - files.keys())
    clash = any(_clashes(rel, on_disk, out) for rel in write if rel not in on_disk)
    if clash or len(write) + len(remove) > len(files) // 2:
        changed = write_site(files, out)
        return changed, WrittenSite(FrozenDict(files), FrozenDict(listing(out) or {}))
    _replace_files(out, {rel: files[rel] for rel in write}, remove)
    stats = {rel: stat for rel, stat in on_disk.items() if rel in files}
    for rel in write:
        info = (out / rel).stat(follow_symlinks=False)
        stats[rel] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return write, WrittenSite(FrozenDict(files), FrozenDict(stats))


def _clashes(rel: str, on_disk: dict[str, tuple[int, int, int]], out: Path) -> bool:
    # A new file where a folder is, or inside what is a file: the whole-site swap deals with those.
    parts = rel.split("/")
    return any("/".join(parts[:i]) in on_disk for i in range(1, len(parts))) or (out / rel).is_dir()


def _replace_files(out: Path, files: dict[str, bytes], remove: list[str]) -> None:
    # Every new file is written beside its target before any is renamed into place: a failure while
    # writing (a full disk, say) leaves the site exactly as it was.
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, data in files.items():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.new")
            staged.append((temporary, target))
            temporary.write_bytes(data)
    except OSError as exc:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise BuildError(str(out), 1, f"cannot write the site: {exc.strerror or exc}"
                         f"{f' ({exc.filename})' if exc.filename else ''}") from None
    try:
        for temporary, target in staged:
            temporary.replace(target)
        for rel in remove:
            (out / rel).unlink(missing_ok=True)
            _remove_empty_folders((out / rel).parent, out)
    except OSError as exc:  # renaming within a folder: only a file system gone wrong fails here
        raise BuildError(str(out), 1, f"the site is partly updated: {exc.strerror or exc}; build again") from None


def _remove_empty_folders(folder: Path, out: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return  # not empty
        folder = folder.parent


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and not path.is_symlink() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
