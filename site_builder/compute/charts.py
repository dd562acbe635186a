"""Charts: facts → data points (``chart_data``) → a Vega-Lite spec per artboard (``chart_spec``) →
inline SVGs, JSON and CSV.

Each chart is drawn twice, for a phone and for a wide column; the page shows the one that fits
(CSS container queries), so chart text keeps its size on every screen with JavaScript off.
Rendering (vl-convert) is the slow step, so each drawn chart is looked up in the ``ChartDrawings`` the
build hands in (``kept.SvgCache``), keyed by what it is drawn from: the chart's definition and its data
points (the store adds the code and library versions). An unchanged chart is never drawn twice, across
runs too. Many missing charts are drawn through a process pool first (``parallel.draw_missing_charts``).
"""
from __future__ import annotations

import csv
import functools
import importlib
import io
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .chart_axes import axis_ticks
from .chart_data import Point, chart_points
from .chart_describe import KeyEntry, chart_key_entries, describe_chart
from .chart_encoding import ARTBOARDS
from .chart_spec import chart_spec
from .chart_stacks import StackTotal, share_points, stack_totals
from ..errors import ErrorCollector
from .facts import FactBook
from ..chart_model import Chart

__all__ = ["Point", "ChartDrawings", "RenderedChart", "axis_ticks", "chart_points", "chart_spec", "describe_chart",
           "draw_chart", "render_chart", "rendered_chart"]


@dataclass(frozen=True)
class RenderedChart:
    """A chart ready for pages: its points, its spec and SVG at each artboard, CSV, key and description."""

    chart: Chart
    points: tuple[Point, ...]
    spec_json: str      # the wide artboard's: the one offered for download and drawn on social cards
    svg: str
    csv: str
    description: str
    sources: tuple[str, ...]
    narrow_spec_json: str = ""
    narrow_svg: str = ""
    key: tuple[KeyEntry, ...] = ()
    totals: tuple[StackTotal, ...] = ()  # stacked charts: each stack's total, for the table's last rows
    shares: tuple[str, ...] = ()         # charts of shares: each point's share of its stack, as shown


def chart_csv(points: list[Point]) -> str:
    """The chart's data as CSV, one row per point, with each point's fact and sources."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["series", "x", "value", "status", "fact", "sources"])
    for p in points:
        # Whole numbers without ".0"; others at full precision (":g" would round 1234567 to 1.23457e+06).
        writer.writerow([_csv_text(p.series), _csv_number(p.x) if not isinstance(p.x, str) else _csv_text(p.x),
                         _csv_number(p.y), p.kind, p.fact_id, " ".join(p.sources)])
    return out.getvalue()


def _csv_number(value: float) -> int | float:
    # Whole numbers without ".0"; others at full precision (":g" would round 1234567 to 1.23457e+06).
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def _csv_text(text: str) -> str:
    # Spreadsheets run a cell that starts with = + - @ as a formula; a leading apostrophe keeps it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def draw_chart(chart: Chart, points: list[Point], description: str) -> tuple[str, str, str, str]:
    """The chart's Vega-Lite spec as JSON text and its SVG, for the wide then the narrow artboard, ids
    scoped to the chart: the slow part of a chart."""
    drawn: list[str] = []
    for board in ARTBOARDS:
        spec = chart_spec(chart, points, description, board)
        svg = chart_renderer().vegalite_to_svg(spec)
        drawn += [json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False),
                  scope_svg_ids(svg, f"chart-{chart.id}-{board.name}")]
    return drawn[0], drawn[1], drawn[2], drawn[3]


CHART_FONTS = "built-in Liberation Sans"  # what vl-convert measures and draws text with
_NO_FONTS_CONF = Path(__file__).resolve().parent.parent / "chart_fonts" / "fonts.conf"


def chart_renderer():
    """The vl-convert module, set to measure and draw text with the fonts built into it, never the system's.

    With system fonts, vl-convert opens the font file again for every string it
    measures (about 40% of an SVG's time and 30% of a PNG's), and a chart's
    layout depends on the fonts installed where it is built. Given a font
    configuration with no fonts, it uses the Liberation Sans it carries: faster,
    and the same output on every machine.
    """
    import vl_convert as vlc  # lazy: a compiled module, cheap to import

    with _FONTS_LOCK:  # briefing serve warms up in a thread (``warm_up``) while a build may draw
        _load_built_in_fonts_once(vlc)
    return vlc


def warm_up() -> None:
    """Import Altair and ready vl-convert now, so that the first chart drawn later is not a second slower."""
    importlib.import_module("altair")  # the import is the slow part: half a second
    chart_renderer()


_FONTS_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _load_built_in_fonts_once(vlc) -> None:
    # vl-convert reads the font configuration once, when it first measures text, so point it at ours for that
    # moment only: a browser started later by this process (serve --open) must still find the system's fonts.
    previous = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(_NO_FONTS_CONF)
    try:
        vlc.vegalite_to_svg({"data": {"values": [{}]}, "mark": {"type": "text", "text": "."}})
    finally:
        if previous is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = previous


class ChartDrawings(Protocol):
    """Drawn charts kept by the build (``kept.SvgCache``): this stage looks a drawing up before drawing it.

    A drawing is the wide artboard's spec JSON and SVG, then the narrow one's (as ``draw_chart`` makes them).
    """

    rendered: int  # how many charts were drawn rather than found

    def key(self, chart: Chart, points: list[Point], description: str) -> str: ...
    def has(self, key: str) -> bool: ...
    def drawing(self, key: str) -> tuple[str, str, str, str] | None: ...
    def keep(self, key: str, *drawing: str) -> None: ...


def scope_svg_ids(svg: str, prefix: str) -> str:
    """Prefix every id in an SVG so that several inline SVGs on one page do not collide."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})") \
                 .replace(f'href="#{old}"', f'href="#{new}"')
    return svg


def render_chart(chart: Chart, book: FactBook, cache: ChartDrawings, errors: ErrorCollector) -> RenderedChart | None:
    """Everything a page needs to show ``chart``; None (with errors recorded) when it cannot be drawn."""
    before = len(errors.problems)
    points = chart_points(chart, book, errors)
    if len(errors.problems) > before:
        return None
    return rendered_chart(chart, points, cache, errors)


def rendered_chart(chart: Chart, points: list[Point], cache: ChartDrawings, errors: ErrorCollector) -> RenderedChart | None:
    """``render_chart`` for points already computed (``chart_points``, without problems)."""
    if not points:
        errors.add(chart.origin.path, chart.origin.line, f"chart {chart.id!r} has no data points")
        return None
    description = describe_chart(chart, points)
    key = cache.key(chart, points, description)
    drawn = cache.drawing(key)
    if drawn is None:
        drawn = draw_chart(chart, points, description)
        cache.keep(key, *drawn)
        cache.rendered += 1
    spec_json, svg, narrow_spec_json, narrow_svg = drawn
    sources = tuple(dict.fromkeys(s for p in points for s in p.sources))
    shares = tuple(p.display for p in share_points(chart, points)) if chart.stack == "share" else ()
    return RenderedChart(chart, tuple(points), spec_json, svg, chart_csv(points), description, sources,
                         narrow_spec_json, narrow_svg, chart_key_entries(chart, points), stack_totals(chart, points),
                         shares)
