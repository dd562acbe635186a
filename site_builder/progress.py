"""What a build tells the person who ran it: its progress as it goes, and its result (``BuildResult``).

Builds report progress to a ``BuildProgress``; the base class shows nothing,
which is what a build gets when its output is not a terminal or when it was
asked to be quiet. ``TerminalProgress`` redraws one status line in place, and
only once a build has run long enough for a person to wonder what it is doing;
on a terminal that takes no escape codes (``TERM=dumb``, ``NO_COLOR``) it
overwrites the line with spaces instead of erasing it.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .terminal import escapes_allowed, is_terminal

if TYPE_CHECKING:
    from .compute.revisions import Revision
    from .errors import Problem

ERASE_LINE = "\r\x1b[K"


@dataclass(frozen=True)
class BuildResult:
    """What a build did: counts for the terminal, warnings, and which files changed."""

    out: Path
    pages: int
    charts: int
    charts_rendered: int
    files: int
    changed: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    revised: tuple[Revision, ...] = ()
    up_to_date: bool = False  # nothing changed since the last build, which was therefore not redone


class BuildProgress:
    """Receives a build's progress; this base class ignores it."""

    def start(self, pages: int, charts: int) -> None:
        """A build begins with ``pages`` pages and ``charts`` charts to make."""

    def chart_done(self) -> None:
        """One more chart is ready (rendered or reused)."""

    def page_done(self) -> None:
        """One more page is ready (rendered or reused)."""

    def finish(self) -> None:
        """The build has ended, successfully or not."""


class TerminalProgress(BuildProgress):
    """Draws ``pages 12/40 · charts 3/9`` on one line of a terminal, then clears it."""

    def __init__(self, stream: TextIO, delay: float = 0.4, interval: float = 0.1, escapes: bool = True) -> None:
        self.stream = stream
        self.delay = delay  # a build faster than this shows nothing: no flicker on quick rebuilds
        self.interval = interval
        self.escapes = escapes  # False: blank the line with spaces, for terminals without "erase line"
        self._width = 0  # of the line drawn last
        self._reset(0, 0)

    def _reset(self, pages: int, charts: int) -> None:
        self.pages, self.charts = [0, pages], [0, charts]
        self._started = time.monotonic()
        self._drawn_at: float | None = None

    def start(self, pages: int, charts: int) -> None:
        """Begin counting a new build."""
        self._reset(pages, charts)

    def chart_done(self) -> None:
        """Count a chart and redraw if it is time to."""
        self.charts[0] += 1
        self.charts[1] = max(self.charts)
        self._maybe_draw()

    def page_done(self) -> None:
        """Count a page and redraw if it is time to."""
        self.pages[0] += 1
        self.pages[1] = max(self.pages)  # the total is an estimate when a site makes pages it did not plan
        self._maybe_draw()

    def finish(self) -> None:
        """Erase the status line, if one was drawn."""
        if self._drawn_at is not None:
            self.stream.write(self._erase())
            self.stream.flush()
            self._drawn_at = None

    def line(self) -> str:
        """The status line as it is drawn."""
        return f"Building: pages {self.pages[0]}/{self.pages[1]} · charts {self.charts[0]}/{self.charts[1]}"

    def _maybe_draw(self) -> None:
        now = time.monotonic()
        if now - self._started < self.delay:
            return
        last = self.pages[0] == self.pages[1] and self.charts[0] == self.charts[1]
        if self._drawn_at is not None and now - self._drawn_at < self.interval and not last:
            return
        line = self.line()
        self.stream.write(self._erase() + line)
        self.stream.flush()
        self._drawn_at, self._width = now, len(line)

    def _erase(self) -> str:
        return ERASE_LINE if self.escapes else "\r" + " " * self._width + "\r"


def progress_for(stream: TextIO | None = None, quiet: bool = False,
                 environ: Mapping[str, str] | None = None) -> BuildProgress:
    """Progress shown on ``stream`` (default stderr) when it is a terminal and not ``quiet``, else silence;
    with escape codes unless ``environ`` (default os.environ) says ``TERM=dumb`` or ``NO_COLOR``."""
    stream = stream if stream is not None else sys.stderr
    if quiet or not is_terminal(stream):
        return BuildProgress()
    return TerminalProgress(stream, escapes=escapes_allowed(stream, environ))
