"""The pages' Content-Security-Policy in Chromium (render/csp.py): the site keeps every rule of it from
disk, from a GitHub Pages sub-path and under ``briefing serve``, and it stops what a page should not load.

Each page is opened in a context that records every ``securitypolicyviolation`` event from the first
script on, and routes every request, so that one made to another host is seen (and refused) before it
leaves the machine.
"""
from __future__ import annotations

import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_builder.commands.serve import DevServer

from pages_server import serve_pages

from .conftest import BASE_PATH, Watch, link_or_copy, make_charts_interactive

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
INJECTED = ('<img alt="" src="https://tracker.example/pixel.gif">'
            '<link rel="stylesheet" href="https://cdn.example/theme.css">'
            '<script src="https://cdn.example/lib.js"></script>')


@dataclass
class Opened:
    """A page opened with its violations recorded and its requests to other hosts caught."""

    page: object
    watch: Watch
    foreign: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        """The policy violations the page has reported so far."""
        return self.page.evaluate("window.__violations")


@pytest.fixture
def open_guarded(browser):
    """``open_guarded(url)``: a page in a fresh context, as ``Opened``; closed after the test."""
    contexts = []

    def open_(url: str) -> Opened:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        context.add_init_script(RECORD_VIOLATIONS)
        parts = urlsplit(url)
        local = "file://" if parts.scheme == "file" else f"{parts.scheme}://{parts.netloc}/"
        opened = Opened(context.new_page(), Watch(local))

        def route(request_route) -> None:
            if request_route.request.url.startswith((local, "data:", "blob:")):
                request_route.continue_()
            else:  # it got past the page's policy: record it, and never let it reach the network
                opened.foreign.append(request_route.request.url)
                request_route.abort()

        context.route("**/*", route)
        opened.watch.attach(opened.page)
        opened.page.goto(url, wait_until="load")
        return opened

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("origin", ["file", "http"])
def test_every_kind_of_page_keeps_its_policy_from_disk_and_from_a_pages_sub_path(origin, site, site_url,
                                                                                   open_guarded):
    for path in site.one_of_each_kind():
        if path == "404.html" and origin == "file":
            continue  # its links are root-relative, for a server: opened from disk, its stylesheet is not found
        opened = open_guarded(site_url(origin, path))
        policy = opened.page.locator('meta[http-equiv="Content-Security-Policy"]')
        assert "default-src 'none'" in policy.get_attribute("content"), path
        if path == site.briefing:
            make_charts_interactive(opened.page)  # the vendored Vega bundle, run without eval or inline style
        if path.startswith("search/"):
            opened.page.fill("input[type=search]", "Kaluga")
            opened.page.wait_for_selector("#search-results li, .search-results li")
        assert opened.violations() == [], path
        assert opened.foreign == [], path
        if path != "404.html":  # whose own status is an error the console reports
            opened.watch.assert_clean()


def test_a_chart_redrawn_under_the_policy_answers_with_a_tooltip_styled_by_the_stylesheet(site, site_url,
                                                                                         open_guarded):
    opened = open_guarded(site_url("http", site.briefing))
    page = opened.page
    make_charts_interactive(page)
    marks = page.locator("figure.chart").first.locator(".vega-embed svg .role-mark path, "
                                                       ".vega-embed svg .role-mark rect")
    for mark in marks.all()[:20]:
        mark.hover(force=True)
        if page.locator("#vg-tooltip-element.visible").count():
            break
    tooltip = page.locator("#vg-tooltip-element.visible")
    assert tooltip.count() == 1 and tooltip.inner_text().strip()
    assert tooltip.evaluate("t => getComputedStyle(t).position") == "fixed"  # style.css, not an injected <style>
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert opened.violations() == []
    opened.watch.assert_clean()


@pytest.fixture(scope="module")
def injected_site(site, tmp_path_factory) -> Path:
    """A copy of the built site (hard links) with two pages added: the briefing with an image, a stylesheet and
    a script from other hosts put into its body, once with the page's policy and once with it taken out."""
    out = tmp_path_factory.mktemp("injected") / "site"
    shutil.copytree(site.out, out, copy_function=link_or_copy)
    page = (site.out / site.briefing).read_text(encoding="utf-8")
    at = page.index('<main id="main"')
    with_third_party = page[:at] + INJECTED + page[at:]
    folder = out / Path(site.briefing).parent
    (folder / "injected.html").write_text(with_third_party, encoding="utf-8")  # new files: no link is written to
    start = with_third_party.index('<meta http-equiv="Content-Security-Policy"')
    without = with_third_party[:start] + with_third_party[with_third_party.index(">", start) + 1:]
    (folder / "no-policy.html").write_text(without, encoding="utf-8")
    return out


@pytest.mark.parametrize("origin", ["file", "http"])
def test_an_image_stylesheet_and_script_from_other_hosts_put_into_a_page_never_leave_the_browser(
        origin, site, injected_site, open_guarded):
    folder = Path(site.briefing).parent.as_posix()
    with serve_pages(injected_site, BASE_PATH) as server:
        def url(name: str) -> str:
            path = f"{folder}/{name}"
            return (injected_site / path).as_uri() if origin == "file" else f"{server}{BASE_PATH}{path}"

        guarded = open_guarded(url("injected.html"))
        assert guarded.foreign == []  # the route saw no request to another host: none was made
        blocked = guarded.violations()
        assert "img-src https://tracker.example/pixel.gif" in blocked
        assert "style-src-elem https://cdn.example/theme.css" in blocked
        assert "script-src-elem https://cdn.example/lib.js" in blocked

        # The same page without its policy does send them: what the route records is what a page would send.
        unguarded = open_guarded(url("no-policy.html"))
        assert "https://tracker.example/pixel.gif" in unguarded.foreign
        assert unguarded.violations() == []


@pytest.mark.parametrize("origin", ["file", "http"])
def test_with_javascript_off_the_search_form_still_submits_to_its_own_page(origin, site, site_url, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        url = site_url(origin, "search/index.html")
        watch = Watch("file://" if origin == "file" else url[: url.index("/", len("http://"))] + "/")
        watch.attach(page)
        page.goto(url)
        page.fill("#search-input", "kaluga")
        with page.expect_navigation():
            page.press("#search-input", "Enter")  # form-action 'self': allowed, where 'none' was refused
        assert "search/index.html?q=kaluga" in page.url
        watch.assert_clean()
    finally:
        context.close()


FACTS = "content/facts/widgets.yaml"


def test_live_reload_fires_under_the_policy_and_the_error_overlay_shows(make_project, open_guarded):
    from playwright.sync_api import expect

    project = make_project()
    server = DevServer(project, port=0, quiet=True, stdout=io.StringIO(), stderr=io.StringIO())
    server.start()
    try:
        opened = open_guarded(server.url + "briefings/widget-outlook/index.html")
        imports = opened.page.locator('.briefing__body a.fact[data-fact="imports"]')
        expect(imports).to_have_text("992,200")
        facts = project.root / FACTS
        facts.write_text(facts.read_text(encoding="utf-8").replace("value: 992200", "value: 993300"),
                         encoding="utf-8")
        expect(imports).to_have_text("993,300", timeout=10_000)  # reloaded by the reload script, a file
        facts.write_text(facts.read_text(encoding="utf-8").replace("    value: 993300", "    value: [993300"),
                         encoding="utf-8")
        overlay = opened.page.locator("#briefing-error-overlay")
        expect(overlay).to_be_visible(timeout=10_000)
        assert overlay.evaluate("o => getComputedStyle(o).position") == "fixed"  # its style set by script: allowed
        assert opened.violations() == []
        assert opened.foreign == []
        assert opened.watch.requests_for("/__briefing/reload.js")
        opened.watch.assert_clean()
    finally:
        server.stop()
