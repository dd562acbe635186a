"""What ``briefing serve`` keeps between builds, so that a rebuild redoes only what a change affects.

``RenderMemo`` holds the Jinja environment and every rendered page with a digest
of its inputs; ``MemoRenderer`` is a SiteRenderer that reuses a page's bytes
when that digest is unchanged.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import pickle
import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from ..compute.stage import CompiledSite
from ..compute.facts import FactBook
from .kept import DraftCache, PageReadings, PngCache
from ..compute.library import Library, build_library
from ..model import Content
from ..compute.pages import BriefingPlan, Citation, citations_by_source, plan_citations
from ..progress import BuildProgress
from ..compute.project import Project
from .recorded import Memo
from ..render.bodies import BodyDrafts
from ..compute.revisions import Revision
from ..settings import Settings
from ..values import same
from ..render.site import Kept, SiteRenderer
from .written import WrittenPages

BRIEFING_TEMPLATES = ("briefing.html", "partials/fact.html", "partials/chart.html",
                      "partials/check.html", "partials/cite.html")


class RenderMemo:
    """What a SiteBuilder keeps between builds: the Jinja environment, rendered pages and static files.

    Given the project's cache folder and output folder, it also remembers, on
    disk, which pages the last build wrote there and from which inputs, so that
    a build in a new process can take an unchanged page from the output folder.
    """

    def __init__(self, env: jinja2.Environment, store=None, out: Path | None = None, calls: Memo | None = None) -> None:
        self.env = env
        self.calls = calls or Memo()  # library, citations: kept while what they read is the same
        self.store = store  # the build's incremental store (``cache.Store``)
        self.pages: dict[str, tuple[str, bytes]] = {}  # output path → (inputs digest, bytes)
        self._inputs: dict[str, tuple[object, str]] = {}  # what each digest was made of (see ``key``)
        self.written = WrittenPages(out, store)
        self.static: dict[Path, tuple[tuple[int, ...], bytes]] = {}
        self.vega_bundle: bytes | None = None
        self.drafts = BodyDrafts()  # briefing bodies through Jinja and Markdown, kept between builds
        self.readings = PageReadings(store)  # search text, glossary links
        self.cards = PngCache(store)  # social-card PNGs, kept in memory too
        self.publishing: tuple[object, dict[str, bytes]] | None = None  # the last feed, sitemap and robots.txt
        # The last library pages and search index, what they were made from, and the pages among them:
        self.library_files: tuple[object, dict[str, bytes], tuple[str, ...]] | None = None
        self._sources: dict[str, str | None] = {}
        self._templates: dict[tuple[str, ...], tuple[str, frozenset[str] | None]] = {}  # this build's ``templates``
        self._analyses: dict[str, tuple[tuple[str | None, ...], frozenset[str] | None]] = {}

    def templates(self, names: tuple[str, ...]) -> tuple[str, frozenset[str] | None]:
        """A digest of the templates ``names`` use (extends, includes, imports) with their sources, and the
        context names they read (None: cannot tell, so every name counts). Read once per build (see
        ``start_build``); a digest, not the sources, goes into each page's inputs: 14 KB less to digest a page."""
        if names in self._templates:
            return self._templates[names]
        found: dict[str, str | None] = {}
        used: set[str] | None = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in found:
                continue
            found[name] = source = self._source(name)
            refs, names_read = self._analyse(source) if source is not None else ((), frozenset())
            used = None if used is None or names_read is None else used | names_read
            if None in refs:  # a computed template name: it could be any of them
                todo.extend(self.env.list_templates())
            todo.extend(r for r in refs if r)
        self._templates[names] = digest(sorted(found.items())), None if used is None else frozenset(used)
        return self._templates[names]

    def start_build(self) -> None:
        """Forget what was read of the templates: they may have been edited since the last build."""
        self._templates = {}

    def key(self, name: str, inputs: object) -> str:
        """The digest of ``inputs``, the inputs of ``name``: the last one when they are the same objects.

        Unchanged content is made of the same objects from one build to the next
        (see ``recall.py``), and telling so is much quicker than digesting it.
        """
        kept = self._inputs.get(name)
        if kept is not None and same(kept[0], inputs):
            return kept[1]
        key = digest(inputs)
        self._inputs[name] = (inputs, key)
        return key

    def forget_all_but(self, pages: set[str]) -> None:
        """Drop remembered pages that the last build no longer made."""
        self.pages = {url: kept for url, kept in self.pages.items() if url in pages}
        self._inputs = {name: kept for name, kept in self._inputs.items() if name in pages or name.startswith("*")}

    def _source(self, name: str) -> str | None:
        try:
            source = self.env.loader.get_source(self.env, name)[0]
        except jinja2.TemplateNotFound:
            source = None
        if name in self._sources and self._sources[name] != source:
            self.env.cache.clear()  # Jinja reloads on a new mtime; this also catches an edit within the same tick
        self._sources[name] = source
        return source

    def _analyse(self, source: str) -> tuple[tuple[str | None, ...], frozenset[str] | None]:
        if source not in self._analyses:
            try:
                tree = self.env.parse(source)
                self._analyses[source] = (tuple(jinja2.meta.find_referenced_templates(tree)),
                                          frozenset(jinja2.meta.find_undeclared_variables(tree)))
            except jinja2.TemplateError:
                self._analyses[source] = ((), None)  # rendering will report it, with its line
        return self._analyses[source]


class MemoRenderer(SiteRenderer):
    """A SiteRenderer that reuses a page's bytes when none of the page's inputs changed."""

    # Per-page attributes, or ones this class narrows per page; every other attribute is a site-wide input.
    PER_PAGE = frozenset({"project", "kept", "site", "env", "cards", "revisions", "memo", "progress", "rendered",
                          "pages_seen", "_site_wide", "readings", "drafts"})  # drafts: made from each page's body
    PLANNED = frozenset({"facts", "checks", "charts", "sources", "briefings", "book", "plans", "warnings", "rows"})

    def __init__(self, project: Project, compiled: CompiledSite, settings: Settings,
                 revisions: list[Revision], memo: RenderMemo, progress: BuildProgress) -> None:
        self.memo = memo
        memo.start_build()
        super().__init__(project, compiled, settings, revisions,
                         Kept(memo.readings, memo.cards, DraftCache(memo.store), memo.store))
        self.env = memo.env
        self.drafts = memo.drafts
        self.readings = memo.readings
        self.progress = progress
        self.rendered: list[str] = []
        self.pages_seen: set[str] = set()
        self._site_wide: str | None = None

    def _page(self, template: str, url: str, absolute_base: bool = False, **extra: Any) -> bytes:
        templates, names = self.memo.templates((template,))
        context = self._context(url, absolute_base) | extra
        inputs = (templates, url, [(k, v) for k, v in sorted(context.items()) if names is None or k in names])
        render = functools.partial(super()._page, template, url, absolute_base, **extra)
        return self._reuse_or_render(url, inputs, render)

    def _briefing_page(self, plan: BriefingPlan) -> bytes:
        templates, names = self.memo.templates(BRIEFING_TEMPLATES)
        book, content = self.site.book, self.site.content
        charts = [self.site.charts.get(c) for c in plan.chart_ids]
        card = self.cards.get(plan.url)
        shown = {  # what the page shows of the site-wide tables: the plan lists it
            "book": [book[f] for f in plan.fact_ids],
            # A drawn chart (SVG, CSV, spec) is made from its definition and points by this process's code:
            # digesting those is the same and spares pickling 100 KB a page.
            "charts": [(c.chart, c.points) if c else None for c in charts],
            "card": card and dataclasses.replace(card, png=b""),  # its key stands for its PNG: no 100 KB a page
            "sources": [content.sources.get(s) for s in plan.source_ids + tuple(plan.refs.sources)],
            "library": None,  # in _site_wide_inputs(), digested once: its repr is megabytes at 1,000 briefings
        }
        context = self._context(plan.url) | {"plan": plan, "revisions": self._revisions_for(plan)}
        inputs = (templates, plan.url, [(k, shown.get(k, v)) for k, v in sorted(context.items())],
                  [(content.checks.get(c), book.checks.get(c)) for c in plan.check_ids],
                  self._site_wide_inputs())
        return self._reuse_or_render(plan.url, inputs, functools.partial(super()._briefing_page, plan))

    def _publishing_files(self, paths: list[str]) -> dict[str, bytes]:
        # The feed and sitemap list pages, not what they show: an edited number leaves them as they were.
        inputs = (self.site.content.site, self.site.plans, paths, self.base_url, self.build_date)
        kept = self.memo.publishing
        if kept is None or not same(kept[0], inputs):
            kept = self.memo.publishing = (inputs, super()._publishing_files(paths))
        return dict(kept[1])

    def _card_cache(self) -> PngCache:
        self.memo.cards.next_build()
        return self.memo.cards

    def _library(self) -> Library:
        return self.memo.calls.call("library", build_library, self.site.content, self.site.book, self.site.plans)

    def _citations(self) -> dict[str, list[Citation]]:
        # Most pages cite what they cited last time: keep each plan's citations while what they read is the
        # same, so that the sources page sees the same objects and is not rendered again.
        def of_plan(plan: BriefingPlan, book: FactBook, content: Content) -> list[tuple[str, Citation]]:
            return self.memo.calls.call(("citations", plan.url), plan_citations, plan, book, content)
        return citations_by_source(self.site.plans, self.site.book, self.site.content, of_plan)

    def _site_wide_inputs(self) -> str:
        """A digest of everything site-wide a briefing page might show besides what its plan lists."""
        if self._site_wide is None:
            content, compiled = self.site.content, self.site
            parts = [(f.name, getattr(content, f.name)) for f in dataclasses.fields(content)
                     if f.name not in self.PLANNED]
            parts += [(f.name, getattr(compiled, f.name)) for f in dataclasses.fields(compiled)
                      if f.name not in self.PLANNED | {"content"}]
            parts += [(k, v) for k, v in sorted(vars(self).items()) if k not in self.PER_PAGE]
            parts.append([(p.url, p.briefing.meta) for p in compiled.plans])
            self._site_wide = self.memo.key("*site-wide", parts)
        return self._site_wide

    def _library_files(self, pages: dict[str, bytes]) -> dict[str, bytes]:
        # Files made from the rendered pages themselves (glossary usage, search index) cost an HTML parse
        # of every page: reuse them while the pages and the whole compiled site are the same.
        compiled = [(f.name, getattr(self.site, f.name)) for f in dataclasses.fields(self.site) if f.name != "charts"]
        charts = [(chart_id, c.chart, c.points) for chart_id, c in sorted(self.site.charts.items())]  # not their SVGs
        whole = (compiled, charts, [(k, v) for k, v in sorted(vars(self).items()) if k not in self.PER_PAGE],
                 self.memo.templates(tuple(self.env.list_templates()))[0])
        inputs = (whole, sorted(pages.items()))
        kept = self.memo.library_files
        if kept and same(kept[0], inputs):
            for url in kept[2]:
                self.pages_seen.add(url)
                self.progress.page_done()
            return dict(kept[1])
        before = set(self.pages_seen)
        files = super()._library_files(pages)
        self.memo.library_files = (inputs, dict(files), tuple(sorted(self.pages_seen - before)))
        return files

    def _reuse_or_render(self, url: str, inputs: object, render: Callable[[], bytes]) -> bytes:
        key = self.memo.key(url, inputs)
        kept = self.memo.pages.get(url)
        if kept and kept[0] == key:
            data = kept[1]
        else:
            data = self.memo.written.page(url, key)
            if data is None:
                data = render()
                self.rendered.append(url)
            self.memo.pages[url] = (key, data)
        self.pages_seen.add(url)
        self.progress.page_done()
        return data

    def _static_files(self) -> dict[str, bytes]:
        files, kept = {}, {}
        for rel, path in self.project.static_files():
            st = path.stat()
            stamp = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
            old = self.memo.static.get(path)
            kept[path] = old if old and old[0] == stamp else (stamp, self.project.read_static(path))
            files[posixpath.join("static", rel)] = kept[path][1]
        self.memo.static = kept
        return files

    def _vega_bundle(self) -> bytes:
        if self.memo.vega_bundle is None:
            self.memo.vega_bundle = super()._vega_bundle()
        return self.memo.vega_bundle


def digest(*parts: object) -> str:
    """A digest of the values in ``parts``: equal values give equal digests within one process.

    Pickle spells out every value of the frozen model dataclasses, several times
    faster than ``repr``. The same values pickled with other object sharing, or
    a set in another order, only make the digest differ: that costs a
    re-render, never a stale page. Anything pickle refuses is digested by its
    ``repr``, which for objects without a value-based one differs every time.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: an object shared by two parts is written out twice, so only values count
    try:
        pickler.dump(parts)
        data = buffer.getvalue()
    except (pickle.PicklingError, TypeError, AttributeError, ValueError):
        data = repr(parts).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()
