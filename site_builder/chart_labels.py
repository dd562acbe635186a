"""Text drawn on a chart's plot: annotations (reference lines, shaded ranges, point labels) and direct
labels at the ends of lines.

Labels are placed at build time, where the chart's scales are known: each is wrapped to the room it
has on its artboard and, where several would collide (line ends close together), pushed apart, so
that no two texts overlap at any width.
"""
from __future__ import annotations

from textwrap import wrap

from .chart_data import Point, position
from .model import Chart

LINE_HEIGHT = 15
CHAR_WIDTH = 6.7   # of a 12 px Liberation Sans character, on average, rounded up
NOTE_GREY = "#4b5563"
RULE_GREY = "#6b7280"


def _lines(text: str, room: float) -> list[str]:
    return wrap(text, max(6, int(room / CHAR_WIDTH))) or [text]


def _fraction(value: float, domain: list[float]) -> float:
    lo, hi = domain
    return 0.5 if hi == lo else (value - lo) / (hi - lo)


def annotation_layers(chart: Chart, points: list[Point], board, x: dict, y: dict) -> list[dict]:
    """The layers drawing ``chart``'s rules and annotations on a plot with quantitative ``x`` and ``y``."""
    x_domain, y_domain = x["scale"]["domain"], y["scale"]["domain"]
    layers: list[dict] = []
    vertical = [(r.x, r.label) for r in chart.rules] + [(a.x, a.label) for a in chart.annotations if a.x is not None]
    ranges = [(a.x_range, a.label) for a in chart.annotations if a.x_range is not None]
    x_only = {"field": "x", "type": "quantitative"}
    tops = 0  # texts written along the top of the plot, one under the other
    if ranges:
        rows = [{"x": lo, "x2": hi} for (lo, hi), _ in ranges]
        layers.append({"data": {"values": rows}, "mark": {"type": "rect", "color": "#9ca3af", "opacity": 0.18},
                       "encoding": {"x": x_only, "x2": {"field": "x2"}}})
    texts = []
    for value, label in [(lo, label) for (lo, _), label in ranges] + vertical:
        if not label or not isinstance(value, (int, float)):
            continue
        f = _fraction(value, x_domain)
        right = f > 0.55
        room = board.plot_width * (f if right else 1 - f) - 8
        lines = _lines(label, room)
        texts.append({"x": value, "text": lines, "top": 4 + tops * LINE_HEIGHT, "align": "right" if right else "left"})
        tops += len(lines)
    if vertical:
        layers.append({"data": {"values": [{"x": v} for v, _ in vertical if isinstance(v, (int, float))]},
                       "mark": {"type": "rule", "color": RULE_GREY, "strokeDash": [2, 2]}, "encoding": {"x": x_only}})
    for align in ("left", "right"):
        rows = [t for t in texts if t["align"] == align]
        if rows:
            layers.append({"data": {"values": rows},
                           "mark": {"type": "text", "align": align, "baseline": "top", "dx": 4 if align == "left" else -4,
                                    "color": NOTE_GREY, "lineHeight": LINE_HEIGHT},
                           "encoding": {"x": x_only, "y": {"field": "top", "type": "quantitative", "scale": None},
                                        "text": {"field": "text"}}})
    horizontal = [(a.y, a.label) for a in chart.annotations if a.y is not None]
    if horizontal:
        rows = [{"y": v, "text": _lines(label, board.plot_width * 0.6)} for v, label in horizontal]
        y_only = {"field": "y", "type": "quantitative"}
        layers.append({"data": {"values": rows}, "mark": {"type": "rule", "color": RULE_GREY, "strokeDash": [4, 3]},
                       "encoding": {"y": y_only}})
        layers.append({"data": {"values": [r for r in rows if r["text"] != [""]]},
                       "mark": {"type": "text", "align": "right", "baseline": "bottom", "dy": -3, "color": NOTE_GREY,
                                "lineHeight": LINE_HEIGHT, "x": {"expr": "width"}},
                       "encoding": {"y": y_only, "text": {"field": "text"}}})
    layers += _fact_labels(chart, points, board, x_domain)
    return layers


def _fact_labels(chart: Chart, points: list[Point], board, x_domain: list[float]) -> list[dict]:
    by_fact = {p.fact_id: p for p in points}
    rows = []
    for note in chart.annotations:
        p = by_fact.get(note.fact or "")
        if p is None or not note.label:
            continue
        f = _fraction(float(position(p)), x_domain)
        rows.append({"x": position(p), "y": p.y, "text": _lines(note.label, board.plot_width * 0.45),
                     "align": "right" if f > 0.6 else ("left" if f < 0.4 else "center")})
    layers = []
    for align in ("left", "center", "right"):
        chosen = [r for r in rows if r["align"] == align]
        if chosen:
            layers.append({"data": {"values": chosen},
                           "mark": {"type": "text", "align": align, "baseline": "bottom", "dy": -9, "fontWeight": "bold",
                                    "color": NOTE_GREY, "lineHeight": LINE_HEIGHT},
                           "encoding": {"x": {"field": "x", "type": "quantitative"},
                                        "y": {"field": "y", "type": "quantitative"}, "text": {"field": "text"}}})
    return layers


def end_label_layer(chart: Chart, points: list[Point], board, x: dict, y: dict, y_domain: list[float]) -> dict:
    """Each series' name beside its line's last point (only the highlighted one's, with ``highlight``),
    pushed apart vertically where names would collide."""
    labels = [chart.highlight] if chart.highlight else [s.label for s in chart.series]
    room = 130 if board.width < 500 else 180
    ends = []
    for label in labels:
        pts = [p for p in points if p.series == label]
        if pts:
            last = max(pts, key=position)
            lines = _lines(label, room)
            ends.append({"x": position(last), "py": board.height * (1 - _fraction(last.y, y_domain)), "text": lines,
                         "series": label})
    ends.sort(key=lambda e: e["py"])
    bottom = -1e9
    for end in ends:  # push each name below the one above it, then keep the block inside the plot
        height = LINE_HEIGHT * len(end["text"])
        end["py"] = max(end["py"] - height / 2, bottom)
        bottom = end["py"] + height
    overflow = max(0.0, bottom - board.height - 8)
    for end in ends:
        end["py"] -= overflow
    return {"data": {"values": ends},
            "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 8, "fontWeight": "bold",
                     "lineHeight": LINE_HEIGHT},
            "encoding": {"x": {"field": "x", "type": "quantitative"},
                         "y": {"field": "py", "type": "quantitative", "scale": None},
                         "text": {"field": "text"},
                         "color": {"field": "series", "type": "nominal", "legend": None}}}


def point_label_layers(points: list[Point], x_domain: list[float]) -> list[dict]:
    """The names of a scatter chart's points, above each point, aligned to stay inside the plot."""
    rows = []
    for p in points:
        if p.name:
            f = _fraction(float(p.x), x_domain)
            rows.append({"x": p.x, "y": p.y, "text": p.name,
                         "align": "right" if f > 0.8 else ("left" if f < 0.2 else "center")})
    return [{"data": {"values": chosen},
             "mark": {"type": "text", "baseline": "bottom", "dy": -8, "color": NOTE_GREY, "align": align},
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"},
                          "text": {"field": "text"}}}
            for align in ("left", "center", "right") if (chosen := [r for r in rows if r["align"] == align])]
