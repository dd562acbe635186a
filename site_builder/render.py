"""The render stage: the Jinja environment, briefing bodies (Jinja + Markdown) and pages.

A briefing body is a small template: ``{{ fact("id") }}``, ``{{ chart("id") }}``,
``{{ source("id") }}`` and ``{{ check("id") }}`` are its only names. Bodies are
scanned before rendering, so that every reference is known (with its line) up
front: unknown ids become located errors, and the build knows what each page uses.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jinja2
import markdown
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .cache import code_digest, mark_used
from .callouts import wrap_callouts
from .errors import BuildError, ErrorCollector
from .formatting import format_date, format_period, format_value, iso_date
from .glossary import term_anchor
from .html_tokens import tokenize
from .model import Briefing
from .output import replace_file
from .units import conversion_filter, reading_filter

BODY_FUNCTIONS = ("fact", "chart", "source", "check")
MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "smarty", "toc"]
DRAFTING_CODE = ("render.py", "callouts.py", "html_tokens.py")  # a change to any of them drafts bodies again
BLOCK_FUNCTIONS = frozenset({"chart", "check"})  # placed on a line of their own, outside any paragraph
_BODY_RULE = 'write only text and calls such as {{ fact("id") }} or {{ chart("id") }}'
_STATEMENT_KEYWORDS = {"Assign": "set", "AssignBlock": "set", "FromImport": "from", "CallBlock": "call",
                       "FilterBlock": "filter", "ExprStmt": "do"}


@dataclass(frozen=True)
class BodyRefs:
    """What a briefing body refers to, each id with the first line that names it."""

    facts: dict[str, int] = field(default_factory=dict)
    charts: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)

    def by_function(self, name: str) -> dict[str, int]:
        """The ids named through one body function (``fact``, ``chart``, ...)."""
        return {"fact": self.facts, "chart": self.charts, "source": self.sources, "check": self.checks}[name]


def site_environment(templates: Path) -> jinja2.Environment:
    """The Jinja environment for site templates: autoescaped, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = format_date
    env.filters["value"] = format_value
    env.filters["isodate"] = iso_date
    env.filters["tojson_script"] = json_for_script
    env.filters["period"] = format_period
    env.filters["reading"] = reading_filter
    env.filters["conversion"] = conversion_filter
    env.filters["term_anchor"] = term_anchor
    return env


def json_for_script(text: str) -> Markup:
    """JSON text made safe inside ``<script type="application/json">``: no ``</script>`` can end it early."""
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)


def scan_body(briefing: Briefing, errors: ErrorCollector, scans: BodyScans | None = None) -> BodyRefs:
    """Every fact, chart, source and check the body names; syntax problems are recorded.

    ``scans`` keeps what each body text scanned to, in memory and on disk, for later builds.
    """
    scan = scans.scan(briefing.body) if scans else scan_text(briefing.body)
    offset = briefing.body_line - 1  # a scan's lines count from the body's first line
    for line, message in scan.problems:
        errors.add(briefing.origin.path, line + offset, message)
    refs = BodyRefs()
    for function, ref_id, line in scan.refs:
        refs.by_function(function).setdefault(ref_id, line + offset)
    return refs


@dataclass(frozen=True)
class BodyScan:
    """What a body text names, in order, and its problems; lines count from the body's first line."""

    refs: tuple[tuple[str, str, int], ...]  # (function, id, line)
    problems: tuple[tuple[int, str], ...]  # (line, message)


@functools.lru_cache(maxsize=8192)  # a rebuild scans every body; Jinja's parser takes about 1 ms a body
def scan_text(body: str) -> BodyScan:
    """The scan of one body text (see ``scan_body``)."""
    refs: list[tuple[str, str, int]] = []
    problems: list[tuple[int, str]] = []
    try:
        tree = _body_environment().parse(body)
    except jinja2.TemplateSyntaxError as exc:
        return BodyScan((), ((exc.lineno or 1, f"template syntax: {exc.message}"),))
    for statement in tree.body:
        items = statement.nodes if isinstance(statement, nodes.Output) else [statement]
        for item in items:
            if isinstance(item, nodes.TemplateData):
                continue
            problem = _body_item_problem(item)
            if problem:
                problems.append((item.lineno, problem))
            else:
                refs.append((item.node.name, item.args[0].value, item.lineno))
    for line, tag, url in external_resources(body):
        problems.append((line, f"<{tag}> loads {url!r} from another site; pages make no third-party requests "
                               "(put the file under static/ and link it relatively)"))
    return BodyScan(tuple(refs), tuple(problems))


class BodyScans:
    """Scans of body texts, kept in memory between builds and on disk (as JSON) between processes.

    A build in a new process then runs Jinja's parser only on bodies no earlier
    build has seen: about a second at 1,000 briefings.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._kept: dict[str, BodyScan] = {}  # used by the last build, by body text
        self._used: dict[str, BodyScan] = {}  # used by this one

    def scan(self, body: str) -> BodyScan:
        """``scan_text(body)``, kept from an earlier build when there is one."""
        scan = self._used.get(body) or self._kept.get(body) or self._stored(body)
        self._used[body] = scan
        return scan

    def next_build(self) -> None:
        """Forget the bodies that the build just finished did not scan."""
        self._kept, self._used = self._used, {}

    def _stored(self, body: str) -> BodyScan:
        if not self.folder:
            return scan_text(body)
        key = hashlib.sha256(f"{_scanning_version()}\n{body}".encode()).hexdigest()[:32]
        path = self.folder / f"{key}.json"
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            scan = BodyScan(tuple((str(f), str(i), int(n)) for f, i, n in entry["refs"]),
                            tuple((int(n), str(m)) for n, m in entry["problems"]))
        except (OSError, ValueError, KeyError, TypeError):  # missing or unreadable: scan it again
            scan = scan_text(body)
            try:
                replace_file(path, json.dumps({"refs": scan.refs, "problems": scan.problems}, ensure_ascii=False))
            except OSError:
                pass  # a cache that cannot be written only costs time
            return scan
        mark_used(path)
        return scan


@functools.lru_cache(maxsize=1)
def _scanning_version() -> str:
    return f"{code_digest('render.py', 'html_tokens.py')} jinja2 {jinja2.__version__}"


_LOADING_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "background", "action", "formaction"})
_ABSOLUTE = re.compile(r"^\s*([a-z][a-z0-9+.-]*:|//|\\\\)", re.I)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([a-z][a-z0-9+.-]*:|//)", re.I)


def external_resources(markdown_text: str) -> list[tuple[int, str, str]]:
    """Raw HTML in a body that would make the page load something from another site: (line, tag, url)."""
    found = []
    offset = 0
    for token in tokenize(markdown_text):
        if token.kind in ("start", "startend"):
            for name, value in token.attrs:
                value = value or ""
                loads = name in _LOADING_ATTRIBUTES or (token.tag == "link" and name == "href")
                if (loads and _ABSOLUTE.match(value) and not value.lower().startswith("data:")) or \
                        (name == "style" and _CSS_URL.search(value)):
                    found.append((markdown_text.count("\n", 0, offset) + 1, token.tag, value))
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


def render_body(briefing: Briefing, render_ref: Callable[[str, str, tuple], tuple[str, bool]],
                draft: BodyDraft | None = None) -> str:
    """The body as HTML: Jinja first (references become placeholders), then Markdown, then the references.

    ``render_ref(function, id, extra_args)`` returns the reference's HTML (and whether it is a block,
    which BLOCK_FUNCTIONS fixes). The first two steps are ``draft_body``, which may have run ahead, in a pool:
    pass its ``draft`` then.
    """
    draft = draft or draft_body(briefing)
    pieces = [render_ref(function, ref_id, extra)[0] for function, ref_id, extra in draft.calls]
    html = re.sub(rf"<p>\s*{draft.tag}N(\d+)Z\s*</p>", lambda m: pieces[int(m.group(1))], draft.html)
    return re.sub(rf"{draft.tag}N(\d+)Z", lambda m: pieces[int(m.group(1))], html)


@dataclass(frozen=True)
class BodyDraft:
    """A body as HTML (callouts wrapped), each reference a placeholder ``{tag}N{index}Z``, and the references in order."""

    html: str
    tag: str
    calls: tuple[tuple[str, str, tuple], ...]


def draft_body(briefing: Briefing) -> BodyDraft:
    """The body through Jinja (each reference becomes a placeholder), Markdown and callouts; depends on the body alone.

    Callouts are found here, before the references are filled in, because they
    depend on the body's headings alone, and a filled-in body (charts with their
    data tables) is several times longer to tokenize.
    """
    calls: list[tuple[str, str, tuple]] = []
    # A token the body cannot already contain, so that no text of the author's is mistaken for one.
    tag = "SBREF" + hashlib.sha256(briefing.body.encode()).hexdigest()[:16]

    def placeholder(function: str) -> Callable[..., str]:
        def call(ref_id: str, *extra: Any) -> str:
            calls.append((function, ref_id, extra))
            token = f"{tag}N{len(calls) - 1}Z"
            return f"\n\n{token}\n\n" if function in BLOCK_FUNCTIONS else token
        return call

    env = _body_environment()
    try:
        text = env.from_string(briefing.body).render({name: placeholder(name) for name in BODY_FUNCTIONS})
    except BuildError:
        raise
    except jinja2.TemplateError as exc:
        raise BuildError(briefing.origin.path, briefing.body_line + _template_line(exc, "<template>") - 1,
                         f"template error: {exc}") from None
    return BodyDraft(wrap_callouts(_markdown().reset().convert(text)), tag, tuple(calls))


def draft_key(briefing: Briefing) -> str:
    """The key of a body's draft in a disk cache: the body, and the code and library versions that draft it."""
    return hashlib.sha256(f"{_drafting_version()}\n{briefing.body}".encode()).hexdigest()[:32]


@functools.lru_cache(maxsize=1)
def _drafting_version() -> str:
    return f"{code_digest(*DRAFTING_CODE)} markdown {markdown.__version__} jinja2 {jinja2.__version__}"


class BodyDrafts:
    """Drafts of one site's bodies, made ahead (possibly in a pool) for its renderer to look up."""

    def __init__(self) -> None:
        self._drafts: dict[tuple[str, int, str], BodyDraft] = {}

    def missing(self, briefings: list[Briefing]) -> list[Briefing]:
        """The briefings without a draft yet; drafts of bodies not among ``briefings`` are forgotten."""
        wanted = {_body_key(b) for b in briefings}
        self._drafts = {key: draft for key, draft in self._drafts.items() if key in wanted}
        return [b for b in briefings if _body_key(b) not in self._drafts]

    def keep(self, briefing: Briefing, draft: BodyDraft) -> None:
        """Remember ``draft`` as the draft of ``briefing``'s body."""
        self._drafts[_body_key(briefing)] = draft

    def draft_of(self, briefing: Briefing) -> BodyDraft:
        """The draft of ``briefing``'s body, made now if it was not made ahead."""
        key = _body_key(briefing)
        if key not in self._drafts:
            self._drafts[key] = draft_body(briefing)
        return self._drafts[key]


def _body_key(briefing: Briefing) -> tuple[str, int, str]:
    return briefing.origin.path, briefing.body_line, briefing.body



_CONVERTERS = threading.local()


def _markdown() -> markdown.Markdown:
    # One converter per thread, reset between bodies: building one loads every extension again,
    # and a converter holds the state of the body it is converting.
    if not hasattr(_CONVERTERS, "markdown"):
        _CONVERTERS.markdown = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return _CONVERTERS.markdown


def render_template(env: jinja2.Environment, name: str, templates: Path, project_root: Path, **context: Any) -> str:
    """Render one site template; template errors become BuildErrors naming the template file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(_display(exc.filename, templates, project_root, name), exc.lineno or 1,
                         f"template syntax: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise BuildError(_display(None, templates, project_root, name), 1, f"template not found: {exc.name}") from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        filename, line = _template_frame(exc)
        raise BuildError(_display(filename, templates, project_root, name), line,
                         f"template error: {type(exc).__name__}: {exc}") from None


def _display(filename: str | None, templates: Path, root: Path, name: str) -> str:
    path = Path(filename) if filename else templates / name
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _template_frame(exc: BaseException) -> tuple[str | None, int]:
    """The innermost template file and line in ``exc``'s traceback (Jinja maps frames to templates)."""
    found: tuple[str | None, int] = (None, 1)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _template_line(exc: BaseException, filename: str) -> int:
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno:
        return exc.lineno
    line = 1
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _body_environment() -> SandboxedEnvironment:
    # Bodies are content, not code: a sandbox keeps a stray expression from reaching Python internals.
    return SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def markup(html: str) -> Markup:
    """Mark HTML produced by the renderer as safe for templates."""
    return Markup(html)
