"""Callouts: a briefing section headed "Why it matters ..." is set apart as a labelled box.

Authors write an ordinary Markdown section, so its text can use ``{{ fact() }}``
and ``{{ source() }}`` like any other (every figure in it stays sourced):

    ## Why it matters for North America

    Stellantis, the maker of Jeep and Ram, owned the plant through PSA ...

The rendered body is post-processed (see :mod:`html_tokens`): the heading and
everything up to the next level-1 or level-2 heading are wrapped in a
``<section class="callout">`` labelled by the heading.
"""
from __future__ import annotations

from markupsafe import escape

from ..html_tokens import VOID_ELEMENTS, Token, tokenize

CALLOUT_PREFIX = "why it matters"
_SECTION_HEADINGS = frozenset({"h1", "h2"})


def wrap_callouts(body_html: str) -> str:
    """``body_html`` with every "Why it matters ..." section wrapped in a labelled callout box."""
    tokens = tokenize(body_html)
    starts = _callout_headings(tokens)
    if not starts:
        return body_html
    out: list[str] = []
    open_section = False
    depth = 0
    for i, token in enumerate(tokens):
        top_level = depth == 0
        if top_level and token.kind == "start" and token.tag in _SECTION_HEADINGS:
            if open_section:
                out.append("</section>\n")
                open_section = False
            if i in starts:
                heading_id = token.attr("id")
                label = f' aria-labelledby="{escape(heading_id)}"' if heading_id else ' aria-label="Why it matters"'
                out.append(f'<section class="callout callout--why"{label}>\n')
                open_section = True
        out.append(token.raw)
        depth = _next_depth(depth, token)
    if open_section:
        out.append("\n</section>")
    return "".join(out)


def _callout_headings(tokens: list[Token]) -> set[int]:
    """Indexes of top-level h2 start tags whose text starts with "Why it matters"."""
    found: set[int] = set()
    depth = 0
    for i, token in enumerate(tokens):
        if depth == 0 and token.kind == "start" and token.tag == "h2":
            text = ""
            for later in tokens[i + 1:]:
                if later.kind == "end" and later.tag == "h2":
                    break
                text += later.text
            if " ".join(text.split()).lower().startswith(CALLOUT_PREFIX):
                found.add(i)
        depth = _next_depth(depth, token)
    return found


def _next_depth(depth: int, token: Token) -> int:
    if token.kind == "start" and token.tag not in VOID_ELEMENTS:
        return depth + 1
    if token.kind == "end":
        return max(0, depth - 1)
    return depth
