"""What a custom chart (a Vega-Lite spec written in its YAML) says in words: read from the spec's marks and
encodings, computed from the chart's own points, as generated descriptions of the other kinds are."""
from __future__ import annotations

from dataclasses import dataclass

from .chart_data import Point, point_rows
from ..formatting import format_value, with_unit_words
from ..chart_model import Chart
from ..frozen import thaw

# What a reader is told each channel shows, and what each kind of mark makes of a chart.
CHANNELS = {"x": "across", "y": "up the side", "color": "colour", "fill": "colour", "size": "size",
            "opacity": "shade", "shape": "shape", "theta": "slices", "radius": "distance from the centre",
            "column": "one panel per", "row": "one row of panels per", "facet": "one panel per",
            "xOffset": "side by side", "yOffset": "one above the other"}
MARKS = {"rect": "Heatmap", "bar": "Bar chart", "line": "Line chart", "trail": "Line chart", "area": "Area chart",
         "point": "Dot chart", "circle": "Dot chart", "square": "Dot chart", "tick": "Strip plot", "arc": "Pie chart",
         "boxplot": "Box plot", "errorbar": "Error bars", "geoshape": "Map"}
AGGREGATES = {"sum": sum, "mean": lambda v: sum(v) / len(v), "average": lambda v: sum(v) / len(v), "min": min,
              "max": max, "median": lambda v: sorted(v)[len(v) // 2] if len(v) % 2 else
              (sorted(v)[len(v) // 2 - 1] + sorted(v)[len(v) // 2]) / 2, "count": len}
DIMENSIONS = ("series", "x", "period", "name", "status", "label")  # the point rows' fields that are not figures


@dataclass(frozen=True)
class Encoded:
    """One channel of a custom spec: which of the points' fields it shows, how, and under what title."""

    channel: str
    field: str
    type: str = ""
    aggregate: str = ""
    title: str | None = None


def spec_marks_and_channels(spec: dict) -> tuple[list[str], list[Encoded]]:
    """The marks a custom spec draws and the channels it encodes, through its layers, facets and concatenations."""
    marks: list[str] = []
    channels: list[Encoded] = []

    def walk(node) -> None:
        if not isinstance(node, dict):
            return
        mark = node.get("mark")
        mark = mark.get("type") if isinstance(mark, dict) else mark
        if isinstance(mark, str) and mark not in marks:
            marks.append(mark)
        facet = node.get("facet")
        if isinstance(facet, dict):
            found = {"facet": facet} if "field" in facet else {k: v for k, v in facet.items() if k in ("row", "column")}
            channels.extend(_encoded(found))
        channels.extend(_encoded(node.get("encoding") or {}))
        for key in ("layer", "concat", "hconcat", "vconcat"):
            for child in node.get(key) or ():
                walk(child)
        walk(node.get("spec"))

    walk(spec)
    return marks, channels


def _encoded(encoding: dict) -> list[Encoded]:
    found = []
    for channel, definition in encoding.items():
        if channel in CHANNELS and isinstance(definition, dict) and isinstance(definition.get("field"), str):
            title = definition.get("title")
            found.append(Encoded(channel, definition["field"], str(definition.get("type", "")),
                                 str(definition.get("aggregate", "")), " ".join(title) if isinstance(title, list)
                                 else title if isinstance(title, str) else None))
    return found


def _has_transform(node) -> bool:
    if isinstance(node, dict):
        return "transform" in node or any(_has_transform(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_transform(v) for v in node)
    return False


def describe_custom(chart: Chart, points: list[Point], series_text: list[str]) -> str:
    """What a custom spec shows, read from its marks and encodings and computed from its data: which field each
    channel shows, the highest and lowest figures drawn (or, for an aggregate, each group's), then each
    series as ``series_text`` says it."""
    spec = thaw(chart.vega_lite or {})
    marks, channels = spec_marks_and_channels(spec)
    kind = MARKS.get(marks[0], "Chart") if len(marks) == 1 else "Chart" + (f" ({', '.join(marks)})" if marks else "")
    unit_names = {p.unit for p in points}
    unit = unit_names.pop() if len(unit_names) == 1 else None
    locale = points[0].locale if points else "en-US"

    def field_words(e: Encoded) -> str:
        if e.title is not None and e.title.strip():
            return e.title
        period = chart.x_title or ("year" if all(isinstance(p.x, int) for p in points) else "period")
        words = {"series": "series", "period": period, "x": period,
                 "y": chart.y_title or unit or "value", "value": "value", "label": "what", "status": "status",
                 "name": "point"}.get(e.field, e.field)
        return f"{e.aggregate} of {words}" if e.aggregate else words

    shown = []
    for e in channels:
        where = "down the side" if e.channel == "y" and e.type in ("nominal", "ordinal") else CHANNELS[e.channel]
        phrase = f"{where} {field_words(e)}" if where.endswith(" per") else f"{where}, {field_words(e)}"
        if phrase not in shown:
            shown.append(phrase)
    text = f"{kind}: {chart.title}."
    if shown:
        text += " " + "; ".join(shown)[0].upper() + "; ".join(shown)[1:] + "."
    if _has_transform(spec):
        return " ".join([text, "The spec transforms the figures before drawing them.", *series_text])
    figure = [e for e in channels if e.field == "y"]
    aggregated = [e for e in figure if e.aggregate in AGGREGATES]
    if aggregated and points:
        by = list(dict.fromkeys(e.field for e in channels if e.field in DIMENSIONS and not e.aggregate))
        name = f"{aggregated[0].aggregate.capitalize()} of {field_words(Encoded('y', 'y'))}"
        if by:
            name += " by " + ", ".join(field_words(Encoded("", f)) for f in by)
        return f"{text} {name}: {_groups(aggregated[0].aggregate, by, points, unit, locale)}."
    if figure and points:
        high, low = max(points, key=lambda p: p.y), min(points, key=lambda p: p.y)
        text += f" Highest: {high.display} ({high.series}, {high.x}); lowest: {low.display} ({low.series}, {low.x})."
    return " ".join([text, *series_text])


def _groups(aggregate: str, by: list[str], points: list[Point], unit: str | None, locale: str) -> str:
    """Each group's ``aggregate`` of the figures (grouped by the fields ``by``), largest first; the largest and
    smallest alone when there are more than a dozen."""
    groups: dict[tuple, list[float]] = {}
    for row in point_rows(points):
        # "x" is a period's place on the time axis (2024.17): the reader reads the period itself.
        groups.setdefault(tuple(row["period"] if f == "x" else row[f] for f in by), []).append(row["y"])
    ranked = sorted(((key, AGGREGATES[aggregate](values)) for key, values in groups.items()), key=lambda kv: -kv[1])
    shown_unit = None if aggregate == "count" else unit

    def said(key: tuple, value: float) -> str:
        number = with_unit_words(format_value(float(value), None, shown_unit, locale), shown_unit)
        return f"{', '.join(map(str, key))}, {number}" if key else number
    if len(ranked) <= 12:
        return "; ".join(said(k, v) for k, v in ranked)
    return f"highest {said(*ranked[0])}; lowest {said(*ranked[-1])}"
