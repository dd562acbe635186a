"""Putting a finished site folder in place of the old one, with no moment at which neither is there.

On Linux (``renameat2`` with ``RENAME_EXCHANGE``, glibc 2.28 and later) and
macOS (``renamex_np`` with ``RENAME_SWAP``) the two folders trade places in one
atomic step: a reader, or a build killed at any instant, finds the old site or
the new one whole. Elsewhere, and on file systems that cannot exchange (some
network and FUSE file systems), the old folder is renamed aside and the new
one renamed into place: a kill between those two renames leaves no folder
under the site's name, and the next build puts the old site back.

Staging and retired folders are named ``.<name>.new-<pid>-*`` and
``.<name>.old-<pid>-*`` beside the site; the next build into the same folder
removes those whose process is gone (``recover_interrupted_swap``).
"""
from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2  # linux/fs.h
RENAME_SWAP = 2  # macOS sys/stdio.h
_CANNOT_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def site_folder(out: Path) -> Path:
    """The folder a site named ``out`` is swapped at: ``out``, or where it leads when it is a symbolic link.

    The link stays and the folder it points to is replaced (beside it, on its file system), as the
    output folder's checks read it: swapping the link itself would leave it stranded beside the site,
    pointing at the old one, and replace the link with a folder.
    """
    return out.resolve() if out.is_symlink() else out


def staging_folder(out: Path) -> Path:
    """A new empty folder beside ``out`` to write the next site into (world-readable, like a published site)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private
    return staging


def swap_in(staging: Path, out: Path) -> None:
    """Put the finished folder ``staging`` in place of ``out`` and remove the old site; raises OSError."""
    if not out.exists():
        staging.rename(out)
        return
    if exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the old site
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
    retired.rmdir()
    set_aside(out, retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def set_aside(out: Path, retired: Path) -> None:
    """The first rename of the fallback swap (its own function so that tests can interrupt after it)."""
    out.rename(retired)


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False when this OS or file system cannot."""
    libc = _libc()
    if libc is None:
        return False
    a, b = os.fsencode(first), os.fsencode(second)
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        result = libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        result = libc.renamex_np(a, b, RENAME_SWAP)
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in _CANNOT_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(second))


def recover_interrupted_swap(out: Path) -> list[str]:
    """Clean up after a build killed while writing ``out``; returns the names of the folders removed or restored.

    When ``out`` is missing because a build died between the two renames of the
    fallback swap, the retired old site is put back. Every other staging or
    retired folder of a process that is no longer running is removed.
    """
    out = site_folder(out)
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(new|old)-(\d+)-[^/]*\Z")
    try:
        candidates = [(m[1], entry) for entry in out.parent.iterdir()
                      if (m := pattern.fullmatch(entry.name)) and not _running(int(m[2]))
                      and entry.is_dir() and not entry.is_symlink()]
    except OSError:
        return []
    touched = []
    if not out.exists() and not out.is_symlink():
        retired = sorted((e for kind, e in candidates if kind == "old"), key=lambda e: e.stat().st_mtime_ns)
        if retired:
            retired[-1].rename(out)
            touched.append(retired[-1].name)
            candidates = [(kind, e) for kind, e in candidates if e != retired[-1]]
    for _, leftover in candidates:
        shutil.rmtree(leftover, ignore_errors=True)
        touched.append(leftover.name)
    return touched


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier build of this same process, which is not writing now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # TypeError: Windows has no "this process" library
        return None
