"""The render stage: the Jinja environment, briefing bodies (Jinja + Markdown) and pages.

A briefing body is a small template: ``{{ fact("id") }}``, ``{{ chart("id") }}``,
``{{ source("id") }}`` and ``{{ check("id") }}`` are its only names. Bodies are
scanned before rendering (``scan.py``), so every reference is known up front;
here they are drafted (Jinja with placeholders, Markdown, callouts) and filled in.
"""
from __future__ import annotations

import functools
import hashlib
import linecache
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import jinja2
import markdown
from jinja2 import nodes
from markupsafe import Markup

from .callouts import wrap_callouts
from .markdown_blocks import fast_markdown
from .csp import content_security_policy
from ..errors import BuildError
from ..files import why_unreadable
from ..formatting import format_date, format_period, format_value, iso_date
from ..content.glossary import term_anchor
from ..model import Briefing
from ..content.scan import BODY_FUNCTIONS, body_environment, plain_calls
from ..time_limit import TimeLimitExceeded, call_with_time_limit
from ..compute.units import conversion_filter, reading_filter

MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "smarty", "toc"]
# A body of ordinary prose converts in milliseconds; this is for inputs on which Markdown is quadratic.
MARKDOWN_SECONDS = 10.0
# A page's templates render in milliseconds; this stops a loop over range(10**9), with an error at its line.
TEMPLATE_SECONDS = 30.0
BLOCK_FUNCTIONS = frozenset({"chart", "check"})  # placed on a line of their own, outside any paragraph


def site_filters() -> dict[str, Callable[..., Any]]:
    """The filters site templates may use, by name (the environment is ``templates.site_templates``)."""
    return {"longdate": format_date, "value": format_value, "isodate": iso_date, "tojson_script": json_for_script,
            "period": format_period, "reading": reading_filter, "conversion": conversion_filter,
            "term_anchor": term_anchor, "content_security_policy": content_security_policy}


def json_for_script(text: str) -> Markup:
    """JSON text made safe inside ``<script type="application/json">``: no ``</script>`` can end it early."""
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)


def render_body(briefing: Briefing, render_ref: Callable[[str, str, tuple], tuple[str, bool]],
                draft: BodyDraft | None = None) -> str:
    """The body as HTML: Jinja first (references become placeholders), then Markdown, then the references.

    ``render_ref(function, id, extra_args)`` returns the reference's HTML (and whether it is a block,
    which BLOCK_FUNCTIONS fixes). The first two steps are ``draft_body``, which may have run ahead, in a pool:
    pass its ``draft`` then.
    """
    draft = draft or draft_body(briefing)
    pieces = [render_ref(function, ref_id, extra)[0] for function, ref_id, extra in draft.calls]

    # One expression for every body's tag (each tag compiled its own two: a third of a millisecond a page);
    # a placeholder of another tag, which the author could have typed, is left as it is.
    def fill(match: re.Match[str]) -> str:
        return pieces[int(match.group(2))] if match.group(1) == draft.tag else match.group()
    return _PLACEHOLDER.sub(fill, _BLOCK_PLACEHOLDER.sub(fill, draft.html))


# A draft's tag is "SBREF" and 16 hexadecimal digits (``draft_text``; stored drafts are this code's own).
_BLOCK_PLACEHOLDER = re.compile(r"<p>\s*(SBREF[0-9a-f]{16})N(\d+)Z\s*</p>")
_PLACEHOLDER = re.compile(r"(SBREF[0-9a-f]{16})N(\d+)Z")


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
    return draft_text(briefing.body, briefing.origin.path, briefing.body_line)


def draft_text(body: str, path: str, body_line: int) -> BodyDraft:
    """``draft_body`` of a body read from ``path``, where it starts at ``body_line`` (for errors)."""
    calls: list[tuple[str, str, tuple]] = []
    # A token the body cannot already contain, so that no text of the author's is mistaken for one.
    tag = "SBREF" + hashlib.sha256(body.encode()).hexdigest()[:16]

    def placeholder(function: str) -> Callable[..., str]:
        def call(ref_id: str, *extra: Any) -> str:
            calls.append((function, ref_id, extra))
            token = f"{tag}N{len(calls) - 1}Z"
            return f"\n\n{token}\n\n" if function in BLOCK_FUNCTIONS else token
        return call

    text = _text_with_placeholders(body, placeholder)
    if text is None:  # not only text and calls: Jinja runs it, in its sandbox, and reports what is wrong
        calls.clear()
        env = _body_environment()
        try:
            text = env.from_string(body).render({name: placeholder(name) for name in BODY_FUNCTIONS})
        except BuildError:
            raise
        except jinja2.TemplateError as exc:
            raise BuildError(path, body_line + _template_line(exc, "<template>") - 1,
                             f"template error: {exc}") from None
    try:
        html = call_with_time_limit(lambda: wrap_callouts(_markdown().reset().convert(text)), MARKDOWN_SECONDS)
    except (TimeLimitExceeded, RecursionError) as exc:
        del _CONVERTERS.markdown  # interrupted half-way: its state is not to be trusted
        why = (f"Markdown {exc} on this body" if isinstance(exc, TimeLimitExceeded)
               else "Markdown nests too deeply in this body")
        raise BuildError(path, body_line,
                         f"{why} (runs of unclosed [ or deeply nested lists or quotes do this); simplify it") from None
    return BodyDraft(html, tag, tuple(calls))


@functools.lru_cache(maxsize=1)
def _body_environment() -> jinja2.Environment:
    return body_environment()  # one per process: parsing needs no fresh environment


def _text_with_placeholders(body: str, placeholder: Callable[[str], Callable[..., str]]) -> str | None:
    """The body as Jinja renders it when each call outputs ``placeholder(function)(*args)``; None unless the
    body is only text and calls such as ``fact("id")`` (what a scan without problems allows).

    Such a body needs no compiled template: its parse lists the text and the calls in order, and their
    outputs (placeholders of letters, digits and newlines) are the same escaped or not. Compiling each
    body to Python code took twice as long as parsing it.
    """
    pieces: list[str] = []
    plain = plain_calls(body)
    if plain is not None:  # without even a parse (see scan.plain_calls)
        end = 0
        for function, ids, start, stop in plain:
            pieces += [body[end:start], placeholder(function)(*ids)]
            end = stop
        return "".join(pieces) + body[end:]
    try:
        tree = _body_environment().parse(body)
    except (jinja2.TemplateError, RecursionError):
        return None
    for statement in tree.body:
        if not isinstance(statement, nodes.Output):
            return None
        for item in statement.nodes:
            if isinstance(item, nodes.TemplateData):
                pieces.append(item.data)
            elif _is_body_call(item):
                pieces.append(placeholder(item.node.name)(*(arg.value for arg in item.args)))
            else:
                return None
    return "".join(pieces)


def _is_body_call(item: nodes.Node) -> bool:
    return (isinstance(item, nodes.Call) and isinstance(item.node, nodes.Name) and item.node.name in BODY_FUNCTIONS
            and 1 <= len(item.args) <= 2 and not item.kwargs and item.dyn_args is None and item.dyn_kwargs is None
            and all(isinstance(arg, nodes.Const) and isinstance(arg.value, str) for arg in item.args))


_CONVERTERS = threading.local()


def _markdown() -> markdown.Markdown:
    # One converter per thread, reset between bodies: building one loads every extension again,
    # and a converter holds the state of the body it is converting. Its patterns and block tests run
    # only on text that can match them (markdown_blocks.fast_markdown): the same HTML, a quarter of the time.
    if not hasattr(_CONVERTERS, "markdown"):
        _CONVERTERS.markdown = fast_markdown(markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html"))
    return _CONVERTERS.markdown


def warm_up_drafting() -> None:
    """Import Markdown and make this process's converter (a worker started ahead runs this while it waits)."""
    _markdown()


def render_template(env: jinja2.Environment, name: str, templates: Path, project_root: Path, **context: Any) -> str:
    """Render one site template; template errors become BuildErrors naming the template file and line."""
    try:
        return call_with_time_limit(lambda: env.get_template(name).render(**context), TEMPLATE_SECONDS)
    except TimeLimitExceeded as exc:
        filename, line = _template_frame(exc.__context__ or exc)  # where the interrupted render was
        raise BuildError(_display(filename, templates, project_root, name), line,
                         f"rendering {name} {exc}: does a loop run too long?") from None
    except RecursionError as exc:
        filename, line = _recursing_frame(exc)
        raise BuildError(_display(filename, templates, project_root, name), line,
                         f"rendering {name} recursed without end: a template that includes, extends or imports "
                         "itself, or a macro that calls itself") from None
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(_display(exc.filename, templates, project_root, name), exc.lineno or 1,
                         f"template syntax: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise BuildError(_display(None, templates, project_root, name), 1, f"template not found: {exc.name}") from None
    except OSError as exc:  # a template that is not a regular file, or over the size limit
        raise BuildError(_display(exc.filename, templates, project_root, name), 1, why_unreadable(exc)) from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
        filename, line = _template_frame(exc)
        raise BuildError(_display(filename, templates, project_root, name), line,
                         f"template error: {type(exc).__name__}: {exc}") from None


def _display(filename: str | None, templates: Path, root: Path, name: str) -> str:
    path = Path(filename) if filename else templates / name
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _recursing_frame(exc: RecursionError) -> tuple[str | None, int]:
    """Where a template recursed: the innermost include, extends or import on the way, else the innermost line.

    The innermost line alone is wherever the stack ran out (often base.html's title), not the loop;
    an extends is only the loop when nothing on the way includes or imports.
    """
    frames = _template_frames(exc)
    keywords = [(frame, _LOADS.search(linecache.getline(*frame))) for frame in frames]
    including = [frame for frame, found in keywords if found and found[1] != "extends"]
    extending = [frame for frame, found in keywords if found]  # every page extends base.html: only then
    return (including or extending or frames or [(None, 1)])[-1]


_LOADS = re.compile(r"\{%-?\s*(include|extends|import|from)\b")


def _template_frames(exc: BaseException) -> list[tuple[str, int]]:
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".j2")):
            frames.append((filename, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _template_frame(exc: BaseException) -> tuple[str | None, int]:
    """The innermost template file and line in ``exc``'s traceback (Jinja maps frames to templates)."""
    frames = _template_frames(exc)
    return frames[-1] if frames else (None, 1)


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


def markup(html: str) -> Markup:
    """Mark HTML produced by the renderer as safe for templates."""
    return Markup(html)
