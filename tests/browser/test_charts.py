"""Every chart readable on a phone and a laptop, light and dark, with JavaScript on and off.

For each chart of the default site and of the chart fixtures (``tests/fixtures/charts``, one of every
kind), as drawn in Chromium: every text at least 11 CSS px at 375 px wide and 12 px at 1280; no two texts
overlapping; no text crossing a coloured line (a direct label over another series' line, a label on a point
over its own line; grey context lines, which a highlighted chart draws everywhere, are set aside) or covering
a mark (a point, a map's dot, a bar); no text
outside the window or the chart; and no console warning or error (Vega warns in the
console, e.g. ``Infinite extent for field "x"``). One browser context per width, scheme and JavaScript
setting, each visiting every page with charts.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_builder.commands.build_command import build_site
from site_builder.compute.project import Project

from .conftest import make_charts_interactive

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MIN_SIZE = {375: 11.0, 1280: 12.0}

# Each visible text of the chart that the reader sees (the interactive one once it is drawn): its text, the
# size it is drawn at (its font size times the scale of the SVG on screen), and its box in the window.
CHART_TEXTS_JS = """
figure => {
  const svg = figure.querySelector('.chart__svg .vega-embed svg')
    || [...figure.querySelectorAll('.chart__svg svg')].find(s => s.getBoundingClientRect().width > 0);
  if (!svg) return {svg: null, texts: []};
  const visible = el => {
    for (let e = el; e && e !== svg; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.display === 'none' || style.visibility === 'hidden' || parseFloat(style.opacity) === 0) return false;
    }
    return true;
  };
  const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() && visible(t)).map(t => {
    const m = t.getScreenCTM();
    const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    const r = t.getBoundingClientRect();
    return {text: t.textContent.trim(), size: parseFloat(getComputedStyle(t).fontSize) * scale,
            box: [r.left, r.top, r.right, r.bottom]};
  });
  // The chart's coloured lines (grey context lines set aside), as points every pixel or so in the window.
  const grey = colour => { const c = colour.match(/[0-9]+/g); return c && c[0] === c[1] && c[1] === c[2]; };
  const lines = [...svg.querySelectorAll('g.mark-line path')].filter(p => visible(p)
      && p.getAttribute('stroke') && !grey(getComputedStyle(p).stroke)).map(p => {
    const m = p.getScreenCTM(), length = p.getTotalLength(), points = [];
    for (let at = 0; at <= length; at += 1) {
      const q = p.getPointAtLength(at);
      points.push([m.a * q.x + m.c * q.y + m.e, m.b * q.x + m.d * q.y + m.f]);
    }
    return {series: p.getAttribute('aria-label') || '', points};
  });
  // Markers (points and map dots) and bars, as boxes in the window (a shaded range, drawn under its label, is
  // a rect, not a bar).
  const marks = [...svg.querySelectorAll('g.mark-symbol path, [aria-roledescription="bar"]')].filter(p => visible(p)).map(p => {
    const b = p.getBoundingClientRect();
    return {what: p.getAttribute('aria-label') || '', box: [b.left, b.top, b.right, b.bottom]};
  });
  const r = svg.getBoundingClientRect();
  return {svg: [r.left, r.top, r.right, r.bottom], texts, lines, marks};
}
"""


def overlap(a: list[float], b: list[float]) -> float:
    """How far two boxes (left, top, right, bottom) overlap in their tighter direction, in px (<= 0: not at all)."""
    return min(min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


def chart_problems(name: str, drawn: dict, width: int) -> list[str]:
    """What is wrong with one chart as drawn: text too small, overlapping, cut off or outside the window."""
    if not drawn["svg"]:
        return [f"{name}: no chart drawn"]
    problems = []
    texts, svg = drawn["texts"], drawn["svg"]
    for t in texts:
        if t["size"] < MIN_SIZE[width] - 0.05:
            problems.append(f"{name}: {t['text']!r} drawn at {t['size']:.1f}px")
        left, top, right, bottom = t["box"]
        if left < -0.5 or right > width + 0.5:
            problems.append(f"{name}: {t['text']!r} outside the window ({left:.0f}..{right:.0f})")
        if left < svg[0] - 1 or right > svg[2] + 1 or top < svg[1] - 1 or bottom > svg[3] + 1:
            problems.append(f"{name}: {t['text']!r} cut off by the chart's edge")
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if overlap(a["box"], b["box"]) > 1:
                problems.append(f"{name}: {a['text']!r} overlaps {b['text']!r}")
    for t in texts:
        for line in drawn.get("lines", ()):
            if crosses(t["box"], line["points"]):
                series = line["series"].split("series: ")[-1].split(";")[0]
                problems.append(f"{name}: {t['text']!r} crosses the line of {series!r}")
        for mark in drawn.get("marks", ()):
            if overlap(t["box"], mark["box"]) > 1.5:
                problems.append(f"{name}: {t['text']!r} covers the mark of {mark['what'][:60]!r}")
    return problems


def crosses(box: list[float], points: list[list[float]], margin: float = 1.5) -> bool:
    """Whether a drawn line passes through a text's box (its glyphs' box, ``margin`` px in from each side)."""
    left, top, right, bottom = box[0] + margin, box[1] + margin, box[2] - margin, box[3] - margin
    return any(left < x < right and top < y < bottom for x, y in points)


def build_fixture_site(root: Path, fixture: str) -> Path:
    """A fixture's content, with the default theme, built into ``root``; returns the output folder."""
    shutil.copytree(FIXTURES / fixture / "content", root / "content")
    project = Project.at(root)
    build_site(project)
    return project.out


@pytest.fixture(scope="module")
def chart_pages(site, tmp_path_factory) -> list[Path]:
    """Every page with a chart: the default site's briefings and the chart fixtures' briefings."""
    pages = [site.out / path for path in site.briefings]
    # Monthly series read from a dataset; one chart of every kind; a map with places at its four edges.
    for fixture in ("data", "charts", "map-edges"):
        out = build_fixture_site(tmp_path_factory.mktemp(fixture) / "project", fixture)
        pages += sorted(out.glob("briefings/*/index.html"))
    return [p for p in pages if BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").select("figure.chart")]


@pytest.mark.parametrize("javascript", [False, True], ids=["static", "interactive"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_every_chart_is_legible_and_quiet(width, scheme, javascript, chart_pages, browser):
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900},
                                  java_script_enabled=javascript)
    console: list[str] = []
    problems: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("warning", "error") else None)
        page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
        for path in chart_pages:
            page.goto(path.as_uri(), wait_until="load")
            if javascript:
                make_charts_interactive(page)
            for figure in page.locator("figure.chart").all():
                name = f"{path.parent.name}#{figure.get_attribute('id')}"
                problems += chart_problems(name, figure.evaluate(CHART_TEXTS_JS), width)
            problems += [f"{path.parent.name}: console {line}" for line in console]
            console.clear()
    finally:
        context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])



# How much of its drawing's width a map's countries cover, and their shape (width over height).
COUNTRIES_JS = """svgs => svgs.filter(s => s.getBoundingClientRect().width > 0
    && s.querySelector('[aria-roledescription="geoshape"]')).map(s => {
  const boxes = [...s.querySelectorAll('[aria-roledescription="geoshape"]')].map(p => p.getBoundingClientRect());
  const left = Math.min(...boxes.map(b => b.left)), right = Math.max(...boxes.map(b => b.right));
  const top = Math.min(...boxes.map(b => b.top)), bottom = Math.max(...boxes.map(b => b.bottom));
  return [(right - left) / s.getBoundingClientRect().width, (right - left) / (bottom - top)];
})"""


@pytest.mark.parametrize("width", [375, 1280])
def test_a_map_redrawn_for_the_column_keeps_its_shape(width, chart_pages, browser):
    # Redrawn wider than its artboard at the same height, a map's region was fitted inside a wider box, with
    # sea at both sides; its height now grows with its width, as the static SVG's does when it is scaled.
    # The static drawing is measured with JavaScript off: with it on, a chart in view on load is redrawn at once.
    still = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        still_page, page = still.new_page(), context.new_page()
        for path in [p for p in chart_pages if p.parent.name in ("a-map", "russia", "kaluga-plant")]:
            still_page.goto(path.as_uri(), wait_until="load")
            static = still_page.eval_on_selector_all("figure.chart .chart__art svg", COUNTRIES_JS)
            page.goto(path.as_uri(), wait_until="load")
            make_charts_interactive(page)
            drawn = page.eval_on_selector_all("figure.chart .vega-embed svg", COUNTRIES_JS)
            assert static and len(drawn) == len(static), path
            for (static_cover, static_shape), (cover, shape) in zip(static, drawn):
                assert cover > 0.97 * static_cover and abs(shape / static_shape - 1) < 0.03, \
                    (path.parent.name, static_cover, static_shape, cover, shape)
    finally:
        context.close()
        still.close()
