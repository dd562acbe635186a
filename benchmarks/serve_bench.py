"""How fast ``briefing serve`` rebuilds: printed figures, not a test.

Run ``python benchmarks/serve_bench.py [--root DIR] [--runs N]``. It copies the
project's content/, templates/ and static/ (default: this repository's) into a
temporary folder, so nothing of the real project is touched, then reports:

* the first build of a SiteBuilder (a fresh process: imports, charts from the disk cache when warm);
* a no-op rebuild (nothing changed: the figure an author pays on every save that changes nothing);
* a rebuild after editing one fact that a chart draws (the page, the chart's SVG and data are redone);
* the same edit end to end through the dev server: from saving the file to the new site being served;
* with ``--browser`` (needs /usr/bin/chromium): from saving the file to an open page having reloaded
  itself and shown the new value (the whole authoring loop, including server-sent events and the reload).
"""
from __future__ import annotations

import argparse
import gc
import io
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # runnable from a checkout without installing
    sys.path.insert(0, str(REPO))

from site_builder.build import SiteBuilder  # noqa: E402
from site_builder.compute.project import Project, load_content  # noqa: E402
from site_builder.commands.serve import DevServer  # noqa: E402


def copy_project(source: Path, dest: Path) -> Project:
    """A throwaway copy of the project at ``source`` (with its chart cache, when it has one)."""
    for name in ("content", "templates", "static", ".briefing-cache"):
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name)
    return Project.at(dest)


def charted_fact(project: Project) -> tuple[Path, int, float]:
    """A typed, numeric fact that a chart draws: its file, the line of its ``value:`` and the value."""
    content = load_content(project)
    drawn = {fid for chart in content.charts.values() for fid in chart.fact_ids()}
    for fact in content.facts.values():
        if fact.id in drawn and fact.derive is None and isinstance(fact.value, (int, float)):
            path = project.root / fact.origin.path
            lines = path.read_text(encoding="utf-8").splitlines()
            for number in range(fact.origin.line - 1, len(lines)):
                if re.match(r"^\s*value:\s*-?[\d.]+\s*$", lines[number]):
                    return path, number, float(fact.value)
    raise SystemExit("no numeric fact drawn in a chart: nothing to edit")


def set_value(path: Path, line: int, value: float) -> None:
    """Rewrite the ``value:`` on ``line`` of ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    indent = lines[line][: len(lines[line]) - len(lines[line].lstrip())]
    lines[line] = f"{indent}value: {int(value) if value == int(value) else value!r}\n"
    path.write_text("".join(lines), encoding="utf-8")


def timed_ms(action) -> float:
    """How long ``action()`` takes, in milliseconds."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def measure(root: Path, runs: int = 10, browser: bool = False) -> dict[str, float]:
    """The figures, in milliseconds (medians over ``runs``), for the project at ``root``."""
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        project = copy_project(root, Path(tmp))
        builder = SiteBuilder(project, "/", serving=True)  # as briefing serve makes it
        figures = {"first build": timed_ms(builder.build)}
        gc.freeze()  # as briefing serve does after each build (serve.DevServer._watch)
        figures["no-op rebuild"] = statistics.median(timed_ms(builder.build) for _ in range(runs))
        path, line, value = charted_fact(project)
        edits = []
        for step in range(1, runs + 1):  # a new value every time: the SVG cache cannot help
            set_value(path, line, value + step)
            edits.append(timed_ms(builder.build))
            gc.freeze()
        figures["one-fact edit rebuild"] = statistics.median(edits)
        figures["edit to served (dev server)"] = _edit_to_served(project, path, line, value + runs, min(runs, 5))
        if browser:
            figures["edit to reloaded page (browser)"] = _edit_to_reloaded(project, path, line, value + 2 * runs,
                                                                         min(runs, 5))
        return figures


def _edit_to_served(project: Project, path: Path, line: int, value: float, runs: int) -> float:
    server = DevServer(project, port=0, quiet=True, stdout=io.StringIO(), stderr=io.StringIO())
    server.start()
    try:
        times = []
        for step in range(1, runs + 1):
            before = server.status.site
            started = time.perf_counter()
            set_value(path, line, value + step)
            status = server.wait_for(lambda s: s.site != before or bool(s.errors), timeout=30)
            if status.site == before:
                raise SystemExit(f"the dev server did not rebuild: {status.errors}")
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)
    finally:
        server.stop()


def _edit_to_reloaded(project: Project, path: Path, line: int, value: float, runs: int) -> float:
    from playwright.sync_api import sync_playwright

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    server = DevServer(project, port=0, quiet=True, stdout=io.StringIO(), stderr=io.StringIO())
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
            page = browser.new_page()
            page.goto(server.url + _page_showing(project, path, line))
            page.wait_for_timeout(300)  # let the page open its event stream
            times = []
            for step in range(1, runs + 1):
                started = time.perf_counter()
                with page.expect_navigation(wait_until="load", timeout=30_000):  # the page reloads itself
                    set_value(path, line, value + step)
                times.append((time.perf_counter() - started) * 1000)
                page.wait_for_timeout(300)
            browser.close()
        return statistics.median(times)
    finally:
        server.stop()


def _page_showing(project: Project, path: Path, line: int) -> str:
    content = load_content(project)
    fact = next(f for f in content.facts.values()
                if project.root / f.origin.path == path and f.origin.line <= line + 1)
    for briefing in content.briefings:
        if fact.id in briefing.body or any(fact.id in content.charts[c].fact_ids() for c in content.charts
                                           if c == briefing.meta.hero_chart or f'"{c}"' in briefing.body):
            return f"briefings/{briefing.slug}/index.html"
    return "index.html"


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="project to measure (default: this repository)")
    parser.add_argument("--runs", type=int, default=10, help="repetitions per figure (default 10)")
    parser.add_argument("--browser", action="store_true", help="also time the reload of an open page in Chromium")
    args = parser.parse_args(argv)
    figures = measure(args.root.resolve(), max(args.runs, 1), args.browser)
    print(f"briefing serve, {args.root.resolve()} (medians of {args.runs} runs)")
    for name, ms in figures.items():
        print(f"  {name:<30} {ms:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
