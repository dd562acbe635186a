"""Fixtures for the tests that open the real site in Debian Chromium through Playwright.

One browser for the whole session, one freshly built copy of the repository's
default site, served from ``file://`` and over http on 127.0.0.1 (under the
sub-path of its base URL, the way GitHub Pages serves a project site). Every
page is opened through ``open_page``, which watches what the reader's browser
does: console errors, uncaught exceptions, failed requests and requests that
leave the site.

Without /usr/bin/chromium the tests are skipped with the reason, except in CI
(``CI=true``), where a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from site_builder.commands.build_command import build_site
from site_builder.compute.project import Project

from pages_server import serve_pages

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The site is built for a project sub-path, so that root-relative links (404.html) are exercised too.
BASE_URL = "https://example.org/briefings/"
BASE_PATH = urlsplit(BASE_URL).path
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip the test when a tool is missing on a developer's machine; fail in CI, where it must be there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as a browser test (``pytest -m 'not browser'`` leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def link_or_copy(source: str, dest: str) -> None:
    """Hard-link ``source`` to ``dest``, copying when they are on different file systems."""
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


@dataclass(frozen=True)
class BuiltSite:
    """The default site, built into a temporary folder, and where its pages are."""

    out: Path
    briefing: str  # the default briefing's path in the output, e.g. "briefings/kaluga-plant/index.html"

    @property
    def pages(self) -> dict[str, str]:
        """The pages the tests name, by name: their paths in the output."""
        return {"index": "index.html", "briefing": self.briefing, "sources": "sources/index.html",
                "404": "404.html"}

    @property
    def all_pages(self) -> list[str]:
        """Every HTML page of the site, by its path in the output."""
        return sorted(p.relative_to(self.out).as_posix() for p in self.out.rglob("*.html"))

    @property
    def briefings(self) -> list[str]:
        """Every briefing page."""
        return [path for path in self.all_pages if path.startswith("briefings/")]

    def one_of_each_kind(self, every_briefing: bool = False) -> list[str]:
        """One page made by each template ("tags/x/index.html" stands for every tag page); the default
        briefing for the briefings, or all of them with ``every_briefing``, since their content differs most."""
        kinds: dict[str, str] = {}
        for path in self.all_pages:
            parts = path.split("/")
            kinds.setdefault("/".join(parts[:-2] + ["*"]) if len(parts) > 2 else path, path)
        kinds["briefings/*"] = self.briefing
        chosen = sorted(kinds.values())
        return sorted(set(chosen) | set(self.briefings)) if every_briefing else chosen


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The repository's own content, templates and static files, built once for the session."""
    root = tmp_path_factory.mktemp("default-site") / "project"
    for name in ("content", "templates", "static"):
        shutil.copytree(REPO / name, root / name)
    if (REPO / ".briefing-cache").is_dir():  # rendered charts, when a build has left them: saves seconds
        shutil.copytree(REPO / ".briefing-cache", root / ".briefing-cache", copy_function=link_or_copy)
    project = Project.at(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1710504000")
        build_site(project, BASE_URL)
    index = BeautifulSoup((project.out / "index.html").read_text(encoding="utf-8"), "html.parser")
    # The seed briefing, whose page has every feature (hero chart, checks, inline charts); newer briefings list first.
    first = index.select_one('.briefing-card a[href="briefings/kaluga-plant/index.html"]') \
        or index.select_one(".briefing-card a[href]")
    assert first is not None, "the default site's index lists no briefing"
    return BuiltSite(project.out, first["href"])


@pytest.fixture(scope="session")
def server(site: BuiltSite) -> Iterator[str]:
    """The built site over http on 127.0.0.1 (a free port); yields the origin, e.g. ``http://127.0.0.1:PORT``."""
    with serve_pages(site.out, BASE_PATH) as origin:
        yield origin


@pytest.fixture(scope="session")
def site_url(site: BuiltSite, request: pytest.FixtureRequest) -> Callable[[str, str], str]:
    """``site_url(origin, path)``: the URL of a page of the site from ``"file"`` or ``"http"``.

    The 404 page over http is asked for at an address that does not exist, as a reader would reach it.
    """
    def url(origin: str, path: str) -> str:
        if origin == "file":
            return (site.out / path).as_uri()
        base = request.getfixturevalue("server") + BASE_PATH
        return base + ("no/such/page/" if path == "404.html" else path)
    return url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched once for the session."""
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make chromium` as root")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright is not installed: pip install -e '.[test]'")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@dataclass
class Watch:
    """What a page did that a reader should never see: console errors, failed or foreign requests."""

    allowed_prefix: str  # every request must start with this: "file://" or the server's origin + "/"
    expected_statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        """Start listening to ``page``."""
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _failed(self, request) -> None:
        # The browser cancels what a page was still fetching when the reader leaves it (a click on a link
        # while the favicon loads), when the page reloads or when it closes: that is the reader or the test
        # moving on, not the site failing. A missing file fails otherwise (an HTTP 404, ERR_FILE_NOT_FOUND).
        if request.failure == "net::ERR_ABORTED":
            return
        self.failed.append(f"{request.url}: {request.failure}")

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # Chromium reports an error status of the page itself in the console; a 404 page is meant to have one.
        if url in self.expected_statuses and "status of" in message.text:
            return
        self.errors.append(f"{message.text} ({url})")

    def _request(self, request) -> None:
        self.requested.append(request.url)
        if not request.url.startswith((self.allowed_prefix, "data:", "blob:")):
            self.foreign.append(request.url)

    def _response(self, response) -> None:
        if response.status >= 400 and self.expected_statuses.get(response.url) != response.status:
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def requests_for(self, suffix: str) -> list[str]:
        """The URLs requested so far that end with ``suffix``."""
        return [url for url in self.requested if url.endswith(suffix)]

    def assert_clean(self) -> None:
        """Fail listing every console error, failed request and request that left the site."""
        problems = ([f"console: {e}" for e in self.errors] + [f"failed request: {f}" for f in self.failed]
                    + [f"request off the site: {u}" for u in self.foreign])
        assert not problems, "\n".join(problems)


@dataclass(frozen=True)
class Visit:
    """An open page and its watch."""

    page: object
    watch: Watch


@pytest.fixture
def open_page(browser) -> Iterator[Callable[..., Visit]]:
    """``open_page(url, color_scheme="light", width=1280, height=900, javascript=True)``: a new page at ``url``.

    Each call gets its own browser context (no shared cache or state); all are closed after the test.
    """
    contexts = []

    def open_(url: str, color_scheme: str = "light", width: int = 1280, height: int = 900,
              javascript: bool = True, expected_status: int | None = None) -> Visit:
        context = browser.new_context(color_scheme=color_scheme, viewport={"width": width, "height": height},
                                      java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        parts = urlsplit(url)
        prefix = "file://" if parts.scheme == "file" else f"{parts.scheme}://{parts.netloc}/"
        watch = Watch(prefix, {url: expected_status} if expected_status else {})
        watch.attach(page)
        response = page.goto(url, wait_until="load")
        if parts.scheme != "file":
            assert response is not None and response.status == (expected_status or 200), url
        return Visit(page, watch)

    yield open_
    for context in contexts:
        context.close()


def make_charts_interactive(page) -> None:
    """Scroll every chart into view, as a reader would, and wait until each is re-drawn by Vega."""
    figures = page.locator("figure.chart")
    assert figures.count() > 0, "the page has no chart"
    for i in range(figures.count()):
        figures.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.chart')]"
        ".every(f => ['ready', 'failed'].includes(f.dataset.interactive))", timeout=15_000)
    states = page.eval_on_selector_all("figure.chart", "fs => fs.map(f => f.id + ': ' + f.dataset.interactive)")
    assert all(state.endswith(": ready") for state in states), states


@pytest.fixture(scope="session")
def interactive() -> Callable[[object], None]:
    """``interactive(page)``: scroll every chart of ``page`` into view and wait until Vega has re-drawn it."""
    return make_charts_interactive
