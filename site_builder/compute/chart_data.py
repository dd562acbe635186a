"""A chart's data: its points, read from facts, and the rows its Vega-Lite spec draws."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import BuildError, ErrorCollector
from .facts import FactBook
from ..formatting import format_value, with_unit_words
from ..chart_model import Chart, ChartSeries
from ..periods import PeriodError, key_label, parse_period, sorted_keys
from .resolved import KIND_STATUS, ResolvedFact

REPORTED, PROJECTED, CALCULATED = "Reported", "Forecast or estimate", "Our calculation"
# Vega places numbers on a scale as doubles; near the float limit the scale's extent overflows.
LARGEST = 1e300


@dataclass(frozen=True)
class Point:
    """One data point of a chart, as drawn and as listed in its data table."""

    series: str
    x: int | float | str   # a year, a category, or (scatter, map) a number from another fact
    y: float
    display: str
    projected: bool
    fact_id: str
    label: str
    sources: tuple[str, ...]
    unit: str | None = None
    locale: str = "en-US"  # of ``display``, and of the axis labels drawn for the point's chart
    x_display: str = ""     # scatter and map: the x value as the reader reads it
    x_fact: str = ""        # scatter and map: the fact giving x
    x_unit: str | None = None
    name: str = ""          # scatter and map: the point's own label
    at: float | None = None  # a period's place on a time axis, in years (March 2024: 2024.17)
    kind: str = "reported"  # the fact's kind: a chart styles "calculated" (ours) apart from "forecast"

    @property
    def status(self) -> str:
        """The point's kind in words, for the data table and tooltips ("Forecast", "Our calculation")."""
        return KIND_STATUS.get(self.kind, self.kind.capitalize())

    @property
    def calculated(self) -> bool:
        """Whether the figure is our own calculation, not a publisher's (drawn dotted, not dashed)."""
        return self.kind == "calculated"


def chart_points(chart: Chart, book: FactBook, errors: ErrorCollector) -> list[Point]:
    """The data points of ``chart``, from its facts; problems are recorded in ``errors``."""
    points: list[Point] = []
    for series in chart.series:
        try:
            points.extend(_series_points(chart, series, book))
        except BuildError as exc:
            errors.add_error(exc)
    if chart.type == "map":
        try:
            points.extend(_place_points(chart, book))
        except BuildError as exc:
            errors.add_error(exc)
    for note in chart.annotations:
        if note.fact and note.at is not None and any(p.fact_id == note.fact for p in points) \
                and annotated_point(note, points) is None:
            errors.add(chart.origin.path, chart.origin.line,
                       f"chart {chart.id!r}: annotation on {note.fact!r} at {note.at!r}: the series has no figure "
                       "for that period")
    return points


EXTREMES = ("low", "high", "first", "last")


def annotated_point(note, points: list[Point]) -> Point | None:
    """The point an annotation with ``fact`` labels: that fact's (a series fact's: the one ``at`` a period, or
    at its low, high, first or last; the last when ``at`` is not given); None when there is none."""
    pts = sorted((p for p in points if p.fact_id == note.fact), key=position)
    if not pts:
        return None
    at = "last" if note.at is None else note.at
    if at in EXTREMES:
        return {"low": lambda: min(pts, key=lambda p: p.y), "high": lambda: max(pts, key=lambda p: p.y),
                "first": lambda: pts[0], "last": lambda: pts[-1]}[at]()
    try:
        where = parse_period(str(at).strip()).position
    except PeriodError:
        return None
    return next((p for p in pts if p.at is not None and abs(p.at - where) < 1e-9), None)


def _series_points(chart: Chart, series: ChartSeries, book: FactBook) -> list[Point]:
    if series.x and series.y:
        return _paired_series(chart, series, book) if series.x in book and series.y in book else []
    if series.points:
        return [_pair_point(chart, series, pair, book) for pair in series.points
                if pair.x in book and pair.y in book]
    found = []
    for i, fact_id in enumerate(series.fact_ids()):
        if fact_id not in book:
            continue  # unknown facts are reported by validation
        found += _fact_points(chart, series, book[fact_id], book.locale, i)
    return found


def _fact_points(chart: Chart, series: ChartSeries, fact: ResolvedFact, locale: str, index: int) -> list[Point]:
    where = series.origin
    if isinstance(fact.value, dict):
        placed = []
        for key in _period_keys(chart, fact, where):
            v = fact.value[key]
            x = key if isinstance(key, int) else key_label(key, locale)
            display = with_unit_words(format_value(v, fact.format, fact.unit, locale, fact.precision), fact.unit)
            placed.append(Point(series.label, x, _number(chart, fact, v, series), display, fact.is_projection,
                                fact.id, f"{fact.fact.label}, {key_label(key, locale)}", fact.sources, fact.unit,
                                locale, at=parse_period(key).position, kind=fact.kind))
        return placed
    value = _number(chart, fact, fact.value, series)
    at: float | None = None
    if chart.type in ("bar", "dot"):
        x: int | str = chart.categories[index] if chart.categories else fact.fact.label
    else:
        try:
            period = parse_period(str(fact.fact.period).strip() if fact.fact.period is not None else None)
        except PeriodError:
            raise BuildError(where.path, where.line,
                             f"chart {chart.id!r}: fact {fact.id!r} needs a year, quarter, month or day as its `period` "
                             f"(2024, 2024-Q1, 2024-03, 2024-03-05) to be placed on the x axis") from None
        x = period.key if isinstance(period.key, int) else period.label(locale)
        at = period.position
    return [Point(series.label, x, value, with_unit_words(fact.formatted(None, locale), fact.unit), fact.is_projection,
                  fact.id, fact.fact.label, fact.sources, fact.unit, locale, kind=fact.kind, at=at)]


def _period_keys(chart: Chart, fact: ResolvedFact, where) -> list:
    """A series fact's keys in time order; an error at the series for a key that is no period."""
    try:
        return sorted_keys(fact.value)
    except PeriodError:
        raise BuildError(where.path, where.line, f"chart {chart.id!r}: fact {fact.id!r} has a key that is not a year, "
                                                 "a quarter, a month or a day (2024, 2024-Q1, 2024-03, 2024-03-05)") from None


def _number(chart: Chart, fact: ResolvedFact, value: object, series: ChartSeries | None = None) -> float:
    where = series.origin if series else chart.origin
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BuildError(where.path, where.line, f"chart {chart.id!r}: fact {fact.id!r} is not a number")
    number = float(value)
    if not math.isfinite(number) or abs(number) > LARGEST:
        raise BuildError(where.path, where.line,
                         f"chart {chart.id!r}: fact {fact.id!r} is too large to draw ({value!r})")
    return number


def _pair_point(chart: Chart, series: ChartSeries, pair, book: FactBook) -> Point:
    fx, fy = book[pair.x], book[pair.y]
    x, y = _number(chart, fx, fx.value, series), _number(chart, fy, fy.value, series)
    name = pair.label or str(fy.fact.period or fy.fact.label)
    return Point(series.label, x, y, with_unit_words(fy.formatted(None, book.locale), fy.unit), fx.is_projection or fy.is_projection,
                 fy.id, f"{series.label}, {name}", tuple(dict.fromkeys(fx.sources + fy.sources)), fy.unit,
                 book.locale, with_unit_words(fx.formatted(None, book.locale), fx.unit), fx.id, fx.unit, name,
                 kind="calculated" if "calculated" in (fx.kind, fy.kind) else fy.kind)


def _paired_series(chart: Chart, series: ChartSeries, book: FactBook) -> list[Point]:
    """A scatter series of two series facts: a point for each period both have, labelled by its period."""
    fx, fy = book[series.x], book[series.y]
    for fact in (fx, fy):
        if not isinstance(fact.value, dict):
            raise BuildError(series.origin.path, series.origin.line,
                             f"chart {chart.id!r}: fact {fact.id!r} is not a series: give `points` for single figures")
    shared = [k for k in _period_keys(chart, fy, series.origin) if k in fx.value]
    if not shared:
        raise BuildError(series.origin.path, series.origin.line,
                         f"chart {chart.id!r}: facts {fx.id!r} and {fy.id!r} share no period")
    loc = book.locale

    def shown(fact: ResolvedFact, value: object) -> str:
        return with_unit_words(format_value(value, fact.format, fact.unit, loc, fact.precision), fact.unit)

    kind = "calculated" if "calculated" in (fx.kind, fy.kind) else fy.kind
    return [Point(series.label, _number(chart, fx, fx.value[k], series), _number(chart, fy, fy.value[k], series),
                  shown(fy, fy.value[k]), fx.is_projection or fy.is_projection, fy.id,
                  f"{series.label}, {key_label(k, loc)}", tuple(dict.fromkeys(fx.sources + fy.sources)), fy.unit, loc,
                  shown(fx, fx.value[k]), fx.id, fx.unit, key_label(k, loc), kind=kind)
            for k in shared]


def _place_points(chart: Chart, book: FactBook) -> list[Point]:
    found = []
    for place in chart.places:
        if place.lon in book and place.lat in book:
            lon, lat = book[place.lon], book[place.lat]
            x, y = _number(chart, lon, lon.value), _number(chart, lat, lat.value)
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                raise BuildError(chart.origin.path, chart.origin.line,
                                 f"chart {chart.id!r}: place {place.label!r} is not at a longitude and latitude")
            west, south, east, north = chart.region or (-180, -90, 180, 90)
            if not (west <= x <= east and south <= y <= north):
                raise BuildError(chart.origin.path, chart.origin.line,
                                 f"chart {chart.id!r}: place {place.label!r} ({x}, {y}) is outside the map's region")
            found.append(Point(place.label, x, y, lat.formatted(None, book.locale), False, lat.id, place.label,
                               tuple(dict.fromkeys(lon.sources + lat.sources)), lat.unit, book.locale,
                               lon.formatted(None, book.locale), lon.id, lon.unit, place.label))
    return found


def position(point: Point) -> float | int | str:
    """Where a point sits along the x axis: its period's place on a time axis, else its x."""
    return point.x if point.at is None else point.at


def series_order(chart: Chart) -> list[str]:
    """The series' labels in the order the chart lists them (the order of colours and keys)."""
    return [s.label for s in chart.series]


def line_status(point: Point) -> str:
    """How a point is drawn: ``REPORTED`` (solid, filled), ``PROJECTED`` (dashed, hollow) or ``CALCULATED``
    (dotted, hollow)."""
    return CALCULATED if point.calculated else PROJECTED if point.projected else REPORTED


def point_rows(points: list[Point]) -> list[dict]:
    """One data row per point, as the spec draws it (``order`` keeps the definition's order for stacks and paths)."""
    return [{"series": p.series, "x": position(p), "period": p.x, "y": p.y, "value": p.display, "label": p.label, "status": p.status,
             "kind": p.kind, "drawn": line_status(p), "order": i, **({"name": p.name} if p.name else {})}
            for i, p in enumerate(points)]


def line_segments(points: list[Point], order: list[str]) -> list[dict]:
    """Rows that draw each series as runs of solid and of dashed line (``line``: the run's status).

    A stretch between two points is dashed when either is a forecast or estimate. A run starts at the
    last point of the run before it, so the dashed part continues the solid one; that repeated row is
    marked ``joint``. ``drawn`` stays each point's own; dotted (our calculation) wins over dashed.
    """
    rows = []
    for label in order:
        pts = sorted((p for p in points if p.series == label), key=position)
        if len(pts) == 1:
            rows.append(_segment_row(pts[0], 0, line_status(pts[0])))
        run, current = -1, None
        for a, b in zip(pts, pts[1:]):
            ends = {line_status(a), line_status(b)}
            line = CALCULATED if CALCULATED in ends else PROJECTED if PROJECTED in ends else REPORTED
            if line != current:
                run, current = run + 1, line
                rows.append(_segment_row(a, run, line, joint=run > 0))
            rows.append(_segment_row(b, run, line))
    return rows


def _segment_row(p: Point, run: int, line: str, joint: bool = False) -> dict:
    return {"series": p.series, "x": position(p), "y": p.y, "status": p.status, "drawn": line_status(p), "line": line,
            "segment": f"{p.series}|{run}",
            "joint": joint, "value": p.display, "label": p.label}
