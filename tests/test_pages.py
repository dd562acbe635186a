"""pages.py: what each briefing shows, in reading order, and who cites each source."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from site_builder.errors import ErrorCollector
from site_builder.compute.facts import resolve_facts
from site_builder.compute.pages import check_body_refs, citations_by_source, known_ids, plan_briefing
from site_builder.compute.project import Project, load_content
from site_builder.content.scan import scan_body

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def mini():
    content = load_content(Project.at(MINI))
    book = resolve_facts(content, ErrorCollector())
    return content, book


def plan_for(content, book, body: str | None = None, **meta):
    briefing = content.briefings[0]
    if body is not None:
        briefing = dataclasses.replace(briefing, body=body)
    if meta:
        briefing = dataclasses.replace(briefing, meta=dataclasses.replace(briefing.meta, **meta))
    errors = ErrorCollector()
    refs = scan_body(briefing, errors)
    assert errors.problems == []
    return plan_briefing(briefing, refs, content, book)


def test_plan_lists_facts_in_reading_order(mini):
    plan = plan_for(*mini)
    assert plan.url == "briefings/widget-outlook/index.html"
    assert plan.fact_ids == (
        "forecast.2030", "imports",                                 # key numbers
        "sales.2021", "sales.2022", "growth", "models",             # the body, in order
        "sales.2023", "forecast.2025",                              # charts: hero, then the body's
        "implied.2030",                                             # the body's check
    )
    assert plan.chart_ids == ("outlook", "compare")
    assert plan.source_ids == ("ministry", "agency")
    assert plan.check_ids == ("forecast-2030",)


def test_inputs_of_derived_facts_follow_the_facts_shown(mini):
    plan = plan_for(*mini, body='Implied: {{ fact("implied.2030") }}.\n', key_numbers=[], hero_chart=None)
    # The check it touches is shown as a note, so the note's stated figure is listed too.
    assert plan.fact_ids == ("implied.2030", "forecast.2025", "growth", "sales.2021", "sales.2022", "sales.2023",
                             "forecast.2030")
    assert plan.chart_ids == ()
    assert plan.check_ids == ("forecast-2030",)  # it touches implied.2030
    assert plan.source_ids == ("ministry", "agency")


def test_a_page_without_references_shows_nothing_extra(mini):
    plan = plan_for(*mini, body="Only words.\n", key_numbers=[], hero_chart=None)
    assert plan.fact_ids == () and plan.chart_ids == () and plan.source_ids == () and plan.check_ids == ()


def test_cited_sources_are_listed_even_without_facts(mini):
    plan = plan_for(*mini, body='As {{ source("ministry") }} says.\n', key_numbers=[], hero_chart=None)
    assert plan.source_ids == ("ministry",)


def test_citations_by_source_name_each_fact_and_chart_and_page(mini):
    content, book = mini
    plan = plan_for(content, book)
    cited = citations_by_source([plan], book, content)
    assert sorted(cited) == ["agency", "ministry"]
    ministry = [(c.kind, c.id) for c in cited["ministry"]]
    assert ministry == [("fact", "forecast.2030"), ("fact", "growth"), ("fact", "forecast.2025"),
                        ("fact", "implied.2030"), ("chart", "outlook"), ("chart", "compare")]
    agency = [(c.kind, c.id) for c in cited["agency"]]
    assert ("fact", "models") in agency and ("chart", "compare") in agency and ("fact", "growth") not in agency
    first = cited["ministry"][0]
    assert (first.label, first.page_title, first.page_url) == (
        "Forecast widget sales, 2030", "Widget outlook", "briefings/widget-outlook/index.html")


def test_uncited_sources_have_empty_lists(mini):
    content, book = mini
    plan = plan_for(content, book, body="Nothing.\n", key_numbers=[], hero_chart=None)
    assert citations_by_source([plan], book, content) == {"agency": [], "ministry": []}


def test_unknown_body_references_are_reported_at_their_lines(mini):
    content, _ = mini
    briefing = dataclasses.replace(content.briefings[0], body=(
        'A {{ fact("nope") }}\n{{ chart("nochart") }}\n\n{{ source("nosource") }} {{ check("nocheck") }}\n'
        '{{ fact("sales.2021") }}\n'))
    errors = ErrorCollector()
    check_body_refs(briefing, scan_body(briefing, errors), known_ids(content), errors)
    start = briefing.body_line
    path = "content/briefings/widget-outlook.md"
    assert [str(p) for p in errors.problems] == [
        f"{path}:{start}: unknown fact 'nope'",
        f"{path}:{start + 1}: unknown chart 'nochart'",
        f"{path}:{start + 3}: unknown source 'nosource'",
        f"{path}:{start + 3}: unknown check 'nocheck'",
    ]


def test_a_source_cited_only_by_the_text_is_counted(mini):
    content, book = mini
    plan = plan_for(content, book, body='As {{ source("ministry") }} says.\n', key_numbers=[], hero_chart=None)
    cited = citations_by_source([plan], book, content)
    assert [(c.kind, c.href) for c in cited["ministry"]] == [
        ("text", "briefings/widget-outlook/index.html#source-ministry")]
    assert cited["agency"] == []


def test_glossary_terms_cite_their_sources():
    content = load_content(Project.at(MINI.parent / "library"))
    book = resolve_facts(content, ErrorCollector())
    registry = citations_by_source([], book, content)["registry"]
    assert [(c.kind, c.label, c.page_url) for c in registry] == [("term", "widget", "glossary/index.html")]
    assert registry[0].href == "glossary/index.html#term-widget"


def test_datasets_cite_their_sources_where_their_facts_are_shown():
    content = load_content(Project.at(MINI.parent / "data"))
    book = resolve_facts(content, ErrorCollector())
    briefing = content.briefings[0]
    plan = plan_briefing(briefing, scan_body(briefing, ErrorCollector()), content, book)
    cited = citations_by_source([plan], book, content)
    datasets = [(c.id, c.href) for c in cited["eia-iowa"] if c.kind == "dataset"]
    first_read = next(f for f in plan.fact_ids if book[f].fact.data and book[f].fact.data.dataset == "iowa")
    assert datasets == [("iowa", f"{plan.url}#fact-{first_read}")]
    assert {c.id for c in cited["vega-datasets"] if c.kind == "dataset"} == {"iowa", "stocks"}
