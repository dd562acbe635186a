"""The scan of a briefing body: what it names, with lines, and what it may not do.

A body is a small template whose only names are ``fact``, ``chart``, ``source``
and ``check``. Scanning it before anything is rendered makes every reference
known up front: unknown ids become located errors, and the build knows what
each page uses. Anything else (statements, filters, expressions, raw HTML that
loads from another site) is a located error too.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Protocol

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from ..errors import ErrorCollector
from ..frozen import EMPTY, FrozenDict
from ..html_tokens import tokenize
from ..model import Briefing
from .raw_html import active_content

BODY_FUNCTIONS = ("fact", "chart", "source", "check")
_BODY_RULE = 'write only text and calls such as {{ fact("id") }} or {{ chart("id") }}'
_STATEMENT_KEYWORDS = {"Assign": "set", "AssignBlock": "set", "FromImport": "from", "CallBlock": "call",
                       "FilterBlock": "filter", "ExprStmt": "do"}


@dataclass(frozen=True)
class BodyRefs:
    """What a briefing body refers to, each id with the first line that names it."""

    facts: FrozenDict[str, int] = EMPTY
    charts: FrozenDict[str, int] = EMPTY
    sources: FrozenDict[str, int] = EMPTY
    checks: FrozenDict[str, int] = EMPTY

    def by_function(self, name: str) -> FrozenDict[str, int]:
        """The ids named through one body function (``fact``, ``chart``, ...)."""
        return {"fact": self.facts, "chart": self.charts, "source": self.sources, "check": self.checks}[name]


class Scanner(Protocol):
    """What scans bodies for ``scan_body``: ``scan_text``, or scans the build kept (``kept.BodyScans``)."""

    def scan(self, body: str) -> BodyScan: ...


def scan_body(briefing: Briefing, errors: ErrorCollector, scans: Scanner | None = None,
              allow_raw_html: bool = False) -> BodyRefs:
    """Every fact, chart, source and check the body names; syntax problems are recorded.

    ``scans``, when given, is asked for each body's scan first (the build keeps them between builds).
    Raw HTML that can run script is a problem too unless ``allow_raw_html`` (see :mod:`raw_html`).
    """
    scan = scans.scan(briefing.body) if scans else scan_text(briefing.body)
    offset = briefing.body_line - 1  # a scan's lines count from the body's first line
    # Never part of a kept scan: a stored scan written before this check must not let script through.
    active = () if allow_raw_html else active_content(briefing.body)
    for line, message in sorted(scan.problems + active):
        errors.add(briefing.origin.path, line + offset, message)
    named: dict[str, dict[str, int]] = {name: {} for name in BODY_FUNCTIONS}
    for function, ref_id, line in scan.refs:
        named[function].setdefault(ref_id, line + offset)
    return BodyRefs(*(FrozenDict(named[name]) for name in BODY_FUNCTIONS))  # whole, never filled later


@dataclass(frozen=True)
class BodyScan:
    """What a body text names, in order, and its problems; lines count from the body's first line."""

    refs: tuple[tuple[str, str, int], ...]  # (function, id, line)
    problems: tuple[tuple[int, str], ...]  # (line, message)


@functools.lru_cache(maxsize=8192)  # a rebuild scans every body; Jinja's parser takes about 0.4 ms a body
def scan_text(body: str) -> BodyScan:
    """The scan of one body text (see ``scan_body``)."""
    refs: list[tuple[str, str, int]] = []
    problems: list[tuple[int, str]] = []
    calls = plain_calls(body)
    if calls is not None:  # text and calls only, as most bodies are: the same refs as Jinja's parse
        refs = [(function, args[0], body.count("\n", 0, start) + 1) for function, args, start, _ in calls]
        return BodyScan(tuple(refs), _external_problems(body))
    try:
        tree = body_environment().parse(body)
    except jinja2.TemplateSyntaxError as exc:
        return BodyScan((), ((exc.lineno or 1, f"template syntax: {exc.message}"),))
    except RecursionError:
        return BodyScan((), ((1, "an expression nests too deeply; " + _BODY_RULE),))
    for statement in tree.body:
        items = statement.nodes if isinstance(statement, nodes.Output) else [statement]
        for item in items:
            if isinstance(item, nodes.TemplateData):
                continue
            try:
                problem = _body_item_problem(item)
            except RecursionError:  # parsed, but too deep to walk: 3,000 filters in a row
                problem = "an expression nests too deeply; " + _BODY_RULE
            if problem:
                problems.append((item.lineno, problem))
            else:
                refs.append((item.node.name, item.args[0].value, item.lineno))
    return BodyScan(tuple(refs), tuple(problems) + _external_problems(body))


def _external_problems(body: str) -> tuple[tuple[int, str], ...]:
    return tuple((line, f"<{tag}> loads {url!r} from another site; pages make no third-party requests "
                        "(put the file under static/ and link it relatively)")
                 for line, tag, url in external_resources(body))


_QUOTED = r"""(?:"([^"\\\n]*)"|'([^'\\\n]*)')"""
_PLAIN_CALL = re.compile(r"\{\{[ \t]*(" + "|".join(BODY_FUNCTIONS) + r")[ \t]*\([ \t]*" + _QUOTED
                         + r"[ \t]*(?:,[ \t]*" + _QUOTED + r"[ \t]*)?\)[ \t]*\}\}")


def plain_calls(body: str) -> list[tuple[str, tuple[str, ...], int, int]] | None:
    """The calls of a body that is only text and calls written plainly, each as (function, ids, start, end)
    in the text; None for any other body, which Jinja's parser then reads.

    Plainly: ``{{ fact("id") }}`` or ``{{ fact('id', "format") }}`` on one line, with spaces or tabs, and
    no other ``{{``, no ``{%`` or ``{#`` and no carriage return anywhere. Jinja reads such a body as its text
    with each call in place (the call's line is the line of its ``{{``), so the scan and the draft need no
    parse, which took 0.4 ms a body (``tests/test_scan.py`` compares the two on every fixture body).
    """
    if "{%" in body or "{#" in body or "\r" in body:
        return None
    calls = []
    end = 0
    for match in _PLAIN_CALL.finditer(body):
        if "{{" in body[end:match.start()] or body.endswith("{", end, match.start()) or \
                body.startswith("}", match.end()):
            return None  # a {{ that starts no plain call, or braces Jinja may read otherwise
        first = match.group(2) if match.group(2) is not None else match.group(3)
        ids = (first,) if match.group(4) is None and match.group(5) is None else \
            (first, match.group(4) if match.group(4) is not None else match.group(5))
        calls.append((match.group(1), ids, match.start(), match.end()))
        end = match.end()
    return None if "{{" in body[end:] else calls


_LOADING_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "background", "action", "formaction"})
_ABSOLUTE = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|//|\\\\)", re.I)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([a-z][a-z0-9+.-]*:|//)", re.I)


def external_resources(markdown_text: str) -> list[tuple[int, str, str]]:
    """Raw HTML in a body that would make the page load something from another site: (line, "tag attribute", url)."""
    found: list[tuple[int, str, str]] = []
    if "<" not in markdown_text:
        return found  # no tag at all: most bodies are spared tokenizing
    offset = 0
    for token in tokenize(markdown_text):
        if token.kind in ("start", "startend"):
            for name, value in token.attrs:
                value = value or ""
                loads = name in _LOADING_ATTRIBUTES or (token.tag == "link" and name == "href")
                if (loads and _ABSOLUTE.match(value) and not value.lower().startswith("data:")) or \
                        (name == "style" and _CSS_URL.search(value)):
                    found.append((markdown_text.count("\n", 0, offset) + 1, f"{token.tag} {name}", value))
        offset += len(token.raw)
    return found


def _body_item_problem(item: nodes.Node) -> str | None:
    """Why ``item`` may not appear in a body, or None for a call like ``fact("id")``.

    Bodies are content, so they get a whitelist rather than a sandbox alone: no
    statements, filters or arithmetic, which could include files or exhaust memory.
    """
    if isinstance(item, nodes.Call) and isinstance(item.node, nodes.Name) and item.node.name in BODY_FUNCTIONS:
        name = item.node.name
        literal = all(isinstance(arg, nodes.Const) and isinstance(arg.value, str) for arg in item.args)
        if not item.args or len(item.args) > 2 or not literal or item.kwargs or item.dyn_args or item.dyn_kwargs:
            return f"{name}() takes the id as a quoted text, e.g. {name}(\"some.id\")"
        return None
    if isinstance(item, nodes.Stmt):
        keyword = _STATEMENT_KEYWORDS.get(type(item).__name__, type(item).__name__.lower())
        return f"{{% {keyword} %}} is not allowed in a body; {_BODY_RULE}"
    names = [n.name for n in [item, *item.find_all(nodes.Name)] if isinstance(n, nodes.Name)]
    unknown = [n for n in names if n not in BODY_FUNCTIONS]
    if unknown:
        return f"unknown name {unknown[0]!r} (a body can use {', '.join(BODY_FUNCTIONS)})"
    return f"expressions are not allowed in a body; {_BODY_RULE}"


def body_environment() -> SandboxedEnvironment:
    """The Jinja environment bodies are parsed and drafted in.

    Bodies are content, not code: a sandbox keeps a stray expression from reaching Python internals.
    """
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
