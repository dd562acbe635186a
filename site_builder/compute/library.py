"""The briefing library: tags and their pages, a timeline of dated facts, and related briefings.

Everything here is computed from the compiled site (content, facts and page
plans) by pure functions; ``site.py`` renders the pages. Orders are total (ties
broken by slug or id), so the pages are the same on every build.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..errors import ErrorCollector
from ..frozen import FrozenDict
from .facts import FactBook
from ..content.glossary import slugify
from ..html_tokens import element_html, tokenize, tokens_text
from ..model import Content
from .pages import BriefingPlan
from .resolved import ResolvedFact
from .units import read_fact, reader_units
from ..values import CALL_NOW, CallNow

RELATED_LIMIT = 3
TAG_WEIGHT = 2  # a shared tag says more about two briefings than one shared figure
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?\Z")


BODY_CLASS = "briefing__body"  # the element of a briefing page that holds its text (templates/briefing.html)


@dataclass(frozen=True)
class PageLink:
    """A briefing as other pages link to it."""

    title: str
    url: str
    date: dt.date
    summary: str = ""
    slug: str = ""


@dataclass(frozen=True)
class Tag:
    """A tag, its page, and the briefings that carry it (newest first)."""

    name: str
    slug: str
    briefings: tuple[PageLink, ...]

    @property
    def url(self) -> str:
        """The tag's page, relative to the site root."""
        return f"tags/{self.slug}/index.html"


@dataclass(frozen=True)
class TimelineEvent:
    """A dated fact on the timeline, and the briefings that show it."""

    date: dt.date | str  # a full date, or "2023-12" / "2023" when known only to the month or year
    fact: ResolvedFact
    pages: tuple[PageLink, ...]
    shown: str = ""  # the value as the site's readers see it (their units, currency and locale)

    @property
    def shows_value(self) -> bool:
        """False when the value is the date itself (then the label says what happened)."""
        return not isinstance(self.fact.value, dt.date)


@dataclass(frozen=True)
class Related:
    """Another briefing worth reading next, and why."""

    page: PageLink
    shared_tags: tuple[str, ...]
    shared_facts: int


@dataclass(frozen=True)
class Library:
    """The site's cross-briefing views."""

    tags: tuple[Tag, ...]
    timeline: tuple[TimelineEvent, ...]
    related: FrozenDict[str, tuple[Related, ...]]  # by briefing slug

    def tag(self, name: str) -> Tag | None:
        """The tag spelled ``name``, or None."""
        return next((t for t in self.tags if t.name == name), None)


def build_library(content: Content, book: FactBook, plans: tuple[BriefingPlan, ...],
                  calls: CallNow = CALL_NOW) -> Library:
    """Tags, timeline and related briefings for the compiled site. ``calls`` (``recorded.Memo`` in a long-running
    build) keeps each part while what it read is the same: the tags and related briefings read only the plans,
    so an edited number makes the timeline again, not them."""
    tags, related = calls.call("library: tags, related", library_links, plans)
    timeline = calls.call("library: timeline", library_timeline, content, book, plans)
    return calls.call("library", _library, (tags, timeline, related))  # the same parts: the same object


_library = lambda parts: Library(*parts)  # noqa: E731


def library_links(plans: tuple[BriefingPlan, ...]) -> tuple[tuple[Tag, ...], FrozenDict[str, tuple[Related, ...]]]:
    """The tags and the related briefings of ``plans``."""
    links = {plan.briefing.slug: page_link(plan) for plan in plans}
    return tags_of(plans, links), FrozenDict(related_briefings(plans, links))


def library_timeline(content: Content, book: FactBook, plans: tuple[BriefingPlan, ...]) -> tuple[TimelineEvent, ...]:
    """The timeline of dated facts, each shown as the site's readers see it."""
    links = {plan.briefing.slug: page_link(plan) for plan in plans}
    reader = reader_units(content.site, book)
    return tuple(dataclasses.replace(e, shown=str(read_fact(e.fact, reader, None, content.site.locale)))
                 for e in timeline_of(book, plans, links))


def page_link(plan: BriefingPlan) -> PageLink:
    """How other pages link to ``plan``'s briefing."""
    meta = plan.briefing.meta
    return PageLink(meta.title, plan.url, meta.updated or meta.date, meta.summary, plan.briefing.slug)


def tags_of(plans: list[BriefingPlan], links: dict[str, PageLink]) -> tuple[Tag, ...]:
    """Every tag used by a briefing, in alphabetical order, each with its briefings newest first."""
    by_slug: dict[str, tuple[str, list[PageLink]]] = {}
    for plan in plans:
        for name in dict.fromkeys(plan.briefing.meta.tags):
            slug = slugify(name)
            if slug:
                by_slug.setdefault(slug, (name, []))[1].append(links[plan.briefing.slug])
    return tuple(Tag(name, slug, tuple(sorted(pages, key=_newest_first)))
                 for slug, (name, pages) in sorted(by_slug.items()))


def timeline_of(book: FactBook, plans: list[BriefingPlan], links: dict[str, PageLink]) -> tuple[TimelineEvent, ...]:
    """Every fact with a date value or an ``event_date``, oldest first, with the briefings that show it."""
    dated = [(fact, date) for fact in book.facts.values() if (date := event_date(fact)) is not None]
    shown_in: dict[str, list[PageLink]] = {}  # by fact id: one pass over the plans, not one for each dated fact
    if dated:
        for plan in plans:
            for fact_id in dict.fromkeys(plan.fact_ids):
                shown_in.setdefault(fact_id, []).append(links[plan.briefing.slug])
    events = [TimelineEvent(date, fact, tuple(sorted(shown_in.get(fact.fact.id, ()), key=_newest_first)))
              for fact, date in dated]
    return tuple(sorted(events, key=lambda e: (date_sort_key(e.date), e.fact.id)))


def event_date(fact: ResolvedFact) -> dt.date | str | None:
    """When the fact happened: its ``event_date``, else its value when that is a date, else None."""
    if fact.fact.event_date is not None:
        return fact.fact.event_date
    return fact.value if isinstance(fact.value, dt.date) else None


def date_sort_key(date: dt.date | str) -> tuple[int, int, int]:
    """A key that sorts full and partial dates together; a partial date sorts at the end of its period.

    "December 2023" is only known to have happened by the end of that month, so it
    comes after December 12, 2023, not before it (and "2023" after all of 2023).
    """
    if isinstance(date, dt.date):
        return (date.year, date.month, date.day)
    match = _PARTIAL_DATE.match(date)
    return (int(match.group(1)), int(match.group(2) or 13), 32) if match else (0, 0, 0)


def related_briefings(plans: list[BriefingPlan], links: dict[str, PageLink]) -> dict[str, tuple[Related, ...]]:
    """For each briefing, up to three others that share its tags or its facts, closest first.

    Closest means the highest score (``TAG_WEIGHT`` a shared tag, 1 a shared
    fact), then the newest, then the slug, then the order of ``plans``.
    """
    tag_slugs = [[(t, slugify(t)) for t in dict.fromkeys(plan.briefing.meta.tags)] for plan in plans]
    fact_sets = [frozenset(plan.fact_ids) for plan in plans]
    order = [(_newest_first(links[plan.briefing.slug]), i) for i, plan in enumerate(plans)]
    index = _inverted_index(tag_slugs, fact_sets, sorted(range(len(plans)), key=order.__getitem__))
    spellings: dict[str, list[tuple]] = defaultdict(list)  # a tag's keys: one per number of spellings in a briefing
    for key in index:
        if key[0] == "tag":
            spellings[key[1]].append(key)
    related: dict[str, tuple[Related, ...]] = {}
    shared: dict = {}
    for i, plan in enumerate(plans):
        slugs = {slug for _, slug in tag_slugs[i]}
        keys = [key for slug in slugs for key in spellings[slug]] + [("fact", fact) for fact in fact_sets[i]]

        def score(j: int) -> int:
            return TAG_WEIGHT * sum(slug in slugs for _, slug in tag_slugs[j]) + len(fact_sets[i] & fact_sets[j])

        best = heapq.nsmallest(RELATED_LIMIT, _candidates(index, keys, shared) - {i}, key=lambda j: (-score(j), order[j]))
        related[plan.briefing.slug] = tuple(
            Related(links[plans[j].briefing.slug], tuple(t for t, slug in tag_slugs[j] if slug in slugs),
                    len(fact_sets[i] & fact_sets[j])) for j in best)
    return related


_SMALL_POSTING = 32  # a tag or fact on at most this many briefings: all of them are candidates


def _candidates(index: dict[tuple, list[int]], keys: list[tuple], shared: dict[tuple, set[int]]) -> set[int]:
    """The briefings that can be among the closest to one with ``keys``, without scoring every briefing.

    A briefing that shares only one key with it (a common tag, say) ranks below
    the first ``RELATED_LIMIT`` others that share that key, since those score at
    least as much and come first in order (each posting list is in rank order).
    So the candidates are: everyone on a short list, the head of each long list,
    and whoever is on two or more long lists (kept in ``shared`` by pair of keys,
    as many briefings have the same common tags).
    """
    found: set[int] = set()
    long = []
    for key in sorted(keys):
        posting = index[key]
        if len(posting) <= _SMALL_POSTING:
            found.update(posting)
        else:
            found.update(posting[:RELATED_LIMIT + 1])  # one more: the briefing itself may be among them
            long.append(key)
    for a, first in enumerate(long):
        for second in long[a + 1:]:
            if (first, second) not in shared:
                shared[first, second] = set(index[first]).intersection(index[second])
            found |= shared[first, second]
    return found


def _inverted_index(tag_slugs: list[list[tuple[str, str]]], fact_sets: list[frozenset[str]],
                    ranked: list[int]) -> dict[tuple, list[int]]:
    """Which plans (by index, in ``ranked`` order) carry each fact, and each tag slug.

    A tag's key also holds how many spellings of it the briefing has (1 but on
    a site that fails ``check_tags``), so that every briefing on one list gets
    the same score from it.
    """
    index: dict[tuple, list[int]] = defaultdict(list)
    for i in ranked:
        for slug, count in Counter(slug for _, slug in tag_slugs[i]).items():
            index[("tag", slug, count)].append(i)
        for fact in fact_sets[i]:
            index[("fact", fact)].append(i)
    return index


def check_tags(content: Content, errors: ErrorCollector) -> None:
    """Record tags that make no page address, and two spellings of one tag (``North America``, ``north-america``)."""
    spelled: dict[str, tuple[str, str]] = {}  # slug → (first spelling, where)
    for briefing in content.briefings:
        for i, name in enumerate(briefing.meta.tags):
            line = briefing.meta_lines.get(("tags", i), briefing.meta_lines.get(("tags",), 1))
            slug = slugify(name)
            if not slug:
                errors.add(briefing.origin.path, line, f"tags: {name!r} needs letters or digits")
                continue
            first, where = spelled.setdefault(slug, (name, f"{briefing.origin.path}:{line}"))
            if first != name:
                errors.add(briefing.origin.path, line,
                           f"tags: {name!r} is spelled {first!r} at {where}; spell the tag one way")


def _newest_first(page: PageLink) -> tuple:
    return (-page.date.toordinal(), page.slug)


def glossary_usage(readings: dict[str, PageReading], plans: list[BriefingPlan]) -> dict[str, tuple[PageLink, ...]]:
    """For each glossary anchor, the briefings that explain the term (as read from their rendered pages)."""
    used: dict[str, list[PageLink]] = {}
    for plan in plans:
        reading = readings.get(plan.url)
        for anchor in reading.term_anchors if reading else ():
            used.setdefault(anchor, []).append(page_link(plan))
    return {anchor: tuple(sorted(links, key=_newest_first)) for anchor, links in sorted(used.items())}


# Reading rendered briefing pages ----------------------------------------------------------------

SEARCH_SKIP = frozenset({"script", "style", "svg", "template", "table"})  # not part of a page's search text


@dataclass(frozen=True)
class PageReading:
    """What the library reads from one rendered briefing page, so that it holds exactly what readers see."""

    text: str  # the body's visible text without charts, scripts or tables: what search covers
    term_anchors: tuple[str, ...]  # the glossary anchors the body links to, in order of first use


def read_page(page_html: str) -> PageReading:
    """The reading of one rendered briefing page (its ``div.briefing__body``); one HTML parse of the body."""
    tokens = tokenize(element_html(page_html, "div", BODY_CLASS))
    anchors = ((t.attr("href") or "").lstrip("#") for t in tokens
               if t.kind == "start" and t.tag == "a" and "term" in (t.attr("class") or "").split())
    return PageReading(tokens_text(tokens, SEARCH_SKIP), tuple(dict.fromkeys(anchors)))


