"""Plan the pages: what each briefing uses, and who cites each source.

This is pure bookkeeping between the compute and render stages. The build uses
it to check references (with their lines), to list a page's facts and sources,
and to know which pages depend on which facts, charts and sources.
"""
from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass

from ..errors import ErrorCollector
from .facts import FactBook, fact_ids_in_use
from ..content.glossary import term_anchor
from ..model import Briefing, Content
from ..content.scan import BodyRefs
from .units import rate_facts_for


@dataclass(frozen=True)
class BriefingPlan:
    """A briefing with everything it shows: facts, charts, sources and checks, in order of use."""

    briefing: Briefing
    refs: BodyRefs
    fact_ids: tuple[str, ...]
    chart_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    check_ids: tuple[str, ...]

    @property
    def url(self) -> str:
        """The page's path in the output, relative to the site root."""
        return f"briefings/{self.briefing.slug}/index.html"


@dataclass(frozen=True)
class Citation:
    """Something that cites a source: a fact, chart, dataset or the text of a page, or a glossary term."""

    kind: str  # "fact", "chart", "dataset", "text" (a body's source() call) or "term"
    id: str
    label: str
    page_title: str
    page_url: str
    anchor: str = ""  # the element of the page it links to; "{kind}-{id}" when empty

    @property
    def href(self) -> str:
        """The citation's address relative to the site root: its page and the element it is."""
        return f"{self.page_url}#{self.anchor or f'{self.kind}-{self.id}'}"


def check_body_refs(briefing: Briefing, refs: BodyRefs, known: Mapping[str, Container[str]],
                    errors: ErrorCollector) -> None:
    """Record every id the body names that is not ``known[function]``, at the line that names it.

    A body function missing from ``known`` is not checked (its ids cannot be known).
    """
    for function, table in known.items():
        for ref_id, line in refs.by_function(function).items():
            if ref_id not in table:
                errors.add(briefing.origin.path, line, f"unknown {function} {ref_id!r}")


def known_ids(content: Content) -> dict[str, Container[str]]:
    """The ids each body function may name: the content's facts, charts, sources and checks."""
    return {"fact": content.facts, "chart": content.charts, "source": content.sources, "check": content.checks}


def plan_briefing(briefing: Briefing, refs: BodyRefs, content: Content, book: FactBook) -> BriefingPlan:
    """What ``briefing`` shows, in reading order: key numbers, hero chart, then the body's references."""
    charts = _unique(([briefing.meta.hero_chart] if briefing.meta.hero_chart else []) + list(refs.charts))
    charts = [c for c in charts if c in content.charts]
    shown = list(briefing.meta.key_numbers) + list(refs.facts)
    for chart_id in charts:
        shown += content.charts[chart_id].fact_ids()
    for check_id in refs.checks:
        if check_id in content.checks:
            shown += list(content.checks[check_id].fact_ids())
    shown = [f for f in _unique(shown) if f in book]
    shown += [f for f in rate_facts_for(shown, content.site, book) if f not in shown]  # what money was converted with
    everything = fact_ids_in_use(set(shown), book)
    facts = shown + sorted(everything - set(shown))
    checks = _unique(list(refs.checks) + [r.check.id for r in book.checks_touching(set(facts))])
    # A note the page shows links to its adjustment's fact, which must then be listed too.
    added = [f for c in checks if c in content.checks for f in content.checks[c].fact_ids() if f in book]
    facts += sorted(fact_ids_in_use(set(added), book) - set(facts))
    sources = _unique([s for f in facts for s in book[f].sources] + [s for s in refs.sources if s in content.sources])
    return BriefingPlan(briefing, refs, tuple(facts), tuple(charts), tuple(sources), tuple(checks))


def citations_by_source(plans: list[BriefingPlan], book: FactBook, content: Content,
                        of_plan: PlanCitations | None = None) -> dict[str, list[Citation]]:
    """For each source id, the facts and charts that cite it and the pages they are on.

    ``of_plan`` gives one plan's citations, as ``plan_citations`` does (a long-running build passes one that
    remembers them).
    """
    cited: dict[str, list[Citation]] = {sid: [] for sid in content.sources}
    for plan in plans:
        for sid, citation in (of_plan or plan_citations)(plan, book, content):
            cited[sid].append(citation)
    for sid, citation in glossary_citations(content):
        cited[sid].append(citation)
    return cited


def glossary_citations(content: Content) -> list[tuple[str, Citation]]:
    """What the glossary page cites: (source id, citation) for each term with a source, by term."""
    return [(term.source, Citation("term", term.term, term.term, "Glossary", "glossary/index.html",
                                   term_anchor(term)))
            for term in sorted(content.glossary, key=lambda t: t.term) if term.source in content.sources]


def plan_citations(plan: BriefingPlan, book: FactBook, content: Content) -> list[tuple[str, Citation]]:
    """What the facts and charts of ``plan``'s page cite: (source id, citation) pairs in reading order."""
    cited = []
    title = plan.briefing.meta.title
    for sid in plan.refs.sources:
        if sid in content.sources:
            cited.append((sid, Citation("text", sid, "cited in the text", title, plan.url, f"source-{sid}")))
    for fact_id in plan.fact_ids:
        fact = book[fact_id]
        cited += [(sid, Citation("fact", fact_id, fact.fact.label, title, plan.url)) for sid in fact.sources]
    for chart_id in plan.chart_ids:
        chart = content.charts[chart_id]
        for sid in _unique([s for f in chart.fact_ids() if f in book for s in book[f].sources]):
            cited.append((sid, Citation("chart", chart_id, chart.title, title, plan.url)))
    for dataset_id, first_fact in _datasets_read(plan, book, content).items():
        dataset = content.tables[dataset_id].dataset
        cited += [(sid, Citation("dataset", dataset.id, dataset.title, title, plan.url, f"fact-{first_fact}"))
                  for sid in dataset.source_ids if sid in content.sources]
    return cited


def _datasets_read(plan: BriefingPlan, book: FactBook, content: Content) -> dict[str, str]:
    """The id of each dataset that the facts of ``plan`` are read from, with the first of those facts."""
    found: dict[str, str] = {}
    for fact_id in plan.fact_ids:
        data = book[fact_id].fact.data
        if data is not None and data.dataset in content.tables:
            found.setdefault(data.dataset, fact_id)
    return found


PlanCitations = Callable[[BriefingPlan, FactBook, Content], list[tuple[str, Citation]]]


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))
