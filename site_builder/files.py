"""Reading the project's files: regular files only, never more than a size limit.

A FIFO would block a build forever, and a link to ``/dev/zero`` would fill
memory; ``read_regular`` opens without blocking, checks what it opened, and
reads at most the limit. ``listing`` tells what a folder holds, by ``stat``:
the output folder's, which a build lists in another process (``output.py``),
so this imports nothing but the standard library's ``os``, ``stat`` and ``pathlib``.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_CONTENT_BYTES = 2_000_000  # a YAML or Markdown file; also what a template may be
MAX_STATIC_BYTES = 50_000_000  # an image or a font under static/


class NotReadable(OSError):
    """A path that is not a regular file, or a file over the size limit; ``strerror`` says which."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``; raises NotReadable beyond ``limit`` bytes, OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(0, f"not a regular file ({file_kind(info.st_mode)})", str(path))
        if info.st_size > limit:
            raise NotReadable(0, f"file is {info.st_size:,} bytes; the limit is {limit:,}", str(path))
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise NotReadable(0, f"file is over {limit:,} bytes, the limit", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)


def why_unreadable(exc: OSError) -> str:
    """The message for a file that ``read_regular`` refused or could not read."""
    return exc.strerror if isinstance(exc, NotReadable) else f"cannot read file: {exc.strerror or exc}"


def file_kind(mode: int) -> str:
    """What a file's mode says it is, in words: "a FIFO", "a device", ..."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"


def is_special(path: Path) -> bool:
    """Whether ``path`` (links followed) exists and is neither a regular file nor a folder: a FIFO, a device, a socket."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def folder_listing(out: Path | str) -> dict[str, tuple[int, int, int]] | None:
    """``listing(out)``, empty when there is no such folder; None if it cannot be read."""
    return listing(Path(out)) if os.path.exists(out) else {}


def listing(out: Path) -> dict[str, tuple[int, int, int]] | None:
    """Every file under ``out`` (relative POSIX path → size, modification time, inode); None if it cannot be read."""
    found: dict[str, tuple[int, int, int]] = {}
    try:
        folders = [(out, "")]
        while folders:
            folder, prefix = folders.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((Path(entry.path), f"{prefix}{entry.name}/"))
                    else:
                        info = entry.stat(follow_symlinks=False)
                        found[prefix + entry.name] = (info.st_size, info.st_mtime_ns, info.st_ino)
    except OSError:
        return None
    return found
