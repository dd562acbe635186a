"""Raw HTML in a briefing body that could run script: refused unless ``allow_raw_html: true`` in site.yaml.

Markdown passes raw HTML through, so a body could carry ``<script>``, an event
handler (``onclick=``), a ``javascript:`` link, or an ``<iframe>``, ``<object>``,
``<embed>`` or ``<form>``. The body's source is read with the standard library's
HTML parser, which decodes character references in attributes as a browser does
(``jav&#x61;script:``), and Markdown link destinations are read too. A tag shown
as code is refused as well: write ``&lt;script>`` to show one.
"""
from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser

ACTIVE_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form"})
_RUNNING_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:application/xhtml", "data:image/svg")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop tabs and newlines in a URL; others lead
# [text](destination), ![alt](destination) and [label]: destination
_MARKDOWN_DESTINATION = re.compile(r"\]\(\s*<?([^)\s>]*)|^[ ]{0,3}\[[^\]]+\]:\s*<?(\S+)", re.M)
_HINT = "can run script in the reader's browser, refused unless site.yaml says allow_raw_html: true"


def runs_script(url: str) -> bool:
    """True for a URL that runs script or a document when followed or loaded (``javascript:``, ...)."""
    plain = _IGNORED_IN_URL.sub("", html.unescape(url)).lower()
    return plain.startswith(_RUNNING_SCHEMES)


@functools.lru_cache(maxsize=8192)
def active_content(body: str) -> tuple[tuple[int, str], ...]:
    """Where ``body`` (Markdown with raw HTML) could run script: (line counted from the body's first, message)."""
    finder = _ActiveFinder()
    finder.feed(body)
    finder.close()
    for match in _MARKDOWN_DESTINATION.finditer(body):
        url = match.group(1) or match.group(2) or ""
        if runs_script(url):
            finder.found.append((body.count("\n", 0, match.start()) + 1, f"a link to {url!r} {_HINT}"))
    return tuple(sorted(finder.found))


class _ActiveFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in ACTIVE_TAGS:
            self.found.append((line, f"<{tag}> {_HINT}"))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append((line, f"<{tag} {name}=...>, an event handler, {_HINT}"))
            elif value and runs_script(value):
                self.found.append((line, f"<{tag} {name}={value.strip()!r}> {_HINT}"))

    handle_startendtag = handle_starttag
