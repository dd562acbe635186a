"""Reader units: a fact's value in the units and currency the site's readers use, the original beside it.

A site declares its readers' habits in ``site.yaml`` (``units: us`` or ``metric``,
``currency: USD``). A fact keeps the unit its source used; when that is not the
reader's, pages show the converted value first and the source's in parentheses:
"112 miles (180 km)", "$155.75 million (€144 million)".

Physical units convert by their definitions (1 mile is exactly 1.609344 km).
Money converts only through an exchange rate that is itself a sourced fact, named
in ``site.yaml`` under ``exchange_rates`` and shown on every page that uses it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from babel.numbers import format_decimal
from jinja2 import pass_context

from ..errors import ErrorCollector
from .currency import CURRENCIES, RATE_UNIT, ExchangeRate, currency_name, exchange_rate, is_currency
from .facts import FactBook
from ..formatting import babel_locale, default_format, format_money, format_value, with_unit_words
from ..model import SiteConfig
from .resolved import ResolvedFact, as_stated
from ..values import same


@dataclass(frozen=True)
class UnitPair:
    """A metric unit and its US customary counterpart: ``factor`` US units make one metric unit."""

    metric: str
    us: str
    factor: float


# Exact by definition: the international mile, foot, pound; the US gallon; the short ton.
UNIT_PAIRS = (
    UnitPair("km", "miles", 1 / 1.609344),
    UnitPair("m", "ft", 1 / 0.3048),
    UnitPair("kg", "lb", 1 / 0.45359237),
    UnitPair("tonnes", "short tons", 1 / 0.90718474),
    UnitPair("l", "gal", 1 / 3.785411784),
    UnitPair("km/h", "mph", 1 / 1.609344),
    UnitPair("sq km", "sq miles", 1 / 2.589988110336),
)
UNIT_ALIASES = {"mi": "miles", "liters": "l", "litres": "l", "kph": "km/h"}
UNIT_SYMBOLS = {"l": "L"}


@dataclass(frozen=True)
class Conversion:
    """How a shown value was converted: a unit definition, or a sourced exchange rate."""

    original_unit: str
    shown_unit: str
    note: str
    rate: ExchangeRate | None = None


@dataclass(frozen=True)
class Reading:
    """A fact's value as the reader sees it, and the original when it was converted."""

    shown: str
    original: str | None = None
    conversion: Conversion | None = None

    def __str__(self) -> str:
        return f"{self.shown} ({self.original})" if self.original else self.shown


@dataclass(frozen=True)
class ReaderUnits:
    """The site's readers: their unit system, currency and the exchange rates the site may use."""

    system: str = "us"
    currency: str = "usd"
    rates: tuple[ExchangeRate, ...] = ()

    def rate_for(self, currency: str) -> ExchangeRate | None:
        """The exchange rate between ``currency`` and the reader's, if the site declares one."""
        for rate in self.rates:
            if {rate.quote, rate.base} == {currency, self.currency}:
                return rate
        return None


def reader_units(site: SiteConfig, book: FactBook) -> ReaderUnits:
    """The reader preferences of ``site``, with its exchange-rate facts looked up in ``book``."""
    rates = []
    for fact_id in site.exchange_rates:
        rate = exchange_rate(book.facts.get(fact_id))
        if rate:
            rates.append(rate)
    return ReaderUnits(site.units, site.currency.lower(), tuple(rates))


def canonical_unit(unit: str | None) -> str | None:
    """The unit's name in the conversion tables (``mi`` is ``miles``), lower-cased currencies."""
    if unit is None:
        return None
    name = unit.strip()
    name = UNIT_ALIASES.get(name.lower(), name)
    return name.lower() if is_currency(name) else name


def read_fact(fact: ResolvedFact, reader: ReaderUnits, fmt: str | None = None, locale: str = "en-US") -> Reading:
    """``fact`` as the reader sees it: converted to the reader's unit or currency when it can be,
    with the original in ``Reading.original``. ``fmt`` overrides the format of the shown value.
    A qualified or ranged figure keeps its qualifier or range ("approaching 1.8 million")."""
    if fact.fact.range is None and fact.fact.qualifier is None:
        return _read_point(fact, reader, fmt, locale)
    point = _read_point(fact, reader, fmt, locale)
    shown = as_stated(fact, lambda f: _read_point(f, reader, fmt, locale).shown)
    original = as_stated(fact, lambda f: _read_point(f, reader, fmt, locale).original or "") if point.original else None
    return Reading(shown, original, point.conversion)


def _read_point(fact: ResolvedFact, reader: ReaderUnits, fmt: str | None, locale: str) -> Reading:
    unit = canonical_unit(fact.unit)
    digits = fact.precision
    if not fact.is_number or unit is None:
        return Reading(_measure(fact.value, fmt or fact.format, unit, locale, digits))
    value = float(fact.value)
    original = _measure(fact.value, fact.format, unit, locale, digits)
    if is_currency(unit):
        rate = reader.rate_for(unit) if unit != reader.currency else None
        if rate is None:
            return Reading(_measure(fact.value, fmt or fact.format, unit, locale, digits))
        shown = _measure(value * rate.per_one(unit), fmt, reader.currency, locale)
        note = (f"Converted from {currency_name(unit, 2, locale)} to {currency_name(reader.currency, 2, locale)} "
                f"at {rate_text(rate, locale)}")
        return Reading(shown, original, Conversion(unit, reader.currency, note, rate))
    pair = _pair_for(unit)
    if pair is None or (unit == pair.us) == (reader.system == "us"):
        return Reading(_measure(fact.value, fmt or fact.format, unit, locale, digits))
    to_us = unit == pair.metric
    target = pair.us if to_us else pair.metric
    converted = _round_like(value * (pair.factor if to_us else 1 / pair.factor), fact.value)
    shown = _measure(converted, fmt or _converted_format(fact.format, converted), target, locale)
    one_us_in_metric = _trim(1 / pair.factor)
    note = f"Converted from {_symbol(unit)} to {_symbol(target)}: 1 {_singular(pair.us)} = {one_us_in_metric} {_symbol(pair.metric)}"
    return Reading(shown, original, Conversion(unit, target, note))


def reader_factor(fact: ResolvedFact, reader: ReaderUnits) -> tuple[float, str] | None:
    """What ``fact``'s number is multiplied by for its readers, and the unit it is then in; None when it is
    shown as written (no unit, a series or a text, the reader's own unit, or money without a declared rate)."""
    unit = canonical_unit(fact.unit)
    if not fact.is_number or unit is None:
        return None
    if is_currency(unit):
        rate = reader.rate_for(unit) if unit != reader.currency else None
        return (rate.per_one(unit), reader.currency) if rate else None
    pair = _pair_for(unit)
    if pair is None or (unit == pair.us) == (reader.system == "us"):
        return None
    return (pair.factor, pair.us) if unit == pair.metric else (1 / pair.factor, pair.metric)


def check_readings(book: FactBook, site: SiteConfig, errors: ErrorCollector,
                   passed: tuple[FactBook, SiteConfig] | None = None) -> None:
    """Record, at its line, each figure that its conversion for readers makes no finite number
    (1e300 euros at 10 billion dollars a euro), which every page would otherwise show as "$∞".

    ``passed``: the book and site of a build that passed this check. A fact that is the very object checked
    then, converted for the same readers' units, passes again without being converted."""
    for fact_id in site.exchange_rates:  # a derived rate is known only now; one that is not positive converts nothing
        rate = book.facts.get(fact_id)
        if rate is not None and (not rate.is_number or float(rate.value) <= 0):
            errors.add(rate.fact.origin.path, rate.fact.origin.line,
                       f"fact {fact_id!r}: an exchange rate (site.yaml) must be a positive number, not {rate.formatted()}")
    reader = reader_units(site, book)
    checked = passed[0].facts if passed and same(reader, reader_units(passed[1], passed[0])) else {}
    for fact in book.facts.values():
        if checked.get(fact.id) is fact:
            continue
        found = reader_factor(fact, reader)
        if found is None:
            continue
        factor, target = found
        if not math.isfinite(factor):
            continue  # a rate too small to invert is an error of site.yaml's exchange_rates
        for value in (fact.value, *(fact.fact.range or ())):
            if not math.isfinite(float(value) * factor):
                errors.add(fact.fact.origin.path, fact.fact.origin.line,
                           f"fact {fact.id!r}: {float(value):g} {fact.unit} converted to "
                           f"{target.upper() if is_currency(target) else target} (x {factor:g}) is too large to show")
                break


def rate_text(rate: ExchangeRate, locale: str = "en-US") -> str:
    """An exchange rate in words: "1.082 US dollars per euro"."""
    return _measure(rate.fact.value, None, rate.fact.unit, locale)


def rate_facts_for(fact_ids: list[str] | tuple[str, ...], site: SiteConfig, book: FactBook) -> list[str]:
    """The exchange-rate facts that pages showing ``fact_ids`` convert with, so they can list them too."""
    reader = reader_units(site, book)
    found = []
    for fact_id in fact_ids:
        fact = book.facts.get(fact_id)
        unit = canonical_unit(fact.unit) if fact else None
        if fact and fact.is_number and is_currency(unit) and unit != reader.currency:
            rate = reader.rate_for(unit)
            if rate:
                found.append(rate.fact.id)
    return list(dict.fromkeys(found))


@pass_context
def reading_filter(context, fact: ResolvedFact, fmt: str | None = None, words: bool = False) -> str:
    """Jinja filter ``fact|reading(fmt)``: the value in the reader's units, the original in parentheses.
    ``words=true`` (key numbers, the facts list: no sentence names the unit) adds the unit's words
    ("1.8 million vehicles", "135.45 million jobs")."""
    if words and isinstance(fact.value, dict):
        locale = context.get("locale") or "en-US"
        unit = canonical_unit(fact.unit)
        return format_value({k: with_unit_words(_measure(v, fact.format, unit, locale, fact.precision), unit)
                             for k, v in fact.value.items()}, locale=locale)
    reading = _reading_in(context, fact, fmt)
    if not words:
        return str(reading)
    shown_unit = reading.conversion.shown_unit if reading.conversion else canonical_unit(fact.unit)
    return str(Reading(with_unit_words(reading.shown, shown_unit),
                       with_unit_words(reading.original, canonical_unit(fact.unit)) if reading.original else None))


@pass_context
def conversion_filter(context, fact: ResolvedFact) -> Conversion | None:
    """Jinja filter ``fact|conversion``: how the shown value was converted, or None."""
    return _reading_in(context, fact, None).conversion


def _reading_in(context, fact: ResolvedFact, fmt: str | None) -> Reading:
    reader = reader_units(context["site"], context["book"]) if "site" in context and "book" in context else ReaderUnits()
    return read_fact(fact, reader, fmt, context.get("locale") or "en-US")


def _measure(value, fmt: str | None, unit: str | None, locale: str, precision: int | None = None) -> str:
    if isinstance(value, dict):  # a series: each value with its unit, each period the reader's way
        return format_value({k: _measure(v, fmt, unit, locale, precision) for k, v in value.items()}, locale=locale)
    if is_currency(unit) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_money(float(value), unit, fmt, locale, precision)
    rate = RATE_UNIT.match(unit or "")
    if rate and isinstance(value, (int, float)) and {rate.group(1), rate.group(2)} <= CURRENCIES:
        number = format_decimal(float(value), format="#,##0.0###", locale=babel_locale(locale))
        return f"{number} {currency_name(rate.group(1), 2, locale)} per {currency_name(rate.group(2), 1, locale)}"
    text = format_value(value, fmt, unit, locale, precision)
    if _pair_for(unit or "") and isinstance(value, (int, float)) and not text.endswith(_symbol(unit)) \
            and (fmt or default_format(value, unit)) not in ("percent", "year"):
        text = f"{text} {_symbol(unit)}"
    return text


def _pair_for(unit: str) -> UnitPair | None:
    return next((p for p in UNIT_PAIRS if unit in (p.metric, p.us)), None)


def _symbol(unit: str | None) -> str:
    return UNIT_SYMBOLS.get(unit or "", unit or "")


def _singular(unit: str) -> str:
    return {"miles": "mile", "short tons": "short ton", "sq miles": "sq mile"}.get(unit, unit)


def _converted_format(fmt: str | None, value: float) -> str:
    if fmt in ("compact", "percent", "year", "text"):
        return fmt if fmt != "text" else default_format(value, None)
    return default_format(value, None)


def _round_like(value: float, original: float) -> float:
    """``value`` to the precision of ``original`` (at least three significant digits): 180 km is 112 miles."""
    if value == 0 or not math.isfinite(value):
        return value
    digits = max(3, _significant_digits(original))
    rounded = round(value, digits - 1 - math.floor(math.log10(abs(value))))
    return float(rounded)


def _significant_digits(number: float) -> int:
    text = f"{number}".lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    if isinstance(number, int) or float(number).is_integer():
        text = str(abs(int(number))).rstrip("0") or "0"
    return max(1, len(text))


def _trim(number: float) -> str:
    return f"{number:.6f}".rstrip("0").rstrip(".")
