"""Render every output file of the site, in memory, as ``{relative path: bytes}``.

Pages link to each other and to assets with relative URLs only (computed from
each page's depth), so the same output works from ``file://``, at a domain's
root and under a GitHub Pages project sub-path.
"""
from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .feeds import (
    FEED_PATH, CardImages, SocialCard, absolute_url, card_pngs, default_card, planned_cards,
    publishing_files,
)
from ..compute.facts import FactBook
from ..compute.library import build_library, glossary_usage
from ..compute.pages import BriefingPlan, Citation, citations_by_source, plan_citations
from ..compute.drafting import KeptDrafts, draft_bodies
from ..compute.parallel import renew_workers_that_drew, stop_workers_started_ahead
from .bodies import draft_body, render_template
from .briefing import BodyDrafts, Shown, fill_body, shown_by
from ..model import Content
from .read_ahead import PagesReadAhead
from .reuse import MAKE_NOW, PageInputs, Reuse
from ..settings import Settings
from ..compute.revisions import MANIFEST_PATH, Revision, manifest_bytes, revisions_for
from .search import (
    SEARCH_INDEX, SEARCH_PAGE, SearchDocument, document_json, search_documents, search_index_script,
)
from .templates import SiteTemplates, site_templates
from ..values import CALL_NOW, CallNow

if TYPE_CHECKING:
    from ..compute.stage import CompiledSite
    from ..compute.project import Project

VENDOR_BUNDLE = "static/vendor/vega-embed.js"


@dataclass(frozen=True)
class Kept:
    """What the build keeps for the renderer (``kept.py``), handed in: this module keeps nothing itself."""

    readings: Any  # ``kept.PageReadings``: what library pages read from briefing pages
    cards: CardImages  # social-card PNGs
    drafts: KeptDrafts | None  # body drafts from earlier builds
    store: Any  # ``cache.Store``, for the vega-embed bundle
    bodies: BodyDrafts = field(default_factory=BodyDrafts)  # this build's drafts (kept by ``briefing serve``)
    encoded: Callable[[str], bytes] = str.encode  # a drawn chart's texts as UTF-8 (``memo.EncodedTexts``)
    document_json: Callable[[SearchDocument], str] = document_json  # a search document's JSON (``memo.MadeOnce``)


class SiteRenderer:
    """Renders the pages of one compiled site with the project's templates.

    Every page is a function of what it is handed: ``reuse`` (``reuse.Reuse``)
    may give what it made from the same inputs before instead, and ``calls``
    (``recorded.Memo``'s ``call``) keeps the library and citations while what
    they read is the same. By default everything is made.
    """

    def __init__(self, project: Project, compiled: CompiledSite, settings: Settings, revisions: list[Revision],
                 kept: Kept, templates: SiteTemplates | None = None, reuse: Reuse = MAKE_NOW,
                 calls: CallNow = CALL_NOW) -> None:
        self.project = project
        self.kept = kept
        self.revisions = revisions
        self.drafts = kept.bodies  # briefing bodies through Jinja and Markdown (render.draft_body)
        self.readings = kept.readings
        self.site = compiled
        self.templates = templates or site_templates(project.template_folders)
        self.reuse = reuse
        self.calls = calls
        self.base_url = settings.base_url
        self.base_path, self.absolute = settings.base_path, settings.absolute
        self.build_date = settings.build_date
        self.locale = settings.locale
        self.cards: dict[str, SocialCard] = {}  # by page path; drawn by render_all
        self.default_card = default_card(compiled.content.site, self.base_url)  # for pages without a card
        self.library = build_library(compiled.content, compiled.book, compiled.plans, calls)
        self.read_ahead = PagesReadAhead()  # what the library and the final-HTML check read of briefing pages

    def render_all(self) -> dict[str, bytes]:
        """Every file of the site."""
        files: dict[str, bytes] = {}
        plans = self.site.plans
        draft_bodies([plan.briefing for plan in plans], self.drafts, draft_body, self.kept.drafts)
        self.cards = planned_cards(plans, self.site.charts, self.base_url, self.kept.cards)
        # Drawn by the workers that drew the charts; fresh ones then take their place, so that vl-convert's memory
        # (~180 MiB a worker) is given back before the pages are rendered, where this process's memory grows most.
        pngs = card_pngs(self.cards, self.site.charts, self.kept.cards)
        renew_workers_that_drew()
        self._render_pages(files)
        files.update(pngs)
        return files

    def _render_pages(self, files: dict[str, bytes]) -> None:
        plans = self.site.plans
        files["index.html"] = self._page("index.html", "index.html", plans=plans)
        for plan in plans:
            files[plan.url] = self._briefing_page(plan)
            self.read_ahead.add(plan.url, files[plan.url])  # by the workers started ahead, if any
        self.read_ahead.finish()
        stop_workers_started_ahead()  # given every page to read: they stop once they have read them
        files.update(self._library_files(files))
        files["sources/index.html"] = self._page(
            "sources.html", "sources/index.html", citations=self._citations())
        files["404.html"] = self._page("404.html", "404.html", absolute_base=True)
        encoded = self.kept.encoded
        for chart_id, chart in sorted(self.site.charts.items()):
            files[f"charts/{chart_id}.vl.json"] = encoded(chart.spec_json)
            files[f"charts/{chart_id}.csv"] = encoded(chart.csv)
            files[f"charts/{chart_id}.svg"] = encoded(chart.svg)
        files.update(self._static_files())
        if self.site.charts:  # the bundle only redraws charts; making it costs a second on a new machine
            files[VENDOR_BUNDLE] = self.reuse.value(VENDOR_BUNDLE, (), lambda: vega_bundle(self.kept.store))
        files[MANIFEST_PATH] = manifest_bytes(self.site.rows, self.revisions)
        files[".nojekyll"] = b""
        if self.site.content.site.cname:
            files["CNAME"] = (self.site.content.site.cname.strip() + "\n").encode()
        files.update(self._publishing_files([*files, *(card.path for card in self.cards.values())]))

    def _publishing_files(self, paths: list[str]) -> dict[str, bytes]:
        # The feed and sitemap list pages, not what they show: an edited number leaves them as they were.
        inputs = (self.site.content.site, self.site.plans, paths, self.base_url, self.build_date)
        return dict(self.reuse.value("publishing", inputs, lambda: publishing_files(*inputs)))

    def _context(self, url: str, absolute_base: bool = False) -> dict[str, Any]:
        depth = url.count("/")
        root = self.base_path if absolute_base else "../" * depth  # 404.html: served at any depth
        absolute = self.absolute
        return {
            "site": self.site.content.site,
            "root": root,
            "page_url": url,
            "canonical": self.base_url + (url[: -len("index.html")] if url.endswith("index.html") else url),
            "base_url": self.base_url,
            "build_date": self.build_date,
            "sources": self.site.content.sources,
            "book": self.site.book,
            "charts": self.site.charts,
            "locale": self.locale,
            "feed_href": root + FEED_PATH if absolute else None,
            "og_url": absolute_url(self.base_url, url) if absolute else None,
            "card": self.cards.get(url) or self.default_card,
            "library": self.library,
            "glossary": self.site.content.glossary,
        }

    def _page(self, template: str, url: str, absolute_base: bool = False, **extra: Any) -> bytes:
        context = self._context(url, absolute_base) | extra
        return self.reuse.page(url, PageInputs(context), lambda: self._render(template, context).encode())

    def _render(self, template: str, context: dict[str, Any]) -> str:
        return render_template(self.templates.env, template, self.project.templates, self.project.root, **context)

    def _briefing_page(self, plan: BriefingPlan) -> bytes:
        context = self._context(plan.url) | {"plan": plan, "briefing": plan.briefing, "meta": plan.briefing.meta,
                                             "revisions": self._revisions_for(plan)}
        shown = shown_by(plan, self.site.book, self.site.charts, self.site.content)
        card = context["card"]
        # The page's templates see the site-wide tables whole; it shows of them what its plan lists (``shown``),
        # which is what counts, with what the body is filled from besides.
        related = self.library.related.get(plan.briefing.slug, ())
        own = (shown.inputs(), card, related, self.site.content.glossary)  # a card's key stands for its PNG
        inputs = PageInputs({k: v for k, v in context.items() if k not in ("book", "charts", "sources", "card")}, own)
        return self.reuse.page(plan.url, inputs, lambda: self._make_briefing_page(plan, shown, related, context))

    def _make_briefing_page(self, plan: BriefingPlan, shown: Shown, related: tuple, context: dict[str, Any]) -> bytes:
        body, terms, open_checks = fill_body(plan, shown, self.drafts.draft_of(plan.briefing),
                                             self.site.content.glossary,
                                             lambda name, **extra: self._render(name, context | extra).strip())
        context = context | {"body": Markup(body), "open_checks": open_checks, "terms_used": terms,
                             "related": related}
        return self._render("briefing.html", context).encode()

    def _library_files(self, pages: dict[str, bytes]) -> dict[str, bytes]:
        """The glossary, tag, timeline and search pages, and the search index (read from the briefing ``pages``).

        Glossary usage and the search index cost an HTML parse of every page: they are kept while the pages and
        the whole compiled site are the same."""
        site = self.site
        compiled = [(f.name, getattr(site, f.name)) for f in dataclasses.fields(site) if f.name != "charts"]
        charts = [(chart_id, c.chart, c.points) for chart_id, c in sorted(site.charts.items())]  # not their SVGs
        inputs = (compiled, charts, self.base_url, self.build_date, self.default_card, self.library,
                  sorted(pages.items()))
        return dict(self.reuse.value("library pages", inputs, lambda: self._make_library_files(pages)))

    def _make_library_files(self, pages: dict[str, bytes]) -> dict[str, bytes]:
        glossary, library = self.site.content.glossary, self.library
        readings = self.readings.of(pages, self.site.plans, self.read_ahead.reading)
        files = {"glossary/index.html": self._page("glossary.html", "glossary/index.html",
                                                   usage=glossary_usage(readings, self.site.plans)),
                 "tags/index.html": self._page("tags.html", "tags/index.html"),
                 "timeline/index.html": self._page("timeline.html", "timeline/index.html"),
                 SEARCH_PAGE: self._page("search.html", SEARCH_PAGE)}
        for tag in library.tags:
            files[tag.url] = self._page("tag.html", tag.url, tag=tag)
        docs = search_documents(readings, self.site.plans, glossary, library, self.locale)
        files[SEARCH_INDEX] = search_index_script(docs, self.kept.document_json)
        return files

    def _revisions_for(self, plan: BriefingPlan) -> list[Revision]:
        if not self.site.content.site.show_revisions:
            return []
        return revisions_for(plan.fact_ids, self.revisions)

    def _citations(self) -> dict[str, list[Citation]]:
        # Most pages cite what they cited last time: keep each plan's citations while what they read is the
        # same, so that the sources page sees the same objects and is not rendered again.
        def of_plan(plan: BriefingPlan, book: FactBook, content: Content) -> list[tuple[str, Citation]]:
            return self.calls.call(("citations", plan.url), plan_citations, plan, book, content)
        return citations_by_source(self.site.plans, self.site.book, self.site.content, of_plan)

    def _static_files(self) -> dict[str, bytes]:
        files = self.project.static_files()
        stamps = []
        for rel, path in files:
            st = path.stat()
            stamps.append((rel, str(path), st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino))
        return dict(self.reuse.value("static", stamps, lambda: {
            posixpath.join("static", rel): self.project.read_static(path) for rel, path in files}))


def vega_bundle(store) -> bytes:
    """The vega-embed script that redraws charts in the browser, as vl-convert makes it.

    Making it takes seconds, so it is kept in the build's store; an entry that
    does not verify is made again from the installed vl-convert (see ``cache.py``).
    """
    import vl_convert as vlc

    key = store.key("vendor", "vega-embed", vlc.__version__) if store else ""
    bundle = store.get("vendor", key) if store else None
    if bundle is None:
        bundle = vlc.javascript_bundle().encode()
        if store:
            store.put("vendor", key, bundle)
    return bundle
