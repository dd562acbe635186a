"""Folders' listings as an earlier build made them, given again while ``stat`` says a folder is unchanged.

``briefing serve`` lists the content folders at every build: a thousand names
a folder made into sorted paths, to find the one file the author saved. A
folder's modification and change times move whenever a name in it is added,
removed or renamed (an editor's save by rename too), and not when a file in
it is edited in place; so while the folder's times, inode and device are
those it had when it was listed, it holds the same names, and the listing is
given again with its very Path objects (whose hashes Python keeps, for the
lookups by path that follow). As for texts (``texts.py``), a listing is kept
only if the folder had not changed for ``RACY_NS`` by then. What the listing
cannot vouch for is asked again every time by ``Project.files_under``: what
each link leads to, and whether the folder is inside the project.

Only patterns within one folder are kept: a recursive one would need every
subfolder's stat, and the folders listed that way (templates, static) are small.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from ..content.folders import Matches, folder_matches
from .recall import RecentlyUsed
from .stamp import RACY_NS, changed_before


class KeptListings:
    """The listings of the folders this build and the last listed, each with what ``stat`` said of its folder."""

    def __init__(self) -> None:
        self._listings: RecentlyUsed[tuple[str, str], tuple[tuple[int, ...], Matches]] = RecentlyUsed()

    def matches(self, folder: Path, pattern: str) -> Matches:
        """``folder_matches(folder, pattern)``, or the listing made before while the folder is unchanged."""
        if "/" in pattern or "**" in pattern:
            return folder_matches(folder, pattern)
        key = (str(folder), pattern)
        now = time.time_ns()  # before the stat: a change after it has a later change time than any kept
        try:
            info = os.stat(key[0])
        except OSError:
            return folder_matches(folder, pattern)  # which says what is wrong
        status = (info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
        kept = self._listings.get(key)
        if kept is not None and kept[0] == status:
            return kept[1]
        found = folder_matches(folder, pattern)
        if changed_before(info, now - RACY_NS):
            self._listings.keep(key, (status, found))
        return found

    def next_build(self) -> None:
        """Forget the folders that the build just finished did not list."""
        self._listings.next_build()
