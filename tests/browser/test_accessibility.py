"""Accessibility as a reader with assistive technology meets it: axe-core on every page in light and dark,
colour contrast of the charts' own text and marks, keyboard use and landmarks."""
from __future__ import annotations

import pytest

AXE_OPTIONS = {
    "resultTypes": ["violations"],
    # axe re-downloads the stylesheets to inspect them; from file:// Chromium refuses that and logs an error.
    "preload": False,
}


def axe_violations(page) -> str:
    """axe-core's report of every violation on the page, or "" when there is none."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_report() if results.violations_count else ""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("origin", ["file", "http"])
def test_every_kind_of_page_has_no_axe_violations(origin, scheme, site, site_url, open_page):
    # From file://, one page of each kind and every briefing; over http (which changes no colour or markup,
    # only how pages load) the main ones and the 404 page, which links root-relative to be served at any depth.
    if origin == "file":
        pages = [path for path in site.one_of_each_kind(every_briefing=True) if path != "404.html"]
    else:
        pages = list(site.pages.values())
    assert {"index.html", site.briefing, "sources/index.html"} <= set(pages)
    failures = []
    for path in pages:
        visit = open_page(site_url(origin, path), color_scheme=scheme,
                          expected_status=404 if path == "404.html" else None)
        assert visit.page.locator("main h1").count() == 1, path
        report = axe_violations(visit.page)
        if report:
            failures.append(f"{origin} {path} ({scheme}):\n{report}")
        visit.watch.assert_clean()
        visit.page.context.close()
    assert not failures, "\n".join(failures)


def test_axe_reports_a_violation_when_there_is_one(tmp_path, open_page):
    # The checks above pass only if axe finds nothing: show that it runs and finds an image without text.
    page = tmp_path / "bad.html"
    page.write_text("<!doctype html><html lang=en><title>bad</title><main><h1>Bad</h1>"
                    "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='></main></html>", encoding="utf-8")
    report = axe_violations(open_page(page.as_uri()).page)
    assert "image-alt" in report


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_briefing_with_interactive_charts_has_no_axe_violations(scheme, site, site_url, open_page, interactive):
    visit = open_page(site_url("http", site.briefing), color_scheme=scheme)
    interactive(visit.page)
    visit.page.locator("details.chart__table summary").first.click()
    report = axe_violations(visit.page)
    assert not report, report
    visit.watch.assert_clean()


# The colours a reader sees: each chart's text and marks, after the page's CSS filter (dark mode), against
# what shows behind them (the chart's own background, drawn or CSS, or else the page's).
# The filter is reproduced on a 1x1 canvas, which Chromium filters with the same code as elements.
CHART_COLOURS_JS = """
figure => {
  const svg = figure.querySelector('.chart__svg svg');
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const filter = getComputedStyle(svg).filter;
  const paint = (colour, filtered) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.filter = filtered && filter !== 'none' ? filter : 'none';
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, 1, 1);
    return Array.from(ctx.getImageData(0, 0, 1, 1).data);
  };
  const opaque = colour => colour !== 'none' && paint(colour, false)[3] === 255;
  let background = null;
  const backdrop = svg.querySelector(':scope > rect');
  if (backdrop && opaque(getComputedStyle(backdrop).fill)) background = paint(getComputedStyle(backdrop).fill, true);
  if (!background && opaque(getComputedStyle(svg).backgroundColor)) {
    background = paint(getComputedStyle(svg).backgroundColor, true);
  }
  for (let el = svg.parentElement; !background && el; el = el.parentElement) {
    const colour = getComputedStyle(el).backgroundColor;
    if (opaque(colour)) background = paint(colour, false);
  }
  background = background || [255, 255, 255, 255];
  const shown = el => {
    for (let node = el; node && node !== svg; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.opacity === '0' || style.display === 'none' || style.visibility === 'hidden') return false;
    }
    return true;
  };
  const items = [];
  for (const text of svg.querySelectorAll('text')) {
    if (!text.textContent.trim() || !shown(text)) continue;
    items.push({kind: 'text', what: text.textContent.trim(), colours: [paint(getComputedStyle(text).fill, true)]});
  }
  const marks = svg.querySelectorAll('.role-mark :is(path, rect, line, circle), .role-legend-symbol path');
  for (const mark of marks) {
    // A layer drawn with aria: false (a map's sea) is declared decorative: no data is read from it.
    if (!shown(mark) || mark.closest('[aria-hidden="true"]')) continue;
    const style = getComputedStyle(mark);
    const colours = [style.stroke, style.fill].filter(opaque).map(c => paint(c, true));
    if (colours.length) items.push({kind: 'mark', what: mark.closest('[class*=role-]').getAttribute('class'), colours});
  }
  return {background, items};
}
"""


def luminance(rgb: list[int]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[int], b: list[int]) -> float:
    """WCAG contrast ratio between two colours."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("state", ["static", "interactive"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chart_text_and_marks_keep_aa_contrast(scheme, state, site, site_url, open_page, interactive):
    visit = open_page(site_url("file", site.briefing), color_scheme=scheme, javascript=state == "interactive")
    if state == "interactive":
        interactive(visit.page)
    figures = visit.page.locator("figure.chart").all()
    assert figures
    low = []
    for figure in figures:
        seen = figure.evaluate(CHART_COLOURS_JS)
        texts = [item for item in seen["items"] if item["kind"] == "text"]
        assert len(texts) >= 3, "a chart without axis labels or legend?"
        for item in seen["items"]:
            # WCAG 1.4.3: text 4.5:1 (chart text is small); 1.4.11: graphical objects 3:1.
            needed = 4.5 if item["kind"] == "text" else 3.0
            best = max(contrast(colour, seen["background"]) for colour in item["colours"])
            if best < needed:
                low.append(f"{item['kind']} {item['what']!r}: {best:.2f} < {needed} "
                           f"({item['colours']} on {seen['background']})")
    assert not low, "\n".join(low)
    visit.watch.assert_clean()


def test_skip_link_is_the_first_tab_stop_and_moves_focus_into_main(site, site_url, open_page):
    page = open_page(site_url("file", site.briefing)).page
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to content"
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off-screen"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), \
        "after the skip link, Tab should go to the first link in the main content"


def test_keyboard_focus_is_visible_and_opens_the_chart_data_table(site, site_url, open_page):
    page = open_page(site_url("file", site.briefing)).page
    summary = page.locator("details.chart__table summary").first
    table = page.locator("details.chart__table").first.locator("table")
    assert not table.is_visible()
    summary.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")  # arrive by keyboard, so that :focus-visible applies
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "the focused element shows no focus outline"
    page.keyboard.press("Enter")
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 1


def test_every_kind_of_page_has_the_landmarks_a_screen_reader_lists(site, site_url, open_page):
    for path in site.one_of_each_kind():
        if path == "404.html":
            continue
        page = open_page(site_url("file", path)).page
        assert page.get_by_role("banner").count() == 1, path
        assert page.get_by_role("main").count() == 1, path
        assert page.get_by_role("contentinfo").count() == 1, path
        assert page.get_by_role("navigation", name="Site").count() == 1, path
        assert page.locator("html").get_attribute("lang"), path
        assert page.get_by_role("heading", level=1).count() == 1, path
        page.context.close()
