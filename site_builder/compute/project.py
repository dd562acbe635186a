"""Reading all of a site project's content (``Project``, where its folders are, is ``content/folders.py``).

``load_content`` is the load + validate stages together: it reads every content
file, validates it into model objects and cross-checks references, collecting
every problem before raising them all at once.
"""
from __future__ import annotations

from pathlib import Path

from .currency import check_exchange_rates
from .datafacts import check_data_refs
from ..content.datasets import DATASETS_FILE, load_tables, validate_datasets
from ..errors import BuildError, ErrorCollector
from ..content.folders import ListFolder, Project
from ..files import MAX_CONTENT_BYTES
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


def load_content(project: Project, parsed: Parser | None = None, recall: Recaller | None = None,
                 listed: ListFolder | None = None) -> Content:
    """Read, validate and cross-check everything under ``content/``; raises BuildErrors listing every problem.

    ``parsed`` keeps YAML documents between builds, so that unchanged files are not parsed again,
    ``recall`` keeps what each document validated to, so that they are not validated again either, and
    ``listed`` keeps the folders' listings (``Project.files_under``).
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
    fact_paths = project.files_under(project.content / "facts", "*.yaml", listed)
    fact_docs = [d for p in fact_paths if (d := _load(project, parsed, p, errors, listed=True))]
    facts, checks = validate_facts(fact_docs, errors, recall)
    chart_paths = project.files_under(project.content / "charts", "*.yaml", listed)
    chart_docs = [d for p in chart_paths if (d := _load(project, parsed, p, errors, listed=True))]
    charts = validate_charts(chart_docs, errors, recall)
    briefings = []
    for path in project.files_under(project.content / "briefings", "*.md", listed):
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
