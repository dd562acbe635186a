"""The build, read top to bottom: load → validate → compute → render → write.

``SiteBuilder`` is the build, kept alive between runs by ``briefing serve``;
``commands/build_command.build_site``, the one entry point the other commands
use, runs it once unless the last build is still current. Each step raises
BuildErrors listing every problem it found; nothing is written unless all of
them pass, and then the new site replaces the old one in one swap.
"""
from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from .incremental.cache import Store
from .compute import drafting, parallel
from .compute.parallel import workers_started_ahead
from .compute.stage import CompiledSite, compile_content
from .errors import BuildError, BuildErrors, Problem, StrictWarnings
from .files import MAX_STATIC_BYTES, read_regular
from .incremental.kept import BodyScans, ParsedDocuments, SvgCache
from .incremental.listings import KeptListings
from .incremental.memo import RenderMemo
from .incremental.written import CheckedFiles
from .output import WrittenSite, check_output_folder_ahead, update_site
from .progress import BuildProgress, BuildResult
from .content.folders import THEME, Project
from .content.loader import markdown_body
from .compute.project import load_content
from .incremental.recall import Recall
from .incremental.recorded import Memo
from .render.bodies import draft_text, warm_up_drafting
from .render.csp import policy_problems
from .render.site import SiteRenderer
from .render.templates import site_templates
from .render.third_party import SourceText, third_party_problems
from .content.git import history_key
from .content.history import FactHistory, read_history
from .compute.datafacts import data_files
from .settings import cname_problem, resolve_settings
from .compute.revisions import MANIFEST_PATH, Revision, manifest_displays, new_revisions, revisions_from
from .swap import recover_interrupted_swap
from .values import changed_keys


def file_error(exc: OSError, project: Project) -> BuildError:
    """An OSError that escaped the build as a located error; one in the cache says that deleting it is safe."""
    where = Path(exc.filename) if exc.filename else project.root
    message = f"{exc.strerror or exc}"
    if where.is_relative_to(project.cache):
        message = (f"the cache folder cannot be used ({message}); delete {project.display(project.cache)} "
                   "(always safe) or make it a writable folder")
    return BuildError(project.display(where), 1, message)


@contextmanager
def collector_paused(set_aside: bool = False) -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration, as it was after.

    A build allocates millions of objects that live until it ends, and makes
    almost no reference cycles: the collector would walk that growing heap again
    and again for nothing (a second of a 1,000-briefing build). What cycles a
    build leaves are collected at the next collection: the end of the process,
    or ``briefing serve``'s collection while the author pauses. With
    ``set_aside``, what the build made is set aside from the collector (``gc.freeze``)
    before it runs again: its first collection would walk all of it (36 ms of a
    one-fact rebuild at 1,000 briefings, before the new site is served).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if set_aside:
            gc.freeze()
        if was_enabled:
            gc.enable()


# Building again and again (``briefing serve``) ------------------------------------------------

class SiteBuilder:
    """Builds one project again and again, redoing only what a change affects (``briefing serve``).

    Every build still loads and checks all content: facts depend on each other
    across files, and loading is quick. What the builder keeps in memory is the
    slow part: a chart whose definition and data points are unchanged is not
    drawn again (no Altair, no vl-convert), a page whose inputs (the templates
    it read, recorded as they loaded, and what it shows) are unchanged is not
    rendered again, and the Jinja environment keeps its compiled templates.
    The files are the ones ``build_site`` would write, and ``update_site``
    rewrites only those whose bytes changed.

    What a briefing page shows of the site-wide tables (facts, charts, sources,
    checks) is what its plan lists: ``render/briefing.py`` fills the body from
    those alone; of the rest of its context, what its templates read counts.
    """

    def __init__(self, project: Project, base_url: str | None = None, progress: BuildProgress | None = None,
                 store: Store | None = None, strict: bool = False, serving: bool = False) -> None:
        self.project = project
        # Kept alive by briefing serve: what each build made is set aside from the collector (``collector_paused``),
        # and what only the builds that follow use is kept (file texts, the search documents' JSON).
        self.serving = serving
        self.base_url = base_url
        self.strict = strict  # warnings are errors: StrictWarnings, raised before anything is rendered or written
        self.progress = progress or BuildProgress()
        self.store = store or Store(project.cache)  # every result kept on disk, authenticated (cache.py)
        self.cache = SvgCache(self.store)
        self.calls = Memo()  # plans, library, citations: each kept while what it read is the same (recorded.py)
        self.memo = RenderMemo(site_templates(project.template_folders), self.store, project.out, serving)
        self.checked = CheckedFiles(project.out, self.store)  # files that passed _refuse_third_party
        self.parsed = ParsedDocuments(self.store, keep_texts=serving)
        self.recall = Recall()  # what each unchanged document validated to
        self.listings = KeptListings()  # the content folders' listings, while their stat is unchanged
        self.scans = BodyScans(self.store)  # what each body names
        self._written: WrittenSite | None = None  # what the last build left in the output folder
        self._compiled: CompiledSite | None = None  # the last build's: what an edit does not reach is reused
        self._history: tuple[tuple, FactHistory] | None = None  # the facts' committed history, and its key
        self._other_pages = 3  # pages besides the briefings, as of the last build (for progress totals)
        self.rendered: tuple[str, ...] = ()  # the pages the last build rendered rather than reused

    def build(self, write_lock: AbstractContextManager = nullcontext()) -> BuildResult:
        """Build into the output folder, atomically; ``write_lock`` is held while the new site is swapped in."""
        # Workers for the body drafts, when a cold build will need them, start while the content loads (a rebuild
        # drafts what was edited: no workers); what the build keeps in the store is written by a thread meanwhile.
        many = self._compiled is None and _many_bodies_to_draft(self.project)
        with collector_paused(self.serving), self.store.writing_behind(), \
                workers_started_ahead(many, warm_up_drafting):
            folder = str(self.store.folder) if self.store.folder else None
            drafting.draft_files_ahead(self._briefing_files, functools.partial(draft_files, folder))
            try:
                return self._build(write_lock)
            except OSError as exc:  # the site's own writes report theirs; this is the cache, or a file gone
                raise file_error(exc, self.project) from None

    def _build(self, write_lock: AbstractContextManager) -> BuildResult:
        recover_interrupted_swap(self.project.out)
        output_checked = check_output_folder_ahead(self.project.out, self.project.root)
        drawn_before = self.cache.rendered
        try:
            try:
                content = load_content(self.project, self.parsed, self.recall, self.listings.matches)
            finally:
                self.parsed.next_build()
                self.listings.next_build()
                self.recall.next_build()
            self.progress.start(len(content.briefings) + self._other_pages, len(content.charts))
            self.calls.next_build()
            compiled = compile_content(content, self.cache, self._compiled, self.progress.chart_done, self.scans,
                                       self.calls)
            self.scans.next_build()
            settings = resolve_settings(content.site, self.base_url, briefings=content.briefings)
            warnings = compiled.warnings + tuple(self._settings_warnings(content.site, settings.base_url))
            if self.strict and warnings:
                raise StrictWarnings(warnings)
            revised = self._revised(compiled.rows, settings.today)
            history = revisions_from(self._fact_history(content).changes, compiled.book)
            self.memo.start_build(self.progress)
            renderer = SiteRenderer(self.project, compiled, settings, history, self.memo.kept, self.memo.templates,
                                    reuse=self.memo, calls=self.calls)
            files = renderer.render_all()
        finally:
            self.progress.finish()
        self._refuse_third_party(files, compiled, renderer.read_ahead.loads)
        self.memo.finish_build()
        self.rendered = tuple(self.memo.rendered)
        self._other_pages = len(set(self.memo.pages_seen)) - len(compiled.plans)
        on_disk = output_checked()
        with write_lock:
            changed, self._written = update_site(files, self.project.out, self._written, on_disk)
        self.memo.remember_written(self._written.stats)
        self._compiled = compiled
        return BuildResult(self.project.out, len(compiled.plans), len(compiled.charts),
                           self.cache.rendered - drawn_before, len(self._written.files), tuple(changed), warnings, tuple(revised))

    def _briefing_files(self) -> list[tuple[str, str]]:
        # What ``draft_files`` reads: each briefing file by the name the loader gives it.
        try:
            paths = self.project.files_under(self.project.content / "briefings", "*.md")
        except BuildError:
            return []  # a file the loader refuses: it reports it, and nothing is drafted ahead
        return [(str(Path(self.project.display(path))), str(path)) for path in paths]

    def _refuse_third_party(self, files: dict[str, bytes], compiled: CompiledSite,
                            loads_ahead: Callable[[str, bytes], tuple | None] | None = None) -> None:
        # The final HTML is checked, not just the bodies as written (render/third_party.py); a file the
        # last build wrote, or one an earlier process checked, byte for byte, passed this check then.
        written = self._written.files if self._written else {}
        bodies = {plan.url: SourceText(plan.briefing.origin.path, plan.briefing.body_line, plan.briefing.body)
                  for plan in compiled.plans}
        unchanged = lambda path, data: written.get(path) == data or self.checked.passed(path, data)  # noqa: E731
        problems = third_party_problems(files, bodies, self._source_texts, unchanged, loads_ahead)
        base = self.project.templates / "base.html"  # where a project's own pages would have lost the policy
        problems += policy_problems(files, unchanged, self.project.display(base) if base.is_file() else None)
        if problems:
            raise BuildErrors(problems)
        self.checked.remember(files)

    def _source_texts(self) -> list[SourceText]:
        """Every content file, template and stylesheet of the project (theme included), to locate markup in."""
        project = self.project
        paths = (project.files_under(project.content, "**/*.yaml") + project.files_under(project.content, "**/*.md")
                 + project.files_under(project.templates, "**/*") + sorted((THEME / "templates").glob("**/*"))
                 + [path for _, path in project.static_files() if path.suffix in (".css", ".svg", ".html")])
        return [SourceText(project.display(path), 1, read_regular(path, MAX_STATIC_BYTES).decode("utf-8", "replace"))
                for path in paths if path.is_file()]

    def _settings_warnings(self, site, base_url: str) -> list[Problem]:
        problem = cname_problem(site, base_url)
        if problem is None:
            return []
        path = self.project.content / "site.yaml"
        return [Problem(self.project.display(path), _line_of_key(path, "cname"), problem)]

    def _revised(self, rows, today) -> list[Revision]:
        # The facts whose shown value differs from what the manifest in the output folder records (the terminal's
        # "Revised" lines). When it is the one the last build wrote, only the rows made again since can differ
        # (parsing it takes a quarter of a second at 1,000 briefings; even reading it, 4 MB, costs a few ms).
        path = self.project.out / MANIFEST_PATH
        written = self._written.stats.get(MANIFEST_PATH) if self._written else None
        old = self._compiled.rows if self._compiled is not None else None
        if written is not None and old is not None and (changed := changed_keys(old, rows)) is not None:
            try:
                info = path.stat(follow_symlinks=False)
            except OSError:
                return []
            if (info.st_size, info.st_mtime_ns, info.st_ino) == written:
                previous = {fid: (old[fid].display, old[fid].value_key) for fid in changed if fid in old}
                return new_revisions(previous, {fid: rows[fid] for fid in sorted(changed) if fid in rows}, today)
        try:
            manifest = path.read_bytes()
        except OSError:
            return []
        return new_revisions(manifest_displays(manifest)[0], rows, today)

    def _fact_history(self, content) -> FactHistory:
        # Read again only when the facts or data folder has a new commit, or what the data facts read is declared
        # otherwise (and, without git, at every build).
        files = data_files(content, self.project.content)
        key = (history_key(self.project.root, self.project.content), [f.declared for f in files])
        if self._history is None or self._history[0] != key or key[0] == "no git":
            self._history = (key, read_history(self.project.root, self.project.content, self.store, files))
        return self._history[1]


def draft_files(folder: str | None, files: list[tuple[str, str]]) -> list[tuple[tuple, object]]:
    """Drafts of the bodies of briefing ``files`` (name, path) that the store in ``folder`` lacks, each with its
    key (``drafting.draft_files_ahead``): what a worker started ahead does while the content loads."""
    store = Store(Path(folder), secret=b"") if folder else None  # only to see what is stored: no secret
    drafts: list[tuple[tuple, object]] = []
    for display, path in files:
        try:
            body, line = markdown_body(Path(path), display)
        except BuildError:
            continue  # the loader reports it
        if store is None or not store.has("bodies", store.key("bodies", body)):
            drafts.append(((display, line, body), drafting.draft_or_problem(draft_text, body, display, line)))
    return drafts


def _many_bodies_to_draft(project: Project) -> bool:
    # Whether the build will likely draft enough bodies for a pool (a cold build of a large site), told by
    # counting files before anything is loaded: briefings against the drafts kept in the store.
    def count(folder: Path) -> int:
        try:
            with os.scandir(folder) as entries:
                return sum(1 for _ in entries)
        except OSError:
            return 0
    return count(project.content / "briefings") - count(project.cache / "bodies") >= parallel.MIN_BODIES


def _line_of_key(path: Path, key: str) -> int:
    # The line of a top-level key in a small YAML file, for a warning (1 when it cannot be found).
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((n for n, line in enumerate(lines, 1) if line.startswith(f"{key}:")), 1)
