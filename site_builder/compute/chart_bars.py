"""The Vega-Lite spec of a chart of categories: bars (grouped, stacked or shares; upright, or lying flat
when the names would not fit side by side) and dots with their range.
"""
from __future__ import annotations

from .chart_data import Point, series_order
from .chart_encoding import (
    NARROW, Artboard, series_colour, stacked_totals, status_encodings, status_fill, tooltip, top_title, value_axis,
    wrapped_labels,
)
from .chart_theme import CONTEXT_GREY, FONT_SIZE
from ..chart_model import Chart


def _categories(points: list[Point]) -> list[str]:
    return list(dict.fromkeys(str(p.x) for p in points))


def _horizontal(chart: Chart, points: list[Point], board: Artboard) -> bool:
    """Whether bars lie flat: asked for, or when the category names would not fit side by side."""
    if chart.orientation != "auto":
        return chart.orientation == "horizontal"
    names = _categories(points)
    room = board.plot_width / max(1, len(names))
    return max(len(n) for n in names) * FONT_SIZE * 0.55 > room - 6


def _category_axis(chart: Chart, points: list[Point], board: Artboard, horizontal: bool) -> dict:
    names = _categories(points)
    chars = (18 if board is NARROW else 28) if horizontal else max(6, int(board.plot_width / len(names) / 7))
    title = chart.x_title or None
    return {"field": "x", "type": "nominal", "sort": names, "title": title,
            "axis": {"labelExpr": wrapped_labels(names, chars), "labelAngle": 0, "labelLimit": 0,
                     "labelLineHeight": FONT_SIZE + 2, "ticks": False, "labelPadding": 6,
                     **({"labelBaseline": "middle"} if horizontal else {"labelBaseline": "top"})}}


def bar_chart(chart: Chart, points: list[Point], board: Artboard, datasets: dict) -> dict:
    """Bars: grouped, stacked or as shares of the whole, lying flat when asked or when names would not fit."""
    horizontal = _horizontal(chart, points, board)
    share = chart.stack == "share"
    stacked = chart.stack != "none"
    values = stacked_totals(points) if stacked else [p.y for p in points]
    if share:
        scale, axis = {"domain": [0, 1], "nice": False}, {"format": "~%", "values": [0, 0.25, 0.5, 0.75, 1],
                                                         "title": chart.y_title or None}
    else:
        scale, axis = value_axis(chart, points, board, values, zero=True)
    value = {"field": "y", "type": "quantitative", "scale": scale, "axis": axis if horizontal else top_title(axis, board),
             "stack": ("normalize" if share else "zero") if stacked else None}
    category = _category_axis(chart, points, board, horizontal)
    many = len(chart.series) > 1
    encoding = {"x": value, "y": category} if horizontal else {"x": category, "y": value}
    colour = series_colour(chart)
    encoding |= {"color": colour, "stroke": colour, **status_encodings(bar=True), "tooltip": tooltip()}
    if many and not stacked:
        encoding["yOffset" if horizontal else "xOffset"] = {"field": "series", "type": "nominal",
                                                            "sort": series_order(chart)}
    if stacked:
        encoding["order"] = {"field": "order", "type": "quantitative"}
    bands = len(_categories(points))
    step = (FONT_SIZE * 2 + 10) * (len(chart.series) if many and not stacked else 1)
    size = {"height": max(board.height // 2, bands * step)} if horizontal else {"height": board.height}
    layers = [{"data": {"name": "points"}, "mark": {"type": "bar", "strokeWidth": 1.5}, "encoding": encoding}]
    return {"width": board.width, **size, "autosize": {"type": "fit-x", "contains": "padding"}, "layer": layers}


def dot_chart(chart: Chart, points: list[Point], board: Artboard, datasets: dict) -> dict:
    """Dots: each category\'s figures as points on one line, the range between them drawn in grey."""
    scale, axis = value_axis(chart, points, board, [p.y for p in points], zero=chart.zero)
    value = {"field": "y", "type": "quantitative", "scale": scale, "axis": axis}
    category = _category_axis(chart, points, board, horizontal=True)
    colour = series_colour(chart)
    names = _categories(points)
    range_rule = {"data": {"name": "points"}, "mark": {"type": "rule", "color": CONTEXT_GREY, "strokeWidth": 2},
                  "encoding": {"x": {"aggregate": "min", "field": "y", "type": "quantitative"},
                               "x2": {"aggregate": "max", "field": "y"}, "y": category}}
    dots = {"data": {"name": "points"}, "mark": {"type": "point", "filled": False, "size": 90, "strokeWidth": 2,
                                                 "opacity": 1, "fill": "white"},
            "encoding": {"x": value, "y": category, "stroke": colour, **status_fill(chart), "tooltip": tooltip()}}
    return {"width": board.width, "height": max(board.height // 2, len(names) * (FONT_SIZE * 2 + 12)),
            "autosize": {"type": "fit-x", "contains": "padding"}, "layer": [range_rule, dots]}
