"""Each stage's results as the build keeps them: in memory between builds, and in the store between processes.

The stages are pure functions of their arguments; these are the objects the
build (``build.py``, ``memo.py``) hands them to look a result up before making
it: drawn charts and social cards, body drafts and scans, page readings and
parsed YAML documents. Each keeps its entries in the build's ``cache.Store``
(one key scheme, one code version, authenticated entries), and some also in
memory for ``briefing serve`` (``recall.RecentlyUsed``).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cache import Store
from ..compute.charts import Point, RenderedChart
from ..compute.library import PageReading, read_page
from ..content.loader import Document, parse_yaml, read_text
from ..chart_model import Chart
from ..model import Briefing
from ..compute.pages import BriefingPlan
from .recall import MadeOnce, RecentlyUsed
from .texts import KeptTexts
from ..render.bodies import BodyDraft
from ..content.scan import BodyScan, plain_calls, scan_text
from ..frozen import FrozenDict


DRAWING_PARTS = ("spec", "svg", "narrow_spec", "narrow_svg")


class SvgCache:
    """Drawn charts, spec JSON and SVG of each artboard (as ``charts.draw_chart`` makes them) together,
    kept in the build's store.

    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rendered = 0  # how many charts this run had to render (for build reports and tests)
        # Drawings kept by this build and not looked up yet: handed over as they are, once. Read back from the
        # store, each would be parsed again, and its strings held twice until Python gave the first copy back.
        self._drawn: dict[str, tuple[str, str, str, str]] = {}

    def key(self, chart: Chart, points: list[Point], description: str) -> str:
        """The key of a drawing: everything its specs and SVGs are made from (the store adds the code version)."""
        return self.store.key("charts", repr((chart, points, description)))

    def has(self, key: str) -> bool:
        """Whether a drawing is stored under ``key`` (without reading it)."""
        return self.store.has("charts", key)

    def drawing(self, key: str) -> tuple[str, str, str, str] | None:
        """The (spec JSON, SVG, narrow spec JSON, narrow SVG) stored under ``key``, or None."""
        drawn = self._drawn.pop(key, None)
        if drawn is not None:
            return drawn
        entry = self.store.get_json("charts", key)
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in DRAWING_PARTS):
            return None  # missing, or not authentic: draw it again
        spec, svg, narrow_spec, narrow_svg = (entry[k] for k in DRAWING_PARTS)
        return spec, svg, narrow_spec, narrow_svg

    def keep(self, key: str, *drawing: str) -> None:
        """Store a drawing (``charts.draw_chart``'s four texts) under ``key``."""
        self.store.put_json("charts", key, dict(zip(DRAWING_PARTS, drawing)))
        self._drawn[key] = drawing


class PngCache:
    """Drawn social cards, kept in the build's store (as ``charts.SvgCache`` keeps SVGs) by ``key``.

    The PNGs a build used are also kept in memory for the next build (see
    ``next_build``), so that ``briefing serve`` does not read a thousand files
    again, or hold two copies of each, on every rebuild.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rendered = 0  # how many PNGs this run had to draw (for build reports and tests)
        self._in_memory: RecentlyUsed[str, bytes] = RecentlyUsed()  # see next_build
        self._keys = MadeOnce(lambda parts: store.key("cards", *parts))  # a spec's text hashes its own once

    def key(self, rendered: RenderedChart) -> str:
        """The key of a chart's social card: what ``cards.card_svg`` makes it from (its title, subtitle, key
        and drawing), without making the card."""
        chart = rendered.chart
        key = "\n".join(f"{e.label}\0{e.colour}\0{e.mark}\0{e.dashed:d}{e.dotted:d}" for e in rendered.key)
        return self._keys((chart.title, chart.subtitle or "", key, rendered.narrow_svg or rendered.svg))

    def png(self, key: str) -> bytes | None:
        """The PNG stored under ``key``, or None."""
        png = self._in_memory.get(key)
        if png is None:
            png = self.store.get("cards", key)
            if png is not None:
                self._in_memory.keep(key, png)
        return png

    def has(self, key: str) -> bool:
        """Whether a PNG is stored under ``key`` (without reading it)."""
        return key in self._in_memory or self.store.has("cards", key)

    def keep(self, key: str, png: bytes) -> None:
        """Store ``png`` under ``key``."""
        self._in_memory.keep(key, png)
        self.store.put("cards", key, png)

    def next_build(self) -> None:
        """Forget the PNGs that the build just finished did not use."""
        self._in_memory.next_build()
        self._keys.next_build()


class DraftCache:
    """Body drafts in the build's store, so that a rebuild runs no Markdown for bodies it has seen before."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def draft(self, briefing: Briefing) -> BodyDraft | None:
        """The stored draft of ``briefing``'s body, or None."""
        entry = self.store.get_json("bodies", self._key(briefing))
        try:
            return BodyDraft(str(entry["html"]), str(entry["tag"]),
                             tuple((str(f), str(i), tuple(extra)) for f, i, extra in entry["calls"]))
        except (KeyError, TypeError, ValueError):
            return None  # missing or not authentic: draft it again

    def keep(self, briefing: Briefing, draft: BodyDraft) -> None:
        """Store ``draft`` for ``briefing``'s body."""
        self.store.put_json("bodies", self._key(briefing), {"html": draft.html, "tag": draft.tag, "calls": draft.calls})

    def _key(self, briefing: Briefing) -> str:
        return self.store.key("bodies", briefing.body)


class BodyScans:
    """Scans of body texts, kept in memory between builds and in the build's store between processes.

    A build in a new process then runs Jinja's parser only on bodies no earlier
    build has seen: about a second at 1,000 briefings.
    """

    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self._in_memory: RecentlyUsed[str, BodyScan] = RecentlyUsed()  # by body text

    def scan(self, body: str) -> BodyScan:
        """``scan_text(body)``, kept from an earlier build when there is one."""
        return self._in_memory.get(body) or self._in_memory.keep(body, self._stored(body))

    def next_build(self) -> None:
        """Forget the bodies that the build just finished did not scan."""
        self._in_memory.next_build()

    def _stored(self, body: str) -> BodyScan:
        if self.store is None or plain_calls(body) is not None:  # a plain body is scanned quicker than read
            return scan_text(body)
        key = self.store.key("scans", body)
        entry = self.store.get_json("scans", key)
        try:
            return BodyScan(tuple((str(f), str(i), int(n)) for f, i, n in entry["refs"]),
                            tuple((int(n), str(m)) for n, m in entry["problems"]))
        except (KeyError, TypeError, ValueError):  # missing or not authentic: scan it again
            scan = scan_text(body)
            self.store.put_json("scans", key, {"refs": scan.refs, "problems": scan.problems})
            return scan


class PageReadings:
    """Readings of rendered pages, kept by the pages' bytes in memory and (given a store) on disk.

    A page that did not change is not read again, in this build or a later one.
    """

    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self._by_key: RecentlyUsed[str, PageReading] = RecentlyUsed()  # by the page's bytes' hash
        self._by_url: RecentlyUsed[str, tuple[bytes, PageReading]] = RecentlyUsed()  # the page last read there

    def of(self, pages: dict[str, bytes], plans: list[BriefingPlan],
           read_ahead: Callable[[bytes], PageReading | None] | None = None) -> dict[str, PageReading]:
        """The reading of each planned briefing page in ``pages``, by URL; forgets pages no longer there.

        A page read neither before nor in the store is read here, unless ``read_ahead`` gives its reading
        (read already by workers from the same bytes: ``render.read_ahead``)."""
        self._by_key.next_build()
        self._by_url.next_build()
        readings = {}
        for plan in plans:
            page = pages.get(plan.url)
            if page is None:
                continue
            before = self._by_url.get(plan.url)
            if before is not None and before[0] == page:  # the same bytes (== tries identity first): no hash
                readings[plan.url] = before[1]
                continue
            key = self.store.key("readings", page) if self.store else hashlib.blake2b(page).hexdigest()
            reading = self._by_key.get(key) or self._stored(key)
            if reading is None:
                reading = (read_ahead and read_ahead(page)) or read_page(page.decode("utf-8"))
                self._store(key, reading)
            readings[plan.url] = self._by_key.keep(key, reading)
            self._by_url.keep(plan.url, (page, reading))
        return readings

    def _stored(self, key: str) -> PageReading | None:
        if not self.store:
            return None
        entry = self.store.get_json("readings", key)
        try:
            return PageReading(str(entry["text"]), tuple(str(a) for a in entry["term_anchors"]))
        except (KeyError, TypeError):
            return None  # missing or not authentic: read the page again

    def _store(self, key: str, reading: PageReading) -> None:
        if self.store:
            self.store.put_json("readings", key, {"text": reading.text, "term_anchors": reading.term_anchors})


class ParsedDocuments:
    """Documents parsed by earlier builds, by file and text, so that a build parses only the files that changed.

    Kept in memory (``briefing serve``) and, given the build's store, on disk
    for builds in later processes: YAML with line numbers is the slowest part
    of loading. The Documents are shared between builds, so nothing may change
    one after parsing (``validate.py`` reads them and builds new objects).
    """

    def __init__(self, store: Store | None = None, keep_texts: bool = True) -> None:
        self.store = store
        self._in_memory: RecentlyUsed[tuple[str, int, str], Document] = RecentlyUsed()
        self.texts = KeptTexts()  # and, for the builds that follow, the files' texts while stat says they are unchanged
        self.text = self.texts.text if keep_texts else read_text

    def parse(self, text: str, path: Path, first_line: int = 1) -> Document:
        """What ``parse_yaml`` gives, from an earlier build when the text is the same."""
        key = (str(path), first_line, text)
        doc = self._in_memory.get(key)
        if doc is None:
            stored = self.store.key("documents", key[0], str(first_line), text) if self.store else None
            doc = _read_document(self.store.get_json("documents", stored), path) if stored else None
            if doc is None:
                doc = parse_yaml(text, path, first_line)
                if stored:
                    _store_document(self.store, stored, doc)
            self._in_memory.keep(key, doc)
        return doc

    def next_build(self) -> None:
        """Keep only the documents parsed or reused since the last call (one build's worth)."""
        self._in_memory.next_build()
        self.texts.next_build()


class _NotStorable(Exception):
    """A value the JSON form of a Document cannot hold (the document is then simply not stored)."""


def _store_document(store: Store, key: str, doc: Document) -> None:
    try:
        data = {"data": _to_json(doc.data), "lines": [[list(loc), line] for loc, line in doc.lines.items()],
                "first_line": doc.first_line}
        store.put_json("documents", key, data)
    except (_NotStorable, ValueError):
        pass  # only costs parsing the file again next time


def _read_document(data: Any, path: Path) -> Document | None:
    try:
        lines = FrozenDict({tuple(loc): line for loc, line in data["lines"]})
        return Document(path, _from_json(data["data"]), lines, data["first_line"])
    except (ValueError, KeyError, TypeError, _NotStorable):
        return None  # missing or not authentic: parse the file


# YAML values as JSON: JSON has no dates, no bytes, and only text keys, so mappings and those scalars are tagged.
def _to_json(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        return {"m": [[_to_json(k), _to_json(v)] for k, v in value.items()]}
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode("ascii")}
    raise _NotStorable(type(value).__name__)


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_from_json(item) for item in value)
    if not isinstance(value, dict):
        return value
    if "m" in value:
        return FrozenDict({_from_json(k): _from_json(v) for k, v in value["m"]})
    if "date" in value:
        return dt.date.fromisoformat(value["date"])
    if "datetime" in value:
        return dt.datetime.fromisoformat(value["datetime"])
    if "bytes" in value:
        return base64.b64decode(value["bytes"])
    raise _NotStorable(repr(value)[:40])
