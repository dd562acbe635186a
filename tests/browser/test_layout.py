"""Layout a reader sees: on a phone and a laptop, in dark mode, and on paper."""
from __future__ import annotations

import re

import pytest

WIDTHS = [375, 1280]


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def open_every_data_table(page) -> None:
    """Expand each chart's data table, as a reader who wants the numbers would."""
    page.eval_on_selector_all("details", "ds => ds.forEach(d => { d.open = true; })")


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(width, site, site_url, open_page):
    wide = []
    for path in site.one_of_each_kind(every_briefing=True):
        if path == "404.html":
            continue
        visit = open_page(site_url("file", path), width=width)
        open_every_data_table(visit.page)
        if horizontal_overflow(visit.page) > 0:
            wide.append(f"{path}: {horizontal_overflow(visit.page)}px too wide")
        visit.watch.assert_clean()
        visit.page.context.close()
    assert not wide, "\n".join(wide)


@pytest.mark.parametrize("width", WIDTHS)
def test_briefing_fits_the_window_with_static_and_interactive_charts(width, site, site_url, open_page, interactive):
    visit = open_page(site_url("file", site.briefing), width=width)
    page = visit.page
    open_every_data_table(page)
    assert horizontal_overflow(page) <= 0
    column = page.locator("main").bounding_box()
    for svg in page.locator("figure.chart .chart__svg svg >> visible=true").all():
        box = svg.bounding_box()
        assert box["width"] > 0.8 * (column["width"] - 32), "the chart should use the column's width"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, "the chart sticks out of the window"
    # Data tables wider than a phone scroll inside their own box rather than widening the page.
    for scroller in page.locator(".table-scroll").all():
        box = scroller.bounding_box()
        assert box["x"] + box["width"] <= width
        assert scroller.evaluate("el => getComputedStyle(el).overflowX") == "auto"

    interactive(page)
    assert horizontal_overflow(page) <= 0
    for svg in page.locator("figure.chart .vega-embed svg").all():
        box = svg.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, "the interactive chart sticks out"
    visit.watch.assert_clean()


def test_phone_text_is_large_enough_to_read(site, site_url, open_page):
    page = open_page(site_url("file", site.briefing), width=375, height=812).page
    sizes = page.eval_on_selector_all(
        "main p, main li, main dd, main summary",
        "els => els.filter(e => e.offsetParent).map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= 12, f"the smallest text is {min(sizes)}px"


# The size at which each chart's text is drawn: its font size times the scale of its SVG in the page.
CHART_TEXT_SIZES_JS = """
figure => {
  const svg = figure.querySelector('.chart__svg svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() && getComputedStyle(t).opacity !== '0')
    .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
}
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_interactive_charts_keep_their_text_size_in_a_narrow_column(width, site, site_url, open_page, interactive):
    # The static SVG shrinks as a whole to fit the column; the interactive chart is laid out for it instead.
    page = open_page(site_url("file", site.briefing), width=width).page
    interactive(page)
    for figure in page.locator("figure.chart").all():
        sizes = figure.evaluate(CHART_TEXT_SIZES_JS)
        assert sizes and min(sizes) >= 10.5, f"chart text drawn at {min(sizes):.1f}px at {width}px wide"
        box = figure.locator(".chart__svg svg").bounding_box()
        assert box["x"] + box["width"] <= width


def relative_luminance(css_colour: str) -> float:
    """The WCAG luminance of a computed ``rgb(...)`` colour."""
    values = [int(float(v)) for v in css_colour[css_colour.index("(") + 1:-1].split(",")[:3]]
    linear = [(c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("name", ["index", "briefing"])
def test_dark_mode_darkens_the_page_and_lightens_its_text(name, site, site_url, open_page):
    light = open_page(site_url("file", site.pages[name]), color_scheme="light").page
    dark = open_page(site_url("file", site.pages[name]), color_scheme="dark").page
    for page, background_dark in ((light, False), (dark, True)):
        background = relative_luminance(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        text = relative_luminance(page.evaluate("getComputedStyle(document.querySelector('main p')).color"))
        assert (background < text) == background_dark
    # Charts are re-coloured for the dark page (their contrast is measured in test_accessibility.py).
    if name == "briefing":
        assert dark.evaluate("getComputedStyle(document.querySelector('.chart__svg svg')).filter") != "none"
        assert light.evaluate("getComputedStyle(document.querySelector('.chart__svg svg')).filter") == "none"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_briefing_prints_on_letter_paper_without_navigation(scheme, site, site_url, open_page):
    visit = open_page(site_url("file", site.briefing), color_scheme=scheme)
    page = visit.page
    page.emulate_media(media="print", color_scheme=scheme)
    assert not page.locator(".site-header nav").is_visible()
    assert not page.locator(".chart__downloads").first.is_visible()
    assert page.locator("figure.chart .chart__svg svg").first.is_visible()
    assert page.locator("main h1").is_visible()
    # Black text on white paper even when the reader's screen is dark.
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.querySelector('.chart__svg svg')).filter") == "none"
    pdf = page.pdf(format="Letter", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [0 0 612 792]" in pdf, "the pages are not US Letter"
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 2, "the whole briefing on one page?"
    visit.watch.assert_clean()
