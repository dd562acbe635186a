"""Regenerate docs/screenshots/*.png from the real site: the default briefing, light, dark and on a phone,
and its first chart alone on a phone and on a laptop.

Usage: ``python scripts/screenshots.py [BRIEFING]`` (or ``make screenshots``), where BRIEFING is a
page's path in the site, e.g. ``briefings/kaluga-plant/index.html``; by default the first briefing
on the index page. Builds the repository's content into a temporary folder and opens it from ``file://``.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sitebrowser import REPO, build_default_site, chromium, default_briefing

OUT = REPO / "docs" / "screenshots"
MAX_HEIGHT = 1600

SHOTS = {
    "briefing-light": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
    "briefing-dark": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"},
    "briefing-mobile": {"viewport": {"width": 375, "height": 812}, "color_scheme": "light",
                        "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
}
# The briefing's first chart with axes alone, as drawn on a phone and on a laptop (interactive, once redrawn).
CHART_SHOTS = {
    "chart-mobile": {"viewport": {"width": 375, "height": 812}, "color_scheme": "light",
                     "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
    "chart-wide": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
}


def take_screenshots(site: Path, briefing: str, out: Path) -> list[Path]:
    """Write one PNG per entry of SHOTS, the top of the ``briefing`` page; returns their paths."""
    url = (site / briefing).as_uri()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with chromium() as browser:
        for name, options in SHOTS.items():
            context = browser.new_context(**options)
            page = context.new_page()
            page.goto(url, wait_until="networkidle")
            # Charts already in view turn interactive on load: wait for them, for a stable picture.
            page.wait_for_function("() => ![...document.querySelectorAll('figure.chart')]"
                                   ".some(f => f.dataset.interactive === 'loading')", timeout=30_000)
            height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
            width = options["viewport"]["width"]
            path = out / f"{name}.png"
            page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": width, "height": height}, full_page=True)
            written.append(path)
            context.close()
        for name, options in CHART_SHOTS.items():
            context = browser.new_context(**options)
            page = context.new_page()
            page.goto(url, wait_until="networkidle")
            figure = page.locator("figure.chart:has(.role-axis)").first  # a chart with axes: more to read than a map
            figure.scroll_into_view_if_needed()
            page.wait_for_function("f => ['ready', 'failed'].includes(f.dataset.interactive)",
                                   arg=figure.element_handle(), timeout=30_000)
            # From the chart's title to the bottom of the drawing (its notes and sources left out), in page pixels.
            box = figure.evaluate("f => { const a = f.getBoundingClientRect(), "
                                  "b = f.querySelector('.chart__svg').getBoundingClientRect(); "
                                  "return {x: a.left, y: a.top + scrollY, width: a.width, height: b.bottom - a.top + 8}; }")
            path = out / f"{name}.png"
            page.screenshot(path=str(path), clip=box, full_page=True)
            written.append(path)
            context.close()
    return written


def main(argv: list[str]) -> None:
    """Build the default site and write the screenshots."""
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        site = build_default_site(Path(tmp))
        briefing = argv[0] if argv else default_briefing(site)
        if not (site / briefing).is_file():
            raise SystemExit(f"no page {briefing} in the built site")
        for path in take_screenshots(site, briefing, OUT):
            print(path.relative_to(REPO))


if __name__ == "__main__":
    main(sys.argv[1:])
