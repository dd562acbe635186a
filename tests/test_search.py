"""search.py: the offline search index (a script, so it loads from file://) and the search page.

The search itself runs in Chromium in tests/browser/test_library_pages.py.
"""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from site_builder.incremental import kept
from site_builder.incremental.cache import Store
from site_builder.commands.build_command import build_site
from site_builder.compute.library import Library, read_page
from site_builder.compute.project import Project
from site_builder.render.search import SearchDocument, document_json, search_index_script

from conftest import copy_project, parse_html

PREFIX = b"window.SEARCH_INDEX = "


def index_data(script: bytes) -> dict:
    assert script.startswith(PREFIX) and script.endswith(b";\n")
    return json.loads(script[len(PREFIX):-2])


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("search") / "project", "library")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1710504000")
        build_site(Project.at(root))
    return root / "_site"


def test_body_text_is_what_a_reader_sees_of_the_body_without_charts_scripts_or_tables():
    page = """<html><body><h1>Title</h1><div class="briefing__body"><p>Sales were <a class="fact" href="#f">1.3
    million</a> &amp; rising.</p><figure><svg><text>1M</text></svg><table><tr><td>2020</td></tr></table>
    <script type="application/json">{"x": 1}</script></figure><p>After.</p></div><section>Facts list</section>
    </body></html>"""
    assert read_page(page).text == "Sales were 1.3 million & rising. After."


def test_a_page_reading_lists_the_glossary_terms_its_body_links_once_each_in_order():
    page = """<p><a class="term" href="#g-oem">OEM</a></p><div class="briefing__body">
    <p><a class="term" href="#g-lcv">LCVs</a> and <a class="fact" href="#f">1</a>
    <a class="term x" href="#g-oem">OEMs</a> <a class="term" href="#g-lcv">LCV</a></p></div>"""
    assert read_page(page).term_anchors == ("g-lcv", "g-oem")


def test_page_readings_read_a_page_again_only_when_its_bytes_change(monkeypatch):
    calls = []
    real = kept.read_page
    monkeypatch.setattr(kept, "read_page", lambda html: calls.append(html) or real(html))
    plans = [SimpleNamespace(url="a.html"), SimpleNamespace(url="b.html")]
    readings = kept.PageReadings()
    body = '<div class="briefing__body"><p>{}</p></div>'
    first = readings.of({"a.html": body.format("One").encode(), "b.html": body.format("Two").encode()}, plans)
    assert [first[u].text for u in ("a.html", "b.html")] == ["One", "Two"] and len(calls) == 2
    again = readings.of({"a.html": body.format("One").encode(), "b.html": body.format("Three").encode()}, plans)
    assert [again[u].text for u in ("a.html", "b.html")] == ["One", "Three"] and len(calls) == 3


def test_page_readings_kept_on_disk_serve_a_later_build_and_a_damaged_entry_is_read_again(monkeypatch, tmp_path):
    calls = []
    real = kept.read_page
    monkeypatch.setattr(kept, "read_page", lambda html: calls.append(html) or real(html))
    plans = [SimpleNamespace(url="a.html")]
    page = {"a.html": b'<div class="briefing__body"><p>Kept <a class="term" href="#g-x">X</a></p></div>'}
    first = kept.PageReadings(Store(tmp_path)).of(page, plans)["a.html"]
    later = kept.PageReadings(Store(tmp_path)).of(page, plans)["a.html"]  # another build: a new process
    assert later == first == kept.PageReading("Kept X", ("g-x",)) and len(calls) == 1
    [entry] = tmp_path.glob("readings/*")
    entry.write_text("{damaged", encoding="utf-8")
    assert kept.PageReadings(Store(tmp_path)).of(page, plans)["a.html"] == first and len(calls) == 2


def test_the_index_is_a_script_that_sets_one_global_and_holds_every_briefing_term_and_topic(site):
    data = index_data((site / "search/search-index.js").read_bytes())
    kinds = [(d["k"], d["t"]) for d in data["docs"]]
    assert ("Briefing", "The widget plant opens") in kinds
    assert ("Glossary", "widget (WGT)") in kinds
    assert ("Topic", "widgets") in kinds
    opens = next(d for d in data["docs"] if d["t"] == "The widget plant opens")
    assert opens["u"] == "briefings/plant-opens/index.html"
    assert opens["d"] == "June 30, 2020"
    assert "112 miles (180 km) from the capital" in opens["x"]
    assert "Facts and sources" not in opens["x"]
    for doc in data["docs"]:
        assert (site / doc["u"].split("#")[0]).is_file(), doc["u"]


def test_line_separators_cannot_end_the_script_early():
    doc = SearchDocument("Briefing", "A\u2028B", "x.html", "C\u2029D", "text")
    script = search_index_script([doc])
    assert "\u2028".encode() not in script and "\u2029".encode() not in script
    assert index_data(script)["docs"][0]["t"] == "A\u2028B"


def test_the_index_is_the_same_for_the_same_documents_in_any_order_of_keys():
    docs = [SearchDocument("Topic", "b", "b.html", "", ""), SearchDocument("Topic", "a", "a.html", "", "")]
    assert search_index_script(docs) == search_index_script(list(docs))
    assert b'"k":"Topic","s":"","t":"b"' in search_index_script(docs)


def test_the_search_page_loads_the_index_and_script_by_relative_urls_without_fetch(site):
    page = parse_html(site / "search/index.html")
    form = page.select_one("form[role=search]")
    assert form.select_one("label[for=search-input]") is not None
    assert form.select_one("input#search-input[type=search][name=q]") is not None
    sources = [s["src"] for s in page.select("script[src]")]
    assert sources == ["search-index.js", "../static/search.js"]
    script = (site / "static/search.js").read_text()
    assert "fetch(" not in script and "import(" not in script and "innerHTML" not in script
    assert page.select_one("#search-status[role=status]") is not None


def test_every_page_links_to_search(site):
    nav = parse_html(site / "briefings/plant-opens/index.html").select_one('nav[aria-label="Site"]')
    assert nav.select_one('a[href="../../search/index.html"]') is not None


def test_an_empty_library_gives_an_empty_index():
    assert index_data(search_index_script([]))["docs"] == []
    assert Library((), (), {}).tag("anything") is None


def test_the_index_is_its_documents_json_put_together_as_one_json_text():
    import json

    docs = [SearchDocument("Briefing", "Car \u201csales\u201d\u2028", "b/index.html", "A \u2029 summary", "x\ny \"z\"",
                           "May 4, 2024"), SearchDocument("Topic", "a", "a.html", "", "")]
    as_one = json.dumps({"version": 1, "docs": [d.as_json() for d in docs]}, ensure_ascii=False, sort_keys=True,
                        separators=(",", ":")).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    assert search_index_script(docs) == f"window.SEARCH_INDEX = {as_one};\n".encode()
    kept = {}
    assert search_index_script(docs, lambda d: kept.setdefault(d, document_json(d))) == search_index_script(docs)
    assert list(kept) == docs
