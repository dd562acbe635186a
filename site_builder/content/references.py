"""References across tables: every source, fact and chart an item names must exist.

Run once everything is validated (each file on its own, in ``validate``), so that a
reference is checked against the whole content, and not reported when it could only
fail because of another problem already reported.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..errors import ErrorCollector
from .loader import Document
from ..model import Content


def cross_check(content: Content, errors: ErrorCollector, unreadable: Iterable[str] = (),
                declared: dict[str, set[str]] | None = None) -> None:
    """Record every reference to a source, fact or chart that does not exist.

    A reference is not reported when it could only fail because of another reported error:
    when a file of its kind ("sources", "facts", "charts") is in ``unreadable``, or when its id
    is in ``declared[kind]`` (written in a file, but invalid there; see ``declared_ids``).
    """
    if not unreadable and not declared and _every_reference_known(content):
        return  # the usual case, told with sets at every build: a thousand briefings name 50,000 things
    excused = declared or {}
    tables = {"sources": content.sources, "facts": content.facts, "charts": content.charts}

    def unknown(kind: str, ref: str) -> bool:
        return ref not in tables[kind] and kind not in unreadable and ref not in excused.get(kind, ())

    for fact in content.facts.values():
        where = fact.origin
        for ref in ([fact.source] if fact.source and fact.source != "none" else []) + list(fact.sources):
            if unknown("sources", ref):
                errors.add(where.path, where.line, f"fact {fact.id!r}: unknown source id {ref!r}")
        if fact.source == "none" and not fact.source_note:
            errors.add(where.path, where.line, f"fact {fact.id!r}: `source: none` needs a `source_note` saying why")
        for ref in fact.derive.inputs() if fact.derive else ():
            if unknown("facts", ref):
                errors.add(where.path, where.line, f"fact {fact.id!r}: derive refers to unknown fact {ref!r}")
    for dataset in (table.dataset for table in content.tables.values()):
        for ref in dataset.source_ids:
            if unknown("sources", ref):
                errors.add(dataset.origin.path, dataset.origin.line, f"dataset {dataset.id!r}: unknown source id {ref!r}")
    for check in content.checks.values():
        adjust = check.adjustment
        for ref in check.fact_ids() + ((adjust.to,) if adjust and adjust.to else ()):
            if unknown("facts", ref):
                errors.add(check.origin.path, check.origin.line, f"check {check.id!r}: unknown fact {ref!r}")
    for chart in content.charts.values():
        for series in chart.series:
            for ref in series.fact_ids():
                if unknown("facts", ref):
                    errors.add(series.origin.path, series.origin.line,
                               f"chart {chart.id!r}: series {series.label!r} names missing fact {ref!r}")
        for ref in chart.fact_ids()[len([f for s in chart.series for f in s.fact_ids()]):]:
            if unknown("facts", ref):
                errors.add(chart.origin.path, chart.origin.line, f"chart {chart.id!r} names missing fact {ref!r}")
    for briefing in content.briefings:
        path, lines = briefing.origin.path, briefing.meta_lines
        if briefing.meta.hero_chart and unknown("charts", briefing.meta.hero_chart):
            errors.add(path, lines.get(("hero_chart",), 1), f"hero_chart: unknown chart {briefing.meta.hero_chart!r}")
        for i, ref in enumerate(briefing.meta.key_numbers):
            if unknown("facts", ref):
                errors.add(path, lines.get(("key_numbers", i), 1), f"key_numbers: unknown fact {ref!r}")


def _every_reference_known(content: Content) -> bool:
    # Whether cross_check would find nothing to report: what it goes through, item by item, as sets.
    facts = content.facts.values()
    sources = {fact.source for fact in facts}
    if "none" in sources and any(fact.source == "none" and not fact.source_note for fact in facts):
        return False
    sources |= {ref for fact in facts for ref in fact.sources}
    sources |= {ref for table in content.tables.values() for ref in table.dataset.source_ids}
    sources -= {None, "none"}
    named = {ref for fact in facts if fact.derive for ref in fact.derive.inputs()}
    named |= {ref for check in content.checks.values() for ref in check.fact_ids()}
    named |= {check.adjustment.to for check in content.checks.values() if check.adjustment and check.adjustment.to}
    named |= {ref for chart in content.charts.values() for ref in chart.fact_ids()}
    named |= {ref for briefing in content.briefings for ref in briefing.meta.key_numbers}
    heroes = {briefing.meta.hero_chart for briefing in content.briefings if briefing.meta.hero_chart}
    # A dict's keys compared with a set look each member up in C.
    return content.sources.keys() >= sources and content.facts.keys() >= named and content.charts.keys() >= heroes


def declared_ids(docs: Iterable[Document], key: str) -> set[str]:
    """Every text ``id`` written in the ``key:`` lists of ``docs``, whether or not the item is valid."""
    return {item["id"] for doc in docs if isinstance(doc.data, dict) and isinstance(doc.data.get(key), (list, tuple))
            for item in doc.data[key] if isinstance(item, dict) and isinstance(item.get("id"), str)}
