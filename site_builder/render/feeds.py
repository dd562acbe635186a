"""Files for the world outside the site: sitemap, robots.txt, Atom feed and social cards.

These are the only outputs that need absolute URLs (crawlers, feed readers and
link previews resolve nothing relative), so they are made only when the site's
``base_url`` is an absolute ``http(s)`` URL. Dates come from the content (a
briefing's ``updated`` or ``date``), never from the clock, and the XML and PNG
bytes depend only on the content: a rebuild writes identical files.

A social card is a briefing's hero chart at 1200x630 with its title and key
(``cards.py``), the size link previews (OpenGraph, Twitter's
``summary_large_image``) expect. Pages with no hero chart share the theme's
``static/social.png`` (``default_card``).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from ..compute.charts import RenderedChart
from ..errors import BuildError
from ..model import SiteConfig
from ..compute.pages import BriefingPlan
from ..compute.parallel import draw_missing_cards
from .cards import CARD_HEIGHT, CARD_WIDTH, draw_card

FEED_PATH, SITEMAP_PATH, ROBOTS_PATH = "feed.xml", "sitemap.xml", "robots.txt"
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NOT_IN_SITEMAP = frozenset({"404.html"})
ALT_LIMIT = 420  # the most characters twitter:image:alt may have
DEFAULT_CARD_PATH = "static/social.png"


@dataclass(frozen=True)
class SocialCard:
    """A briefing's share image: where it is written, its absolute URL, its alt text, its PNG bytes (none yet:
    ``planned_cards``) and their key."""

    path: str
    url: str
    alt: str
    png: bytes
    key: str = ""  # what the PNG was drawn from (``CardImages.key``): two cards with one key have the same PNG
    width: int = CARD_WIDTH
    height: int = CARD_HEIGHT
    chart: str = ""  # the id of the hero chart drawn on it (none for the default card)


def is_absolute_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL, as sitemaps, feeds and OpenGraph require."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def absolute_url(base_url: str, path: str) -> str:
    """The public URL of the output file ``path``; a folder's ``index.html`` is addressed by the folder."""
    if path == "index.html" or path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url + path


def card_alt(description: str, limit: int = ALT_LIMIT) -> str:
    """``description`` as an image's alt text of at most ``limit`` characters, cut at a word with an ellipsis."""
    text = " ".join(description.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]  # one character is left for the ellipsis
    if text[limit - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]  # the word cut in two is left out whole
    return head.rstrip(" ,;:.") + "…"


def default_card(site: SiteConfig, base_url: str) -> SocialCard | None:
    """The share image of pages with no hero chart: the theme's (or project's) ``static/social.png``.

    None when ``base_url`` is not absolute. Its bytes are written with the other
    static files, so the card carries none.
    """
    if not is_absolute_url(base_url):
        return None
    return SocialCard(DEFAULT_CARD_PATH, absolute_url(base_url, DEFAULT_CARD_PATH), card_alt(site.title), b"")


def card_path(chart_id: str) -> str:
    """Where the social card of a hero chart is written in the output."""
    return f"charts/{chart_id}.card.png"


class CardImages(Protocol):
    """Social cards kept by the build (``kept.PngCache``): this stage looks a card up before drawing it."""

    rendered: int  # how many cards were drawn rather than found

    def key(self, rendered: RenderedChart) -> str: ...
    def has(self, key: str) -> bool: ...
    def png(self, key: str) -> bytes | None: ...
    def keep(self, key: str, png: bytes) -> None: ...


def social_cards(plans: list[BriefingPlan], charts: dict[str, RenderedChart], base_url: str,
                 cache: CardImages) -> dict[str, SocialCard]:
    """The social card of each briefing that has a hero chart, by the briefing's page path, with its PNG.

    Empty when ``base_url`` is not absolute: a link preview cannot fetch a relative image.
    """
    cards = planned_cards(plans, charts, base_url, cache)
    pngs = card_pngs(cards, charts, cache)
    return {url: dataclasses.replace(card, png=pngs[card.path]) for url, card in cards.items()}


def planned_cards(plans: list[BriefingPlan], charts: dict[str, RenderedChart], base_url: str,
                  cache: CardImages) -> dict[str, SocialCard]:
    """``social_cards`` without their PNGs (``card_pngs`` gives those): what a page says of its card."""
    if not is_absolute_url(base_url):
        return {}
    keys: dict[str, str] = {}
    cards = {}
    for plan in plans:
        chart_id = plan.briefing.meta.hero_chart
        if chart_id not in charts:
            continue
        rendered = charts[chart_id]
        if chart_id not in keys:
            keys[chart_id] = cache.key(rendered)
        path = card_path(chart_id)
        cards[plan.url] = SocialCard(path, absolute_url(base_url, path), card_alt(rendered.description), b"",
                                     keys[chart_id], chart=chart_id)
    return cards


def card_pngs(cards: Mapping[str, SocialCard], charts: Mapping[str, RenderedChart],
              cache: CardImages) -> dict[str, bytes]:
    """The PNG of each of ``cards`` (``planned_cards``), by its path: as kept in ``cache``, else drawn (in a pool
    when many are missing) and kept there; raises BuildError for a card that cannot be drawn."""
    draw_missing_cards({card.key: charts[card.chart] for card in cards.values()}, cache, draw_card)
    pngs: dict[str, bytes] = {}
    for card in cards.values():
        if card.path in pngs:
            continue
        png = cache.png(card.key)
        if png is None:
            rendered = charts[card.chart]
            try:
                png = draw_card(rendered)
            except ValueError as exc:
                raise BuildError(rendered.chart.origin.path, rendered.chart.origin.line,
                                 f"chart {card.chart!r}: cannot draw its social card: {exc}") from None
            cache.keep(card.key, png)
            cache.rendered += 1
        pngs[card.path] = png
    return pngs


def publishing_files(site: SiteConfig, plans: list[BriefingPlan], pages: Iterable[str], base_url: str,
                     fallback_date: dt.date) -> dict[str, bytes]:
    """``robots.txt``, and with an absolute ``base_url`` also ``sitemap.xml`` and ``feed.xml``.

    ``pages`` are the output paths of the site's files; every HTML page but the
    404 page goes into the sitemap. ``fallback_date`` dates a feed with no briefings.
    """
    if not is_absolute_url(base_url):
        return {ROBOTS_PATH: robots_txt(None)}
    lastmod = {plan.url: _content_date(plan) for plan in plans}
    if lastmod:
        lastmod["index.html"] = max(lastmod.values())
    html = sorted((p for p in pages if p.endswith(".html") and p not in NOT_IN_SITEMAP),
                  key=lambda p: (p != "index.html", p))
    return {
        ROBOTS_PATH: robots_txt(absolute_url(base_url, SITEMAP_PATH)),
        SITEMAP_PATH: sitemap_xml(html, base_url, lastmod),
        FEED_PATH: atom_feed(site, plans, base_url, fallback_date),
    }


def robots_txt(sitemap_url: str | None) -> bytes:
    """A robots.txt allowing everything and naming the sitemap.

    Crawlers read robots.txt only at a host's root, so under a project sub-path
    it is informative; the sitemap is still found through it at a domain's root.
    """
    lines = ["User-agent: *", "Allow: /"]
    if sitemap_url:
        lines.append(f"Sitemap: {sitemap_url}")
    return ("\n".join(lines) + "\n").encode()


def sitemap_xml(pages: list[str], base_url: str, lastmod: dict[str, dt.date]) -> bytes:
    """A sitemaps.org sitemap listing ``pages`` (output paths) by absolute URL, with content dates."""
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    for page in pages:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = absolute_url(base_url, page)
        if page in lastmod:
            ET.SubElement(url, "lastmod").text = lastmod[page].isoformat()
    return _xml_bytes(urlset)


def atom_feed(site: SiteConfig, plans: list[BriefingPlan], base_url: str, fallback_date: dt.date) -> bytes:
    """An Atom feed of the briefings, newest first; ids are the briefings' permanent URLs."""
    entries = sorted(plans, key=lambda p: (_content_date(p), p.briefing.meta.date, p.briefing.slug), reverse=True)
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": site.locale})
    ET.SubElement(feed, "id").text = base_url
    ET.SubElement(feed, "title").text = site.title
    if site.description:
        ET.SubElement(feed, "subtitle").text = site.description
    updated = max((_content_date(p) for p in plans), default=fallback_date)
    ET.SubElement(feed, "updated").text = _atom_date(updated)
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=absolute_url(base_url, FEED_PATH))
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=base_url)
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = site.author or site.organization or site.title
    for plan in entries:
        feed.append(_atom_entry(plan, base_url))
    return _xml_bytes(feed)


def _atom_entry(plan: BriefingPlan, base_url: str) -> ET.Element:
    meta = plan.briefing.meta
    url = absolute_url(base_url, plan.url)
    entry = ET.Element("entry")
    ET.SubElement(entry, "id").text = url
    ET.SubElement(entry, "title").text = meta.title
    ET.SubElement(entry, "link", rel="alternate", type="text/html", href=url)
    ET.SubElement(entry, "published").text = _atom_date(meta.date)
    ET.SubElement(entry, "updated").text = _atom_date(_content_date(plan))
    if meta.summary:
        ET.SubElement(entry, "summary").text = meta.summary
    for tag in meta.tags:
        ET.SubElement(entry, "category", term=tag)
    return entry


def _content_date(plan: BriefingPlan) -> dt.date:
    meta = plan.briefing.meta
    return meta.updated or meta.date


def _atom_date(date: dt.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode()
