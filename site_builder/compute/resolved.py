"""A resolved fact: its final value, the sources behind it, and how it was obtained.

Both the compute of facts (``facts.resolve_facts``) and the reconciliation checks
(``reconcile``, which recompute a derivation with one input changed) build on
``ResolvedFact`` and ``derive_fact``; they live here so that neither imports the other
the wrong way round.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import BuildError
from ..frozen import freeze
from ..formatting import default_format, format_value, significant_digits
from ..model import Fact, FactValue
from .operations import apply_operation

# Not reported: drawn dashed and hollow. "calculated" (our own arithmetic, e.g. a figure implied by a
# forecast's assumptions) is projected too, but badged and styled apart from a publisher's forecast.
PROJECTED_KINDS = frozenset({"forecast", "estimate", "calculated"})
# Operations whose result is one of their input's values (or its size or opposite): it keeps that input's
# format and published precision. Any other arithmetic makes a new figure, which states its own.
KEEPS_PRESENTATION = frozenset({"at", "abs", "negate", "min", "max"})
# ...and of these, read out of one series, is what that series is: one month of a reported series is reported.
# (The min or max of listed facts is one of several figures, each with its own precision and kind.)
KEEPS_KIND = frozenset({"at", "min", "max"})
KIND_STATUS = {"reported": "Reported", "derived": "Derived from reported figures", "forecast": "Forecast",
               "estimate": "Estimate", "calculated": "Our calculation"}


@dataclass(frozen=True)
class ResolvedFact:
    """A fact with its final value, the sources behind it, and how it was obtained."""

    fact: Fact
    value: FactValue
    unit: str | None
    kind: str
    sources: tuple[str, ...]
    inputs: tuple[str, ...] = ()
    how: str = ""
    rows: tuple[int, ...] = ()  # for a fact read from a dataset: the file lines of the rows it was read from
    # For a value read out of another fact (at, abs, negate): that fact, whose format and precision it keeps
    # unless it states its own, so that March 2024 of a series published to 3 digits is shown to 3 digits.
    like: Fact | None = None

    @property
    def id(self) -> str:
        """The fact's id."""
        return self.fact.id

    @property
    def is_number(self) -> bool:
        """True when the value is a single number."""
        return isinstance(self.value, (int, float)) and not isinstance(self.value, bool)

    @property
    def is_projection(self) -> bool:
        """True for forecasts, estimates and our own calculations, which charts draw differently."""
        return self.kind in PROJECTED_KINDS

    @property
    def is_calculated(self) -> bool:
        """True for a figure we computed ourselves and no publisher stated (``kind: calculated``)."""
        return self.kind == "calculated"

    @property
    def status(self) -> str:
        """The kind in words, for tables and legends: "Forecast", "Our calculation", ..."""
        return KIND_STATUS.get(self.kind, self.kind.capitalize())

    def formatted(self, fmt: str | None = None, locale: str = "en-US") -> str:
        """The value as a reader sees it, qualified or as a range when it was stated so."""
        return as_stated(self, lambda f: format_value(f.value, fmt or f.format, f.unit, locale, f.precision))

    @property
    def format(self) -> str | None:
        """The format the fact states, or the one of the fact it was read out of (``like``)."""
        return self.fact.format or (self.like.format if self.like else None)

    @property
    def precision(self) -> int | None:
        """Significant digits to show: the fact's ``precision``, or with ``approx: true`` those it was written with;
        for a value read out of another fact (``like``) that states neither, that fact's."""
        for stated in (self.fact, self.like):
            if stated is None:
                continue
            if stated.precision:
                return stated.precision
            if stated.approx and self.is_number:
                return significant_digits(self.value)
        return None

    @property
    def number_format(self) -> str:
        """The format this fact's numbers use (for charts and tables)."""
        return self.format or default_format(self.value, self.unit)


def as_stated(fact: ResolvedFact, show: Callable[[ResolvedFact], str]) -> str:
    """``show(fact)``, as the figure was stated: "approaching 1.8 million" for a fact with
    ``qualifier: approaching``, "1.65 million to 1.75 million" for one with a ``range``."""
    stated = fact.fact
    if stated.range is None and stated.qualifier is None:
        return show(fact)
    plain = dataclasses.replace(fact, fact=dataclasses.replace(stated, range=None, qualifier=None))
    if stated.range is not None:
        low, high = (show(dataclasses.replace(plain, value=v)) for v in stated.range)
        text = f"{low} to {high}"
    else:
        text = show(plain)
    return f"{stated.qualifier} {text}" if stated.qualifier else text


def own_sources(fact: Fact) -> tuple[str, ...]:
    """The sources ``fact`` names itself: ``source`` first, then ``sources``."""
    return tuple(dict.fromkeys(([fact.source] if fact.source not in (None, "none") else []) + list(fact.sources)))


def derive_fact(fact: Fact, known: dict[str, ResolvedFact]) -> ResolvedFact:
    """Compute one derived fact from already resolved ones."""
    d = fact.derive
    assert d is not None
    try:
        value, how, unit = apply_operation(d, known, fact)
    except OverflowError:  # float ** int and fsum raise instead of returning infinity
        value, how, unit = math.inf, "", None
    numbers = () if isinstance(value, str) else value.values() if isinstance(value, dict) else (value,)
    if not all(math.isfinite(v) for v in numbers):
        raise BuildError(fact.origin.path, fact.origin.line, f"fact {fact.id!r}: {d.op} gives no finite number")
    inputs = d.inputs()
    sources = tuple(dict.fromkeys(own_sources(fact) + tuple(s for ref in inputs for s in known[ref].sources)))
    first = known[inputs[0]] if inputs else None
    one_input = first is not None and (isinstance(d.of, str) or d.op not in ("min", "max"))
    like = (first.like or first.fact) if one_input and d.op in KEEPS_PRESENTATION else None
    # One value read out of a series is what the series is (reported, a forecast...), not a new derived figure.
    kind = fact.kind or (first.kind if one_input and d.op in KEEPS_KIND else "derived")
    if isinstance(value, str):  # a period ("February 2010"): no unit of its input's
        return ResolvedFact(fact, value, fact.unit, kind, sources, inputs, how)
    return ResolvedFact(fact, freeze(value), fact.unit or unit or (first.unit if first else None),
                        kind, sources, inputs, how, like=like)
