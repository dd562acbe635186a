"""The compute stage: resolve derived facts, run reconciliation checks, look facts up.

Derived facts are computed by a small, closed set of operations (no expressions,
no ``eval``); each result records how it was computed and from what, so that
readers can see it and every figure stays traceable to its sources.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .datafacts import read_data_fact
from ..errors import BuildError, ErrorCollector
from ..model import Content, Fact
from .reconcile import CheckResult, run_checks
from .resolved import ResolvedFact, derive_fact, own_sources


@dataclass(frozen=True)
class FactBook:
    """Every resolved fact and check result, keyed by id."""

    facts: dict[str, ResolvedFact]
    checks: dict[str, CheckResult]
    locale: str = "en-US"  # the site's readers' locale: charts format their numbers with it
    # Check ids by the facts they involve: every briefing plan asks which checks touch its facts.
    _touching: dict[str, list[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        touching: dict[str, list[str]] = {}
        for check_id, result in sorted(self.checks.items()):
            for fact_id in dict.fromkeys(result.check.fact_ids()):
                touching.setdefault(fact_id, []).append(check_id)
        object.__setattr__(self, "_touching", touching)

    def __getitem__(self, fact_id: str) -> ResolvedFact:
        return self.facts[fact_id]

    def __contains__(self, fact_id: object) -> bool:
        return fact_id in self.facts

    def failed_checks(self) -> list[CheckResult]:
        """Checks the author should hear about (figures that disagree, or cannot be compared), in id order."""
        return [r for _, r in sorted(self.checks.items()) if r.warns]

    def check_ids_of(self, fact_id: str) -> tuple[str, ...]:
        """The ids of the checks that involve ``fact_id``."""
        return tuple(self._touching.get(fact_id, ()))

    def checks_touching(self, fact_ids: set[str]) -> list[CheckResult]:
        """Check results that involve any of ``fact_ids``, in id order."""
        found = {c for f in fact_ids for c in self._touching.get(f, ())}
        return [self.checks[c] for c in sorted(found)]


def resolve_facts(content: Content, errors: ErrorCollector, previous: FactBook | None = None) -> FactBook:
    """Compute every derived fact and check; problems are recorded in ``errors``.

    Given the ``previous`` build's book, a fact that is the same object as then,
    and whose inputs all resolved to the same objects as then, keeps its resolved
    object: a rebuild redoes only what an edit reaches, and later stages can tell
    unchanged facts by identity.
    """
    kept = previous.facts if previous else {}
    resolved: dict[str, ResolvedFact] = {}
    for fact in content.facts.values():
        if fact.derive is None:
            old = kept.get(fact.id)
            # A fact read from a dataset is read again: its file may have changed while the fact did not.
            if old is not None and old.fact is fact and fact.data is None:
                resolved[fact.id] = old
            elif fact.data is None:
                resolved[fact.id] = ResolvedFact(fact, fact.value, fact.unit, fact.kind or "reported", own_sources(fact))
            else:
                try:
                    resolved[fact.id] = data_fact(fact, content)
                except BuildError as exc:
                    errors.add_error(exc)
    pending = {f.id: f for f in content.facts.values() if f.derive is not None}
    failed: set[str] = {f.id for f in content.facts.values() if f.data is not None and f.id not in resolved}  # derivations that could not be computed, or read one that could not
    while pending:
        ready = [f for f in pending.values() if all(ref in resolved or ref in failed for ref in f.derive.inputs())]
        if not ready:
            for fact in _in_cycles(pending):
                through = [r for r in fact.derive.inputs() if r in pending]
                errors.add(fact.origin.path, fact.origin.line,
                           f"fact {fact.id!r}: derivation depends on itself (through {', '.join(through)})")
            break
        for fact in ready:
            del pending[fact.id]
            if any(ref in failed for ref in fact.derive.inputs()):
                failed.add(fact.id)  # its input's problem is reported already
                continue
            old = kept.get(fact.id)
            if old is not None and old.fact is fact and all(resolved[r] is kept.get(r) for r in old.inputs):
                resolved[fact.id] = old
                continue
            try:
                resolved[fact.id] = derive_fact(fact, resolved)
            except BuildError as exc:
                errors.add_error(exc)
                failed.add(fact.id)
    old_checks = previous.checks if previous else {}
    checks = run_checks(content.checks, resolved, errors, old_checks, content.site.locale)
    return FactBook(resolved, checks, content.site.locale)


def data_fact(fact: Fact, content: Content) -> ResolvedFact:
    """``fact`` read from its dataset; its sources are its own, then the dataset's."""
    reading = read_data_fact(fact, content.tables)
    table = content.tables[fact.data.dataset]
    sources = tuple(dict.fromkeys(own_sources(fact) + table.dataset.source_ids))
    return ResolvedFact(fact, reading.value, fact.unit or reading.unit, fact.kind or "reported", sources,
                        how=reading.how, rows=reading.lines)


def _in_cycles(pending: dict[str, Fact]) -> list[Fact]:
    """The facts of ``pending`` whose derivation leads back to themselves (not those merely downstream)."""
    def reaches_itself(start: Fact) -> bool:
        seen: set[str] = set()
        stack = [r for r in start.derive.inputs() if r in pending]
        while stack:
            fid = stack.pop()
            if fid == start.id:
                return True
            if fid not in seen:
                seen.add(fid)
                stack.extend(r for r in pending[fid].derive.inputs() if r in pending)
        return False
    return [f for f in pending.values() if reaches_itself(f)]


def fact_ids_in_use(fact_ids: set[str], book: FactBook) -> set[str]:
    """``fact_ids`` plus every fact they are derived from, transitively."""
    seen: set[str] = set()
    stack = list(fact_ids)
    while stack:
        fid = stack.pop()
        if fid in seen or fid not in book:
            continue
        seen.add(fid)
        stack.extend(book[fid].inputs)
    return seen
