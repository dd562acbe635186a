"""A site project on disk: where its folders are, and reading all of its content.

``load_content`` is the load + validate stages together: it reads every content
file, validates it into model objects and cross-checks references, collecting
every problem before raising them all at once.
"""
from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path

from .currency import check_exchange_rates
from .datafacts import check_data_refs
from ..content.datasets import DATASETS_FILE, load_tables, validate_datasets
from ..errors import BuildError, ErrorCollector
from ..files import MAX_CONTENT_BYTES, MAX_STATIC_BYTES, is_special, read_regular, why_unreadable
from ..frozen import FrozenDict
from ..content.glossary import GLOSSARY_FILE, check_glossary, validate_glossary
from .library import check_tags
from ..content.loader import Document, Parser, load_markdown, load_yaml
from ..model import Content, SiteConfig
from .pages import check_body_refs, known_ids
from ..content.references import cross_check, declared_ids
from ..content.scan import scan_body
from ..content.validate import (
    Recaller, call, validate_briefing, validate_charts, validate_facts, validate_site, validate_sources,
)

# The default theme ships inside the package; a project overrides any of its files with its own copy.
THEME = Path(str(importlib.resources.files("site_builder") / "theme"))
OVERRIDE_NOTE = "README.md"  # a project's templates/README.md and static/README.md explain the folder; never published


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
    def template_folders(self) -> tuple[Path, ...]:
        """Where templates are looked up, first match wins: the project's ``templates/``, then the theme's."""
        return (self.templates, THEME / "templates")

    def static_files(self) -> tuple[tuple[str, Path], ...]:
        """Every static file as (path under ``static/``, file), sorted: the theme's, overridden by the project's."""
        found = {path.relative_to(THEME / "static").as_posix(): path
                 for path in sorted((THEME / "static").glob("**/*")) if path.is_file()}
        for path in self.files_under(self.static, "**/*"):
            rel = path.relative_to(self.static).as_posix()
            if rel != OVERRIDE_NOTE:
                found[rel] = path
        return tuple(sorted(found.items()))

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

    def read_static(self, path: Path) -> bytes:
        """The bytes of a file under static/ (regular, within ``MAX_STATIC_BYTES``); raises BuildError."""
        try:
            return read_regular(path, MAX_STATIC_BYTES)
        except OSError as exc:
            raise BuildError(self.display(path), 1, why_unreadable(exc)) from None

    def files_under(self, folder: Path, pattern: str) -> list[Path]:
        """Files matching ``pattern`` under ``folder``, sorted, refusing any that resolve outside the project."""
        if not folder.is_dir():
            return []
        found = []
        inside: dict[Path, bool] = {}  # by folder: whether it really is inside the project
        for path in sorted(folder.glob(pattern)):
            if not path.is_file():
                if is_special(path):
                    raise BuildError(self.display(path), 1, "refusing a FIFO, device or socket: only regular files "
                                     "are read")
                continue
            if path.is_symlink():
                ok = path.resolve().is_relative_to(self.root)
            else:  # resolving every path is a tenth of a second at a thousand briefings: each folder once
                ok = inside.get(path.parent)
                if ok is None:
                    ok = inside[path.parent] = path.parent.resolve().is_relative_to(self.root)
            if not ok:
                raise BuildError(self.display(path), 1, "refusing a file that links outside the project folder")
            found.append(path)
        return found


def load_content(project: Project, parsed: Parser | None = None, recall: Recaller | None = None) -> Content:
    """Read, validate and cross-check everything under ``content/``; raises BuildErrors listing every problem.

    ``parsed`` keeps YAML documents between builds, so that unchanged files are not parsed again, and
    ``recall`` keeps what each document validated to, so that they are not validated again either.
    """
    errors = ErrorCollector()
    recall = recall or call
    if not project.content.is_dir():
        raise BuildError(project.display(project.content), 1, "no content/ folder here (use --root, or `briefing new DIR`)")
    for path in project.files_under(project.templates, "**/*"):  # refuses a template that links outside the project
        if path.stat().st_size > MAX_CONTENT_BYTES:  # the theme's largest is 5 KB; this is a planted gigabyte
            raise BuildError(project.display(path), 1,
                             f"file is {path.stat().st_size:,} bytes; the limit is {MAX_CONTENT_BYTES:,}")
    site_doc = _load(project, parsed, project.content / "site.yaml", errors)
    site = recall(validate_site, site_doc, errors) if site_doc else None
    sources = {}
    sources_doc = _load(project, parsed, project.content / "sources.yaml", errors)
    if sources_doc:
        sources = recall(validate_sources, sources_doc, errors)
    fact_paths = project.files_under(project.content / "facts", "*.yaml")
    fact_docs = [d for p in fact_paths if (d := _load(project, parsed, p, errors, listed=True))]
    facts, checks = validate_facts(fact_docs, errors, recall)
    chart_paths = project.files_under(project.content / "charts", "*.yaml")
    chart_docs = [d for p in chart_paths if (d := _load(project, parsed, p, errors, listed=True))]
    charts = validate_charts(chart_docs, errors, recall)
    briefings = []
    for path in project.files_under(project.content / "briefings", "*.md"):
        try:
            briefing = recall(validate_briefing, load_markdown(path, project.display(path), parsed), errors, key=path)
        except BuildError as exc:
            errors.add_error(exc)
            continue
        if briefing and not briefing.meta.draft:
            briefings.append(briefing)
    tables, datasets_doc = _load_tables(project, parsed, errors)
    glossary_path = project.content / GLOSSARY_FILE
    glossary_doc = _load(project, parsed, glossary_path, errors) if glossary_path.exists() else None
    glossary = recall(validate_glossary, glossary_doc, errors) if glossary_doc else ()
    content = Content(site or SiteConfig(title="(invalid site.yaml)"), FrozenDict(sources), facts, checks, charts,
                      tuple(briefings), glossary, FrozenDict(tables))
    # References into a file that could not be read, or to an item that is invalid, would look
    # unknown: report the file or the item alone.
    unreadable = {kind for kind, ok in (("sources", sources_doc), ("facts", len(fact_docs) == len(fact_paths)),
                                        ("charts", len(chart_docs) == len(chart_paths))) if not ok}
    # Only an invalid item is declared without being in the content: with no problem so far, there is none.
    declared = {"sources": declared_ids([sources_doc] if sources_doc else [], "sources"),
                "facts": declared_ids(fact_docs, "facts"),
                "charts": declared_ids(chart_docs, "charts")} if errors.problems else {}
    cross_check(content, errors, unreadable, declared)
    if any(fact.data for fact in facts.values()):
        check_data_refs(content, errors, unreadable=datasets_doc is None or len(tables) < len(datasets_doc))
    check_glossary(content, errors)
    check_tags(content, errors)
    if site_doc:
        check_exchange_rates(content, errors, str(site_doc.path), site_doc.lines)
    if errors.problems:
        # The compute stage checks briefing bodies; when it will not run, check them here so that
        # one build still reports every problem.
        declared["checks"] = declared_ids(fact_docs, "checks")
        _record_body_problems(content, declared, unreadable, errors)
    errors.raise_if_any()
    return content


def _record_body_problems(content: Content, declared: dict[str, set[str]], unreadable: set[str],
                          errors: ErrorCollector) -> None:
    # An id declared by an invalid item is not "unknown"; ids in a file that could not be read are not checked.
    files = {"fact": "facts", "chart": "charts", "source": "sources", "check": "facts"}
    known = {function: set(declared.get(f"{function}s", ())) | set(valid)
             for function, valid in known_ids(content).items() if files[function] not in unreadable}
    for briefing in content.briefings:
        check_body_refs(briefing, scan_body(briefing, errors, allow_raw_html=content.site.allow_raw_html),
                        known, errors)


def _load_tables(project: Project, parsed: Parser | None, errors: ErrorCollector):
    """The datasets declared in ``content/datasets.yaml``, loaded (none, cheaply, when there is no such file)."""
    path = project.content / DATASETS_FILE
    if not path.exists():
        return {}, {}
    doc = _load(project, parsed, path, errors)
    if doc is None:
        return {}, None
    datasets = validate_datasets(doc, errors)
    return load_tables(project.content, datasets, errors, project.display), datasets


def _load(project: Project, parsed: Parser | None, path: Path, errors: ErrorCollector,
          listed: bool = False) -> Document | None:
    # ``listed``: found by ``files_under``, which has checked that it exists and is inside the project.
    if not listed and not path.exists():
        errors.add(project.display(path), 1, "file is missing")
        return None
    if not listed and not path.resolve().is_relative_to(project.root):
        errors.add(project.display(path), 1, "refusing a file that links outside the project folder")
        return None
    try:
        return load_yaml(path, project.display(path), parsed)
    except BuildError as exc:
        errors.add_error(exc)
        return None
