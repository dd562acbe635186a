"""Render every output file of the site, in memory, as ``{relative path: bytes}``.

Pages link to each other and to assets with relative URLs only (computed from
each page's depth), so the same output works from ``file://``, at a domain's
root and under a GitHub Pages project sub-path.
"""
from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..errors import BuildError
from .feeds import (FEED_PATH, CardImages, SocialCard, absolute_url, default_card, is_absolute_url, publishing_files,
                    social_cards)
from ..content.glossary import mark_terms
from ..compute.library import Library, build_library, glossary_usage
from ..compute.pages import BriefingPlan, Citation, citations_by_source
from ..compute.parallel import KeptDrafts, draft_bodies
from .bodies import BodyDrafts, draft_body, render_body, render_template, site_environment
from ..settings import Settings
from ..compute.revisions import MANIFEST_PATH, Revision, manifest_bytes, revisions_for
from .search import SEARCH_INDEX, SEARCH_PAGE, search_documents, search_index_script

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


class SiteRenderer:
    """Renders the pages of one compiled site with the project's templates."""

    def __init__(self, project: Project, compiled: CompiledSite, settings: Settings,
                 revisions: list[Revision], kept: Kept) -> None:
        self.project = project
        self.kept = kept
        self.revisions = revisions
        self.drafts = BodyDrafts()  # briefing bodies through Jinja and Markdown (render.draft_body)
        self.readings = kept.readings
        self.site = compiled
        self.env = site_environment(project.template_folders)
        self.base_url = settings.base_url
        briefing_dates = [b.meta.updated or b.meta.date for b in compiled.content.briefings]
        # Unstamped builds date the site by its newest briefing, not today, so that they are reproducible.
        self.build_date = settings.stamped or max(briefing_dates, default=dt.date(2000, 1, 1))
        self.cards: dict[str, SocialCard] = {}  # by page path; drawn by render_all
        self.default_card = default_card(compiled.content.site, self.base_url)  # for pages without a card
        self.library = self._library()

    def _library(self) -> Library:
        return build_library(self.site.content, self.site.book, self.site.plans)

    def render_all(self) -> dict[str, bytes]:
        """Every file of the site."""
        files: dict[str, bytes] = {}
        plans = self.site.plans
        draft_bodies([plan.briefing for plan in plans], self.drafts, draft_body, self.kept.drafts)
        self.cards = social_cards(plans, self.site.charts, self.base_url, self._card_cache())
        files["index.html"] = self._page("index.html", "index.html", plans=plans)
        for plan in plans:
            files[plan.url] = self._briefing_page(plan)
        files.update(self._library_files(files))
        files["sources/index.html"] = self._page(
            "sources.html", "sources/index.html", citations=self._citations())
        files["404.html"] = self._page("404.html", "404.html", absolute_base=True)
        for chart_id, chart in sorted(self.site.charts.items()):
            files[f"charts/{chart_id}.vl.json"] = chart.spec_json.encode()
            files[f"charts/{chart_id}.csv"] = chart.csv.encode()
            files[f"charts/{chart_id}.svg"] = chart.svg.encode()
        files.update({card.path: card.png for card in self.cards.values()})
        files.update(self._static_files())
        if self.site.charts:  # the bundle only redraws charts; making it costs a second on a new machine
            files[VENDOR_BUNDLE] = self._vega_bundle()
        files[MANIFEST_PATH] = manifest_bytes(self.site.rows, self.revisions)
        files[".nojekyll"] = b""
        if self.site.content.site.cname:
            files["CNAME"] = (self.site.content.site.cname.strip() + "\n").encode()
        files.update(self._publishing_files(list(files)))
        return files

    def _publishing_files(self, paths: list[str]) -> dict[str, bytes]:
        return publishing_files(self.site.content.site, self.site.plans, paths, self.base_url, self.build_date)

    def _card_cache(self) -> CardImages:
        return self.kept.cards

    def _context(self, url: str, absolute_base: bool = False) -> dict[str, Any]:
        depth = url.count("/")
        root = self._base_path() if absolute_base else "../" * depth
        absolute = is_absolute_url(self.base_url)
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
            "locale": self.site.content.site.locale,
            "feed_href": root + FEED_PATH if absolute else None,
            "og_url": absolute_url(self.base_url, url) if absolute else None,
            "card": self.cards.get(url) or self.default_card,
            "library": self.library,
            "glossary": self.site.content.glossary,
        }

    def _base_path(self) -> str:
        # 404.html is served at any depth by GitHub Pages, so its links must be root-relative.
        path = "/" + self.base_url.split("://", 1)[-1].partition("/")[2]
        return path if path.endswith("/") else path + "/"

    def _page(self, template: str, url: str, absolute_base: bool = False, **extra: Any) -> bytes:
        context = self._context(url, absolute_base) | extra
        return self._render(template, context).encode()

    def _render(self, template: str, context: dict[str, Any]) -> str:
        return render_template(self.env, template, self.project.templates, self.project.root, **context)

    def _briefing_page(self, plan: BriefingPlan) -> bytes:
        context = self._context(plan.url) | {"plan": plan, "briefing": plan.briefing, "meta": plan.briefing.meta,
                                             "revisions": self._revisions_for(plan)}
        placed_checks: set[str] = set()

        def render_ref(function: str, ref_id: str, extra: tuple) -> tuple[str, bool]:
            line = plan.refs.by_function(function).get(ref_id, plan.briefing.body_line)
            if function == "fact":
                fmt = extra[0] if extra else None
                if fmt not in (None, "compact", "integer", "decimal", "percent", "year", "text"):
                    raise BuildError(plan.briefing.origin.path, line, f"fact({ref_id!r}, {fmt!r}): unknown format")
                return self._partial("partials/fact.html", context, fact=self.site.book[ref_id], fmt=fmt), False
            if function == "chart":
                return self._partial("partials/chart.html", context, chart=self.site.charts[ref_id]), True
            if function == "check":
                placed_checks.add(ref_id)
                return self._partial("partials/check.html", context, result=self.site.book.checks.get(ref_id),
                                     check=self.site.content.checks[ref_id]), True
            return self._partial("partials/cite.html", context, source=self.site.content.sources[ref_id]), False

        body, terms = mark_terms(render_body(plan.briefing, render_ref, self.drafts.draft_of(plan.briefing)),
                                 self.site.content.glossary)
        open_checks = [self.site.book.checks[c] for c in plan.check_ids
                       if c not in placed_checks and c in self.site.book.checks and not self.site.book.checks[c].passed]
        context |= {"body": Markup(body), "open_checks": open_checks, "terms_used": terms,
                    "related": self.library.related.get(plan.briefing.slug, ())}
        return self._render("briefing.html", context).encode()

    def _library_files(self, pages: dict[str, bytes]) -> dict[str, bytes]:
        """The glossary, tag, timeline and search pages, and the search index (read from the briefing ``pages``)."""
        glossary, library = self.site.content.glossary, self.library
        readings = self.readings.of(pages, self.site.plans)
        files = {"glossary/index.html": self._page("glossary.html", "glossary/index.html",
                                                   usage=glossary_usage(readings, self.site.plans)),
                 "tags/index.html": self._page("tags.html", "tags/index.html"),
                 "timeline/index.html": self._page("timeline.html", "timeline/index.html"),
                 SEARCH_PAGE: self._page("search.html", SEARCH_PAGE)}
        for tag in library.tags:
            files[tag.url] = self._page("tag.html", tag.url, tag=tag)
        docs = search_documents(readings, self.site.plans, glossary, library, self.site.content.site.locale)
        files[SEARCH_INDEX] = search_index_script(docs)
        return files

    def _revisions_for(self, plan: BriefingPlan) -> list[Revision]:
        if not self.site.content.site.show_revisions:
            return []
        return revisions_for(plan.fact_ids, self.revisions)

    def _partial(self, template: str, context: dict[str, Any], **extra: Any) -> str:
        return self._render(template, context | extra).strip()

    def _citations(self) -> dict[str, list[Citation]]:
        return citations_by_source(self.site.plans, self.site.book, self.site.content)

    def _static_files(self) -> dict[str, bytes]:
        return {posixpath.join("static", rel): self.project.read_static(path) for rel, path in self.project.static_files()}

    def _vega_bundle(self) -> bytes:
        return vega_bundle(self.kept.store)


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
