"""charts.py's disk cache: a drawn chart is keyed by what it is drawn from, so only a changed chart is drawn again."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from site_builder.commands.build_command import build_site
from site_builder.incremental.cache import Store
from site_builder.compute.charts import chart_points, describe_chart, render_chart
from site_builder.incremental.kept import SvgCache
from site_builder.errors import ErrorCollector
from site_builder.compute.facts import resolve_facts
from site_builder.compute.project import Project, load_content

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


def key_of(chart, book):
    points = chart_points(chart, book, ErrorCollector())
    return SvgCache(Store(None)).key(chart, points, describe_chart(chart, points))


def test_the_key_follows_the_points_and_the_definition():
    content = load_content(Project.at(MINI))
    book = resolve_facts(content, ErrorCollector())
    chart = content.charts["outlook"]
    assert key_of(chart, book) == key_of(chart, resolve_facts(content, ErrorCollector()))
    assert key_of(dataclasses.replace(chart, y_title="Other"), book) != key_of(chart, book)
    edited = dataclasses.replace(content.facts["sales.2021"], value=1_500_001)
    other_book = resolve_facts(dataclasses.replace(content, facts=content.facts | {"sales.2021": edited}),
                               ErrorCollector())
    assert key_of(chart, other_book) != key_of(chart, book)
    assert key_of(content.charts["compare"], other_book) == key_of(content.charts["compare"], book)


def test_an_edited_fact_redraws_only_the_charts_that_show_it(make_project):
    project = make_project()
    assert build_site(project).charts_rendered == 0  # the shared cache is warm
    facts = project.root / "content" / "facts" / "widgets.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("value: 1500000", "value: 1500001"), encoding="utf-8")
    result = build_site(project)
    assert result.charts_rendered == 1  # "outlook" shows sales.2021; "compare" does not
    assert "charts/outlook.svg" in result.changed and "charts/compare.svg" not in result.changed


def test_an_unreadable_cache_entry_is_drawn_again(tmp_path):
    content = load_content(Project.at(MINI))
    book = resolve_facts(content, ErrorCollector())
    chart = content.charts["compare"]
    first = SvgCache(Store(tmp_path))
    svg = render_chart(chart, book, first, ErrorCollector()).svg
    for entry in tmp_path.glob("charts/*"):
        entry.write_bytes(entry.read_bytes()[:32] + b"{not json")
    again = SvgCache(Store(tmp_path))
    assert render_chart(chart, book, again, ErrorCollector()).svg == svg
    assert again.rendered == 1
