"""The briefing library in Chromium: offline search from file://, glossary terms by keyboard, library pages."""
from __future__ import annotations

import pytest

LIBRARY_PAGES = ["search/index.html", "glossary/index.html", "tags/index.html", "tags/russia/index.html",
                 "timeline/index.html"]


@pytest.mark.parametrize("origin", ["file", "http"])
def test_search_finds_briefings_and_terms_offline(origin, site, site_url, open_page):
    visit = open_page(site_url(origin, "search/index.html"))
    page = visit.page
    page.fill("#search-input", "Minpromtorg")
    page.wait_for_selector(".search-result")
    titles = page.locator(".search-result h2 a").all_inner_texts()
    assert "Ministry of Industry and Trade (Minpromtorg)" in titles
    assert "Kaluga's former Peugeot-Citroën plant gets ready to restart" in titles
    assert "result" in page.locator("#search-status").inner_text()
    page.get_by_role("link", name="Ministry of Industry and Trade (Minpromtorg)").click()
    page.wait_for_load_state("load")
    assert page.url == site_url(origin, "glossary/index.html") + "#term-ministry-of-industry-and-trade"
    visit.watch.assert_clean()


def test_search_reads_the_query_from_the_address_and_ignores_accents(site, site_url, open_page):
    visit = open_page(site_url("file", "search/index.html") + "?q=citroen+aircross")
    page = visit.page
    page.wait_for_selector(".search-result")
    assert page.locator("#search-input").input_value() == "citroen aircross"
    first = page.locator(".search-result").first
    assert first.locator("mark").count() >= 1
    assert "What happened next at Kaluga" in page.locator(".search-result h2 a").all_inner_texts()
    page.fill("#search-input", "zzzznothing")
    # A function, not an expression: Playwright evaluates an expression with eval, which the pages' CSP forbids.
    page.wait_for_function("() => document.getElementById('search-status').textContent.startsWith('No results')")
    assert page.locator(".search-result").count() == 0
    visit.watch.assert_clean()


def test_a_glossary_term_is_reachable_by_keyboard_and_described_by_its_definition(site, site_url, open_page):
    page = open_page(site_url("file", site.briefing)).page
    term = page.locator(".briefing__body a.term").first
    described = term.evaluate("a => document.getElementById(a.getAttribute('aria-describedby')).textContent")
    assert "Moscow" in described  # Kaluga's definition
    term.focus()
    assert page.evaluate("document.activeElement.classList.contains('term')")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash === '#term-kaluga'")
    entry = page.locator("#term-kaluga")
    assert entry.is_visible()
    assert entry.locator("dfn").inner_text() == "Kaluga"


@pytest.mark.parametrize("path", LIBRARY_PAGES)
def test_library_pages_load_cleanly_from_file_and_link_within_the_site(path, site, site_url, open_page):
    visit = open_page(site_url("file", path))
    hrefs = visit.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    internal = [h for h in hrefs if h.startswith("file://")]
    assert internal and all(h.startswith(site_url("file", "")) for h in internal)
    visit.watch.assert_clean()
