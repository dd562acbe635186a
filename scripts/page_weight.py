"""Print the page weight of the default briefing in one line: bytes transferred on load, and after the
reader has scrolled through every chart (which loads the interactive Vega bundle).

Usage: ``python scripts/page_weight.py`` (``make bench`` runs it). Builds the repository's content into a
temporary folder and serves it over http on 127.0.0.1, so that the browser counts real transfers.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sitebrowser import build_default_site, chromium, default_briefing, serve_folder

# Everything the browser fetched for the page, as the Resource Timing API counts it (headers included).
TRANSFERRED_JS = """() => {
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return {bytes: entries.reduce((sum, e) => sum + e.transferSize, 0), requests: entries.length};
}"""


@dataclass(frozen=True)
class PageWeight:
    """Bytes and requests of one page, before and after its charts turned interactive."""

    load_bytes: int
    load_requests: int
    charts: int
    interactive_bytes: int
    interactive_requests: int

    def line(self, name: str) -> str:
        """The one-line summary that ``make bench`` prints."""
        return (f"page_weight {name}: {self.load_bytes / 1000:,.1f} kB in {self.load_requests} requests on load; "
                f"{self.interactive_bytes / 1000:,.1f} kB in {self.interactive_requests} requests "
                f"after scrolling through its {self.charts} chart(s)")


def measure_page_weight(browser, url: str) -> PageWeight:
    """Open ``url`` in a fresh context, count what it transferred, scroll every chart into view, count again."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        on_load = page.evaluate(TRANSFERRED_JS)
        figures = page.locator("figure.chart")
        for i in range(figures.count()):
            figures.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("() => [...document.querySelectorAll('figure.chart')]"
                               ".every(f => ['ready', 'failed'].includes(f.dataset.interactive))", timeout=30_000)
        page.wait_for_load_state("networkidle")
        after = page.evaluate(TRANSFERRED_JS)
        return PageWeight(on_load["bytes"], on_load["requests"], figures.count(), after["bytes"], after["requests"])
    finally:
        context.close()


def main() -> None:
    """Build the default site, serve it, and print its briefing's weight."""
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        site = build_default_site(Path(tmp))
        briefing = default_briefing(site)
        with serve_folder(site) as base, chromium() as browser:
            print(measure_page_weight(browser, base + briefing).line(briefing))


if __name__ == "__main__":
    main()
