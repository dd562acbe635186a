"""A briefing page's body, filled in from what the page shows: a function of its arguments alone.

``shown_by`` takes, from the site-wide tables, what a briefing's plan lists
(its facts, charts, sources and checks); ``fill_body`` reads nothing else, so
what a page is made from is ``Shown`` and the arguments, never the whole site.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..compute.charts import RenderedChart
from ..compute.facts import FactBook, ResolvedFact
from ..compute.pages import BriefingPlan
from ..compute.reconcile import CheckResult
from ..content.glossary import TermUse, mark_terms
from ..errors import BuildError, Problem
from ..model import Briefing, Check, Content, GlossaryTerm, Source
from . import bodies
from .bodies import BodyDraft, render_body

FACT_FORMATS = (None, "compact", "integer", "decimal", "percent", "year", "text")
Partial = Callable[..., str]  # partial(template name, **names) → HTML, in the page's context


@dataclass(frozen=True)
class Shown:
    """What one briefing page shows of the site-wide tables: what its plan lists, by id."""

    facts: Mapping[str, ResolvedFact]
    charts: Mapping[str, RenderedChart]
    sources: Mapping[str, Source]
    checks: Mapping[str, Check]
    results: Mapping[str, CheckResult]

    def inputs(self) -> tuple:
        """The same, as a digest of it should see it: a drawn chart stands as its definition and points (its
        SVG, CSV and spec are made from those by this process's code; digesting them costs 100 KB a page)."""
        charts = {chart_id: (c.chart, c.points) for chart_id, c in self.charts.items()}
        return self.facts, charts, self.sources, self.checks, self.results


def shown_by(plan: BriefingPlan, book: FactBook, charts: Mapping[str, RenderedChart], content: Content) -> Shown:
    """What ``plan``'s page shows, taken from the fact ``book``, the drawn ``charts`` and the ``content``."""
    source_ids = dict.fromkeys(plan.source_ids + tuple(plan.refs.sources))
    return Shown({f: book[f] for f in plan.fact_ids},
                 {c: charts[c] for c in plan.chart_ids if c in charts},
                 {s: content.sources[s] for s in source_ids if s in content.sources},
                 {c: content.checks[c] for c in plan.check_ids if c in content.checks},
                 {c: book.checks[c] for c in plan.check_ids if c in book.checks})


def fill_body(plan: BriefingPlan, shown: Shown, draft: BodyDraft, glossary: tuple[GlossaryTerm, ...],
              partial: Partial) -> tuple[str, tuple[TermUse, ...], list[CheckResult]]:
    """The body's HTML with every reference filled in (each through its partial template) and the first use of
    each glossary term linked; the terms used; the failed checks the body did not place."""
    placed_checks: set[str] = set()

    def render_ref(function: str, ref_id: str, extra: tuple) -> tuple[str, bool]:
        line = plan.refs.by_function(function).get(ref_id, plan.briefing.body_line)
        if function == "fact":
            fmt = extra[0] if extra else None
            if fmt not in FACT_FORMATS:
                raise BuildError(plan.briefing.origin.path, line, f"fact({ref_id!r}, {fmt!r}): unknown format")
            return partial("partials/fact.html", fact=shown.facts[ref_id], fmt=fmt), False
        if function == "chart":
            return partial("partials/chart.html", chart=shown.charts[ref_id]), True
        if function == "check":
            placed_checks.add(ref_id)
            return partial("partials/check.html", result=shown.results.get(ref_id), check=shown.checks[ref_id]), True
        return partial("partials/cite.html", source=shown.sources[ref_id]), False

    body, terms = mark_terms(render_body(plan.briefing, render_ref, draft), glossary)
    open_checks = [shown.results[c] for c in plan.check_ids
                   if c not in placed_checks and c in shown.results and not shown.results[c].passed]
    return body, terms, open_checks


class BodyDrafts:
    """Drafts of one site's bodies, made ahead (possibly in a pool) for its renderer to look up."""

    def __init__(self) -> None:
        self._drafts: dict[tuple[str, int, str], BodyDraft | Problem] = {}
        self._pending: dict[tuple[str, int, str], Callable[[], BodyDraft | Problem | None]] = {}

    def missing(self, briefings: list[Briefing]) -> list[Briefing]:
        """The briefings without a draft yet; drafts of bodies not among ``briefings`` are forgotten."""
        wanted = {_body_key(b) for b in briefings}
        self._drafts = {key: draft for key, draft in self._drafts.items() if key in wanted}
        self._pending = {key: draft for key, draft in self._pending.items() if key in wanted}
        return [b for b in briefings if _body_key(b) not in self._drafts and _body_key(b) not in self._pending]

    def keep(self, briefing: Briefing, draft: BodyDraft | Problem) -> None:
        """Remember ``draft`` as the draft of ``briefing``'s body, or the problem that drafting it met."""
        self._drafts[_body_key(briefing)] = draft
        self._pending.pop(_body_key(briefing), None)

    def keep_pending(self, briefing: Briefing, pending: Callable[[], BodyDraft | Problem | None]) -> None:
        """The draft of ``briefing``'s body is being made elsewhere: ``pending()`` waits for it (None: it was not)."""
        self._pending[_body_key(briefing)] = pending

    def draft_of(self, briefing: Briefing) -> BodyDraft:
        """The draft of ``briefing``'s body, made now if it was not made ahead; raises BuildError."""
        key = _body_key(briefing)
        if key in self._pending and (made := self._pending.pop(key)()) is not None:
            self._drafts[key] = made
        if key not in self._drafts:
            self._drafts[key] = bodies.draft_body(briefing)
        draft = self._drafts[key]
        if isinstance(draft, Problem):
            raise BuildError(draft.path, draft.line, draft.message)
        return draft


def _body_key(briefing: Briefing) -> tuple[str, int, str]:
    return briefing.origin.path, briefing.body_line, briefing.body
