"""Time periods: years, quarters, months and days, as series keys and x positions, shown the en-US way.

A period is written ``2024`` (a year, also the number 2024), ``2024-Q1``, ``2024-03``
or ``2024-03-05`` (or a YAML date). Its canonical key is the year as an ``int``, so
that year-keyed series written before quarters and months existed keep working, and
the ISO-like text otherwise. Charts place periods on a continuous axis by
``position`` (fractional years), so months and years can share one.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from babel.dates import format_date, format_skeleton

PeriodKey = int | str
_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})(?:-(\d{2}))?))?\Z")
KINDS = ("year", "quarter", "month", "date")


@dataclass(frozen=True, order=True)
class Period:
    """A year, quarter, month or day: ``start`` is its first day, ``kind`` how fine it is."""

    start: dt.date
    kind: str

    @property
    def key(self) -> PeriodKey:
        """The canonical series key: 2024, "2024-Q1", "2024-03", "2024-03-05"."""
        if self.kind == "year":
            return self.start.year
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return self.start.isoformat()

    @property
    def position(self) -> float:
        """Where the period starts, in fractional years (2024-07 is 2024.5): an x value for charts."""
        if self.kind == "year":
            return float(self.start.year)
        year_start = dt.date(self.start.year, 1, 1)
        days = (dt.date(self.start.year + 1, 1, 1) - year_start).days
        return self.start.year + (self.start - year_start).days / days

    def label(self, locale: str = "en-US") -> str:
        """The period as readers write it: "2024", "Q1 2024", "March 2024", "March 5, 2024"."""
        return period_label(self, locale)

    def previous(self, steps: int = 1) -> "Period":
        """The period ``steps`` before this one, of the same kind (a year before for ``steps=4`` quarters)."""
        if self.kind == "date":
            return Period(self.start - dt.timedelta(days=steps), "date")
        months = {"year": 12, "quarter": 3, "month": 1}[self.kind] * steps
        index = self.start.year * 12 + self.start.month - 1 - months
        return Period(dt.date(index // 12, index % 12 + 1, 1), self.kind)


class PeriodError(ValueError):
    """A text that looks like a period but is not one (``2023-02-30``, ``2023-13``)."""


def parse_period(value: object) -> Period:
    """``value`` (2024, "2024", "2024-Q1", "2024-03", "2024-03-05", a date) as a Period; raises PeriodError."""
    if isinstance(value, bool):
        raise PeriodError(f"{value!r} is not a period")
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Period(value, "date")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise PeriodError(f"{value!r} is not a period: write 2024, 2024-Q1, 2024-03 or 2024-03-05")
    return _parse_text(value.strip())


@functools.lru_cache(maxsize=1 << 14)
def _parse_text(text: str) -> Period:
    match = _PERIOD.match(text)
    if not match:
        raise PeriodError(f"{text!r} is not a period: write 2024, 2024-Q1, 2024-03 or 2024-03-05")
    year, quarter, month, day = match.groups()
    try:
        if quarter:
            return Period(dt.date(int(year), 3 * int(quarter) - 2, 1), "quarter")
        if day:
            return Period(dt.date(int(year), int(month), int(day)), "date")
        if month:
            return Period(dt.date(int(year), int(month), 1), "month")
        return Period(dt.date(int(year), 1, 1), "year")
    except ValueError:
        raise PeriodError(f"{text!r} is not a real date") from None


def as_period(value: object, kind: str) -> Period:
    """``value`` read as a period of ``kind``: a date such as 2001-01-01 in a yearly column is the year 2001."""
    period = parse_period(value)
    if period.kind == kind or kind not in KINDS:
        return period
    if KINDS.index(period.kind) < KINDS.index(kind):
        raise PeriodError(f"{period.key!r} is a {period.kind}, not a {kind}")
    start = period.start
    if kind == "year":
        return Period(dt.date(start.year, 1, 1), "year")
    if kind == "quarter":
        return Period(dt.date(start.year, (start.month - 1) // 3 * 3 + 1, 1), "quarter")
    return Period(dt.date(start.year, start.month, 1), "month")


def period_key(value: object) -> PeriodKey:
    """The canonical key of ``value`` (see ``Period.key``); raises PeriodError."""
    return parse_period(value).key


def sorted_keys(keys) -> list[PeriodKey]:
    """Series keys in time order (a year before its quarters, months and days)."""
    return sorted(keys, key=lambda k: (parse_period(k).start, KINDS.index(parse_period(k).kind)))


@functools.lru_cache(maxsize=4096)
def period_label(period: Period, locale: str = "en-US") -> str:
    """See ``Period.label``."""
    loc = locale.replace("-", "_")
    if period.kind == "year":
        return str(period.start.year)
    if period.kind == "quarter":
        return f"Q{(period.start.month - 1) // 3 + 1} {period.start.year}"
    if period.kind == "month":
        return format_skeleton("yMMMM", period.start, locale=loc)
    return format_date(period.start, format="long", locale=loc)


def key_label(key: object, locale: str = "en-US") -> str:
    """A series key as readers see it ("March 2024"), or as written when it is no period."""
    try:
        return parse_period(key).label(locale)
    except PeriodError:
        return str(key)
