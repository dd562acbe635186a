"""Labels on facts' points (``annotations: - {fact: ..., at: low, label: "The low: {value}"}``): what each says,
read from the point it labels, and where it goes, placed at build time where the chart's scales are known.

A label is put in the first place (above or below its point, then beside it, then farther up or down;
on as few lines as fit) that stays inside the plot, clear of other texts, and crosses no line of the
chart. Where every place crosses a line, the one crossing the fewest grey (context) lines is taken; a label
that would cross its own line or another coloured one is left out at that width (the description and the
data table still give it).
"""
from __future__ import annotations

from textwrap import wrap

from .chart_data import Point, annotated_point, position
from ..chart_model import Chart

LINE_HEIGHT = 15
CHAR_WIDTH = 7.2   # of a bold 12 px Liberation Sans character, on average, rounded up
NOTE_GREY = "#4b5563"
MARKER = 4  # half a line marker's width, in px
Box = tuple[float, float, float, float]  # left, top, right, bottom, in px from the plot's top left corner

BESIDE = ((10, 0, "left", "middle"), (-10, 0, "right", "middle"))


def _places(where: float, low: bool) -> list[tuple]:
    """Where a label may go, in the order tried (dx, dy, align, baseline): above its point (a low point's:
    below), aligned on it as its place across the plot suggests (ending on it near the right edge), then
    below (above), then beside it, then farther up or down."""
    first = "right" if where > 0.6 else "left" if where < 0.4 else "center"
    aligns = [first, *(a for a in ("center", "left", "right") if a != first)]
    above = [(0, -9, a, "bottom") for a in aligns]
    below = [(0, 9, a, "top") for a in aligns]
    farther = [(0, -9 - 2 * LINE_HEIGHT, a, "bottom") for a in aligns] + [(0, 9 + 2 * LINE_HEIGHT, a, "top") for a in aligns]
    return [*(below + above if low else above + below), *BESIDE, *farther]


def note_text(note, point: Point) -> str:
    """What a label on a fact's point says: its ``label`` with ``{value}`` (the figure as the fact shows it, in
    its unit and precision), ``{period}`` and ``{series}`` filled in; the figure alone without a label."""
    return (note.label or "{value}").format_map({"value": point.display, "period": point.x, "series": point.series})


def fact_label_layers(chart: Chart, points: list[Point], board, domains: tuple[list, list], taken: list[Box]) -> list[dict]:
    """The layers writing ``chart``'s labels on facts' points, each placed clear of ``taken`` (texts already
    on the plot, which the placed labels join) and of the chart's lines."""
    x_domain, y_domain = domains
    width, height = board.plot_width, board.height

    def pixel(x: float, y: float) -> tuple[float, float]:
        return width * _fraction(x, x_domain), height * (1 - _fraction(y, y_domain))

    lines = _polylines(chart, points, pixel)
    taken += _markers(chart, points, pixel)
    chosen: dict[tuple, list[dict]] = {}
    for note in chart.annotations:
        p = annotated_point(note, points) if note.fact else None
        if p is None:
            continue
        px, py = pixel(float(position(p)), p.y)
        places = _places(_fraction(float(position(p)), x_domain), note.at == "low" or _is_dip(p, points))
        # Crossing the labelled line, or any coloured one, is far worse than crossing a grey one.
        best = best_place(note_text(note, p), (px, py), places, lines, taken, (width, height),
                          lambda series: 1 if chart.highlight and series not in (p.series, chart.highlight) else 100)
        if best is None or best[0] >= 100:
            continue  # no room clear of the lines that matter: the description and the table still say it
        cost, place, box, text = best
        taken.append(box)
        chosen.setdefault((place, len(text)), []).append({"x": position(p), "y": p.y, "text": text})
    return [{"data": {"values": rows},
             "mark": {"type": "text", "dx": dx, "dy": dy - _first_line_shift(baseline, count), "align": align,
                      "baseline": baseline, "fontWeight": "bold", "color": NOTE_GREY, "lineHeight": LINE_HEIGHT},
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"},
                          "text": {"field": "text"}}}
            for ((dx, dy, align, baseline), count), rows in chosen.items()]


def best_place(label: str, at: tuple[float, float], places: list[tuple], lines: list, taken: list[Box],
               size: tuple[float, float], weight) -> tuple[float, tuple, Box, list[str]] | None:
    """The cheapest of ``places`` around ``at`` for ``label`` (on one line where it fits, else wrapped
    narrower) inside a plot of ``size``, clear of ``taken``: (cost, place, box, lines of text), the cost
    being the sum of ``weight(series)`` over the lines it crosses; the first free of any; None if no place."""
    width, height = size
    best = None
    for share in (0.8, 0.45):
        text = wrap(label, max(6, int(width * share / CHAR_WIDTH))) or [""]
        for place in places:
            box = _box(text, at[0], at[1], place)
            if not (box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height) \
                    or any(_meets(box, other) for other in taken):
                continue
            cost = sum(weight(series) for series, line in lines if crosses(box, line))
            if best is None or cost < best[0]:
                best = (cost, place, box, text)
            if cost == 0:
                return best
    return best


def early_end_layers(chart: Chart, points: list[Point], board, domains: tuple[list, list], names: list[str],
                     taken: list[Box]) -> list[dict]:
    """The names of lines that end before the plot's right edge (so a name beside their end would sit among the
    other lines), each where it crosses the fewest lines: beside its end, above or below it."""
    x_domain, y_domain = domains
    width, height = board.plot_width, board.height

    def pixel(x: float, y: float) -> tuple[float, float]:
        return width * _fraction(x, x_domain), height * (1 - _fraction(y, y_domain))

    lines = _polylines(chart, points, pixel)
    taken = taken + _markers(chart, points, pixel)
    chosen: dict[tuple, list[dict]] = {}
    for name in names:
        last = max((p for p in points if p.series == name), key=position)
        where = _fraction(float(position(last)), x_domain)
        places = [BESIDE[0], *_places(where, _is_dip(last, points))[:6], BESIDE[1]]
        best = best_place(name, pixel(float(position(last)), last.y), places, lines, taken, (width, height),
                          lambda series: 1 if chart.highlight and series != chart.highlight else 100)
        if best is None:
            continue  # no room on the plot at all: the table still names every series
        cost, place, box, text = best
        taken.append(box)
        chosen.setdefault((place, len(text)), []).append({"x": position(last), "y": last.y, "text": text,
                                                          "series": name})
    return [{"data": {"values": rows},
             "mark": {"type": "text", "dx": dx, "dy": dy - _first_line_shift(baseline, count), "align": align,
                      "baseline": baseline, "fontWeight": "bold", "lineHeight": LINE_HEIGHT},
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"},
                          "text": {"field": "text"}, "color": {"field": "series", "type": "nominal", "legend": None}}}
            for ((dx, dy, align, baseline), count), rows in chosen.items()]


def _first_line_shift(baseline: str, count: int) -> float:
    """How far up to move a text of ``count`` lines: Vega sets the first line on the baseline and writes the
    others below it, so a block meant to end above its point (or to centre on it) starts higher."""
    return {"bottom": (count - 1) * LINE_HEIGHT, "middle": (count - 1) * LINE_HEIGHT / 2}.get(baseline, 0)


def label_room(chart: Chart, points: list[Point], values: list[float], board) -> list[float]:
    """Values for the value axis to reach, so that a label above a high point (below a low one) has room
    inside the plot for a line of text: the axis then ends a tick farther where it must."""
    if not values:
        return []
    lo, hi = min(values + ([0.0] if chart.zero else [])), max(values)
    margin = (hi - lo) * (9 + LINE_HEIGHT) / max(1, board.height - 9 - LINE_HEIGHT)
    extra = []
    for note in chart.annotations:
        p = annotated_point(note, points) if note.fact else None
        if p is None:
            continue
        if note.at == "low" or _is_dip(p, points):
            if not (chart.zero and p.y - margin < 0):  # bars and zero-based lines keep their zero
                extra.append(p.y - margin)
        else:
            extra.append(p.y + margin)
    return extra


def _fraction(value: float, domain: list[float]) -> float:
    lo, hi = domain
    return 0.5 if hi == lo else (value - lo) / (hi - lo)


def _polylines(chart: Chart, points: list[Point], pixel) -> list[tuple[str, list[tuple[float, float]]]]:
    """Each line the chart draws, as pixels: lines and areas in time order, a connected scatter in its order."""
    if chart.type not in ("line", "area", "connected-scatter"):
        return []
    found = []
    for series in dict.fromkeys(p.series for p in points):
        pts = [p for p in points if p.series == series]
        if chart.type != "connected-scatter":
            pts.sort(key=position)
        found.append((series, [pixel(float(position(p)), p.y) for p in pts]))
    return found


def _markers(chart: Chart, points: list[Point], pixel) -> list[Box]:
    """The boxes of the markers drawn on the lines (only the highlighted line's, in a highlighted chart)."""
    if chart.type not in ("line", "area", "connected-scatter") or (chart.type == "area" and chart.stack != "none"):
        return []
    drawn = [p for p in points if not chart.highlight or p.series == chart.highlight]
    return [(x - MARKER, y - MARKER, x + MARKER, y + MARKER)
            for x, y in (pixel(float(position(p)), p.y) for p in drawn)]


def _is_dip(p: Point, points: list[Point]) -> bool:
    """Whether ``p`` is lower than the points on either side of it in its series."""
    line = sorted((q for q in points if q.series == p.series and q.at is not None), key=position)
    if p not in line:
        return False
    i = line.index(p)
    neighbours = line[max(0, i - 1):i] + line[i + 1:i + 2]
    return bool(neighbours) and all(q.y > p.y for q in neighbours)


def _box(text: list[str], x: float, y: float, place: tuple) -> Box:
    dx, dy, align, baseline = place
    w, h = max(len(line) for line in text) * CHAR_WIDTH, len(text) * LINE_HEIGHT
    left = {"center": x + dx - w / 2, "left": x + dx, "right": x + dx - w}[align]
    top = {"bottom": y + dy - h, "top": y + dy, "middle": y + dy - h / 2}[baseline]
    return (left, top, left + w, top + h)


def _meets(a: Box, b: Box, gap: float = 2) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def crosses(box: Box, line: list[tuple[float, float]]) -> bool:
    """Whether a polyline passes through ``box`` (each segment tested every pixel or so)."""
    for (x1, y1), (x2, y2) in zip(line, line[1:]):
        if max(x1, x2) < box[0] or min(x1, x2) > box[2] or max(y1, y2) < box[1] or min(y1, y2) > box[3]:
            continue
        steps = max(1, int(max(abs(x2 - x1), abs(y2 - y1))))
        if any(box[0] <= x1 + (x2 - x1) * i / steps <= box[2] and box[1] <= y1 + (y2 - y1) * i / steps <= box[3]
               for i in range(steps + 1)):
            return True
    return False
