"""Custom charts: a Vega-Lite spec written in the chart's YAML (``type: custom``, ``vega_lite:``), given the
project's theme, the chart's data rows (``data: {name: points}``) and the artboard's width, like every chart."""
from __future__ import annotations


from .chart_data import Point, point_rows
from .chart_theme import FONT_SIZE, theme, vega_lite_schema_url
from ..chart_model import Chart
from ..frozen import thaw

COMPOSED = ("facet", "repeat", "concat", "hconcat", "vconcat")


def custom_spec(chart: Chart, points: list[Point], description: str, board) -> dict:
    """The chart's own spec, themed (its own ``config`` wins), with its data and sized for ``board``."""
    spec = thaw(chart.vega_lite or {})  # a plain copy: the chart's own is frozen
    spec["$schema"] = vega_lite_schema_url()
    spec["description"] = description
    # Unlike the kinds drawn here, a custom spec has no HTML key: its legends are drawn, under the plot.
    legend = {"disable": False, "orient": "bottom", "labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE,
              "labelLimit": board.width - 40, "titleLimit": board.width - 20}
    spec["config"] = merged(merged(theme(points), {"legend": legend}), spec.get("config", {}))
    if points:
        spec.setdefault("datasets", {})["points"] = point_rows(points)
        spec.setdefault("data", {"name": "points"})  # layers, panels and concatenations inherit it
    if not any(k in spec for k in COMPOSED):
        spec["width"] = board.width
        spec.setdefault("height", board.height)
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def merged(base: dict, override: dict) -> dict:
    """``base`` with ``override`` laid over it, mapping by mapping."""
    out = dict(base)
    for key, value in override.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out

