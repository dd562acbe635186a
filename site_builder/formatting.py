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
from babel.numbers import (format_compact_decimal, format_decimal, format_percent, get_currency_symbol,
                           get_decimal_symbol, get_group_symbol, list_currencies)

from .periods import key_label, sorted_keys

DEFAULT_LOCALE = "en-US"
POINTS = "percentage points"
_UNIT_SUFFIXES = {"km": "km", "miles": "miles", "mi": "miles", POINTS: POINTS}
CURRENCIES = frozenset(code.lower() for code in list_currencies())
# Units that the number itself already says (1%, $3.30, 2024, 1.2 km) or that have no words (a ratio):
# every other unit ("vehicles", "thousand jobs") is written after the number where no sentence says it.
_SILENT_UNITS = frozenset({"percent", "year", "ratio", "index", "km", "miles", "mi", POINTS})
_RATE_UNIT = re.compile(r"^[a-z]{3}_per_[a-z]{3}\Z")


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
def format_number(value: float, fmt: str, locale: str = DEFAULT_LOCALE, precision: int | None = None) -> str:
    """A number as a reader sees it: ``compact`` 1.8 million, ``integer`` 992,200, ``percent`` 1%, ...

    ``precision`` is the number of significant digits it was published with, no more and no fewer:
    1,650,000 with 3 is "1.65 million", 1,500,000 with 3 "1.50 million", 15.034 with 3 "15.0",
    12,345 with 3 "12,300". Without one, nothing is invented and nothing non-zero is shown as 0."""
    if not math.isfinite(value):
        raise ValueError(f"cannot show {value} to a reader")
    value = value + 0  # -0.0 is shown as 0, never "-0"
    with decimal.localcontext() as context:
        context.prec = 400  # Babel rounds with Decimal; the default 28 digits fail on numbers past 1e27
        context.rounding = decimal.ROUND_HALF_UP  # 1.65 million to two digits is 1.7 million, as readers round
        if precision:
            value = _to_significant(value, precision)
        return _babel_number(value, fmt, _parsed_locale(locale), precision)


def significant_digits(value: float | int) -> int:
    """How many significant digits ``value`` is written with: 1650000 has 3, 15.97 has 4."""
    if isinstance(value, int) or float(value).is_integer():
        text = str(abs(int(value))).rstrip("0")
    else:
        text = repr(abs(float(value))).lower().split("e")[0].replace(".", "").lstrip("0")
    return max(1, len(text))


def _to_significant(value: float, digits: int) -> float:
    if value == 0:
        return value
    exponent = math.floor(math.log10(abs(value))) - digits + 1
    with decimal.localcontext() as context:
        context.prec = 400
        rounded = float(_decimal(value).quantize(decimal.Decimal(1).scaleb(exponent), rounding=decimal.ROUND_HALF_UP))
    return rounded if math.isfinite(rounded) else value  # 1.5e308 to one digit would be 2e308: past float


def _decimal(value: float | int) -> decimal.Decimal:
    # The value as written (repr: 2.165, not 2.16499999...), so that halves round up as readers expect.
    return decimal.Decimal(value if isinstance(value, int) else repr(float(value)))


def _whole(value: float | int) -> int:
    """``value`` rounded to a whole number, halves away from zero (2.5 is 3, -0.4 is 0)."""
    if isinstance(value, int):
        return value
    with decimal.localcontext() as context:
        context.prec = 400  # a float's whole part has up to 309 digits
        return int(_decimal(value).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))


def _fraction_digits(value: float, precision: int | None, default: int = 2) -> int:
    """How many decimals a compact number shows: as many as its published precision needs."""
    if not precision or value == 0:
        return default
    magnitude = math.floor(math.log10(abs(value)))
    # digits before the point of "1.65 million" (and of "1,234 trillion": there is no larger word)
    shown = (magnitude - 11 if magnitude >= 15 else magnitude % 3 + 1) if abs(value) >= 1000 else magnitude + 1
    return max(0, precision - shown)


def _decimals(value: float, precision: int | None, default: int = 2) -> str:
    # A stated precision keeps its trailing zeros (15.0 to three digits); otherwise they are dropped, and a
    # small number keeps two significant digits (0.004, not 0).
    if value == 0:
        return "#" * default if not precision else ""
    magnitude = math.floor(math.log10(abs(value)))
    if not precision:
        return "#" * max(default, 1 - magnitude)
    return "0" * max(0, precision - 1 - magnitude)  # written out: 3,820, not 3.82 thousand


def _compact(value: float, loc: Locale, precision: int | None) -> str:
    """``value`` (a thousand or more) in words, "1.65 million": to ``precision`` digits with its trailing zeros
    ("1.50 million"), and grouped past a thousand trillion ("1,234 trillion")."""
    digits = _fraction_digits(value, precision)
    text = format_compact_decimal(value, format_type="long", locale=loc, fraction_digits=digits)
    point, group = get_decimal_symbol(loc), get_group_symbol(loc)
    match = re.search(rf"\d[\d{re.escape(group)}]*(?:{re.escape(point)}\d+)?", text)
    if match is None:  # pragma: no cover - every locale we serve writes digits
        return text
    number = decimal.Decimal(match.group(0).replace(group, "").replace(point, "."))
    pattern = "#,##0." + ("0" * digits if precision else "#" * digits)
    return text[:match.start()] + format_decimal(number, format=pattern, locale=loc) + text[match.end():]


def _grouped(text: str, loc: Locale) -> str:
    """``text`` (a compact number, "1234T") with its whole part grouped the locale's way ("1,234T")."""
    point = re.escape(get_decimal_symbol(loc))
    match = re.search(rf"(?<![\d{point}])\d{{4,}}", text)
    if match is None:
        return text
    return text[:match.start()] + format_decimal(int(match.group(0)), locale=loc) + text[match.end():]


@functools.lru_cache(maxsize=16)
def _parsed_locale(locale: str) -> Locale:
    # Babel parses a locale given as text on every call: a third of the time of formatting a number.
    return Locale.parse(babel_locale(locale))


def _babel_number(value: float, fmt: str, loc: Locale, precision: int | None = None) -> str:
    if fmt == "compact":
        if abs(value) >= 1_000_000:
            return _compact(value, loc, precision)
        if abs(value) >= 1000:  # as newsrooms write it: 12,345, never "12.34 thousand"
            return format_decimal(_whole(value), locale=loc)
        # Babel returns small numbers unrounded ("2.611156462585034")
        return format_decimal(value, format="#,##0." + _decimals(value, precision), locale=loc)
    if fmt == "integer":
        return format_decimal(_whole(value), locale=loc)
    if fmt == "decimal":
        if precision:
            return format_decimal(value, format="#,##0." + _decimals(value, precision, 3), locale=loc)
        if isinstance(value, int):  # a whole number as written: 1,000, not "1,000.0"
            return format_decimal(value, locale=loc)
        return format_decimal(value, format="#,##0.0" + "#" * max(2, len(_decimals(value, None, 3)) - 1), locale=loc)
    if fmt == "percent":
        return format_percent(value / 100, format="#,##0." + _decimals(value, precision, 1) + "%", locale=loc)
    if fmt == "year":
        return str(_whole(value))
    return format_decimal(value, locale=loc)


def format_value(value: object, fmt: str | None = None, unit: str | None = None,
                 locale: str = DEFAULT_LOCALE, precision: int | None = None) -> str:
    """Any fact value as text: numbers by ``fmt`` (money with its currency), lists joined en-US style,
    series as ``period: value`` pairs ("March 2024: $3.30")."""
    if isinstance(value, bool):
        raise TypeError("booleans are not fact values")
    if isinstance(value, dict):
        return "; ".join(f"{key_label(key, locale)}: {format_value(value[key], fmt, unit, locale, precision)}"
                         for key in sorted_keys(value))
    if isinstance(value, (tuple, list)):
        return format_list([str(v) for v in value], locale=babel_locale(locale))
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return format_date(value, locale)
    if (unit or "").lower() in CURRENCIES and fmt not in ("percent", "year"):
        return format_money(float(value), unit, fmt if fmt != "text" else None, locale, precision)
    if fmt in (None, "text"):
        # Chosen for the value as shown: 999,999 to three digits is "1.00 million"
        fmt = default_format(_to_significant(value, precision) if precision else value, unit)
        if fmt == "integer" and precision and value and precision > math.floor(math.log10(abs(value))) + 1:
            fmt = "decimal"  # 1.0 to three digits is "1.00", as published: a precision is never dropped
    text = format_number(value, fmt, locale, precision)  # ints stay exact: float() would round past 2**53
    suffix = _UNIT_SUFFIXES.get(unit or "")
    return f"{text} {suffix}" if suffix and fmt not in ("percent", "year") else text


def unit_words(unit: str | None) -> str:
    """The words to write after a number where no sentence names its unit (key numbers, tables, tooltips):
    "vehicles", "thousand jobs"; nothing for a unit the number shows itself (1%, $3.30, 12 km)."""
    if not unit or unit in _SILENT_UNITS or unit.lower() in CURRENCIES or _RATE_UNIT.match(unit):
        return ""
    return unit


def with_unit_words(text: str, unit: str | None) -> str:
    """``text`` (a value as shown) followed by its unit's words, unless it already ends with them."""
    words = unit_words(unit)
    return f"{text} {words}" if words and not text.endswith(words) else text


def format_money(value: float, currency: str, fmt: str | None = None, locale: str = DEFAULT_LOCALE,
                 precision: int | None = None) -> str:
    """An amount with its currency symbol, the reader's way: "$3.30" (cents below $100), "$138.48",
    "$12,000", "$155.75 million", "€144 million", "US$12,000" (en-CA)."""
    loc = babel_locale(locale)
    amount = abs(value)
    if precision and amount >= 100 and fmt != "decimal":  # cents below $100 are as published; above, a precision
        amount = _to_significant(amount, precision)
    fmt = fmt or ("compact" if amount >= 1_000_000 else "money")
    with decimal.localcontext() as context:
        context.prec = 400
        context.rounding = decimal.ROUND_HALF_UP
        if fmt == "compact" and amount >= 1_000_000:
            number = _compact(amount, _parsed_locale(locale), precision)
        elif fmt == "integer" or (fmt != "decimal" and (amount >= 1000 or (amount >= 100 and float(amount).is_integer()))):
            number = format_decimal(_whole(amount), locale=loc)
        else:  # cents: two decimals below $100, and above it when the amount has them
            number = format_decimal(amount, format="#,##0.00", locale=loc)
    symbol = get_currency_symbol(currency.upper(), locale=loc)
    pattern = _parsed_locale(locale).currency_formats["standard"].pattern
    if pattern.lstrip("-").startswith("¤"):
        text = f"{symbol}\u00a0{number}" if symbol[-1:].isalpha() else f"{symbol}{number}"  # RUB 5,000 but $5,000
    else:
        text = f"{number}\u00a0{symbol}"
    return f"-{text}" if value < 0 and number.strip("0.,") else text  # -$0.001 is "$0.00", not "-$0.00"


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


_PERIOD_PART = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?(?:-(\d{2}))?\Z")


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
        loc = _parsed_locale(locale)
        with decimal.localcontext() as context:
            context.prec = 400
            text = format_compact_decimal(value, format_type="short", locale=loc, fraction_digits=2)
            return _grouped(text, loc)  # "1,234T": there is no shorter word past a trillion
    return format_number(value, "integer" if float(value).is_integer() else "decimal", locale)
