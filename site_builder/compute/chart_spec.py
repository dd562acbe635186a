"""A chart's Vega-Lite spec for one artboard (a width it is drawn at), one function per kind of chart.

Specs are plain dicts, written here rather than through Altair's classes: the kinds are few and fixed,
and the shapes are checked against the Vega-Lite schema by ``tests/test_chart_spec.py``. Every chart
is drawn twice at build time, for a phone (``NARROW``) and for a wider column (``WIDE``); the narrow
artboard gets fewer ticks, wrapped category names and horizontal bars sooner. Legends are never
drawn in the SVG: the page shows an HTML key (``chart_key_entries``), which wraps instead of
overlapping, with the same line, dash and marker as the plot.
"""
from __future__ import annotations

import json
import math
from textwrap import wrap
from dataclasses import dataclass

from .chart_axes import axis_ticks, tick_labels, year_ticks
from .chart_custom import custom_spec
from .chart_labels import CHAR_WIDTH, annotation_layers, end_label_layer, point_label_layers
from .chart_data import CALCULATED, PROJECTED, REPORTED, Point, line_segments, point_rows, position, series_order
from .chart_map import map_spec
from .chart_theme import CONTEXT_GREY, FONT_SIZE, PALETTE, theme, vega_lite_schema_url
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


def chart_spec(chart: Chart, points: list[Point], description: str, board: Artboard = WIDE) -> dict:
    """The Vega-Lite spec of ``chart`` drawn at ``board``, data included."""
    if chart.type == "custom":
        return custom_spec(chart, points, description, board)
    draw = {"line": _lines, "area": _lines, "bar": _bars, "dot": _dots, "scatter": _scatter,
            "connected-scatter": _scatter, "map": map_spec}[chart.type]
    spec = {"$schema": vega_lite_schema_url(), "description": description, "config": theme(points),
            "datasets": {"points": point_rows(points)}}
    spec.update(draw(chart, points, board, spec["datasets"]))
    return spec


def _colour(chart: Chart) -> dict:
    order = series_order(chart)
    if chart.highlight:
        colours = [PALETTE[0] if label == chart.highlight else CONTEXT_GREY for label in order]
    else:
        colours = [PALETTE[i % len(PALETTE)] for i in range(len(order))]
    return {"field": "series", "type": "nominal", "scale": {"domain": order, "range": colours}, "legend": None}


def _value_axis(chart: Chart, points: list[Point], board: Artboard, values: list[float], zero: bool = True,
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


def _top_title(axis: dict, board: Artboard) -> dict:
    # The quantity's name, written level above the axis (newsroom style) instead of turned on its side,
    # on as many lines as the artboard's width needs.
    title = axis.get("title")
    title = " ".join(title) if isinstance(title, list) else title
    lines = wrap(title, int((board.width - 16) / CHAR_WIDTH)) if title else []
    if len(lines) > 1:
        axis = {**axis, "title": lines, "titleLineHeight": FONT_SIZE + 3}
    return {**axis, "titleAngle": 0, "titleAlign": "left", "titleAnchor": "end", "titleBaseline": "bottom",
            "titleX": -40, "titleY": -10 - (FONT_SIZE + 3) * max(0, len(lines) - 1)}


def _year_axis(chart: Chart, xs: list[float], board: Artboard) -> tuple[dict, dict]:
    ticks = year_ticks(xs, board.max_ticks)
    return ({"domain": [min(xs), max(xs)], "nice": False, "zero": False},
            {"values": ticks, "format": "d", "title": chart.x_title or None, "labelFlush": True,
             "grid": False})


def _status_encodings(bar: bool = False) -> dict:
    reported = f"datum.drawn === '{REPORTED}'"
    if bar:
        return {"fillOpacity": {"condition": {"test": reported, "value": 1}, "value": 0.35},
                "strokeDash": {"condition": [{"test": reported, "value": [1, 0]},
                                             {"test": f"datum.drawn === '{CALCULATED}'", "value": list(DOTS)}],
                               "value": list(DASH)}}
    return {"fillOpacity": {"condition": {"test": reported, "value": 1}, "value": 0}}


def _lines(chart: Chart, points: list[Point], board: Artboard, datasets: dict) -> dict:
    datasets["segments"] = line_segments(points, series_order(chart))
    x_scale, x_axis = _year_axis(chart, [float(position(p)) for p in points], board)
    stacked = chart.type == "area" and chart.stack != "none"
    values = _stacked_totals(points) if stacked else [p.y for p in points]
    share = stacked and chart.stack == "share"
    if share:
        y_scale, y_axis = {"domain": [0, 1], "nice": False}, {"format": "~%", "values": [0, 0.25, 0.5, 0.75, 1],
                                                             "title": chart.y_title or None}
    else:
        y_scale, y_axis = _value_axis(chart, points, board, values, zero=chart.zero)
    x = {"field": "x", "type": "quantitative", "scale": x_scale, "axis": x_axis}
    y = {"field": "y", "type": "quantitative", "scale": y_scale, "axis": _top_title(y_axis, board)}
    colour = _colour(chart)
    if stacked:
        y_stacked = {**y, "stack": "normalize" if share else "zero"}
        layers = [{"data": {"name": "points"}, "mark": {"type": "area", "opacity": 0.85, "line": False},
                   "encoding": {"x": x, "y": y_stacked, "color": colour, "order": {"field": "order", "type": "quantitative"}}}]
    else:
        line = {"data": {"name": "segments"}, "mark": {"type": "line", "strokeWidth": 2.5},
                "encoding": {"x": x, "y": y, "color": colour, "detail": {"field": "segment"},
                             "strokeDash": {"condition": [{"test": f"datum.line === '{PROJECTED}'", "value": list(DASH)},
                                                          {"test": f"datum.line === '{CALCULATED}'", "value": list(DOTS)}],
                                            "value": [1, 0]}}}
        layers = []
        if chart.type == "area":
            layers.append({"data": {"name": "points"}, "mark": {"type": "area", "opacity": 0.2},
                           "encoding": {"x": x, "y": y, "color": colour, "detail": {"field": "series"}}})
        markers = {"data": {"name": "points"},
                   "mark": {"type": "point", "filled": False, "size": 55, "strokeWidth": 2, "opacity": 1, "fill": "white"},
                   "encoding": {"x": x, "y": y, "stroke": colour, **_status_fill(chart), "tooltip": _tooltip()}}
        layers += _highlighted(chart, line, markers) if chart.highlight else [line, markers]
    layers += annotation_layers(chart, points, board, x, y)
    if chart.direct_labels or chart.highlight:
        layers.append(end_label_layer(chart, points, board, x, y, y_scale["domain"]))
    body = {"layer": layers}
    if chart.small_multiples:
        return _small_multiples(chart, body, board)
    return {"width": board.width, "height": board.height, "autosize": {"type": "fit-x", "contains": "padding"}, **body}


def _highlighted(chart: Chart, line: dict, markers: dict) -> list[dict]:
    """The other series as thin grey lines without markers, then the highlighted one over them."""
    mine = f"datum.series === {json.dumps(chart.highlight)}"
    context = {**line, "mark": {**line["mark"], "strokeWidth": 1.5}, "transform": [{"filter": f"!({mine})"}]}
    return [context, {**line, "transform": [{"filter": mine}]}, {**markers, "transform": [{"filter": mine}]}]


def _status_fill(chart: Chart) -> dict:
    colour = _colour(chart)
    return {"fill": {"condition": {"test": f"datum.drawn === '{REPORTED}'", **colour}, "value": "white"}}


def _stacked_totals(points: list[Point]) -> list[float]:
    totals: dict = {}
    for p in points:
        totals[p.x] = totals.get(p.x, 0.0) + p.y
    return list(totals.values())


def _small_multiples(chart: Chart, body: dict, board: Artboard) -> dict:
    columns = 2 if board is NARROW else 3
    panel = (board.width - 50 * columns) // columns
    body = {"layer": [layer for layer in body["layer"] if layer.get("data", {}).get("name") in ("points", "segments")]}
    for layer in body["layer"]:
        if layer.pop("data")["name"] == "points":  # the panels share the segments' rows: their joints drawn once
            layer["transform"] = [{"filter": "!datum.joint"}]
        for channel in ("x", "y"):
            if channel in layer.get("encoding", {}):
                axis = layer["encoding"][channel].get("axis") or {}
                values = axis.get("values")
                if channel == "x" and values:
                    axis = {**axis, "values": [values[0], values[-1]]}
                layer["encoding"][channel] = {**layer["encoding"][channel], "axis": axis}
    return {"data": {"name": "segments"}, "facet": {"field": "series", "type": "nominal", "title": None,
                                                    "sort": series_order(chart),
                                                    "header": {"labelLimit": 0, "labelExpr": _wrapped_labels(
                                                        series_order(chart), int(panel / CHAR_WIDTH))}},
            "columns": columns, "spec": {"width": panel, "height": board.height // 2, **body},
            "resolve": {"axis": {"x": "independent", "y": "independent"}}}


def _categories(points: list[Point]) -> list[str]:
    return list(dict.fromkeys(str(p.x) for p in points))


def _horizontal(chart: Chart, points: list[Point], board: Artboard) -> bool:
    """Whether bars lie flat: asked for, or when the category names would not fit side by side."""
    if chart.orientation != "auto":
        return chart.orientation == "horizontal"
    names = _categories(points)
    room = board.plot_width / max(1, len(names))
    return max(len(n) for n in names) * FONT_SIZE * 0.55 > room - 6


def _wrapped_labels(names: list[str], chars: int) -> str:
    """A Vega expression giving each category name as lines of at most about ``chars`` characters."""
    from textwrap import wrap

    lines = {name: wrap(name, chars) or [name] for name in names}
    return f"{json.dumps(lines, ensure_ascii=False)}[datum.value]"


def _category_axis(chart: Chart, points: list[Point], board: Artboard, horizontal: bool) -> dict:
    names = _categories(points)
    chars = (18 if board is NARROW else 28) if horizontal else max(6, int(board.plot_width / len(names) / 7))
    title = chart.x_title or None
    return {"field": "x", "type": "nominal", "sort": names, "title": title,
            "axis": {"labelExpr": _wrapped_labels(names, chars), "labelAngle": 0, "labelLimit": 0,
                     "labelLineHeight": FONT_SIZE + 2, "ticks": False, "labelPadding": 6,
                     **({"labelBaseline": "middle"} if horizontal else {"labelBaseline": "top"})}}


def _bars(chart: Chart, points: list[Point], board: Artboard, datasets: dict) -> dict:
    horizontal = _horizontal(chart, points, board)
    share = chart.stack == "share"
    stacked = chart.stack != "none"
    values = _stacked_totals(points) if stacked else [p.y for p in points]
    if share:
        scale, axis = {"domain": [0, 1], "nice": False}, {"format": "~%", "values": [0, 0.25, 0.5, 0.75, 1],
                                                         "title": chart.y_title or None}
    else:
        scale, axis = _value_axis(chart, points, board, values, zero=True)
    value = {"field": "y", "type": "quantitative", "scale": scale, "axis": axis if horizontal else _top_title(axis, board),
             "stack": ("normalize" if share else "zero") if stacked else None}
    category = _category_axis(chart, points, board, horizontal)
    many = len(chart.series) > 1
    encoding = {"x": value, "y": category} if horizontal else {"x": category, "y": value}
    colour = _colour(chart)
    encoding |= {"color": colour, "stroke": colour, **_status_encodings(bar=True), "tooltip": _tooltip()}
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


def _dots(chart: Chart, points: list[Point], board: Artboard, datasets: dict) -> dict:
    scale, axis = _value_axis(chart, points, board, [p.y for p in points], zero=chart.zero)
    value = {"field": "y", "type": "quantitative", "scale": scale, "axis": axis}
    category = _category_axis(chart, points, board, horizontal=True)
    colour = _colour(chart)
    names = _categories(points)
    range_rule = {"data": {"name": "points"}, "mark": {"type": "rule", "color": CONTEXT_GREY, "strokeWidth": 2},
                  "encoding": {"x": {"aggregate": "min", "field": "y", "type": "quantitative"},
                               "x2": {"aggregate": "max", "field": "y"}, "y": category}}
    dots = {"data": {"name": "points"}, "mark": {"type": "point", "filled": False, "size": 90, "strokeWidth": 2,
                                                 "opacity": 1, "fill": "white"},
            "encoding": {"x": value, "y": category, "stroke": colour, **_status_fill(chart), "tooltip": _tooltip()}}
    return {"width": board.width, "height": max(board.height // 2, len(names) * (FONT_SIZE * 2 + 12)),
            "autosize": {"type": "fit-x", "contains": "padding"}, "layer": [range_rule, dots]}


def _scatter(chart: Chart, points: list[Point], board: Artboard, datasets: dict) -> dict:
    x_scale, x_axis = _value_axis(chart, points, board, [float(p.x) for p in points], zero=chart.zero,
                                  title=chart.x_title)
    x_labels = tick_labels(x_axis["values"], points, x_units=True)
    x_axis["labelExpr"] = (f"{json.dumps(x_labels, ensure_ascii=False)}"
                           f"[indexof({json.dumps(x_axis['values'])}, datum.value)]")
    y_scale, y_axis = _value_axis(chart, points, board, [p.y for p in points], zero=chart.zero)
    x = {"field": "x", "type": "quantitative", "scale": x_scale, "axis": x_axis}
    y = {"field": "y", "type": "quantitative", "scale": y_scale, "axis": _top_title(y_axis, board)}
    colour = _colour(chart)
    layers = []
    if chart.type == "connected-scatter":
        layers.append({"data": {"name": "points"}, "mark": {"type": "line", "strokeWidth": 2, "point": False},
                       "encoding": {"x": x, "y": y, "color": colour, "order": {"field": "order", "type": "quantitative"},
                                    "detail": {"field": "series"}}})
    layers.append({"data": {"name": "points"}, "mark": {"type": "point", "filled": False, "size": 70, "strokeWidth": 2,
                                                        "opacity": 1, "fill": "white"},
                   "encoding": {"x": x, "y": y, "stroke": colour, **_status_fill(chart), "tooltip": _tooltip()}})
    layers += point_label_layers(points, board, x_scale["domain"], y_scale["domain"])
    layers += annotation_layers(chart, points, board, x, y)
    return {"width": board.width, "height": board.height, "autosize": {"type": "fit-x", "contains": "padding"},
            "layer": layers}


def _tooltip() -> list[dict]:
    return [{"field": "label", "type": "nominal", "title": "What"},
            {"field": "value", "type": "nominal", "title": "Value"},
            {"field": "status", "type": "nominal", "title": "Status"}]


def finite(value: float) -> bool:
    """Whether Vega can place ``value`` on a scale (no infinities, no NaN, no numbers near the float limit)."""
    return math.isfinite(value) and abs(value) < 1e300
