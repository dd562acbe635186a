"""Stacked charts in numbers: the total of each stack (our sum of its parts) and each part's share of it, for
the description and the data table, where a reader looks for what the stacked marks add up to."""
from __future__ import annotations

from dataclasses import dataclass, replace

from .chart_data import Point, position
from ..formatting import format_value, with_unit_words
from ..chart_model import Chart


@dataclass(frozen=True)
class StackTotal:
    """One stack of a stacked chart (a bar, or a year of stacked areas): where it is and its parts' sum."""

    x: int | float | str
    value: float
    display: str


def is_stacked(chart: Chart) -> bool:
    """Whether ``chart`` draws its series one on top of the other (stacked or as shares)."""
    return chart.stack != "none" and chart.type in ("bar", "area")


def stack_totals(chart: Chart, points: list[Point]) -> tuple[StackTotal, ...]:
    """Each stack's total, in the order of the x axis; nothing for a chart that is not stacked."""
    if not is_stacked(chart) or not points:
        return ()
    sums: dict = {}
    places: dict = {}
    for p in points:
        sums[p.x] = sums.get(p.x, 0.0) + p.y
        places.setdefault(p.x, position(p))
    order = list(sums) if chart.type == "bar" else sorted(sums, key=lambda x: places[x])
    units = {p.unit for p in points}
    unit = units.pop() if len(units) == 1 else None  # parts in different units have no total in one
    locale = points[0].locale
    return tuple(StackTotal(x, sums[x], with_unit_words(format_value(sums[x], None, unit, locale), unit))
                 for x in order)


def share_points(chart: Chart, points: list[Point]) -> list[Point]:
    """``points`` as shares of their stack's total (``y`` from 0 to 100, shown "38.8%"): what a chart of
    shares draws."""
    totals = {t.x: t.value for t in stack_totals(chart, points)}
    shares = []
    for p in points:
        share = 100 * p.y / totals[p.x] if totals.get(p.x) else 0.0
        shares.append(replace(p, y=share, display=format_value(share, "percent", None, p.locale), unit="percent"))
    return shares
