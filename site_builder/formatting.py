"""Locale-aware formatting of fact values and dates (Babel), for en-US and en-CA readers."""
from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
import re
from numbers import Real

from babel import Locale
from babel.dates import format_date as babel_format_date, format_interval, format_skeleton
from babel.lists import format_list
from babel.numbers import format_compact_decimal, format_decimal, format_percent

DEFAULT_LOCALE = "en-US"
_UNIT_SUFFIXES = {"km": "km", "miles": "miles", "mi": "miles"}


def babel_locale(locale: str) -> str:
    """Babel's spelling of a BCP 47 tag: ``en-US`` becomes ``en_US``."""
    return locale.replace("-", "_")


def default_format(value: object, unit: str | None) -> str:
    """The format a value gets when its fact names none."""
    if isinstance(value, (str, dt.date)):
        return "text"
    if unit == "percent":
        return "percent"
    if unit == "year":
        return "year"
    if isinstance(value, Real) and abs(value) >= 1_000_000:
        return "compact"
    if isinstance(value, float) and not value.is_integer():
        return "decimal"
    return "integer"


@functools.lru_cache(maxsize=1 << 16, typed=True)  # Babel takes ~50 µs a number; a site shows each many times
def format_number(value: float, fmt: str, locale: str = DEFAULT_LOCALE) -> str:
    """A number as a reader sees it: ``compact`` 1.8 million, ``integer`` 992,200, ``percent`` 1%, ..."""
    if not math.isfinite(value):
        raise ValueError(f"cannot show {value} to a reader")
    with decimal.localcontext() as context:
        context.prec = 400  # Babel rounds with Decimal; the default 28 digits fail on numbers past 1e27
        return _babel_number(value, fmt, _parsed_locale(locale))


@functools.lru_cache(maxsize=16)
def _parsed_locale(locale: str) -> Locale:
    # Babel parses a locale given as text on every call: a third of the time of formatting a number.
    return Locale.parse(babel_locale(locale))


def _babel_number(value: float, fmt: str, loc: Locale) -> str:
    if fmt == "compact":
        return format_compact_decimal(value, format_type="long", locale=loc, fraction_digits=2)
    if fmt == "integer":
        return format_decimal(round(value), locale=loc)
    if fmt == "decimal":
        return format_decimal(value, format="#,##0.0##", locale=loc)
    if fmt == "percent":
        return format_percent(value / 100, format="#,##0.#%", locale=loc)
    if fmt == "year":
        return str(int(round(value)))
    return format_decimal(value, locale=loc)


def format_value(value: object, fmt: str | None = None, unit: str | None = None,
                 locale: str = DEFAULT_LOCALE) -> str:
    """Any fact value as text: numbers by ``fmt``, lists joined en-US style, series as ``year: value`` pairs."""
    if isinstance(value, bool):
        raise TypeError("booleans are not fact values")
    if isinstance(value, dict):
        return "; ".join(f"{year}: {format_value(v, fmt, unit, locale)}" for year, v in sorted(value.items()))
    if isinstance(value, list):
        return format_list([str(v) for v in value], locale=babel_locale(locale))
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return format_date(value, locale)
    fmt = fmt or default_format(value, unit)
    if fmt == "text":
        fmt = default_format(value, unit)
    text = format_number(value, fmt, locale)  # ints stay exact: float() would round past 2**53
    suffix = _UNIT_SUFFIXES.get(unit or "")
    return f"{text} {suffix}" if suffix and fmt not in ("percent", "year") else text


@functools.lru_cache(maxsize=4096, typed=True)  # Babel takes 25 µs a date; a site shows the same few hundred dates
def format_date(value: dt.date | str, locale: str = DEFAULT_LOCALE) -> str:
    """A date the way North American readers write it: ``December 13, 2023``, or ``December 2023``
    and ``2023`` for dates known only to the month or year (written ``2023-12`` and ``2023``)."""
    if isinstance(value, str) and len(value) == 10:
        value = dt.date.fromisoformat(value)
    if isinstance(value, str):
        year, _, month = value.partition("-")
        if not month:
            return year
        return format_skeleton("yMMMM", dt.date(int(year), int(month), 1), locale=babel_locale(locale))
    return babel_format_date(value, format="long", locale=babel_locale(locale))


def iso_date(value: dt.date | str) -> str:
    """A full or partial date in ISO 8601, for ``<time datetime>`` and feeds."""
    return value if isinstance(value, str) else value.isoformat()


_PERIOD_PART = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?(?:-(\d{2}))?$")


def format_period(period: str | int | None, locale: str = DEFAULT_LOCALE) -> str:
    """A fact's period the reader's way: ``2023-01/2023-11`` is "January–November 2023", ``2027/2035``
    "2027–2035", ``2023-12`` "December 2023"; anything else is shown as written."""
    if period is None:
        return ""
    text = str(period).strip()
    parts = [_PERIOD_PART.match(p.strip()) for p in text.split("/")]
    if not all(parts) or len(parts) > 2:
        return text
    if len(parts) == 1:
        return format_date(text, locale)
    (start, end) = parts
    precision = min(len([g for g in m.groups() if g]) for m in parts)
    if precision == 1 or bool(start.group(2)) != bool(end.group(2)) or bool(start.group(3)) != bool(end.group(3)):
        return f"{format_date(start.group(0), locale)}\u2013{format_date(end.group(0), locale)}"
    first, last = (_period_date(m) for m in parts)
    skeleton = "yMMMM" if precision == 2 else "yMMMMd"
    return format_interval(first, last, skeleton, locale=babel_locale(locale))


def _period_date(match: re.Match) -> dt.date:
    year, month, day = match.groups()
    return dt.date(int(year), int(month or 1), int(day or 1))


def format_axis_label(value: float, unit: str | None = None, locale: str = DEFAULT_LOCALE) -> str:
    """A chart axis tick: short compact numbers (1.5M, 500K), percentages, plain years."""
    if unit == "percent":
        return format_number(value, "percent", locale)
    if unit == "year":
        return format_number(value, "year", locale)
    if abs(value) >= 10_000:
        with decimal.localcontext() as context:
            context.prec = 400
            return format_compact_decimal(value, format_type="short", locale=babel_locale(locale), fraction_digits=2)
    return format_number(value, "integer" if float(value).is_integer() else "decimal", locale)
