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

from pathlib import Path

from ..content.folders import Matches, folder_matches
from .texts import KeptByStat


class KeptListings:
    """The listings of the folders this build and the last listed, each with what ``stat`` said of its folder."""

    def __init__(self) -> None:
        self._listings: KeptByStat[Matches] = KeptByStat()

    def matches(self, folder: Path, pattern: str) -> Matches:
        """``folder_matches(folder, pattern)``, or the listing made before while the folder is unchanged."""
        if "/" in pattern or "**" in pattern:
            return folder_matches(folder, pattern)
        name = str(folder)
        return self._listings.get(name, lambda: folder_matches(folder, pattern), f"{name}\0{pattern}")

    def next_build(self) -> None:
        """Forget the folders that the build just finished did not list."""
        self._listings.next_build()
