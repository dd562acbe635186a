"""What the renderer asks of whoever keeps its results between builds: ``Reuse``, and ``MAKE_NOW`` when nobody does.

The renderer's page functions are pure: inputs → bytes. Each page says what it
is made from (``PageInputs``) and how to make it; the build hands in the
object that decides whether to make it or give what it made last time
(``incremental/memo.py``). Which templates a page read is not an input the
renderer states: the templates record it while the page renders
(``templates.py``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class PageInputs:
    """What one page is made from, besides the templates it reads.

    ``context``: the template context, of which only the names the page's
    templates read count; ``own``: what the renderer itself reads for the page
    (what a briefing body is filled from: its facts, charts, sources, checks,
    related briefings and the glossary).
    """

    context: Mapping[str, Any]
    own: Any = None


class Reuse(Protocol):
    """Makes a page or a value, or gives the one made from the same inputs before (``memo.RenderMemo``)."""

    def page(self, url: str, inputs: PageInputs, make: Callable[[], bytes]) -> bytes:
        """The page at ``url``: ``make()``, or its last bytes when ``inputs`` and the templates it read are the
        same."""

    def value(self, name: str, inputs: Any, make: Callable[[], T]) -> T:
        """``make()``, or what it gave last time under ``name`` when ``inputs`` and the templates it read are
        the same."""


class MakeNow:
    """Makes everything it is asked for: the renderer's reuse when nothing is kept between builds."""

    def page(self, url: str, inputs: PageInputs, make: Callable[[], bytes]) -> bytes:
        """``make()``."""
        return make()

    def value(self, name: str, inputs: Any, make: Callable[[], T]) -> T:
        """``make()``."""
        return make()


MAKE_NOW = MakeNow()
