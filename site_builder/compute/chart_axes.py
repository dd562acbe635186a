"""Axis ticks and their labels: round values, and one format for every label of an axis.

An axis whose ticks are 0, 2,500, 5,000, 7,500 and 10,000 is labelled "0, 2.5K, 5K, 7.5K, 10K",
never "7,500" beside "10K": the scale (K, M, B) and the number of decimals are chosen once for the
axis, from its largest tick and its step, and written by Babel for the site's locale.
"""
from __future__ import annotations

import decimal
import math

from babel.numbers import format_compact_decimal, format_decimal, get_currency_symbol

from .chart_data import Point
from ..formatting import CURRENCIES, babel_locale, format_axis_label

SCALES = (1e12, 1e9, 1e6, 1e3)



def axis_ticks(values: list[float], count: int = 5, zero: bool = True) -> list[float]:
    """About ``count`` round tick values spanning ``values`` (and zero, unless ``zero`` is False)."""
    lo, hi = (min(0.0, *values), max(0.0, *values)) if zero else (min(values), max(values))
    if hi == lo:
        lo, hi = (lo - 1, hi + 1) if not zero else (lo, lo + 1)
    raw = (hi - lo) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    ticks = [round(i * step, 10) for i in range(first, last + 1)]
    # Past 2**53 a tick stays a float: vl-convert's JSON cannot read integers beyond 64 bits (10**20).
    return [int(t) if float(t).is_integer() and abs(t) < 2 ** 53 else float(t) for t in ticks]


def year_ticks(years: list[float], most: int) -> list[int]:
    """Years to label on a time axis: every year, or every 2nd, 5th, 10th... so that at most ``most`` show."""
    lo, hi = math.ceil(min(years)), math.floor(max(years))
    if hi < lo:
        return [math.floor(min(years))]
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000, 10_000) if (hi - lo) / s <= most)
    first = math.ceil(lo / step) * step
    return list(range(first, hi + 1, step)) or [lo]


def tick_labels(ticks: list[float], points: list[Point], x_units: bool = False) -> list[str]:
    """Each tick's label, all in one format: the axis's unit (shared by its points) and the site's locale."""
    units = {p.x_unit if x_units else p.unit for p in points}
    unit = units.pop() if len(units) == 1 else None
    locale = points[0].locale if points else "en-US"
    if unit in ("percent", "year"):
        return [format_axis_label(t, unit, locale) for t in ticks]
    largest = max(abs(t) for t in ticks)
    scale = next((s for s in SCALES if largest >= s), 1.0) if largest >= 10_000 else 1.0
    suffix = _suffix(scale, locale)
    places = max(_decimals(t / scale) for t in ticks)
    money = (unit or "").lower() in CURRENCIES
    if money and scale == 1.0 and places:
        places = 2  # the text's money rule: "$1.50", never "$1.5"; whole dollars only when every tick is whole
    pattern = "#,##0" + ("." + "0" * places if places else "")
    prefix = get_currency_symbol(unit.upper(), babel_locale(locale)) if money else ""
    labels = []
    for t in ticks:
        if t == 0 and not (money and scale == 1.0):
            labels.append("0")
            continue
        with decimal.localcontext() as context:
            context.prec = 400
            text = format_decimal(t / scale, pattern, locale=babel_locale(locale))
        sign, digits = ("-", text[1:]) if text.startswith(("-", "\u2212")) else ("", text)
        labels.append(f"{sign}{prefix}{digits}{suffix}")
    return labels


def _suffix(scale: float, locale: str) -> str:
    if scale == 1.0:
        return ""
    return format_compact_decimal(scale, format_type="short", locale=babel_locale(locale)).lstrip("1")


def _decimals(value: float) -> int:
    for places in range(3):
        if abs(round(value, places) - value) < 1e-9 * max(1.0, abs(value)):
            return places
    return 2
