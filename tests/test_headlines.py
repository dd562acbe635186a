"""headlines.py: {{ fact() }} in a briefing's title and summary, shown as plain text wherever they go."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from site_builder.commands.build_command import build_site
from site_builder.errors import BuildErrors

from conftest import parse_html, replace_in_file

ATOM = "{http://www.w3.org/2005/Atom}"
BRIEFING = "content/briefings/widget-outlook.md"
TITLE = 'title: Widget sales could reach {{ fact("forecast.2030") }} by 2030'
SUMMARY = 'summary: Sales fell to {{ fact("sales.2022", "integer") }} in 2022, then recovered & grew.'


@pytest.fixture
def headline_site(make_project):
    project = make_project()
    replace_in_file(project, BRIEFING, "title: Widget outlook", TITLE)
    replace_in_file(project, BRIEFING, "summary: Widget sales fell and are forecast to recover.", SUMMARY)
    build_site(project)
    return project


def test_title_and_summary_show_facts_as_text_on_the_page(headline_site):
    page = parse_html(headline_site.out / "briefings/widget-outlook/index.html")
    assert page.h1.get_text() == "Widget sales could reach 1.4 million by 2030"
    assert page.h1.find("a") is None  # plain text: no link, no markup
    assert page.find("p", class_="lead").get_text() == "Sales fell to 700,000 in 2022, then recovered & grew."
    assert page.title.get_text().startswith("Widget sales could reach 1.4 million by 2030 · ")
    assert page.find("meta", attrs={"name": "description"})["content"].startswith("Sales fell to 700,000 in 2022")
    assert page.find("meta", property="og:title")["content"].startswith("Widget sales could reach 1.4 million")
    assert page.find("meta", property="og:description")["content"].startswith("Sales fell to 700,000")
    assert "{{" not in page.decode() and "fact(" not in page.head.decode()


def test_the_facts_of_a_summary_are_listed_with_their_sources(headline_site):
    page = parse_html(headline_site.out / "briefings/widget-outlook/index.html")
    assert page.find(id="fact-sales.2022") is not None
    assert page.find(id="fact-forecast.2030") is not None


def test_index_feed_and_search_show_the_plain_text(headline_site):
    index = parse_html(headline_site.out / "index.html")
    assert "Widget sales could reach 1.4 million by 2030" in [a.get_text() for a in index.select("h3 a")]
    assert "Sales fell to 700,000 in 2022, then recovered & grew." in [p.get_text() for p in index.find_all("p")]
    entry = ET.parse(headline_site.out / "feed.xml").getroot().find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Widget sales could reach 1.4 million by 2030"
    assert entry.find(f"{ATOM}summary").text == "Sales fell to 700,000 in 2022, then recovered & grew."
    script = (headline_site.out / "search/search-index.js").read_text(encoding="utf-8")
    docs = json.loads(script.removeprefix("window.SEARCH_INDEX = ").rstrip().rstrip(";"))["docs"]
    briefing = next(d for d in docs if d["k"] == "Briefing")
    assert briefing["t"] == "Widget sales could reach 1.4 million by 2030"
    assert briefing["s"].startswith("Sales fell to 700,000")


def test_tag_pages_show_the_plain_summary(headline_site):
    tag = parse_html(headline_site.out / "tags/widgets/index.html")
    assert "Sales fell to 700,000 in 2022, then recovered & grew." in tag.get_text()
    assert "{{" not in tag.get_text()


@pytest.mark.parametrize(("line", "message"), [
    ('summary: Sales were {{ fact("sales.1999") }}.', "summary: unknown fact 'sales.1999'"),
    ('summary: See {{ chart("outlook") }}.', "summary: only"),
    ('summary: Sales were {{ fact("sales.2022", "loud") }}.', "summary: unknown format 'loud'"),
    ('summary: Sales were {{ fact("sales.2022") + 1 }}.', "summary: expressions are not allowed"),
])
def test_a_bad_call_in_the_summary_is_an_error_at_its_line(make_project, line, message):
    project = make_project()
    replace_in_file(project, BRIEFING, "summary: Widget sales fell and are forecast to recover.", line)
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    located = [f"{p.path}:{p.line}: {p.message}" for p in caught.value.problems]
    assert any(text.startswith(f"{BRIEFING}:3: {message}") for text in located), located
    assert not (project.out / "index.html").exists()


def test_an_unknown_fact_in_the_title_is_an_error_at_its_line(make_project):
    project = make_project()
    replace_in_file(project, BRIEFING, "title: Widget outlook", 'title: Widgets at {{ fact("nope") }}')
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    assert [(p.line, p.message) for p in caught.value.problems] == [(2, "title: unknown fact 'nope'")]
