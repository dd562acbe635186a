"""Page weight: the briefing is complete without JavaScript, and the ~1 MB Vega bundle loads only when a
reader reaches a chart."""
from __future__ import annotations

import importlib

import pytest
from bs4 import BeautifulSoup

from .conftest import REPO

BUNDLE = "static/vendor/vega-embed.js"


def test_briefing_shows_its_charts_and_data_without_javascript(site, site_url, open_page):
    visit = open_page(site_url("file", site.briefing), javascript=False)
    page = visit.page
    svgs = page.locator("figure.chart .chart__art > svg >> visible=true").all()
    assert svgs
    for svg in svgs:
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50
    summary = page.locator("details.chart__table summary").first
    summary.click()
    assert page.locator("details.chart__table").first.locator("tbody tr").first.is_visible()
    assert not visit.watch.requests_for(BUNDLE)
    visit.watch.assert_clean()


def test_no_page_loads_the_vega_bundle_with_a_script_tag(site):
    for path in site.pages.values():
        html = BeautifulSoup((site.out / path).read_text(encoding="utf-8"), "html.parser")
        sources = [tag["src"] for tag in html.select("script[src]")]
        assert not [src for src in sources if "vendor" in src or "vega" in src], path
        for tag in html.select("script[src]"):
            assert tag.has_attr("defer") or tag.has_attr("async"), f"{path}: {tag['src']} blocks rendering"


def test_vega_bundle_is_requested_once_and_only_when_a_chart_nears_the_window(site, site_url, open_page):
    visit = open_page(site_url("http", site.briefing), height=900)
    page = visit.page
    first_chart_top = page.locator("figure.chart").first.bounding_box()["y"]
    assert first_chart_top > 900 + 200, "the test needs the first chart below the fold; make the window shorter"
    page.wait_for_load_state("networkidle")
    assert not visit.watch.requests_for(BUNDLE), "the bundle loaded before any chart was in view"

    with page.expect_request(lambda request: request.url.endswith(BUNDLE)):
        page.locator("figure.chart").first.scroll_into_view_if_needed()
    for figure in page.locator("figure.chart").all():
        figure.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('figure.chart')]"
                           ".every(f => f.dataset.interactive === 'ready')")
    assert len(visit.watch.requests_for(BUNDLE)) == 1
    visit.watch.assert_clean()


@pytest.fixture
def page_weight(monkeypatch: pytest.MonkeyPatch):
    """``scripts/page_weight.py`` as a module (scripts import their neighbours by name)."""
    monkeypatch.syspath_prepend(str(REPO / "scripts"))
    return importlib.import_module("page_weight")


def test_page_weight_counts_the_bundle_only_after_scrolling(page_weight, browser, site, site_url):
    weight = page_weight.measure_page_weight(browser, site_url("http", site.briefing))
    bundle = (site.out / BUNDLE).stat().st_size
    html = (site.out / site.briefing).stat().st_size
    assert html < weight.load_bytes < bundle, "the bundle must not count towards the weight on load"
    assert weight.interactive_bytes >= weight.load_bytes + bundle
    assert weight.interactive_requests == weight.load_requests + 1
    assert weight.line(site.briefing).startswith(f"page_weight {site.briefing}: ")
