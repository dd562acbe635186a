"""What every kind of chart's Vega-Lite spec shares: the artboards a chart is drawn at, the value axis,
the series' colours, how a forecast or our own calculation is drawn apart from a reported figure, and the
tooltip.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from textwrap import wrap

from .chart_axes import axis_ticks, tick_labels
from .chart_data import CALCULATED, REPORTED, Point, series_order
from .chart_labels import CHAR_WIDTH
from .chart_theme import CONTEXT_GREY, FONT_SIZE, PALETTE
from ..chart_model import Chart

DASH = (6, 4)      # forecasts and estimates
DOTS = (1.5, 3)    # our own calculations


@dataclass(frozen=True)
class Artboard:
    """A width a chart is drawn at, and what fits at it."""

    name: str
    width: int    # of the whole SVG, axes included
    height: int   # of the plotting area
    max_ticks: int

    @property
    def plot_width(self) -> int:
        """About how wide the plotting area is, the y axis labels set aside."""
        return self.width - 64


NARROW = Artboard("narrow", 310, 220, 5)
WIDE = Artboard("wide", 640, 300, 8)
ARTBOARDS = (WIDE, NARROW)


def series_colour(chart: Chart) -> dict:
    """The colour channel: each series its palette colour, or grey beside the highlighted one; no legend."""
    order = series_order(chart)
    if chart.highlight:
        colours = [PALETTE[0] if label == chart.highlight else CONTEXT_GREY for label in order]
    else:
        colours = [PALETTE[i % len(PALETTE)] for i in range(len(order))]
    return {"field": "series", "type": "nominal", "scale": {"domain": order, "range": colours}, "legend": None}


def value_axis(chart: Chart, points: list[Point], board: Artboard, values: list[float], zero: bool = True,
                title: str | None = None) -> tuple[dict, dict]:
    """The scale and axis of a quantity: round ticks labelled alike in the reader's format."""
    ticks = axis_ticks(values, count=5 if board is WIDE else 4, zero=zero)
    labels = tick_labels(ticks, points)
    text = chart.y_title if title is None else title
    if not zero and min(ticks) > 0:
        text = f"{text} (axis does not start at zero)" if text else "Axis does not start at zero"
    axis = {"values": ticks, "labelExpr": f"{json.dumps(labels, ensure_ascii=False)}"
                                          f"[indexof({json.dumps(ticks)}, datum.value)]",
            "title": (wrap(text, int((board.width - 16) / CHAR_WIDTH)) if text and len(text) * CHAR_WIDTH > board.width - 16
                      else text or None), "labelFlush": False}
    return {"domain": [ticks[0], ticks[-1]], "nice": False, "zero": False}, axis


def top_title(axis: dict, board: Artboard) -> dict:
    """``axis`` with its title written level above it (newsroom style) instead of turned on its side,
    on as many lines as the artboard's width needs."""
    title = axis.get("title")
    title = " ".join(title) if isinstance(title, list) else title
    lines = wrap(title, int((board.width - 16) / CHAR_WIDTH)) if title else []
    if len(lines) > 1:
        axis = {**axis, "title": lines, "titleLineHeight": FONT_SIZE + 3}
    return {**axis, "titleAngle": 0, "titleAlign": "left", "titleAnchor": "end", "titleBaseline": "bottom",
            "titleX": -40, "titleY": -10 - (FONT_SIZE + 3) * max(0, len(lines) - 1)}


def status_encodings(bar: bool = False) -> dict:
    """Reported figures drawn solid; the others hollow (bars: faint, dashed, or dotted for our calculations)."""
    reported = f"datum.drawn === '{REPORTED}'"
    if bar:
        return {"fillOpacity": {"condition": {"test": reported, "value": 1}, "value": 0.35},
                "strokeDash": {"condition": [{"test": reported, "value": [1, 0]},
                                             {"test": f"datum.drawn === '{CALCULATED}'", "value": list(DOTS)}],
                               "value": list(DASH)}}
    return {"fillOpacity": {"condition": {"test": reported, "value": 1}, "value": 0}}


def status_fill(chart: Chart) -> dict:
    """A marker's fill: the series' colour for a reported figure, white (hollow) for the others."""
    colour = series_colour(chart)
    return {"fill": {"condition": {"test": f"datum.drawn === '{REPORTED}'", **colour}, "value": "white"}}


def stacked_totals(points: list[Point]) -> list[float]:
    """The height of each stack: the sum of the points at each x."""
    totals: dict = {}
    for p in points:
        totals[p.x] = totals.get(p.x, 0.0) + p.y
    return list(totals.values())


def wrapped_labels(names: list[str], chars: int) -> str:
    """A Vega expression giving each category name as lines of at most about ``chars`` characters."""
    lines = {name: wrap(name, chars) or [name] for name in names}
    return f"{json.dumps(lines, ensure_ascii=False)}[datum.value]"


def tooltip() -> list[dict]:
    """The tooltip every mark shows: what the figure is, its value and its status."""
    return [{"field": "label", "type": "nominal", "title": "What"},
            {"field": "value", "type": "nominal", "title": "Value"},
            {"field": "status", "type": "nominal", "title": "Status"}]


def finite(value: float) -> bool:
    """Whether Vega can place ``value`` on a scale (no infinities, no NaN, no numbers near the float limit)."""
    return math.isfinite(value) and abs(value) < 1e300
