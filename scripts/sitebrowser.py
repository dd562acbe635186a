"""What the scripts that look at the real site share: build it, serve it, open Debian Chromium.

Scripts run as ``python scripts/NAME.py``, so this module is importable as
``sitebrowser`` from any of them. The browser tests keep their own fixtures in
``tests/browser/conftest.py``.
"""
from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def build_default_site(workdir: Path) -> Path:
    """Build the repository's own content (a copy, so the repo is untouched) and return the output folder."""
    from site_builder.commands.build_command import build_site
    from site_builder.compute.project import Project

    project_root = workdir / "project"
    for name in ("content", "templates", "static"):
        shutil.copytree(REPO / name, project_root / name)
    project = Project.at(project_root, workdir / "site")
    build_site(project)
    return project.out


def default_briefing(site: Path) -> str:
    """The site-relative URL of the first briefing listed on the index page."""
    index = (site / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<li class="briefing-card">.*?<a href="([^"]+)"', index, re.S)
    if not match:
        raise SystemExit(f"{site / 'index.html'} lists no briefing")
    return match.group(1)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 on a free port for the duration of the block; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def chromium():
    """Debian's Chromium driven by Playwright, closed at the end of the block."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `make chromium` (as root) first")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
