"""Facts in a briefing's title and summary: ``{{ fact("id") }}`` there becomes plain text.

A title or summary travels where no link or markup can follow it (the page's
``<title>``, meta tags, the feed, the social card, the index), so each fact is
written as the text a reader would see ("1.65 million"), and the briefing's
plan lists the fact with its sources like any other it shows.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Container

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..errors import ErrorCollector
from .facts import FactBook
from ..model import Briefing, SiteConfig
from ..content.scan import scan_text
from .units import read_fact, reader_units

HEADLINE_FIELDS = ("title", "summary")
FACT_FORMATS = (None, "compact", "integer", "decimal", "percent", "year", "text")


def headline_fact_refs(briefing: Briefing, facts: Container[str], errors: ErrorCollector) -> dict[str, int]:
    """The facts the title and summary name, each with its front-matter line, in order.

    Anything but ``{{ fact("id") }}`` (or ``{{ fact("id", "format") }}``), and an unknown id
    or format, is recorded at the line of the front-matter field.
    """
    found: dict[str, int] = {}
    for name in HEADLINE_FIELDS:
        text = getattr(briefing.meta, name)
        if not _has_calls(text):
            continue
        line = briefing.meta_lines.get((name,), 1)
        path = briefing.origin.path
        scan = scan_text(text)
        for _, message in scan.problems:
            errors.add(path, line, f"{name}: {message}")
        for function, ref_id, _ in scan.refs:
            if function != "fact":
                errors.add(path, line, f"{name}: only {{{{ fact(\"id\") }}}} may be used here, not {function}()")
            elif ref_id not in facts:
                errors.add(path, line, f"{name}: unknown fact {ref_id!r}")
            else:
                found.setdefault(ref_id, line)
        for fmt in ([] if scan.problems else _formats_named(text)):
            if fmt not in FACT_FORMATS:
                errors.add(path, line, f"{name}: unknown format {fmt!r} (one of {', '.join(FACT_FORMATS[1:])})")
    return found


def with_plain_headlines(briefing: Briefing, book: FactBook, site: SiteConfig) -> Briefing:
    """``briefing`` with each fact of its title and summary written as plain text (itself if they name none)."""
    filled = {name: plain_text(getattr(briefing.meta, name), book, site)
              for name in HEADLINE_FIELDS if _has_calls(getattr(briefing.meta, name))}
    if not filled:
        return briefing
    return dataclasses.replace(briefing, meta=dataclasses.replace(briefing.meta, **filled))


def plain_text(text: str, book: FactBook, site: SiteConfig) -> str:
    """``text`` with every ``{{ fact("id") }}`` replaced by the fact as a reader sees it, without markup."""
    reader = reader_units(site, book)

    def fact(ref_id: str, fmt: str | None = None) -> str:
        return str(read_fact(book[ref_id], reader, fmt, site.locale))

    return _plain_environment().from_string(text).render(fact=fact)


def _has_calls(text: str) -> bool:
    # Braces alone ("{a}") are text; only Jinja's markers make a title or summary a template.
    return "{{" in text or "{%" in text


def _formats_named(text: str) -> list[str]:
    """The format arguments of the ``fact()`` calls in ``text`` (its calls were checked by the scan)."""
    calls = _plain_environment().parse(text).find_all(jinja2.nodes.Call)
    return [call.args[1].value for call in calls if len(call.args) == 2 and isinstance(call.args[1], jinja2.nodes.Const)]


def _plain_environment() -> SandboxedEnvironment:
    # Not autoescaped: the result is text, which every template that shows it escapes.
    return SandboxedEnvironment(autoescape=False, undefined=jinja2.StrictUndefined)
