"""The build, read top to bottom: load → validate → compute → render → write.

``build_site`` is the one entry point the commands use. Each step raises
BuildErrors listing every problem it found; nothing is written unless all of
them pass, and then the new site replaces the old one in one swap.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from .charts import RenderedChart, SvgCache, render_chart
from .errors import ErrorCollector, Problem
from .facts import FactBook, resolve_facts
from .model import Content
from .output import check_output_folder, write_site
from .pages import BriefingPlan, check_body_refs, plan_briefing
from .project import Project, load_content
from .render import scan_body
from .revisions import Revision, new_revisions, read_previous_displays
from .site import SiteRenderer


@dataclass(frozen=True)
class BuildResult:
    """What a build did: counts for the terminal, warnings, and which files changed."""

    out: Path
    pages: int
    charts: int
    charts_rendered: int
    files: int
    changed: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    revised: list[Revision] = field(default_factory=list)


@dataclass(frozen=True)
class CompiledSite:
    """Everything the render stage needs, computed and checked."""

    content: Content
    book: FactBook
    charts: dict[str, RenderedChart]
    plans: list[BriefingPlan]
    warnings: list[Problem]


def build_site(project: Project, base_url: str | None = None) -> BuildResult:
    """Build the project's site into its output folder, atomically."""
    check_output_folder(project.out, project.root)
    cache = SvgCache(project.cache / "charts")
    compiled = compile_site(project, cache)
    previous, history = read_previous_displays(project.out)
    revised = new_revisions(previous, compiled.book, build_date() or dt.datetime.now(dt.timezone.utc).date())
    files = SiteRenderer(project, compiled, base_url, build_date(), history + revised).render_all()
    changed = write_site(files, project.out)
    return BuildResult(project.out, len(compiled.plans), len(compiled.charts), cache.rendered,
                       len(files), changed, compiled.warnings, revised)


def compile_site(project: Project, cache: SvgCache) -> CompiledSite:
    """Load, validate and compute everything; raises BuildErrors listing every problem."""
    content = load_content(project)
    errors = ErrorCollector()
    book = resolve_facts(content, errors)
    refs = {}
    for briefing in content.briefings:
        refs[briefing.slug] = scan_body(briefing, errors)
        check_body_refs(briefing, refs[briefing.slug], content, errors)
    errors.raise_if_any()
    charts = {}
    for chart in content.charts.values():
        rendered = render_chart(chart, book, cache, errors)
        if rendered:
            charts[chart.id] = rendered
    errors.raise_if_any()
    plans = [plan_briefing(b, refs[b.slug], content, book) for b in content.briefings]
    warnings = [Problem(r.check.origin.path, r.check.origin.line,
                        f"check {r.check.id!r}: {r.check.title}: {r.stated.id} is {r.stated.formatted()}, "
                        f"{r.derived.id} is {r.derived.formatted()} ({r.relative_difference:+.1%}, "
                        f"tolerance {r.check.tolerance:.1%})")
                for r in book.failed_checks()]
    return CompiledSite(content, book, charts, plans, warnings)


def build_date() -> dt.date | None:
    """The date to stamp on the build: from SOURCE_DATE_EPOCH, so that builds are reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        return None
