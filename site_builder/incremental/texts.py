"""Content files' texts as an earlier build read them, given again while ``stat`` says a file is unchanged.

``briefing serve`` loads every content file at every build. Reading 3,000 files
again (open, read, decode) to find the one the author saved costs more than
asking ``stat`` of each. A text is given again only while the file's size,
modification and change times, inode and device are those it had when it was
read, and only if it had not changed for ``RACY_NS`` by then: a file changed
within its timestamp tick could change again and keep all of those ("racy
git", as ``stamp.py``), so it is read again next time. The change time cannot
be set back (``os.utime`` sets it to now): an edit that keeps the size and
puts the old modification time back is still seen. A file replaced (an
editor's save by rename) is a new inode.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from ..content.loader import read_text
from .recall import RecentlyUsed
from .stamp import RACY_NS, changed_before

T = TypeVar("T")


class KeptByStat(Generic[T]):
    """Values made from files or folders, each given again while ``stat`` says its file is as it was then."""

    def __init__(self) -> None:
        self._kept: RecentlyUsed[str, tuple[tuple[int, ...], T]] = RecentlyUsed()

    def get(self, name: str, make: Callable[[], T], key: str | None = None) -> T:
        """What ``make()`` gave for the file ``name`` (under ``key``, by default the name) while its size,
        modification and change times, inode and device are what they were, if it had not changed for
        ``RACY_NS`` by then; else ``make()`` now."""
        now = time.time_ns()  # before the stat: a change after it has a later change time than any kept
        try:
            info = os.stat(name)
        except OSError:
            return make()  # which says what is wrong
        status = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
        key = name if key is None else key
        kept = self._kept.get(key)
        if kept is not None and kept[0] == status:
            return kept[1]
        value = make()
        if changed_before(info, now - RACY_NS):
            self._kept.keep(key, (status, value))
        return value

    def next_build(self) -> None:
        """Forget the files that the build just finished did not ask for."""
        self._kept.next_build()


class KeptTexts:
    """The texts of the files read by this build and the last, each with what ``stat`` said of its file then."""

    def __init__(self) -> None:
        self._texts: KeptByStat[str] = KeptByStat()

    def text(self, path: Path, display: str | Path | None = None) -> str:
        """``read_text(path, display)``, or the text read before while the file is unchanged (see above)."""
        return self._texts.get(str(path), lambda: read_text(path, display))

    def next_build(self) -> None:
        """Forget the files that the build just finished did not read."""
        self._texts.next_build()
