"""Money: ISO 4217 currency codes, and exchange rates that are themselves sourced facts.

A site names its rates in ``site.yaml`` under ``exchange_rates``; each is a fact with a
unit like ``usd_per_eur`` (US dollars for one euro), checked here before anything is
built. ``units`` converts money with them and shows the rate on every page that uses one.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from babel.numbers import get_currency_name, list_currencies

from ..errors import ErrorCollector
from ..formatting import babel_locale
from ..model import Content
from .resolved import ResolvedFact

RATE_UNIT = re.compile(r"^([a-z]{3})_per_([a-z]{3})\Z")
CURRENCIES = frozenset(code.lower() for code in list_currencies())


@dataclass(frozen=True)
class ExchangeRate:
    """A sourced rate: ``fact.value`` units of ``quote`` currency buy one unit of ``base``."""

    fact: ResolvedFact
    quote: str
    base: str

    def per_one(self, currency: str) -> float:
        """How many of the other currency one unit of ``currency`` is worth."""
        value = float(self.fact.value)
        return value if currency == self.base else 1 / value


def exchange_rate(fact: ResolvedFact | None) -> ExchangeRate | None:
    """``fact`` as an exchange rate, or None when it is not a positive number with a unit like ``usd_per_eur``."""
    if fact is None or not fact.is_number or float(fact.value) <= 0:
        return None
    match = RATE_UNIT.match(fact.unit or "")
    if not match or not {match.group(1), match.group(2)} <= CURRENCIES or match.group(1) == match.group(2):
        return None
    return ExchangeRate(fact, match.group(1), match.group(2))


def is_currency(unit: str | None) -> bool:
    """True when ``unit`` is an ISO 4217 currency code (``usd``, ``eur``, ``rub``)."""
    return (unit or "").lower() in CURRENCIES


def currency_name(code: str, count: int, locale: str = "en-US") -> str:
    """A currency's name as a reader says it: "US dollars", "euro", "Russian rubles"."""
    return get_currency_name(code.upper(), count=count, locale=babel_locale(locale))


def check_exchange_rates(content: Content, errors: ErrorCollector, site_path: str = "content/site.yaml",
                         lines: dict | None = None) -> None:
    """Record a currency that is no ISO code, and every ``exchange_rates`` entry that is not a sourced fact
    with a unit like ``usd_per_eur`` involving the site's currency, at its line in site.yaml."""
    lines = lines or {}
    currency = content.site.currency.lower()
    if not is_currency(currency):
        errors.add(site_path, lines.get(("currency",), 1), f"currency: {content.site.currency!r} is not an ISO 4217 code such as USD")
    for i, fact_id in enumerate(content.site.exchange_rates):
        line = lines.get(("exchange_rates", i), lines.get(("exchange_rates",), 1))
        fact = content.facts.get(fact_id)
        unit = (fact.unit or (fact.derive.unit if fact.derive else None)) if fact else None  # convert names its unit
        match = RATE_UNIT.match(unit or "")
        if fact is None:
            errors.add(site_path, line, f"exchange_rates: unknown fact {fact_id!r}")
        elif not match or not {match.group(1), match.group(2)} <= CURRENCIES or match.group(1) == match.group(2):
            errors.add(site_path, line, f"exchange_rates: fact {fact_id!r} needs a unit like usd_per_eur "
                                        f"(US dollars for one euro), not {unit!r}")
        elif currency not in (match.group(1), match.group(2)):
            errors.add(site_path, line, f"exchange_rates: fact {fact_id!r} ({unit}) does not involve "
                                        f"the site's currency {content.site.currency}")
        elif fact.source == "none" or fact.value is not None and (not _is_number(fact.value) or fact.value <= 0):
            errors.add(site_path, line, f"exchange_rates: fact {fact_id!r} must be a sourced, positive number")
        elif isinstance(fact.value, (int, float)) and not math.isfinite(1 / fact.value):
            errors.add(site_path, line, f"exchange_rates: fact {fact_id!r} ({fact.value:g} {fact.unit}) is too small "
                                        "to convert the other way: one over it is no finite number")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
