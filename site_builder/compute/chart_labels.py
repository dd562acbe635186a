"""Text drawn on a chart's plot: annotations (reference lines, shaded ranges, point labels) and direct
labels at the ends of lines.

Labels are placed at build time, where the chart's scales are known: each is wrapped to the room it
has on its artboard and, where several would collide (line ends close together), pushed apart, so
that no two texts overlap at any width.
"""
from __future__ import annotations

from textwrap import wrap

from .chart_data import Point, position
from .chart_point_labels import crosses, early_end_layers, fact_label_layers
from ..periods import PeriodError, parse_period
from ..chart_model import Chart

LINE_HEIGHT = 15
CHAR_WIDTH = 6.7   # of a 12 px Liberation Sans character, on average, rounded up
NOTE_GREY = "#4b5563"
RULE_GREY = "#6b7280"


def _lines(text: str, room: float) -> list[str]:
    return wrap(text, max(6, int(room / CHAR_WIDTH))) or [text]


def x_place(value: int | float | str | None) -> float | None:
    """Where an annotation's x sits on a time axis: a year as it is, a quarter, month or day ("2007-12") at
    its place in years (as points are placed); None for what is no period."""
    if value is None or isinstance(value, (int, float)):
        return value
    try:
        return parse_period(value.strip()).position
    except PeriodError:
        return None


def _fraction(value: float, domain: list[float]) -> float:
    lo, hi = domain
    return 0.5 if hi == lo else (value - lo) / (hi - lo)


def annotation_layers(chart: Chart, points: list[Point], board, x: dict, y: dict) -> list[dict]:
    """The layers drawing ``chart``'s rules and annotations on a plot with quantitative ``x`` and ``y``."""
    x_domain, y_domain = x["scale"]["domain"], y["scale"]["domain"]
    layers: list[dict] = []
    vertical = [(x_place(r.x), r.label) for r in chart.rules] + \
               [(x_place(a.x), a.label) for a in chart.annotations if a.x is not None]
    ranges = [([x_place(v) for v in a.x_range], a.label) for a in chart.annotations
              if a.x_range is not None and len(a.x_range) == 2 and None not in map(x_place, a.x_range)]
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
    horizontal = [(float(a.y), a.label) for a in chart.annotations if a.y is not None]  # JSON past 64 bits: no int
    levels = [{"y": v, "text": _lines(label, board.plot_width * 0.6)} for v, label in horizontal]
    if levels:
        y_only = {"field": "y", "type": "quantitative"}
        layers.append({"data": {"values": levels}, "mark": {"type": "rule", "color": RULE_GREY, "strokeDash": [4, 3]},
                       "encoding": {"y": y_only}})
        written = [r for r in levels if r["text"] != [""]]
        for count in sorted({len(r["text"]) for r in written}):
            # Vega writes a text's first line on its baseline and the others below: a label of several
            # lines starts higher, so that its last line, not its first, sits on the rule.
            layers.append({"data": {"values": [r for r in written if len(r["text"]) == count]},
                           "mark": {"type": "text", "align": "right", "baseline": "bottom",
                                    "dy": -3 - (count - 1) * LINE_HEIGHT, "color": NOTE_GREY,
                                    "lineHeight": LINE_HEIGHT, "x": {"expr": "width"}},
                           "encoding": {"y": y_only, "text": {"field": "text"}}})
    # What is already written on the plot, for the labels on facts' points to keep clear of.
    taken = [_text_box(t["text"], board.plot_width * _fraction(t["x"], x_domain) + (4 if t["align"] == "left" else -4),
                       t["top"], t["align"]) for t in texts]
    taken += [_text_box(r["text"], board.plot_width, board.height * (1 - _fraction(r["y"], y_domain)) - 3
                        - LINE_HEIGHT * len(r["text"]), "right") for r in levels if r["text"] != [""]]
    layers += fact_label_layers(chart, points, board, (x_domain, y_domain), taken)
    return layers


def _text_box(lines: list[str], x: float, top: float, align: str) -> tuple[float, float, float, float]:
    width = max(len(line) for line in lines) * CHAR_WIDTH
    left = x if align == "left" else x - width
    return (left, top, left + width, top + LINE_HEIGHT * len(lines))


def end_label_layers(chart: Chart, points: list[Point], board, x: dict, y: dict, y_domain: list[float]) -> list[dict]:
    """Each series' name beside its line's last point (only the highlighted one's, with ``highlight``),
    pushed apart vertically where names would collide; a line that ends before the others is named on the
    plot, where its name crosses the fewest lines (``early_end_layers``)."""
    labels = [chart.highlight] if chart.highlight else [s.label for s in chart.series]
    right = max(float(position(p)) for p in points)
    early = [label for label in labels if any(p.series == label for p in points)
             and max(float(position(p)) for p in points if p.series == label) < right - 1e-9]
    room = 130 if board.width < 500 else 180
    ends = []
    for label in (label for label in labels if label not in early):
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
    layers = [{"data": {"values": ends},
               "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 8, "fontWeight": "bold",
                        "lineHeight": LINE_HEIGHT},
               "encoding": {"x": {"field": "x", "type": "quantitative"},
                            "y": {"field": "py", "type": "quantitative", "scale": None},
                            "text": {"field": "text"},
                            "color": {"field": "series", "type": "nominal", "legend": None}}}] if ends else []
    return layers + early_end_layers(chart, points, board, (x["scale"]["domain"], y_domain), early, [])


# Where a point's name may go, tried in turn: above, right, below, left (dx, dy, align, baseline).
PLACES = ((0, -9, "center", "bottom"), (9, 0, "left", "middle"), (0, 9, "center", "top"), (-9, 0, "right", "middle"),
          (6, -6, "left", "bottom"), (-6, -6, "right", "bottom"), (6, 6, "left", "top"), (-6, 6, "right", "top"))
MARKER = 5      # half a marker's width, in px
GAP = 3         # kept free around each name, for the difference between estimated and drawn widths


def point_label_layers(points: list[Point], board, x_domain: list[float], y_domain: list[float],
                       connected: bool = False) -> list[dict]:
    """The names of a scatter chart's points beside them: each put in the first place (above, right, below,
    left, then the corners) where it stays inside the plot, clear of every marker and name already placed
    and, in a connected scatter, of the line joining the points; a name with no such place is left out
    (the data table lists every point)."""
    at = [(board.plot_width * _fraction(float(p.x), x_domain), board.height * (1 - _fraction(p.y, y_domain)))
          for p in points]
    taken = [(x - MARKER, y - MARKER, x + MARKER, y + MARKER) for x, y in at]
    paths = [[xy for q, xy in zip(points, at) if q.series == series] for series in dict.fromkeys(q.series for q in points)]
    paths = paths if connected else []
    chosen: dict[tuple, list[dict]] = {}
    for p, (px, py) in zip(points, at):
        if not p.name:
            continue
        for place in PLACES:
            box = _label_box(p.name, px, py, place)
            inside = box[0] >= 0 and box[2] <= board.plot_width and box[1] >= -LINE_HEIGHT and box[3] <= board.height
            if inside and not any(_meets(box, other) for other in taken) and not any(crosses(box, path) for path in paths):
                taken.append(box)
                chosen.setdefault(place, []).append({"x": p.x, "y": p.y, "text": p.name})
                break
    return [{"data": {"values": rows},
             "mark": {"type": "text", "dx": dx, "dy": dy, "align": align, "baseline": baseline, "color": NOTE_GREY},
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"},
                          "text": {"field": "text"}}}
            for (dx, dy, align, baseline), rows in chosen.items()]


def _label_box(text: str, x: float, y: float, place: tuple) -> tuple[float, float, float, float]:
    dx, dy, align, baseline = place
    width, height = len(text) * CHAR_WIDTH, LINE_HEIGHT
    left = {"center": x + dx - width / 2, "left": x + dx, "right": x + dx - width}[align]
    top = {"bottom": y + dy - height, "top": y + dy, "middle": y + dy - height / 2}[baseline]
    return (left, top, left + width, top + height)


def _meets(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] + GAP and b[0] < a[2] + GAP and a[1] < b[3] + GAP and b[1] < a[3] + GAP
