"""Locale-aware formatting of fact values and dates (Babel), for en-US and en-CA readers."""
from __future__ import annotations

import datetime as dt
import math
from numbers import Real

from babel.dates import format_date as babel_format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_compact_decimal, format_decimal, format_percent

DEFAULT_LOCALE = "en-US"
_UNIT_SUFFIXES = {"km": "km", "miles": "miles", "mi": "miles"}


def babel_locale(locale: str) -> str:
    """Babel's spelling of a BCP 47 tag: ``en-US`` becomes ``en_US``."""
    return locale.replace("-", "_")


def default_format(value: object, unit: str | None) -> str:
    """The format a value gets when its fact names none."""
    if isinstance(value, str):
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


def format_number(value: float, fmt: str, locale: str = DEFAULT_LOCALE) -> str:
    """A number as a reader sees it: ``compact`` 1.8 million, ``integer`` 992,200, ``percent`` 1%, ..."""
    loc = babel_locale(locale)
    if not math.isfinite(value):
        raise ValueError(f"cannot show {value} to a reader")
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
    fmt = fmt or default_format(value, unit)
    if fmt == "text":
        fmt = default_format(value, unit)
    text = format_number(float(value), fmt, locale)
    suffix = _UNIT_SUFFIXES.get(unit or "")
    return f"{text} {suffix}" if suffix and fmt not in ("percent", "year") else text


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
