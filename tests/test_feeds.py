"""Sitemap, robots.txt, Atom feed, social cards and the <head> tags that point at them."""
from __future__ import annotations

import dataclasses
import shutil
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from site_builder.incremental.cache import Store
from site_builder.commands.build_command import build_site
from site_builder.render.feeds import card_alt, social_cards
from site_builder.incremental.kept import PngCache, SvgCache
from site_builder.compute.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests/fixtures/mini/content"
BASE = "https://user.github.io/repo/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"
SECOND_BRIEFING = """---
title: R&D <spending> "rises"
summary: Research & development spending, in one chart.
date: 2024-01-10
updated: 2024-05-02
---
Sales were {{ fact("sales.2023") }}.
"""


def new_project(root: Path, extra_briefing: str | None = None, cache: Path | None = None) -> Project:
    """The mini fixture at ``root``, optionally with a second briefing and a warm chart cache."""
    shutil.copytree(FIXTURE, root / "content")
    if extra_briefing:
        (root / "content/briefings/rd-spending.md").write_text(extra_briefing)
    if cache:
        shutil.copytree(cache, root / ".briefing-cache")
    return Project.at(root)


@pytest.fixture(scope="module")
def site(tmp_path_factory, chart_cache) -> Path:
    project = new_project(tmp_path_factory.mktemp("feeds"), SECOND_BRIEFING, chart_cache)
    build_site(project)
    return project.out


def parse_xml(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def head_of(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(), "html.parser").head


def meta(head: BeautifulSoup, key: str) -> str | None:
    tag = head.find("meta", attrs={"property": key}) or head.find("meta", attrs={"name": key})
    return tag["content"] if tag else None


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_sitemap_lists_every_page_but_404_by_absolute_url_under_base_url(site):
    urlset = parse_xml(site / "sitemap.xml")
    assert urlset.tag == f"{SM}urlset"
    locs = [url.findtext(f"{SM}loc") for url in urlset.findall(f"{SM}url")]
    assert all(loc.startswith(BASE) for loc in locs)
    files = {loc[len(BASE):] + ("index.html" if loc.endswith("/") else "") for loc in locs}
    assert all((site / f).is_file() for f in files)
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"404.html"}
    assert files == pages
    assert locs[0] == BASE


def test_sitemap_dates_briefings_by_their_content_dates(site):
    lastmod = {url.findtext(f"{SM}loc"): url.findtext(f"{SM}lastmod") for url in parse_xml(site / "sitemap.xml")}
    assert lastmod[BASE + "briefings/widget-outlook/"] == "2024-03-15"
    assert lastmod[BASE + "briefings/rd-spending/"] == "2024-05-02"  # `updated` wins over `date`
    assert lastmod[BASE] == "2024-05-02"


def test_robots_txt_points_at_the_sitemap(site):
    lines = (site / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines


def test_atom_feed_has_the_required_elements_and_absolute_links(site):
    feed = parse_xml(site / "feed.xml")
    assert feed.tag == f"{ATOM}feed"
    for element in [feed, *feed.findall(f"{ATOM}entry")]:
        for required in ("id", "title", "updated"):
            assert element.findtext(f"{ATOM}{required}"), (element.tag, required)
        for link in element.findall(f"{ATOM}link"):
            assert link.get("href").startswith(BASE)
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Test Author"
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == BASE + "feed.xml"


def test_feed_entries_are_the_briefings_newest_first_with_their_summaries(site):
    entries = parse_xml(site / "feed.xml").findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ['R&D <spending> "rises"', "Widget outlook"]
    first = entries[0]
    assert first.findtext(f"{ATOM}id") == BASE + "briefings/rd-spending/"
    assert first.find(f"{ATOM}link[@rel='alternate']").get("href") == BASE + "briefings/rd-spending/"
    assert first.findtext(f"{ATOM}updated") == "2024-05-02T00:00:00Z"
    assert first.findtext(f"{ATOM}published") == "2024-01-10T00:00:00Z"
    assert first.findtext(f"{ATOM}summary") == "Research & development spending, in one chart."
    assert [c.get("term") for c in entries[1].findall(f"{ATOM}category")] == ["widgets", "forecast"]


def test_feed_and_sitemap_do_not_depend_on_the_build_date(tmp_path, monkeypatch, chart_cache):
    project = new_project(tmp_path / "site", cache=chart_cache)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build_site(project)
    first = {name: (project.out / name).read_bytes() for name in ("feed.xml", "sitemap.xml")}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build_site(project)
    assert {name: (project.out / name).read_bytes() for name in first} == first


def test_every_page_links_the_feed_from_its_head(site):
    for page in ("index.html", "briefings/widget-outlook/index.html", "sources/index.html"):
        link = head_of(site, page).find("link", rel="alternate", type="application/atom+xml")
        assert urljoin(BASE + page, link["href"]) == BASE + "feed.xml"


def test_briefing_head_has_description_canonical_opengraph_and_a_large_image_card(site):
    head = head_of(site, "briefings/widget-outlook/index.html")
    url = BASE + "briefings/widget-outlook/"
    assert head.find("link", rel="canonical")["href"] == url
    assert meta(head, "description") == "Widget sales fell and are forecast to recover."
    assert meta(head, "og:description") == "Widget sales fell and are forecast to recover."
    assert meta(head, "og:title") == "Widget outlook"
    assert meta(head, "og:type") == "article"
    assert meta(head, "og:url") == url
    assert meta(head, "og:image") == BASE + "charts/outlook.card.png"
    assert (meta(head, "og:image:width"), meta(head, "og:image:height")) == ("1200", "630")
    assert meta(head, "og:image:alt").startswith("Line chart: Widget sales, reported and forecast.")
    assert meta(head, "twitter:card") == "summary_large_image"


def test_pages_without_a_hero_chart_share_the_default_social_image_by_absolute_url(site):
    for page in ("index.html", "briefings/rd-spending/index.html", "sources/index.html", "glossary/index.html"):
        head = head_of(site, page)
        assert meta(head, "og:image") == meta(head, "twitter:image") == BASE + "static/social.png"
        assert meta(head, "og:image:alt") == meta(head, "twitter:image:alt") == "Mini Briefings"
        assert meta(head, "twitter:card") == "summary_large_image"
    assert png_size((site / "static/social.png").read_bytes()) == (1200, 630)
    assert meta(head_of(site, "index.html"), "og:type") == "website"


def test_briefing_pages_give_their_publication_and_update_dates(site):
    updated = head_of(site, "briefings/rd-spending/index.html")
    assert meta(updated, "article:published_time") == "2024-01-10"
    assert meta(updated, "article:modified_time") == "2024-05-02"
    never_updated = head_of(site, "briefings/widget-outlook/index.html")
    assert meta(never_updated, "article:published_time") == "2024-03-15"
    assert meta(never_updated, "article:modified_time") is None
    assert meta(head_of(site, "index.html"), "article:published_time") is None


def test_image_alt_text_is_cut_at_a_word_within_420_characters(tmp_path, chart_cache):
    project = new_project(tmp_path / "site", cache=chart_cache)
    charts = project.root / "content/charts/widgets.yaml"
    title = "Widget sales " + "reported and then forecast by the ministry " * 12 + "to 2030"
    charts.write_text(charts.read_text().replace("Widget sales, reported and forecast", title, 1))
    build_site(project)
    head = head_of(project.out, "briefings/widget-outlook/index.html")
    alt = meta(head, "twitter:image:alt")
    assert len(alt) <= 420 and alt.endswith("…") and meta(head, "og:image:alt") == alt
    described = "Line chart: " + title
    assert described.startswith(alt[:-1]) and described[len(alt) - 1] == " "  # the cut falls between words


@pytest.mark.parametrize(("text", "limit", "alt"), [
    ("Short  alt\ntext", 420, "Short alt text"),
    ("one two three", 9, "one two…"),
    ("one two, three", 13, "one two…"),
    ("unbroken" * 10, 9, "unbroken…"),
])
def test_card_alt_keeps_short_text_and_cuts_long_text_between_words(text, limit, alt):
    assert card_alt(text, limit) == alt


def test_social_card_is_a_1200x630_png_of_the_hero_chart_only(site):
    assert png_size((site / "charts/outlook.card.png").read_bytes()) == (1200, 630)
    assert not (site / "charts/compare.card.png").exists()  # not a hero chart


def test_rebuilding_from_scratch_gives_byte_identical_feeds_and_cards(tmp_path):
    outputs = []
    for name in ("one", "two"):
        project = new_project(tmp_path / name)  # each with its own empty cache: everything is re-rendered
        build_site(project)
        outputs.append({f: (project.out / f).read_bytes()
                        for f in ("feed.xml", "sitemap.xml", "robots.txt", "charts/outlook.card.png")})
    assert outputs[0] == outputs[1]


def test_each_card_is_drawn_once_across_runs_and_again_when_its_chart_changes(tmp_path, site):
    import dataclasses

    from site_builder.compute.stage import compile_site

    project = Project.at(site.parent)
    compiled = compile_site(project, SvgCache(Store(project.cache)))
    plans, charts = compiled.plans, compiled.charts
    first = PngCache(Store(tmp_path))
    [card] = social_cards(plans, charts, "https://example.org/", first).values()
    assert card.png.startswith(b"\x89PNG") and first.rendered == 1
    later = PngCache(Store(tmp_path))
    assert [c.png for c in social_cards(plans, charts, "https://example.org/", later).values()] == [card.png]
    assert later.rendered == 0
    retitled = {**charts, "outlook": dataclasses.replace(
        charts["outlook"], chart=dataclasses.replace(charts["outlook"].chart, title="Another title"))}
    social_cards(plans, retitled, "https://example.org/", later)
    assert later.rendered == 1  # the title is drawn on the card


def test_a_kept_card_cache_reads_each_png_once_and_forgets_those_a_build_did_not_use(tmp_path):
    cache = PngCache(Store(tmp_path))
    cache.keep("a", b"\x89PNG a")
    cache.keep("b", b"\x89PNG b")
    (tmp_path / "cards" / "a").unlink()  # from now on only memory has it
    cache.next_build()
    first = cache.png("a")
    assert first == b"\x89PNG a" and cache.has("a")
    cache.next_build()  # "b" was not used by that build
    assert cache.png("a") is first  # the same bytes, not a second copy
    cache.next_build()
    cache.next_build()
    assert cache.png("a") is None and cache.png("b") == b"\x89PNG b"  # "b" from disk again


def test_without_an_absolute_base_url_there_is_no_sitemap_feed_or_image(tmp_path, chart_cache):
    project = new_project(tmp_path, cache=chart_cache)
    build_site(project, base_url="/")
    assert not (project.out / "sitemap.xml").exists() and not (project.out / "feed.xml").exists()
    assert "Sitemap:" not in (project.out / "robots.txt").read_text()
    head = head_of(project.out, "briefings/widget-outlook/index.html")
    assert head.find("link", rel="alternate") is None
    assert meta(head, "og:image") is None and meta(head, "og:url") is None
    assert not list(project.out.glob("charts/*.png"))


def test_a_card_s_key_is_made_once_for_the_chart_s_spec_while_builds_use_it(tmp_path, site):
    from site_builder.compute.stage import compile_site

    rendered = compile_site(Project.at(site.parent), SvgCache(Store(site.parent / ".briefing-cache"))).charts["outlook"]
    store = Store(tmp_path)
    made = []
    key = store.key
    store.key = lambda kind, *parts: made.append(kind) or key(kind, *parts)
    cache = PngCache(store)
    first = cache.key(rendered)
    cache.next_build()
    assert cache.key(rendered) == first and made == ["cards"]  # a thousand pages share a few specs of 20 KB
    retitled = dataclasses.replace(rendered, chart=dataclasses.replace(rendered.chart, title="Another title"))
    assert cache.key(retitled) != first  # the title is drawn on the card
