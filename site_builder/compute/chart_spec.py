"""A chart's Vega-Lite spec for one artboard (a width it is drawn at), one function per kind of chart:
lines and areas (small multiples too) and scatter plots here, bars and dots in ``chart_bars``, maps in
``chart_map``, custom specs in ``chart_custom``; what they share (artboards, value axes, colours) in
``chart_encoding``.

Specs are plain dicts, written here rather than through Altair's classes: the kinds are few and fixed,
and the shapes are checked against the Vega-Lite schema by ``tests/test_chart_spec.py``. Every chart
is drawn twice at build time, for a phone (``NARROW``) and for a wider column (``WIDE``); the narrow
artboard gets fewer ticks, wrapped category names and horizontal bars sooner. Legends are never
drawn in the SVG: the page shows an HTML key (``chart_key_entries``), which wraps instead of
overlapping, with the same line, dash and marker as the plot.
"""
from __future__ import annotations

import json

from .chart_axes import tick_labels, year_ticks
from .chart_bars import bar_chart, dot_chart
from .chart_custom import custom_spec
from .chart_data import CALCULATED, PROJECTED, Point, line_segments, point_rows, position, series_order
from .chart_encoding import (
    DASH, DOTS, NARROW, WIDE, Artboard, series_colour, stacked_totals, status_fill, tooltip, top_title, value_axis,
    wrapped_labels,
)
from .chart_point_labels import label_room
from .chart_labels import CHAR_WIDTH, annotation_layers, end_label_layers, point_label_layers
from .chart_map import map_spec
from .chart_theme import theme, vega_lite_schema_url
from ..chart_model import Chart


def chart_spec(chart: Chart, points: list[Point], description: str, board: Artboard = WIDE) -> dict:
    """The Vega-Lite spec of ``chart`` drawn at ``board``, data included."""
    if chart.type == "custom":
        return custom_spec(chart, points, description, board)
    draw = {"line": _lines, "area": _lines, "bar": bar_chart, "dot": dot_chart, "scatter": _scatter,
            "connected-scatter": _scatter, "map": map_spec}[chart.type]
    spec = {"$schema": vega_lite_schema_url(), "description": description, "config": theme(points),
            "datasets": {"points": point_rows(points)}}
    spec.update(draw(chart, points, board, spec["datasets"]))
    return spec


def _year_axis(chart: Chart, xs: list[float], board: Artboard) -> tuple[dict, dict]:
    ticks = year_ticks(xs, board.max_ticks)
    return ({"domain": [min(xs), max(xs)], "nice": False, "zero": False},
            {"values": ticks, "format": "d", "title": chart.x_title or None, "labelFlush": True,
             "grid": False})


def _lines(chart: Chart, points: list[Point], board: Artboard, datasets: dict) -> dict:
    datasets["segments"] = line_segments(points, series_order(chart))
    x_scale, x_axis = _year_axis(chart, [float(position(p)) for p in points], board)
    stacked = chart.type == "area" and chart.stack != "none"
    values = stacked_totals(points) if stacked else [p.y for p in points]
    share = stacked and chart.stack == "share"
    if share:
        y_scale, y_axis = {"domain": [0, 1], "nice": False}, {"format": "~%", "values": [0, 0.25, 0.5, 0.75, 1],
                                                             "title": chart.y_title or None}
    else:
        values = values + ([] if stacked or chart.small_multiples else label_room(chart, points, values, board))
        y_scale, y_axis = value_axis(chart, points, board, values, zero=chart.zero)
    x = {"field": "x", "type": "quantitative", "scale": x_scale, "axis": x_axis}
    y = {"field": "y", "type": "quantitative", "scale": y_scale, "axis": top_title(y_axis, board)}
    colour = series_colour(chart)
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
                   "encoding": {"x": x, "y": y, "stroke": colour, **status_fill(chart), "tooltip": tooltip()}}
        layers += _highlighted(chart, line, markers) if chart.highlight else [line, markers]
    layers += annotation_layers(chart, points, board, x, y)
    if chart.direct_labels or chart.highlight:
        layers += end_label_layers(chart, points, board, x, y, y_scale["domain"])
    body = {"layer": layers}
    if chart.small_multiples:
        return _small_multiples(chart, body, board)
    return {"width": board.width, "height": board.height, "autosize": {"type": "fit-x", "contains": "padding"}, **body}


def _highlighted(chart: Chart, line: dict, markers: dict) -> list[dict]:
    """The other series as thin grey lines without markers, then the highlighted one over them."""
    mine = f"datum.series === {json.dumps(chart.highlight)}"
    context = {**line, "mark": {**line["mark"], "strokeWidth": 1.5}, "transform": [{"filter": f"!({mine})"}]}
    return [context, {**line, "transform": [{"filter": mine}]}, {**markers, "transform": [{"filter": mine}]}]


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
                                                    "header": {"labelLimit": 0, "labelExpr": wrapped_labels(
                                                        series_order(chart), int(panel / CHAR_WIDTH))}},
            "columns": columns, "spec": {"width": panel, "height": board.height // 2, **body},
            "resolve": {"axis": {"x": "independent", "y": "independent"}}}


def _scatter(chart: Chart, points: list[Point], board: Artboard, datasets: dict) -> dict:
    x_scale, x_axis = value_axis(chart, points, board, [float(p.x) for p in points], zero=chart.zero,
                                  title=chart.x_title)
    x_labels = tick_labels(x_axis["values"], points, x_units=True)
    x_axis["labelExpr"] = (f"{json.dumps(x_labels, ensure_ascii=False)}"
                           f"[indexof({json.dumps(x_axis['values'])}, datum.value)]")
    y_scale, y_axis = value_axis(chart, points, board, [p.y for p in points], zero=chart.zero)
    x = {"field": "x", "type": "quantitative", "scale": x_scale, "axis": x_axis}
    y = {"field": "y", "type": "quantitative", "scale": y_scale, "axis": top_title(y_axis, board)}
    colour = series_colour(chart)
    layers = []
    if chart.type == "connected-scatter":
        layers.append({"data": {"name": "points"}, "mark": {"type": "line", "strokeWidth": 2, "point": False},
                       "encoding": {"x": x, "y": y, "color": colour, "order": {"field": "order", "type": "quantitative"},
                                    "detail": {"field": "series"}}})
    layers.append({"data": {"name": "points"}, "mark": {"type": "point", "filled": False, "size": 70, "strokeWidth": 2,
                                                        "opacity": 1, "fill": "white"},
                   "encoding": {"x": x, "y": y, "stroke": colour, **status_fill(chart), "tooltip": tooltip()}})
    layers += point_label_layers(points, board, x_scale["domain"], y_scale["domain"],
                                 connected=chart.type == "connected-scatter")
    layers += annotation_layers(chart, points, board, x, y)
    return {"width": board.width, "height": board.height, "autosize": {"type": "fit-x", "contains": "padding"},
            "layer": layers}


