"""What a chart says in words (its text description) and its key (which colour, line and marker is what)."""
from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from .chart_custom_words import describe_custom
from .chart_data import CALCULATED, PROJECTED, REPORTED, Point, annotated_point, line_status
from .chart_point_labels import note_text
from .chart_stacks import StackTotal, is_stacked, share_points, stack_totals
from .chart_theme import CONTEXT_GREY, PALETTE
from ..chart_model import Chart
from ..periods import PeriodError, key_label, period_key

KINDS = {"line": "Line chart", "area": "Area chart", "bar": "Bar chart", "dot": "Dot plot",
         "scatter": "Scatter chart", "connected-scatter": "Connected scatter chart", "map": "Locator map",
         "custom": "Chart"}
STATUS_GREY = "#4b5563"


@dataclass(frozen=True)
class KeyEntry:
    """One item of a chart's key, drawn in HTML beside the chart: a swatch and what it stands for."""

    label: str
    colour: str
    mark: str              # "line" (a line through a marker), "bar", "dot"
    dashed: bool = False   # the line or the bar's outline dashed, its marker hollow: forecasts and estimates
    dotted: bool = False   # dotted and hollow: our own calculations

    @property
    def hollow(self) -> bool:
        """Whether the marker is drawn as a ring (anything but a reported figure)."""
        return self.dashed or self.dotted

    @property
    def swatch(self) -> str:
        """The entry's swatch as SVG elements in a 28x14 box (a bar, or a line through a marker, or a dot): one
        drawing for the page's HTML key and the social card's."""
        colour = quoteattr(self.colour)
        if self.mark == "bar":
            dash = ' stroke-dasharray="3 2"' if self.dashed else ' stroke-dasharray="1.5 2"' if self.dotted else ""
            return (f'<rect x="6" y="1" width="16" height="12" fill={colour} '
                    f'fill-opacity="{"0.35" if self.hollow else "1"}" stroke={colour} stroke-width="1.5"{dash}/>')
        line = ""
        if self.mark == "line":
            dash = ' stroke-dasharray="5 3"' if self.dashed else ' stroke-dasharray="1.5 2.5"' if self.dotted else ""
            line = f'<line x1="1" y1="7" x2="27" y2="7" stroke={colour} stroke-width="2.5"{dash}/>'
        fill = '"white"' if self.hollow else colour
        return f'{line}<circle cx="14" cy="7" r="4" fill={fill} stroke={colour} stroke-width="2"/>'


def chart_key_entries(chart: Chart, points: list[Point]) -> tuple[KeyEntry, ...]:
    """The chart's key: one entry per series (unless lines are labelled directly), then how forecasts
    and estimates are drawn, when the chart has any."""
    mark = {"bar": "bar", "area": "bar" if chart.stack != "none" else "line", "dot": "dot", "scatter": "dot",
            "map": "dot"}.get(chart.type, "line")
    entries = []
    drawn_as = {s.label: {line_status(p) for p in points if p.series == s.label} for s in chart.series}
    if chart.type not in ("map", "custom") and not chart.direct_labels and not chart.small_multiples:
        for i, series in enumerate(chart.series):
            if chart.highlight and series.label != chart.highlight:
                continue
            colour = PALETTE[0] if chart.highlight else PALETTE[i % len(PALETTE)]
            drawn = drawn_as[series.label]
            entries.append(KeyEntry(series.label, colour, mark, dashed=drawn == {PROJECTED}, dotted=drawn == {CALCULATED}))
        if chart.highlight and len(chart.series) > 1:
            entries.append(KeyEntry("Other series", CONTEXT_GREY, mark))
    drawn = {line_status(p) for p in points}
    if drawn != {REPORTED} and chart.type != "custom":
        if REPORTED in drawn:
            entries.append(KeyEntry(REPORTED, STATUS_GREY, mark))
        if PROJECTED in drawn:
            entries.append(KeyEntry(PROJECTED, STATUS_GREY, mark, dashed=True))
        if CALCULATED in drawn:
            entries.append(KeyEntry(CALCULATED, STATUS_GREY, mark, dotted=True))
    return tuple(entries)


def _when(x: object) -> str:
    """A period the reader's way ("December 2007"), or ``x`` as written when it is no period."""
    try:
        return key_label(period_key(x))
    except PeriodError:
        return str(x)


def _marked_at(a) -> str:
    """Where an annotation marks the chart: "2008", "December 2007 to June 2009", or a value."""
    if a.x is not None:
        return _when(a.x)
    return str(a.y) if a.y is not None else " to ".join(map(_when, a.x_range or ()))


BUDGET = 600  # characters: about half a minute read aloud; the data table lists every figure


def describe_chart(chart: Chart, points: list[Point]) -> str:
    """A plain-language summary of what the chart shows, derived from its data: each series' first and last
    figures and extremes (each panel's, in small multiples), each stack's total and each part's share in
    stacked charts, what a custom spec's channels show with its highest and lowest figures, and a scatter's
    ranges and extremes. Kept short (``BUDGET``): series are said more briefly, and many series summed up,
    until it fits; the data table lists every point."""
    kind = KINDS[chart.type]
    if chart.stack == "share":
        kind = f"{kind} of shares"
    elif chart.stack == "stacked":
        kind = f"Stacked {kind[0].lower()}{kind[1:]}"
    if chart.small_multiples:
        kind += ", one panel per series"
    shares = chart.stack == "share" and is_stacked(chart)
    shown = share_points(chart, points) if shares else points
    by_series = {label: [p for p in shown if p.series == label] for label in dict.fromkeys(p.series for p in points)}
    by_series = {label: pts for label, pts in by_series.items() if pts}
    tail = _after_series(chart, points)

    def written(parts: list[str]) -> str:
        if chart.type == "custom":
            return describe_custom(chart, points, parts) + tail
        return f"{kind}: {chart.title}. " + ("Each series' share of the total. " if shares else "") + " ".join(parts) + tail

    tiers = ([_describe_series(chart, label, pts) for label, pts in by_series.items()],
             [_describe_series(chart, label, pts, brief=True) for label, pts in by_series.items()],
             _many_series(chart, by_series))
    scatter = any(_summarised(chart, pts) for pts in by_series.values())
    # a brief panel still says its ends and extremes; brief lines and summed-up series leave figures out
    left_out = [scatter, scatter or not chart.small_multiples, True]
    texts = [written(parts) + (" The data table lists every point." if left_out[i] else "")
             for i, parts in enumerate(tiers)]
    return next((text for text in texts if len(text) <= BUDGET), texts[-1])


def _after_series(chart: Chart, points: list[Point]) -> str:
    """What the description says after its series: totals, highlights, marks, labels, the axis and the key."""
    text = ""
    totals = stack_totals(chart, points)
    if totals:
        text += " " + _describe_totals(totals)
    notes = [f"{a.label} ({_marked_at(a)})" for a in chart.annotations if a.label and a.fact is None] \
        + [f"{r.label} ({_when(r.x)})" for r in chart.rules]
    drawn = chart.type in ("line", "area", "scatter", "connected-scatter") and not chart.small_multiples
    labelled = [note_text(a, p) for a in chart.annotations if a.fact and drawn for p in [annotated_point(a, points)] if p]
    if chart.highlight:
        text += f" {chart.highlight} is highlighted."
    if notes:
        text += " Marked: " + "; ".join(notes) + "."
    if labelled:
        text += " Labelled: " + "; ".join(labelled) + "."
    if not chart.zero and chart.type in ("line", "scatter", "connected-scatter", "dot"):
        text += " The value axis does not start at zero."
    forecasts, ours = any(p.projected and not p.calculated for p in points), any(p.calculated for p in points)
    if forecasts:
        text += " Dashed lines and hollow markers are forecasts or estimates" + ("; dotted lines are our own calculations."
                                                                             if ours else ".")
    elif ours:
        text += " Dotted lines and hollow markers are our own calculations."
    return text


def _describe_totals(totals: tuple[StackTotal, ...]) -> str:
    if len(totals) <= 8:
        return "Totals (our sums): " + "; ".join(f"{t.x}, {t.display}" for t in totals) + "."
    first, last = totals[0], totals[-1]
    low, high = min(totals, key=lambda t: t.value), max(totals, key=lambda t: t.value)
    text = f"Total (our sum): {first.display} in {first.x} to {last.display} in {last.x}"
    extremes = [f"{name} of {t.display} in {t.x}" for name, t in (("low", low), ("high", high)) if t not in (first, last)]
    return text + (f" ({', '.join(extremes)})" if extremes else "") + "."


def _summarised(chart: Chart, pts: list[Point]) -> bool:
    """Whether a scatter's points are summed up (ranges, extremes) rather than each listed."""
    return chart.type in ("scatter", "connected-scatter") and len(pts) > SCATTER_LISTED


SCATTER_LISTED = 3  # a scatter of more points is described by its ranges and extremes


def _describe_series(chart: Chart, label: str, pts: list[Point], brief: bool = False) -> str:
    """One series in words; ``brief`` leaves out the extremes of a line (a panel's are said at its ends)."""
    if not pts:
        return ""
    if chart.type == "map":
        return f"{label} ({_coordinates(float(pts[0].x), pts[0].y)})."
    if chart.type in ("scatter", "connected-scatter"):
        x_name, y_name = chart.x_title or "x", chart.y_title or "y"
        if _summarised(chart, pts):
            return _describe_scatter(chart, label, pts, x_name, y_name)
        return f"{label}: " + "; ".join(f"{p.name}: {x_name} {p.x_display}, {y_name} {p.display}" for p in pts) + "."
    if chart.type in ("bar", "dot") or pts[0].at is None:
        if brief and len(pts) > SCATTER_LISTED:
            high, low = max(pts, key=lambda p: p.y), min(pts, key=lambda p: p.y)
            return f"{label}, {len(pts)} figures: highest {high.x}, {high.display}; lowest {low.x}, {low.display}."
        return f"{label}: " + "; ".join(f"{p.x}, {p.display}" for p in pts) + "."
    first, last = pts[0], pts[-1]
    low, high = min(pts, key=lambda p: p.y), max(pts, key=lambda p: p.y)
    if chart.small_multiples and brief and len(pts) > 1:  # a panel's own range, since each is read on its own
        ends = [f"{p.display} in {p.x}" + "".join(f" ({name})" for name, q in (("lowest", low), ("highest", high))
                                                   if q is p) for p in (first, last)]
        middle = [f"{name} {q.display} in {q.x}" for name, q in (("lowest", low), ("highest", high))
                  if q not in (first, last)]
        return f"{label}: {ends[0]} to {ends[1]}" + "".join(f", {m}" for m in middle) + "."
    text = f"{label}: {first.display} in {first.x}"
    if len(pts) > 1:
        text += f" to {last.display} in {last.x}"
        if chart.small_multiples:
            return text + f", lowest {low.display} in {low.x}, highest {high.display} in {high.x}."
        extremes = [f"{name} of {p.display} in {p.x}" for name, p in (("low", low), ("high", high))
                    if p not in (first, last)]
        if extremes and not brief:
            text += f" ({', '.join(extremes)})"
    return text + "."


def _describe_scatter(chart: Chart, label: str, pts: list[Point], x_name: str, y_name: str) -> str:
    """A scatter's series by its ranges: the lowest and highest x and y (each with its point's name), and, for a
    connected scatter, where it starts and ends. No relationship is claimed: the reader sees the drawing."""
    def named(p: Point) -> str:
        return f" ({p.name})" if p.name else ""
    x_lo, x_hi = min(pts, key=lambda p: float(p.x)), max(pts, key=lambda p: float(p.x))
    y_lo, y_hi = min(pts, key=lambda p: p.y), max(pts, key=lambda p: p.y)
    first, last = pts[0], pts[-1]
    span = f" from {first.name} to {last.name}" if chart.type == "connected-scatter" and first.name else ""
    text = (f"{label}, {len(pts)} points{span}: {x_name} from {x_lo.x_display}{named(x_lo)} to {x_hi.x_display}"
            f"{named(x_hi)}; {y_name} from {y_lo.display}{named(y_lo)} to {y_hi.display}{named(y_hi)}.")
    if chart.type == "connected-scatter":
        text += (f" First{',' if first.name else ''} {first.name}: {first.x_display}, {first.display}; "
                 f"last{',' if last.name else ''} {last.name}: {last.x_display}, {last.display}.")
    return text


def _many_series(chart: Chart, by_series: dict[str, list[Point]]) -> list[str]:
    """Every series summed up at once: for lines, how many, over which periods, the highest and lowest last
    figures and the highlighted series in full; for other kinds the extremes of all their points."""
    pts = [p for series in by_series.values() for p in series]
    if chart.type == "map":
        lats, lons = sorted(p.y for p in pts), sorted(float(p.x) for p in pts)
        return [f"{len(pts)} places within {_coordinates(lons[0], lats[0])} (south-west) and "
                f"{_coordinates(lons[-1], lats[-1])} (north-east)."]
    if chart.type in ("scatter", "connected-scatter"):
        x_lo, x_hi = min(pts, key=lambda p: float(p.x)), max(pts, key=lambda p: float(p.x))
        y_lo, y_hi = min(pts, key=lambda p: p.y), max(pts, key=lambda p: p.y)

        def named(p: Point) -> str:
            return f" ({p.series}{', ' + p.name if p.name else ''})"
        return [f"{len(by_series)} series, {len(pts)} points: {chart.x_title or 'x'} from {x_lo.x_display}{named(x_lo)} "
                f"to {x_hi.x_display}{named(x_hi)}; {chart.y_title or 'y'} from {y_lo.display}{named(y_lo)} to "
                f"{y_hi.display}{named(y_hi)}."]
    timed = [series for series in by_series.values() if series[0].at is not None]
    if len(timed) < len(by_series) or chart.type not in ("line", "area"):
        high, low = max(pts, key=lambda p: p.y), min(pts, key=lambda p: p.y)
        return [f"{len(by_series)} series, {len(pts)} figures. Highest: {high.series}, {high.x}, {high.display}; "
                f"lowest: {low.series}, {low.x}, {low.display}."]
    starts, ends = [series[0] for series in timed], [series[-1] for series in timed]
    first, last = min(starts, key=lambda p: p.at), max(ends, key=lambda p: p.at)
    high, low = max(ends, key=lambda p: p.y), min(ends, key=lambda p: p.y)
    top, bottom = max(pts, key=lambda p: p.y), min(pts, key=lambda p: p.y)
    text = [f"{len(timed)} {'panels' if chart.small_multiples else 'series'}, {first.x} to {last.x}. Highest: "
            f"{top.series}, {top.display} in {top.x}; lowest: {bottom.series}, {bottom.display} in {bottom.x}. "
            f"Highest last figure: {high.series}, {high.display} in {high.x}; lowest: {low.series}, {low.display} in "
            f"{low.x}."]
    if chart.highlight in by_series:
        text.append(_describe_series(chart, chart.highlight, by_series[chart.highlight]))
    return text


def _coordinates(lon: float, lat: float) -> str:
    """A place as readers write it: "41.53° N, 93.66° W"."""
    return f"{abs(lat):.2f}\u00b0 {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}\u00b0 {'E' if lon >= 0 else 'W'}"
