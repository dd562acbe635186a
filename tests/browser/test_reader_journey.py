"""A reader opens the site, follows the link to the briefing, reads its charts, scrolls, and they turn interactive."""
from __future__ import annotations

import pytest


def visible_size(locator) -> tuple[float, float]:
    """The rendered width and height of the element, (0, 0) when it is not rendered."""
    box = locator.bounding_box()
    return (box["width"], box["height"]) if box else (0, 0)


@pytest.mark.parametrize("origin", ["file", "http"])
def test_reader_goes_from_the_index_to_the_briefing_and_its_charts_turn_interactive(
        origin, site, site_url, open_page, interactive):
    visit = open_page(site_url(origin, "index.html"))
    page = visit.page
    page.locator(f'.briefing-card a[href="{site.briefing}"]').click()
    page.wait_for_load_state("load")
    assert page.url == site_url(origin, site.briefing)

    charts = page.locator("figure.chart .chart__art > svg >> visible=true")
    chart_count = charts.count()
    assert chart_count >= 1
    for svg in charts.all():
        width, height = visible_size(svg)
        assert width > 100 and height > 50, f"a chart is not visible: {width}x{height}"

    interactive(page)
    redrawn = page.locator("figure.chart[data-interactive=ready] .chart__svg .vega-embed svg")
    assert redrawn.count() == chart_count
    for svg in redrawn.all():
        width, height = visible_size(svg)
        assert width > 100 and height > 50, f"an interactive chart is not visible: {width}x{height}"
    assert len(visit.watch.requests_for("static/vendor/vega-embed.js")) == 1
    visit.watch.assert_clean()


def test_interactive_chart_shows_a_tooltip_on_hover(site, site_url, open_page, interactive):
    page = open_page(site_url("http", site.briefing)).page
    interactive(page)
    figure = page.locator("figure.chart").first
    figure.scroll_into_view_if_needed()
    marks = figure.locator(".vega-embed svg .role-mark path, .vega-embed svg .role-mark rect")
    assert marks.count() > 0
    # Hover each mark's centre until one answers with a tooltip (points on a line are small targets).
    for mark in marks.all()[:20]:
        mark.hover(force=True)
        tooltip = page.locator("#vg-tooltip-element.visible")
        if tooltip.count():
            assert tooltip.inner_text().strip()
            return
    pytest.fail("no mark of the first chart showed a tooltip on hover")


def test_the_watch_catches_what_a_reader_should_not_see(tmp_path, open_page):
    # The checks above pass only if nothing is caught: show that each kind of problem would be.
    page = tmp_path / "bad.html"
    page.write_text("<!doctype html><html lang=en><title>bad</title>"
                    "<img alt='' src='missing.png'><img alt='' src='http://127.0.0.1:9/elsewhere.png'>"
                    "<script>console.error('broken on purpose')</script></html>", encoding="utf-8")
    visit = open_page(page.as_uri())
    visit.page.wait_for_load_state("networkidle")
    with pytest.raises(AssertionError) as caught:
        visit.watch.assert_clean()
    report = str(caught.value)
    assert "console: broken on purpose" in report
    assert "failed request: " + (tmp_path / "missing.png").as_uri() in report
    assert "request off the site: http://127.0.0.1:9/elsewhere.png" in report
