"""Third-party requests in the final HTML: whatever a built page would load from another origin.

Bodies are checked as written (``content/scan.py``), but what a reader's
browser loads is decided by the page as built: a Markdown image, a template,
an ``<svg>`` drawn inline, a ``<style>`` or a ``style=""`` all end up there.
Every HTML (and SVG and CSS) file of the site is read once with
:mod:`html_tokens`, attribute values decoded as a browser decodes them, and
each place that makes the browser fetch something is checked: ``src``,
``srcset``, ``poster``, ``data``, ``action``, ``formaction``, ``ping``,
``background``, ``href`` on anything but a link a reader follows (``<a>``,
``<area>``, ``<link rel=canonical|alternate|...>``), ``<base href>``,
``<meta http-equiv=refresh>``, and CSS ``url()``, ``image-set()`` and
``@import``. A URL with a scheme other than ``data:`` (and the few that load
nothing), or one starting with two slashes of either kind (``//host``,
``/\\host``, ``\\\\host``, all read by browsers as another host), is another
site. Links readers follow (``<a href="https://...">``) are navigation, not
requests, and are left alone.

``locate`` then finds the content (or template) line that wrote the offending
markup, so that the error points at what the author typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from ..errors import Problem
from ..html_tokens import Token, flat_tokens, plain_token_at, tokenize_page

LOADING_ATTRIBUTES = frozenset({"src", "srcset", "imagesrcset", "poster", "data", "background", "action",
                                "formaction", "ping", "lowsrc", "dynsrc", "codebase", "manifest", "srcdoc"})
NAVIGATION_TAGS = frozenset({"a", "area"})  # their href is a link the reader may follow, not a request
# <link rel=...> values under which the browser fetches nothing by itself
LINK_RELS_NOT_LOADED = frozenset({"alternate", "canonical", "author", "license", "help", "next", "prev", "bookmark",
                                  "external", "me", "tag", "nofollow", "noopener", "noreferrer", "shortlink", "index",
                                  "up", "first", "last", "privacy-policy", "terms-of-service"})
# SVG presentation attributes that take url(): fill="url(https://...#g)" is a request too
URL_ATTRIBUTES = frozenset({"style", "fill", "stroke", "filter", "clip-path", "mask", "marker", "marker-start",
                            "marker-mid", "marker-end", "cursor"})
SAFE_SCHEMES = frozenset({"data", "blob", "about", "mailto", "tel", "javascript", "vbscript"})  # load no resource
_STRIPPED = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.I)
_CSS_STRING_LOAD = re.compile(r"""(?:@import|image-set\(|\bsrc:)\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_REFRESH_URL = re.compile(r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)", re.I)
# An inline <svg> is one token (see html_tokens): it is read tag by tag only if it could load anything.
_SVG_SUSPECT = re.compile(r"href\s*=|src\s*=|style\s*=|url\(|@import|image-set|<style|<foreignobject|\\", re.I)
HINT = "pages make no third-party requests (put the file under static/ and link it relatively)"


def is_other_origin(url: str) -> bool:
    """True when ``url``, as a browser reads it, names another site (a relative URL never does)."""
    plain = _STRIPPED.sub("", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                                          "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    if plain[:2] in ("//", "/\\", "\\/", "\\\\"):
        return True
    scheme = _SCHEME.match(plain)
    return bool(scheme) and scheme.group(1).lower() not in SAFE_SCHEMES


@dataclass(frozen=True)
class Load:
    """One request to another site that a page would make: the tag, the attribute (or CSS), the URL and
    the markup it stands in (to find where the author wrote it)."""

    tag: str
    attribute: str
    url: str
    markup: str
    page_line: int



def css_loads(css: str) -> list[str]:
    """The URLs that ``css`` (a stylesheet, a ``<style>`` or a ``style=""``) loads from another site."""
    if "(" not in css and "@" not in css and "src" not in css.lower():
        return []
    plain = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2),
                            _CSS_COMMENT.sub("", css))
    urls = [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(plain)]
    urls += [m.group(1) if m.group(1) is not None else m.group(2) for m in _CSS_STRING_LOAD.finditer(plain)]
    return [url for url in urls if is_other_origin(url)]


# Where a request could start: an attribute that can load, named as the browser reads it, with a value that
# could name another site (a colon, a character reference, a backslash, CSS, a comma or two slashes). Each
# name is looked for behind an "=", which keeps the expression fast: a page is read in a fraction of a
# millisecond. An "=" after a space (src = "...") or a <style> has the page read token by token instead.
_WATCHED = ("src srcset imagesrcset poster data background action formaction ping lowsrc dynsrc codebase manifest "
            "srcdoc href xlink:href content style fill stroke filter clip-path mask marker marker-start marker-mid "
            "marker-end cursor").split()
_MARKS = r":&\\(@;,"


def _value(quote: str) -> str:
    return (rf"{quote}[^{quote}{_MARKS}/]*+(?:/(?![\t\n\r]*/)[^{quote}{_MARKS}/]*+)*+"
            rf"(?:[{_MARKS}]|/[\t\n\r]*/)")


_CANDIDATE = re.compile("=(?:" + "|".join(rf"(?<=[\s/\"']{re.escape(name)}=)" for name in _WATCHED) + r")\s*"
                        rf"""(?:{_value('"')}|{_value("'")}|[\x00-\x20]*[^\s"'>]*?[{_MARKS}/])""", re.I)
_STYLE_ELEMENT = re.compile(r"<style", re.I)
_DOCTYPE = re.compile(r"<!doctype[^<>]*>", re.I)
_SPACED_EQUALS = re.compile(r"[\t\n\f\r ]=")
_UNREADABLE = (-2, None)


def third_party_loads(markup: str) -> tuple[Load, ...]:
    """Every request to another site that the HTML or SVG ``markup`` would make, in document order.

    A page is mostly text and tags that cannot load anything: only the start
    tags around the places ``_CANDIDATE`` finds are read. When one is not in
    the plain form (see :mod:`html_tokens`), or the page has a comment (which
    could hide a tag from that reading) or CSS in a ``<style>``, the whole page
    is read token by token instead (``read_all``): both give the same loads.
    """
    doctype = _DOCTYPE.match(markup)
    if markup.find("<!", doctype.end() if doctype else 0) >= 0 or _STYLE_ELEMENT.search(markup):
        return read_all(markup)
    spaced = _TagHolding(markup)
    if any(spaced.of(match.start())[0] != -1 for match in _SPACED_EQUALS.finditer(markup)):
        return read_all(markup)
    found: list[Load] = []
    tags: set[int] = set()
    holding = _TagHolding(markup)
    for match in _CANDIDATE.finditer(markup):
        start, token = holding.of(match.start())
        if token is None and start == -2:
            return read_all(markup)
        if token is not None and start not in tags:
            tags.add(start)
            found += [Load(token.tag, attribute, url, token.raw, markup.count("\n", 0, start) + 1)
                      for attribute, url in _tag_loads(token)]
    return tuple(found)


class _TagHolding:
    """Which start tag holds an offset of ``markup``, asked in increasing order: each "<" is read once, so that
    even a body of nothing but "src=" is read in linear time."""

    def __init__(self, markup: str) -> None:
        self.markup = markup
        self.asked = 0
        self.start, self.token = -1, None

    def of(self, at: int) -> tuple[int, Token | None]:
        """Where the start tag holding ``at`` begins, and the tag; (-1, None) if ``at`` is in text; (-2, None)
        if that cannot be told without reading the whole page (markup outside the plain form)."""
        nearer = self.markup.rfind("<", self.asked, at)
        self.asked = at
        if nearer >= 0:
            self.start, self.token = nearer, plain_token_at(self.markup, nearer)
        if self.start < 0:
            return -1, None  # text before the first tag
        token = self.token
        if token is None or token.kind not in ("start", "startend", "end"):
            return _UNREADABLE
        if self.start + len(token.raw) <= at:
            return -1, None  # plain text after a whole tag: no "<" in between
        return (self.start, token) if token.kind != "end" else _UNREADABLE


def read_all(markup: str) -> tuple[Load, ...]:
    """What ``third_party_loads`` finds, found by reading every token of ``markup`` (slower, any HTML)."""
    return tuple(_loads(tokenize_page(markup), markup, 0))


def _loads(tokens: Iterable[Token], markup: str, start: int) -> Iterator[Load]:
    offset, in_style = start, False
    for token in tokens:
        if token.kind == "element":
            if _SVG_SUSPECT.search(token.raw):
                yield from _loads(flat_tokens(token.raw), markup, offset)
        elif token.kind in ("start", "startend"):
            for attribute, url in _tag_loads(token):
                yield Load(token.tag, attribute, url, token.raw, markup.count("\n", 0, offset) + 1)
            in_style = token.tag == "style" and token.kind == "start"
        elif token.kind == "text" and in_style:
            for url in css_loads(token.raw):
                yield Load("style", "@import/url()", url, url, markup.count("\n", 0, offset) + 1)
        elif token.kind == "end":
            in_style = False
        offset += len(token.raw)


def _tag_loads(token: Token) -> Iterator[tuple[str, str]]:
    tag = token.tag
    for name, value in token.attrs:
        if not value:
            continue
        if name == "srcdoc":
            yield from ((f"srcdoc <{load.tag} {load.attribute}>", load.url) for load in third_party_loads(value))
        elif name in ("srcset", "imagesrcset"):
            yield from ((name, url) for url in re.split(r"[\s,]+", value) if is_other_origin(url))
        elif name in LOADING_ATTRIBUTES or (name in ("href", "xlink:href") and _href_loads(token)):
            if is_other_origin(value):
                yield name, value
        elif tag == "meta" and name == "content" and (token.attr("http-equiv") or "").lower() == "refresh":
            url = _REFRESH_URL.match(value).group(1)
            if is_other_origin(url):
                yield "http-equiv=refresh", url
        if name in URL_ATTRIBUTES:
            yield from ((name, url) for url in css_loads(value))


def _href_loads(token: Token) -> bool:
    if token.tag in NAVIGATION_TAGS:
        return False
    if token.tag == "link":
        rels = set((token.attr("rel") or "").lower().split())
        return not rels <= LINK_RELS_NOT_LOADED
    return True  # <base>, and in SVG <image>, <use>, <feImage>, <pattern>, ...


@dataclass(frozen=True)
class SourceText:
    """A file the site is made from, as text, for ``locate``: ``first_line`` is the line ``text`` starts on."""

    path: str
    first_line: int
    text: str


def locate(load: Load, sources: Iterable[SourceText]) -> tuple[str, int] | None:
    """The file and line, among ``sources`` (searched in order), where the markup of ``load`` was written.

    The markup is looked for as it stands in the page, then a Markdown image
    of its URL, then its attribute's value as written (character references
    included) after an ``=``, then the URL as typed anywhere (a reference-style
    image's definition, a YAML field), then its host.
    """
    url = re.escape(load.url)
    needles = [re.escape(load.markup)] if len(load.markup) < 500 else []
    needles += [rf"!\[[^\]]*\]\(\s*<?{url}"] if load.tag == "img" else []
    needles += [rf"=\s*[\"']?{re.escape(written)}" for written in _written_values(load.markup)
                if load.url in written or "&" in written]
    needles += [url, re.escape(load.url.replace("&", "&amp;"))]
    host = re.match(r"^[\s\w+.-]*:?[/\\]*([^/\\?#\s\"']+)", load.url)
    sources = list(sources)
    for group in (needles, [re.escape(host.group(1))] if host else []):  # the host only when nothing else is found
        for source in sources:
            for needle in group:
                found = re.search(needle, source.text)
                if found:
                    return source.path, source.first_line + source.text.count("\n", 0, found.start())
    return None


def _written_values(markup: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None)
            for m in re.finditer(r"""=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", markup)]


def file_loads(path: str, text: str) -> tuple[Load, ...]:
    """The requests to other sites that output file ``path`` (HTML, SVG or CSS), holding ``text``, would make."""
    if path.endswith(".css"):
        return tuple(Load("link rel=stylesheet", path, url, url, text.count("\n", 0, max(text.find(url), 0)) + 1)
                     for url in css_loads(text))
    return third_party_loads(text)


def third_party_problems(files: dict[str, bytes], bodies: dict[str, SourceText],
                         read_sources: Callable[[], list[SourceText]],
                         unchanged: Callable[[str, bytes], bool] = lambda path, data: False,
                         loads_ahead: Callable[[str, bytes], tuple[Load, ...] | None] | None = None) -> list[Problem]:
    """An error for each request to another site that the site's HTML, SVG or CSS files would make.

    Each is reported where it was written: in ``bodies[page]`` (the body of the
    briefing on that page) if it is there, else in ``read_sources()`` (content
    files, templates, static files; read only when something is found), else
    at the page itself. Files for which ``unchanged(path, data)`` is true passed
    this check before and are skipped. ``loads_ahead(path, data)`` may give ``file_loads`` of a file's text,
    found already by workers from the same bytes (``render.read_ahead``); None: the file is read here.
    """
    found: dict[tuple, list[str]] = {}
    sources: list[SourceText] | None = None
    for path, data in files.items():
        if not path.endswith((".html", ".svg", ".css")) or unchanged(path, data):
            continue
        loads = loads_ahead(path, data) if loads_ahead else None
        for load in file_loads(path, data.decode("utf-8", "replace")) if loads is None else loads:
            if sources is None:
                sources = read_sources()
            where = locate(load, [bodies[path]] if path in bodies else []) or locate(load, sources) \
                or (path, load.page_line)
            found.setdefault((where, load.tag, load.attribute, load.url), []).append(path)
    problems = []
    for (where, tag, attribute, url), pages in found.items():
        more = f" and {len(pages) - 1} other pages" if len(pages) > 1 else ""
        problems.append(Problem(where[0], where[1], f"<{tag} {attribute}> loads {url!r} from another site "
                                                    f"(in {pages[0]}{more}); {HINT}"))
    return problems
