"""Full-text search that works offline and from ``file://``: a small index the search page loads as a script.

Pagefind was the first choice, but its UI fetches index chunks and a WebAssembly
module with ``fetch()``/``import()``, which Chromium refuses for ``file://``
pages. So the index is plain data in a script file (``window.SEARCH_INDEX =
{...}``), loaded by a ``<script>`` tag like any asset, and ``static/search.js``
searches it in the page. The index is built from the pages' final HTML, so
it holds exactly what readers see, and it is byte-identical between builds.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ..formatting import format_date
from ..content.glossary import term_anchor
from ..compute.library import Library, PageReading
from ..model import GlossaryTerm
from ..compute.pages import BriefingPlan

SEARCH_PAGE = "search/index.html"
SEARCH_INDEX = "search/search-index.js"
INDEX_VERSION = 1


@dataclass(frozen=True)
class SearchDocument:
    """One search result: a briefing, a glossary term or a tag page."""

    kind: str
    title: str
    url: str  # relative to the site root
    summary: str
    text: str
    date: str = ""

    def as_json(self) -> dict[str, str]:
        """The document as the search script reads it (short keys keep the file small)."""
        return {"k": self.kind, "t": self.title, "u": self.url, "s": self.summary, "x": self.text, "d": self.date}


def search_documents(readings: dict[str, PageReading], plans: list[BriefingPlan], glossary: tuple[GlossaryTerm, ...],
                     library: Library, locale: str = "en-US") -> list[SearchDocument]:
    """What the search covers: every briefing (its text as rendered), every glossary term and every tag."""
    docs = []
    for plan in sorted(plans, key=lambda p: p.briefing.slug):
        meta = plan.briefing.meta
        body = readings[plan.url].text if plan.url in readings else ""
        docs.append(SearchDocument("Briefing", meta.title, plan.url, meta.summary,
                                   " ".join([body, ", ".join(meta.tags)]).strip(), format_date(meta.date, locale)))
    for term in sorted(glossary, key=lambda t: t.term.casefold()):
        names = ", ".join(f for f in term.forms if f != term.term)
        title = f"{term.term} ({term.abbreviation})" if term.abbreviation else term.term
        docs.append(SearchDocument("Glossary", title, f"glossary/index.html#{term_anchor(term)}", term.definition, names))
    for tag in library.tags:
        titles = "; ".join(p.title for p in tag.briefings)
        docs.append(SearchDocument("Topic", tag.name, tag.url, f"{len(tag.briefings)} briefing"
                                   f"{'s' if len(tag.briefings) != 1 else ''}", titles))
    return docs


def search_index_script(docs: list[SearchDocument], as_json: Callable[[SearchDocument], str] | None = None) -> bytes:
    """The index as a script: ``window.SEARCH_INDEX = {...};``, deterministic, safe to load from ``file://``.

    ``as_json`` gives each document's JSON text (``document_json``; a long-running build keeps those of the
    documents that did not change): the index is their texts put together, as ``json.dumps`` writes a list.
    """
    texts = ",".join(map(as_json or document_json, docs))
    return f'window.SEARCH_INDEX = {{"docs":[{texts}],"version":{INDEX_VERSION}}};\n'.encode()


def document_json(doc: SearchDocument) -> str:
    """One document of the index as JSON text, keys sorted, that a script can hold."""
    text = json.dumps(doc.as_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # JSON is JavaScript, except that these two line separators end a string literal in older engines.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
