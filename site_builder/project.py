"""A site project on disk: where its folders are, and reading all of its content.

``load_content`` is the load + validate stages together: it reads every content
file, validates it into model objects and cross-checks references, collecting
every problem before raising them all at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, ErrorCollector
from .loader import Document, load_markdown, load_yaml
from .model import Content, SiteConfig
from .validate import (
    cross_check, validate_briefing, validate_charts, validate_facts, validate_site, validate_sources,
)


@dataclass(frozen=True)
class Project:
    """The folders of a site project."""

    root: Path
    out: Path

    @classmethod
    def at(cls, root: Path | str = ".", out: Path | str | None = None) -> "Project":
        """The project rooted at ``root``, writing to ``out`` (default ``root/_site``)."""
        root = Path(root).resolve()
        return cls(root, Path(out).resolve() if out else root / "_site")

    @property
    def content(self) -> Path:
        """The ``content/`` folder."""
        return self.root / "content"

    @property
    def templates(self) -> Path:
        """The ``templates/`` folder."""
        return self.root / "templates"

    @property
    def static(self) -> Path:
        """The ``static/`` folder."""
        return self.root / "static"

    @property
    def cache(self) -> Path:
        """Where rendered charts are cached between builds."""
        return self.root / ".briefing-cache"

    def display(self, path: Path) -> str:
        """``path`` as shown in messages: relative to the project root."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def files_under(self, folder: Path, pattern: str) -> list[Path]:
        """Files matching ``pattern`` under ``folder``, sorted, refusing any that resolve outside the project."""
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.glob(pattern)):
            if not path.is_file():
                continue
            if not path.resolve().is_relative_to(self.root):
                raise BuildError(self.display(path), 1, "refusing a file that links outside the project folder")
            found.append(path)
        return found


def load_content(project: Project) -> Content:
    """Read, validate and cross-check everything under ``content/``; raises BuildErrors listing every problem."""
    errors = ErrorCollector()
    if not project.content.is_dir():
        raise BuildError(project.display(project.content), 1, "no content/ folder here (use --root, or `briefing new DIR`)")
    site = _site_config(project, errors)
    sources = {}
    sources_doc = _load(project, project.content / "sources.yaml", errors)
    if sources_doc:
        sources = validate_sources(sources_doc, errors)
    fact_docs = [d for p in project.files_under(project.content / "facts", "*.yaml") if (d := _load(project, p, errors))]
    facts, checks = validate_facts(fact_docs, errors)
    chart_docs = [d for p in project.files_under(project.content / "charts", "*.yaml") if (d := _load(project, p, errors))]
    charts = validate_charts(chart_docs, errors)
    briefings = []
    for path in project.files_under(project.content / "briefings", "*.md"):
        try:
            briefing = validate_briefing(load_markdown(path, project.display(path)), errors)
        except BuildError as exc:
            errors.add_error(exc)
            continue
        if briefing and not briefing.meta.draft:
            briefings.append(briefing)
    content = Content(site or SiteConfig(title="(invalid site.yaml)"), sources, facts, checks, charts, briefings)
    cross_check(content, errors)
    errors.raise_if_any()
    return content


def _site_config(project: Project, errors: ErrorCollector) -> SiteConfig | None:
    doc = _load(project, project.content / "site.yaml", errors)
    return validate_site(doc, errors) if doc else None


def _load(project: Project, path: Path, errors: ErrorCollector) -> Document | None:
    if not path.exists():
        errors.add(project.display(path), 1, "file is missing")
        return None
    if not path.resolve().is_relative_to(project.root):
        errors.add(project.display(path), 1, "refusing a file that links outside the project folder")
        return None
    try:
        return load_yaml(path, project.display(path))
    except BuildError as exc:
        errors.add_error(exc)
        return None
