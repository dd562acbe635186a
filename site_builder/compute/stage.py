"""The compute stage: from validated content to everything the pages show.

Derived facts and checks are resolved, briefing bodies are scanned for what
they refer to, charts are drawn, and each briefing's plan (its facts, charts,
sources and checks) is made. Every problem is collected and raised at once.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from .charts import ChartDrawings, Point, RenderedChart, chart_points, rendered_chart
from ..errors import ErrorCollector, Problem
from ..frozen import FrozenDict
from .facts import FactBook, resolve_facts
from .headlines import headline_fact_refs, with_plain_headlines
from ..chart_model import Chart
from ..model import Content
from .pages import BriefingPlan, check_body_refs, known_ids, plan_briefing
from .parallel import draw_missing_charts
from .project import Project, load_content
from .revisions import FactRow, fact_rows
from .units import check_readings
from ..content.scan import BodyRefs, Scanner, scan_body
from ..values import CALL_NOW, CallNow, changed_keys, kept_if_unchanged, same


@dataclass(frozen=True)
class CompiledSite:
    """Everything the render stage needs, computed and checked."""

    content: Content
    book: FactBook
    charts: FrozenDict[str, RenderedChart]
    plans: tuple[BriefingPlan, ...]
    warnings: tuple[Problem, ...]
    rows: FrozenDict[str, FactRow]  # each fact as the manifest records it (revisions.py)


def compile_site(project: Project, cache: ChartDrawings) -> CompiledSite:
    """Load, validate and compute everything; raises BuildErrors listing every problem."""
    return compile_content(load_content(project), cache)


def compile_content(content: Content, cache: ChartDrawings, previous: CompiledSite | None = None,
                    chart_done: Callable[[], None] = lambda: None, scans: Scanner | None = None,
                    reuse: CallNow = CALL_NOW) -> CompiledSite:
    """Compute facts, charts and page plans from loaded content; raises BuildErrors.

    Given the ``previous`` build's result (``briefing serve``), what an edit
    cannot have changed is taken from it: resolved facts, drawn charts and page
    plans whose inputs are the same objects or values. Later stages then see
    unchanged things as the same objects, which they can tell apart in no time.
    ``chart_done`` is called as each chart is drawn or reused (for progress);
    ``scans`` keeps what each body named (see ``render.scan_body``); ``reuse`` makes each briefing's plan,
    or keeps it while what it read is the same (``recorded.Memo``).
    """
    errors = ErrorCollector()
    if previous is not None:  # tables made again from unchanged parts are the last build's: told apart at once
        content = kept_if_unchanged(content, previous.content)
    book = resolve_facts(content, errors, previous.book if previous else None)
    if previous is not None:
        book = kept_if_unchanged(book, previous.book)
    check_readings(book, content.site, errors, (previous.book, previous.content.site) if previous else None)
    refs = {}
    known = known_ids(content)
    planned = _planned_as_is(content, previous)
    for briefing in content.briefings:
        old = planned.get(briefing.slug)
        # The very briefing a build planned as it is (no fact in its title or summary) names what it named then.
        body_refs = old.refs if old is not None and old.briefing is briefing else \
            scan_body(briefing, errors, scans, content.site.allow_raw_html)
        check_body_refs(briefing, body_refs, known, errors)
        refs[briefing.slug] = _with_headline_facts(body_refs, headline_fact_refs(briefing, content.facts, errors))
    changed = _facts_changed_since(book, previous)
    points = {chart.id: _points(chart, book, previous, changed, errors) for chart in content.charts.values()}
    errors.raise_if_any()
    kept_charts = {chart.id: old for chart in content.charts.values()
                   if (old := _kept_chart(chart, points[chart.id], previous)) is not None}
    # Drawn in a process pool when there are many:
    draw_missing_charts([c for c in content.charts.values() if c.id not in kept_charts], points, cache)
    charts = {}
    for chart in content.charts.values():
        rendered = kept_charts.get(chart.id) or rendered_chart(chart, points[chart.id], cache, errors)
        if rendered:
            charts[chart.id] = rendered
        chart_done()
    errors.raise_if_any()
    shown = [with_plain_headlines(b, book, content.site) for b in content.briefings]
    plans = [reuse.call(("plan", b.slug), plan_briefing, b, refs[b.slug], content, book) for b in shown]
    warnings = [Problem(r.check.origin.path, r.check.origin.line,
                        f"check {r.check.id!r}: {r.verdict}: {r.check.title}: {r.stated.id} is {r.stated.formatted()}, "
                        f"{r.derived.id} is {r.derived.formatted()} ({r.relative_difference:+.1%}, "
                        f"tolerance {r.check.tolerance:.1%})")
                for r in book.failed_checks()]
    rows = fact_rows(book, previous.rows if previous else None, changed)
    compiled = CompiledSite(content, book, FrozenDict(charts), tuple(plans), tuple(warnings), FrozenDict(rows))
    return kept_if_unchanged(compiled, previous) if previous is not None else compiled


def _planned_as_is(content: Content, previous: CompiledSite | None) -> dict[str, BriefingPlan]:
    # The last build's plans by slug, when it scanned bodies as this one does (it passed: nothing to report).
    if previous is None or previous.content.site.allow_raw_html != content.site.allow_raw_html:
        return {}
    return {plan.briefing.slug: plan for plan in previous.plans}


def _with_headline_facts(refs: BodyRefs, headline: dict[str, int]) -> BodyRefs:
    # The title and summary are read first, so their facts come first in the page's list.
    if not headline:
        return refs
    return dataclasses.replace(refs, facts=FrozenDict(headline | {k: v for k, v in refs.facts.items() if k not in headline}))


def _facts_changed_since(book: FactBook, previous: CompiledSite | None) -> set[str] | None:
    # The ids of the facts not resolved to the same objects as in the previous build (None: every fact, when
    # there is no previous build or its locale differs): one pass over the book instead of one per chart.
    if previous is None or book.locale != previous.book.locale:
        return None
    return changed_keys(previous.book.facts, book.facts)


def _points(chart: Chart, book: FactBook, previous: CompiledSite | None, changed: set[str] | None,
            errors: ErrorCollector) -> list[Point]:
    # A chart's points are made again when its definition or a fact it draws is not what it was.
    old = previous.charts.get(chart.id) if changed is not None else None  # None without a previous build
    if old is not None and old.chart is chart and changed.isdisjoint(chart.fact_ids()):
        return list(old.points)
    return chart_points(chart, book, errors)


def _kept_chart(chart: Chart, points: list[Point], previous: CompiledSite | None) -> RenderedChart | None:
    # A chart is its definition plus its points: the same two give the same spec, SVG and CSV. Equal
    # points are the same points: their numbers are all floats, and each carries its value as shown.
    old = previous.charts.get(chart.id) if previous else None
    return old if old is not None and same(old.chart, chart) and list(old.points) == points else None
