"""Rendered HTML as a flat list of tokens that keep their exact source text.

Post-processing steps (glossary terms, callouts, search text) change or read a
page body without re-serialising it: every token keeps the bytes it came from,
so joining the tokens gives back the input. Markup in the plain form that
Markdown and the templates write (quoted attributes, named or numeric character
references, no scripts, styles or comments) is split by one regular expression;
anything else goes to the standard library's ``html.parser``, which finds where
each tag, text run and character reference starts. Both give the same tokens
for the plain form (``tests/test_html_tokens.py`` compares them), and the
expression is about ten times faster on a page.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Callable, Iterator, NamedTuple

VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                           "source", "track", "wbr"})


class Token(NamedTuple):  # immutable like a frozen dataclass, and made several times faster: a page has thousands
    """One piece of HTML: ``kind`` is start, end, startend, text, ref (``&amp;``) or other (comments, ...)."""

    kind: str
    raw: str
    tag: str = ""
    attrs: tuple[tuple[str, str | None], ...] = ()

    @property
    def text(self) -> str:
        """What a reader sees of a text or character-reference token."""
        if self.kind == "text":
            return self.raw
        return html.unescape(self.raw) if self.kind == "ref" else ""

    def attr(self, name: str) -> str | None:
        """The value of attribute ``name`` of a start tag, or None."""
        return next((value for key, value in self.attrs if key == name), None)


def tokenize(markup: str) -> list[Token]:
    """``markup`` as tokens; ``"".join(t.raw for t in tokens) == markup``.

    An inline ``<svg>`` element is one ``element`` token: the passes that read
    pages (search text, glossary terms, callouts) never look inside a chart,
    and a drawn chart holds most of a page's tags.
    """
    return _svgs_whole(markup, 0, _tokenize_flat)


def tokenize_page(markup: str) -> list[Token]:
    """A whole page as tokens, like ``tokenize`` (an ``<svg>`` is one token), read as a browser reads it.

    A ``<!doctype>`` first is one token. A ``<script>``, ``<style>``, ``<title>`` or ``<textarea>`` holds text, never
    tags; when its content has no ``<`` at all, it is one text token, and the
    expression reads it with the rest. A built page, with its title in the head
    and a chart's spec in a JSON script, is then not left to ``html.parser``
    (ten times as slow), which still reads anything outside the plain form.
    """
    doctype = _DOCTYPE.match(markup)
    head = [Token("other", doctype.group())] if doctype else []
    return head + _svgs_whole(markup, doctype.end() if doctype else 0, _page_flat)


def _svgs_whole(markup: str, done: int, flat: Callable[[str], list[Token]]) -> list[Token]:
    # ``markup`` from ``done`` on: each <svg> one element token, what lies between read by ``flat``.
    found: list[Token] = []
    for start, end in _svg_spans(markup):
        found += flat(markup[done:start])
        found.append(Token("element", markup[start:end], "svg"))
        done = end
    return found + flat(markup[done:])


def _page_flat(markup: str) -> list[Token]:
    found: list[Token] = []
    done = 0
    for match in _TEXT_ELEMENT.finditer(markup):
        before = _plain_tokens(markup[done:match.start()]) if match.start() > done else []
        if before is None:
            return _parsed_tokens(markup)
        tag, content = match.group("tag").lower(), match.group("content")
        found += before
        found.append(Token("start", markup[match.start():match.start("content")], tag,
                           _plain_attrs(match.group("attrs"))))
        if content:
            found.append(Token("text", content))
        found.append(Token("end", markup[match.end("content"):match.end()], tag))
        done = match.end()
    rest = _plain_tokens(markup[done:]) if done < len(markup) else []
    return found + rest if rest is not None else _parsed_tokens(markup)


def _svg_spans(markup: str) -> Iterator[tuple[int, int]]:
    return _element_spans(markup, "svg")


def _element_spans(markup: str, tag: str, css_class: str | None = None) -> Iterator[tuple[int, int]]:
    """Where each outermost ``tag`` element (with ``css_class``, if given) starts and ends, by counting its tags."""
    depth, start = 0, 0
    for match in re.finditer(rf"<(/?){tag}\b([^>]*)>", markup, re.I):
        if not match.group(1):
            if depth == 0:
                if css_class and not re.search(rf'class="[^"]*\b{re.escape(css_class)}\b', match.group(2)):
                    continue
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                yield start, match.end()


def element_html(markup: str, tag: str, css_class: str) -> str:
    """The first ``<tag class="… css_class …">`` element of ``markup``, whole, or "" when there is none.

    Reading one known element of a rendered page this way spares tokenizing
    the whole page (its facts list, sources and charts).
    """
    start, end = next(_element_spans(markup, tag, css_class), (0, 0))
    return markup[start:end]


def flat_tokens(markup: str) -> list[Token]:
    """``markup`` as tokens with no element kept whole: every tag of an inline ``<svg>`` is a token too."""
    return _tokenize_flat(markup)


def _tokenize_flat(markup: str) -> list[Token]:
    if not markup:
        return []
    plain = _plain_tokens(markup)
    return plain if plain is not None else _parsed_tokens(markup)


def _parsed_tokens(markup: str) -> list[Token]:
    """``markup``'s tokens as ``html.parser`` finds them: any HTML at all."""
    parser = _Tokenizer(markup)
    parser.feed(markup)
    parser.close()
    return parser.tokens()


_PLAIN_TOKEN = re.compile(r"""
    (?P<text>[^<&]+)
  | </(?P<end>[a-zA-Z][a-zA-Z0-9-]*)\s*>
  | <(?P<start>[a-zA-Z][a-zA-Z0-9-]*)
     (?P<attrs>(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))?)*)
     \s*(?P<close>/?)>
  | (?P<ref>&(?:[a-zA-Z][a-zA-Z0-9]*|\#[0-9]+|\#[xX][0-9a-fA-F]+);)
""", re.X)
_PLAIN_ATTR = re.compile(r"""\s+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'))?""")
_DOCTYPE = re.compile(r"<!doctype[^<>]*>", re.I)
_TEXT_ELEMENT = re.compile(r"""<(?P<tag>script|style|title|textarea)
     (?P<attrs>(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))?)*)\s*>
     (?P<content>[^<]*)</(?P=tag)\s*>""", re.X | re.I)
# Elements whose content html.parser reads as raw text (in some Python versions): left to it.
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
                       "plaintext"})


def _plain_tokens(markup: str) -> list[Token] | None:
    """``markup``'s tokens when all of it is in the plain form (see the module's docstring), else None."""
    found: list[Token] = []
    done = 0
    for match in _PLAIN_TOKEN.finditer(markup):
        if match.start() != done:
            return None  # something the expression does not cover: a comment, a bare "<" or "&", ...
        done = match.end()
        raw, kind = match.group(), match.lastgroup
        if kind == "text" or kind == "ref":
            found.append(Token(kind, raw))
        elif kind == "end":
            found.append(Token("end", raw, match.group("end").lower()))
        else:
            tag = match.group("start").lower()
            if tag in _RAW_TEXT:
                return None
            found.append(Token("startend" if match.group("close") else "start", raw, tag,
                               _plain_attrs(match.group("attrs"))))
    return found if done == len(markup) else None


def plain_token_at(markup: str, at: int) -> Token | None:
    """The token (a tag, text or reference) that begins at offset ``at``, when it is in the plain form; else None."""
    match = _PLAIN_TOKEN.match(markup, at)
    if match is None:
        return None
    if match.group("start") is None:
        kind = "end" if match.group("end") else match.lastgroup
        return Token(kind, match.group(), (match.group("end") or "").lower())
    return Token("startend" if match.group("close") else "start", match.group(), match.group("start").lower(),
                 _plain_attrs(match.group("attrs")))


def _plain_attrs(text: str) -> tuple[tuple[str, str | None], ...]:
    """Attributes as ``html.parser`` gives them: names in lower case, values unquoted and unescaped."""
    if not text:
        return ()
    attrs = []
    for match in _PLAIN_ATTR.finditer(text):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        attrs.append((match.group(1).lower(), None if value is None else html.unescape(value)))
    return tuple(attrs)


def join(tokens: list[Token]) -> str:
    """The HTML the tokens spell."""
    return "".join(t.raw for t in tokens)


def with_ancestors(tokens: list[Token]) -> Iterator[tuple[Token, tuple[Token, ...]]]:
    """Each token with the start tags of the elements it sits in, outermost first."""
    stack: list[Token] = []
    for token in tokens:
        if token.kind == "end":
            yield token, tuple(stack)
            for i in range(len(stack) - 1, -1, -1):
                if stack[i].tag == token.tag:
                    del stack[i:]
                    break
            continue
        yield token, tuple(stack)
        if token.kind == "start" and token.tag not in VOID_ELEMENTS:
            stack.append(token)


DEFAULT_SKIP = frozenset({"script", "style", "svg", "template"})


def visible_text(markup: str, skip: frozenset[str] = DEFAULT_SKIP) -> str:
    """The text a reader sees in ``markup``, whitespace collapsed; elements in ``skip`` are left out."""
    return tokens_text(tokenize(markup), skip)


def tokens_text(tokens: list[Token], skip: frozenset[str] = DEFAULT_SKIP) -> str:
    """The text a reader sees in already tokenized HTML (see ``visible_text``)."""
    parts = []
    for token, ancestors in with_ancestors(tokens):
        if token.kind in ("text", "ref") and not any(a.tag in skip for a in ancestors):
            parts.append(token.text)
        elif token.kind in ("start", "startend", "end", "element") and token.tag not in _INLINE:
            parts.append(" ")
    return " ".join("".join(parts).split())


_INLINE = frozenset({"a", "abbr", "b", "cite", "code", "dfn", "em", "i", "kbd", "mark", "q", "s", "small", "span",
                     "strong", "sub", "sup", "time", "u", "var", "wbr"})


class _Tokenizer(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=False)
        self.markup = markup
        self.starts: list[tuple[int, str, str, tuple]] = []  # (offset, kind, tag, attrs)
        self.line_offsets = [0]
        for line in markup.splitlines(keepends=True):
            self.line_offsets.append(self.line_offsets[-1] + len(line))

    def _mark(self, kind: str, tag: str = "", attrs: tuple = ()) -> None:
        line, column = self.getpos()  # where the token being handled starts
        self.starts.append((self.line_offsets[line - 1] + column, kind, tag, attrs))

    def handle_starttag(self, tag, attrs):
        self._mark("start", tag, tuple(attrs))

    def handle_startendtag(self, tag, attrs):
        self._mark("startend", tag, tuple(attrs))

    def handle_endtag(self, tag):
        self._mark("end", tag)

    def handle_data(self, data):
        self._mark("text")

    def handle_entityref(self, name):
        self._mark("ref")

    def handle_charref(self, name):
        self._mark("ref")

    def handle_comment(self, data):
        self._mark("other")

    def handle_decl(self, decl):
        self._mark("other")

    def handle_pi(self, data):
        self._mark("other")

    def unknown_decl(self, data):
        self._mark("other")

    def tokens(self) -> list[Token]:
        found: list[Token] = []
        starts = sorted(self.starts, key=lambda s: s[0])
        if not starts or starts[0][0] > 0:
            starts.insert(0, (0, "text", "", ()))
        for i, (offset, kind, tag, attrs) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else len(self.markup)
            if end > offset:
                found.append(Token(kind, self.markup[offset:end], tag, attrs))
        return found
