"""The site served under a GitHub Pages project path (/repo/): every internal link, asset and absolute URL works."""
from __future__ import annotations

import shutil
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from site_builder.commands.build_command import build_site
from site_builder.compute.project import Project

from pages_server import serve_pages

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests/fixtures/mini/content"
BASE = "https://user.github.io/repo/"
PREFIX = "/repo/"
URL_ATTRIBUTES = ("href", "src", "data-vega-bundle")


@pytest.fixture(scope="module")
def site(tmp_path_factory, chart_cache) -> Path:
    root = tmp_path_factory.mktemp("subpath")
    shutil.copytree(FIXTURE, root / "content")
    shutil.copytree(chart_cache, root / ".briefing-cache")
    build_site(Project.at(root), base_url=BASE)
    return root / "_site"


@pytest.fixture(scope="module")
def server(site) -> Iterator[str]:
    with serve_pages(site, PREFIX) as origin:
        yield origin + PREFIX


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def local(url: str, served: str) -> str | None:
    """``url`` as fetched from the test server (absolute URLs under BASE are mapped to it); None for other sites."""
    if url.startswith(BASE):
        return served + url[len(BASE):]
    return url if urlsplit(url).netloc == urlsplit(served).netloc else None


def references(page: BeautifulSoup) -> list[str]:
    return [tag[attr] for attr in URL_ATTRIBUTES for tag in page.find_all(attrs={attr: True})]


def crawl(start: str, served: str) -> dict[str, BeautifulSoup]:
    """Every page reachable from ``start`` through internal links; asserts every link, asset and fragment resolves."""
    pages: dict[str, BeautifulSoup] = {}
    queue, seen, broken = [start], {start}, []
    fragments: list[tuple[str, str, str]] = []
    while queue:
        url = queue.pop()
        status, kind, body = fetch(url)
        if status != 200:
            broken.append((url, status))
            continue
        if kind != "text/html":
            continue
        page = pages[url] = BeautifulSoup(body, "html.parser")
        for ref in references(page):
            target, fragment = urldefrag(local(urljoin(url, ref), served) or "")
            if not target:
                continue  # a publisher's site, not ours
            if fragment:
                fragments.append((url, target, fragment))
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert not broken
    for source, target, fragment in fragments:
        assert pages[target].find(id=fragment), f"{source} links to {target}#{fragment}, which has no such id"
    return pages


def test_every_internal_link_and_asset_resolves_under_the_project_path(server, site):
    pages = crawl(server, server)
    paths = {url[len(server):] + ("index.html" if url.endswith("/") else "") for url in pages}
    built = {page.relative_to(site).as_posix() for page in site.rglob("*.html")} - {"404.html"}
    assert "briefings/widget-outlook/index.html" in paths
    assert paths == built  # every page was reached, and crawled
    briefing = pages[server + "briefings/widget-outlook/index.html"]
    assert briefing.find("figure", class_="chart").find("svg")  # the chart is in the page itself
    downloads = [a["href"] for a in briefing.select(".chart__downloads a")]
    assert downloads and all(fetch(urljoin(server + "briefings/widget-outlook/", d))[0] == 200 for d in downloads)


def test_absolute_urls_in_heads_point_under_base_url_and_exist(server):
    pages = crawl(server, server)
    absolute = []
    for page in pages.values():
        absolute.append(page.find("link", rel="canonical")["href"])
        absolute += [tag["content"] for tag in page.find_all("meta", property=["og:url", "og:image"])]
    assert absolute and all(url.startswith(BASE) for url in absolute)
    assert BASE + "charts/outlook.card.png" in absolute
    for url in absolute:
        assert fetch(local(url, server))[0] == 200, url


def test_sitemap_and_feed_urls_exist_when_served(server):
    _, _, sitemap = fetch(server + "sitemap.xml")
    _, _, feed = fetch(server + "feed.xml")
    locs = [loc.text for loc in ET.fromstring(sitemap).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    links = [link.get("href") for link in ET.fromstring(feed).iter("{http://www.w3.org/2005/Atom}link")]
    assert locs and links
    for url in locs + links:
        assert fetch(local(url, server))[0] == 200, url


def test_404_page_links_work_from_any_depth(server):
    missing = server + "no/such/page/here"
    status, _, body = fetch(missing)
    assert status == 404
    page = BeautifulSoup(body, "html.parser")
    assert page.h1.get_text() == "Page not found"
    relative = [r for r in references(page) if not r.startswith(("#", "http:", "https:"))]
    assert relative
    for ref in relative:
        url = urljoin(missing, ref)
        assert urlsplit(url).path.startswith(PREFIX), ref
        assert fetch(url)[0] == 200, ref


def test_a_path_outside_the_project_path_is_not_served(server):
    assert fetch(server.replace(PREFIX, "/") + "index.html")[0] == 404

