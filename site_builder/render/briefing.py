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
from ..errors import BuildError
from ..model import Check, Content, GlossaryTerm, Source
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
