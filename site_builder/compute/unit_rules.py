"""Which units a derivation may combine: vehicles minus dollars is an error, euros become dollars only at a rate.

The rule, as docs/content-format.md ("Units in derivations") gives it to authors:

- Figures that are added, subtracted, averaged, compared or shared (``sum``, ``mean``, ``difference``,
  ``share``, ``percent_change``, ``rate``, ``share_series``, ...) are in one unit. A figure without a
  unit goes with any other, except a percent: 12 percent plus 7 of something is no figure.
- ``growth`` grows by a percent; ``point_change`` subtracts percents (the result is in percentage points).
- ``convert`` by a rate fact (a unit such as ``usd_per_eur``) takes a figure in the rate's second
  currency to its first: euros times US dollars per euro are US dollars, and nothing else.
- A derived fact's own ``unit`` may not rename the unit its inputs give it (vehicles minus vehicles
  declared as USD); ``convert`` names its result's unit, and ratios, shares and indexes may name theirs.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .resolved import ResolvedFact

PERCENTS = frozenset({"percent", "%"})
# Ops whose result is in their inputs' unit: a derived fact may not declare another.
KEEPS_UNIT = frozenset({"mean", "sum", "difference", "growth", "at", "abs", "negate", "change_series",
                        "rolling_mean", "min", "max"})
_RATE_UNIT = re.compile(r"^([a-z]{3})_per_([a-z]{3})\Z")


def unit_key(unit: str | None) -> str:
    """A unit as units are compared: trimmed, lower case (``USD`` is ``usd``), "" for none."""
    return (unit or "").strip().lower()


def _in(fact: ResolvedFact) -> str:
    return f"{fact.id!r} is in {fact.unit.strip()}" if unit_key(fact.unit) else f"{fact.id!r} has no unit"


def mixed_units(facts: Sequence[ResolvedFact]) -> str | None:
    """Why ``facts`` cannot be combined as figures of one unit (naming each and its unit), or None."""
    units = {unit_key(f.unit) for f in facts}
    named = units - {""}
    if len(named) > 1 or (named & PERCENTS and "" in units):
        return (f"facts in different units: {', '.join(_in(f) for f in dict((f.id, f) for f in facts).values())}; "
                "convert one first (op: convert) so that both are in the same unit")
    return None


def first_unit(facts: Sequence[ResolvedFact]) -> str | None:
    """The unit that ``facts`` share (the first one given; a figure without a unit goes with it)."""
    return next((f.unit for f in facts if unit_key(f.unit)), None)


def not_a_percent(fact: ResolvedFact, field: str) -> str | None:
    """Why ``fact`` cannot be ``field`` where a percent belongs (it is in another unit), or None."""
    if unit_key(fact.unit) and unit_key(fact.unit) not in PERCENTS:
        return f"`{field}` fact {_in(fact)}, not percent"
    return None


def conversion_mismatch(of: ResolvedFact, factor: ResolvedFact, unit: str) -> str | None:
    """Why ``of`` times the rate fact ``factor`` is not a figure in ``unit``, or None (``factor`` no rate)."""
    rate = _RATE_UNIT.match(unit_key(factor.unit))
    if rate is None:
        return None
    result, per = rate.groups()
    if unit_key(of.unit) != per:
        return f"`factor` {_in(factor)}, so `of` must be in {per.upper()}, but {_in(of)}"
    if unit_key(unit) != result:
        return f"`factor` {_in(factor)}: {per.upper()} times it is {result.upper()}, not {unit.strip()}"
    return None


def renamed_unit(op: str, declared: str | None, computed: str | None) -> str | None:
    """Why a derived fact may not declare ``declared`` for what ``op`` computes in ``computed``, or None."""
    if op in KEEPS_UNIT and unit_key(declared) and unit_key(computed) and unit_key(declared) != unit_key(computed):
        return f"its inputs give {computed}, so `unit: {declared}` would rename them; convert instead (op: convert)"
    return None
