"""Reconciliation checks: compare a stated figure with one derived from its own assumptions.

A check does more than subtract. It says when the two figures count different
things (their ``scope``), applies an adjustment the author states (a scope gap,
say) and, for a derived figure, solves for the input that would make the stated
figure true: the base, the rate or the missing amount. Readers then see not
only *that* numbers disagree but what it would take for them to agree.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from babel.numbers import format_percent

from ..errors import BuildError, ErrorCollector
from ..formatting import babel_locale, format_value
from ..model import Check
from .resolved import ResolvedFact, derive_fact

RECONCILES = "reconciles"
DOES_NOT_RECONCILE = "does not reconcile"
NOT_COMPARABLE = "not comparable as published"


@dataclass(frozen=True)
class Solution:
    """What one input of the derived figure would have to be for it to equal the stated figure."""

    fact_id: str     # the input solved for
    role: str        # "base", "rate", "first figure", "total", ...
    needed: float
    actual: float
    text: str        # the finding in plain words, formatted for the site's readers


@dataclass(frozen=True)
class Adjusted:
    """The derived figure after the check's stated adjustment."""

    value: float
    relative_difference: float
    text: str        # what was added to what, in plain words


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one reconciliation check."""

    check: Check
    stated: ResolvedFact
    derived: ResolvedFact
    relative_difference: float
    adjusted: Adjusted | None = None
    solutions: tuple[Solution, ...] = ()
    added: ResolvedFact | None = None  # the adjustment's fact, as resolved

    @property
    def scopes_differ(self) -> bool:
        """True when both figures say what they count and the two differ."""
        a, b = self.stated.fact.scope, self.derived.fact.scope
        return bool(a and b) and _plain(a) != _plain(b)

    @property
    def verdict(self) -> str:
        """``reconciles``, ``does not reconcile``, or ``not comparable as published``.

        Figures of different scopes are not comparable as published, whatever
        their difference, unless the check states an adjustment and the
        figures still disagree after it.
        """
        adjusted_ok = self.adjusted is not None and self._within(self.adjusted.relative_difference)
        if self.scopes_differ:
            return DOES_NOT_RECONCILE if self.adjusted is not None and not adjusted_ok else NOT_COMPARABLE
        if self.adjusted is not None:
            return RECONCILES if adjusted_ok else DOES_NOT_RECONCILE
        return RECONCILES if self._within(self.relative_difference) else DOES_NOT_RECONCILE

    @property
    def passed(self) -> bool:
        """True when the figures reconcile as published (or after a same-scope adjustment)."""
        return self.verdict == RECONCILES

    @property
    def warns(self) -> bool:
        """True when the author should hear about it: figures that disagree, or that cannot be
        compared and for which the check states no adjustment."""
        return self.verdict == DOES_NOT_RECONCILE or (self.verdict == NOT_COMPARABLE and self.adjusted is None)

    @property
    def label(self) -> str:
        """The verdict as the note's heading."""
        if self.verdict == NOT_COMPARABLE and self.adjusted is not None:
            return "Not comparable as published; consistent after adjustment"
        return {RECONCILES: "Numbers reconcile", DOES_NOT_RECONCILE: "Numbers do not reconcile",
                NOT_COMPARABLE: "Not comparable as published"}[self.verdict]

    @property
    def within_tolerance(self) -> bool:
        """True when the figures, as published, are within the check's tolerance."""
        return self._within(self.relative_difference)

    def _within(self, difference: float) -> bool:
        return abs(difference) <= self.check.tolerance

    def summary_lines(self, locale: str = "en-US") -> list[str]:
        """The check in a few plain lines, for ``briefing check``."""
        lines = [f"check {self.check.id!r}: {self.verdict}: {self.check.title}",
                 f"  stated {self.stated.formatted(None, locale)} ({self.stated.id}), implied "
                 f"{self.derived.formatted(None, locale)} ({self.derived.id}): {self.relative_difference:+.1%}, "
                 f"tolerance {self.check.tolerance:.1%}"]
        if self.scopes_differ:
            lines.append(f"  scopes differ: stated counts {self.stated.fact.scope}; "
                         f"implied counts {self.derived.fact.scope}")
        if self.adjusted:
            lines.append(f"  adjusted: {self.adjusted.text} ({self.adjusted.relative_difference:+.1%})")
        lines += [f"  would reconcile if: {s.text}" for s in self.solutions]
        return lines


def run_checks(checks: dict[str, Check], facts: dict[str, ResolvedFact], errors: ErrorCollector,
               previous: dict[str, CheckResult], locale: str = "en-US") -> dict[str, CheckResult]:
    """Every check's result; a result whose check and facts are the same objects as in ``previous`` is kept."""
    results: dict[str, CheckResult] = {}
    for check in checks.values():
        stated, derived = facts.get(check.stated), facts.get(check.derived)
        adding = facts.get(check.adjustment.add) if check.adjustment else None
        if stated is None or derived is None or (check.adjustment and adding is None):
            continue  # reported by validation (unknown fact) or by a failed derivation
        old = previous.get(check.id)
        if (old is not None and old.check is check and old.stated is stated and old.derived is derived
                and old.added is adding):
            results[check.id] = old  # the derived fact being the same object means its inputs are too
            continue
        if not (stated.is_number and derived.is_number) or derived.value == 0:
            errors.add(check.origin.path, check.origin.line, f"check {check.id!r}: both facts must be non-zero numbers")
            continue
        try:
            adjusted = _adjusted(check, stated, derived, facts, locale) if check.adjustment else None
        except BuildError as exc:
            errors.add_error(exc)
            continue
        diff = (float(stated.value) - float(derived.value)) / abs(float(derived.value))
        results[check.id] = CheckResult(check, stated, derived, diff, adjusted,
                                        solutions_for(stated, derived, facts, locale), adding)
    return results


def _adjusted(check: Check, stated: ResolvedFact, derived: ResolvedFact, facts: dict[str, ResolvedFact],
              locale: str) -> Adjusted:
    adj = check.adjustment
    where = check.origin
    adding = facts[adj.add]
    if not adding.is_number:
        raise BuildError(where.path, where.line, f"check {check.id!r}: adjustment fact {adj.add!r} is not a number")
    amount = float(adding.value)
    added = f"“{adding.fact.label}” ({adding.formatted(None, locale)})"
    if adj.to is None:
        value = float(derived.value) + amount
        text = f"adding {added} to the implied figure gives {_shown(value, derived, locale)}"
    else:
        if adj.to not in derived.inputs:
            raise BuildError(where.path, where.line, f"check {check.id!r}: adjustment `to` fact {adj.to!r} "
                             f"is not an input of {derived.id!r} (its inputs: {', '.join(derived.inputs) or 'none'})")
        base = facts[adj.to]
        if not base.is_number:
            raise BuildError(where.path, where.line, f"check {check.id!r}: adjustment `to` fact {adj.to!r} is not a number")
        patched = dict(facts)
        patched[adj.to] = dataclasses.replace(base, value=float(base.value) + amount)
        value = float(derive_fact(derived.fact, patched).value)
        text = (f"adding {added} to “{base.fact.label}” ({base.formatted(None, locale)}) gives "
                f"{_shown(value, derived, locale)}")
    if value == 0:
        raise BuildError(where.path, where.line, f"check {check.id!r}: the adjusted figure is zero")
    return Adjusted(value, (float(stated.value) - value) / abs(value), text)


def solutions_for(stated: ResolvedFact, derived: ResolvedFact, facts: dict[str, ResolvedFact],
                  locale: str = "en-US") -> tuple[Solution, ...]:
    """What input would make ``derived`` equal ``stated``, for each input that can be solved for.

    Growth gives the base and the rate; rate the end value; mean and sum the
    missing amount; difference and ratio the first figure; convert the factor.
    A typed (not derived) figure, or one with no real solution, gives none.
    """
    d = derived.fact.derive
    if d is None or not stated.is_number:
        return ()
    target, value = float(stated.value), float(derived.value)
    try:
        found = _solve(d, target, value, facts)
    except (ArithmeticError, ValueError, TypeError, KeyError):
        return ()  # e.g. a series keyed by periods other than years, or a power with no real root
    return tuple(_solution(role, fid, needed, actual, stated, derived, facts, locale)
                 for role, fid, needed, actual in found if math.isfinite(needed))


def _solve(d, target: float, value: float, facts: dict[str, ResolvedFact]) -> list[tuple[str, str, float, float]]:
    def num(ref) -> float:
        return float(facts[ref].value)

    if d.op == "growth":
        base, rate = num(d.base), num(d.rate)
        found = [("base", d.base, target / (1 + rate / 100) ** d.years, base)]
        if d.years and target / base > 0:
            found.append(("rate", d.rate, ((target / base) ** (1 / d.years) - 1) * 100, rate))
        return found
    if d.op == "rate":
        start, end = num(d.from_), num(d.to)
        return [("end", str(d.to), start * (1 + target / 100) ** d.years, end)]
    if d.op in ("mean", "sum"):
        count = len(d.of) if isinstance(d.of, tuple) else _series_count(d, facts)
        total = value * count if d.op == "mean" else value
        needed = target * count if d.op == "mean" else target
        return [("total", d.of if isinstance(d.of, str) else "", needed, total)]
    if d.op == "difference":
        return [("first", d.of[0], target + num(d.of[1]), num(d.of[0]))]
    if d.op == "ratio":
        return [("first", d.of[0], target * num(d.of[1]), num(d.of[0]))]
    if d.op == "convert" and isinstance(d.factor, str) and num(d.of):
        return [("factor", d.factor, target / num(d.of), num(d.factor))]
    return []


def _series_count(d, facts: dict[str, ResolvedFact]) -> int:
    series = facts[d.of].value
    lo = int(d.from_) if d.from_ is not None else min(series)
    hi = int(d.to) if d.to is not None else max(series)
    return sum(1 for year in series if lo <= year <= hi)


def _solution(role: str, fact_id: str, needed: float, actual: float, stated: ResolvedFact,
              derived: ResolvedFact, facts: dict[str, ResolvedFact], locale: str) -> Solution:
    d = derived.fact.derive
    goal = _shown(float(stated.value), stated, locale)  # the point solved for, without its qualifier
    by = f" by {stated.fact.period}" if stated.fact.period else ""
    if role == "rate":
        base = facts[d.base]
        text = (f"{goal}{by} needs {_percent(needed, locale)} a year over {d.years} years from "
                f"“{base.fact.label}” ({base.formatted(None, locale)}), not {_percent(actual, locale)}")
        return Solution(fact_id, role, needed, actual, text)
    if role == "total":
        what = (f"the {'values averaged' if d.op == 'mean' else 'values added up'} "
                f"({derived.how[0].lower() + derived.how[1:]})")
        gap = needed - actual
        text = (f"{goal}{by} needs {what} to total {_shown(needed, derived, locale)}, not "
                f"{_shown(actual, derived, locale)}: {_shown(abs(gap), derived, locale)} "
                f"{'missing' if gap > 0 else 'too much'}")
        return Solution(fact_id or derived.id, role, needed, actual, text)
    ref = facts[fact_id] if fact_id in facts else derived
    gap = needed - actual
    text = (f"{goal}{by} needs {_shown(needed, ref, locale)} for “{ref.fact.label}”, not "
            f"{_shown(actual, ref, locale)} ({_shown(abs(gap), ref, locale, whole=True)} "
            f"{'more' if gap > 0 else 'less'})")
    return Solution(fact_id, role, needed, actual, text)


def _shown(value: float, like: ResolvedFact, locale: str, whole: bool = False) -> str:
    """``value`` formatted as ``like``'s own figures are (a plain point: no qualifier or range)."""
    if like.unit == "percent":
        return _percent(value, locale)
    fmt = "integer" if whole and abs(value) < 1_000_000 else None
    return format_value(value, fmt or (like.format if like.format != "text" else None), like.unit, locale)


def _percent(value: float, locale: str) -> str:
    # Two decimals: a solved-for rate such as 2.43% a year is read against an assumed 1%.
    return format_percent(value / 100, format="#,##0.00%", locale=babel_locale(locale))


def _plain(scope: str) -> str:
    return " ".join(scope.casefold().split())
