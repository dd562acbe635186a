"""The glossary: ``content/glossary.yaml`` read and checked, and terms marked where a briefing first uses them.

Marking works on the rendered body HTML, token by token (see :mod:`html_tokens`):
only text a reader sees in running prose is considered, never text inside links,
headings, code, figures or notes, and never attribute values. The first use of a
term becomes a link to its explanation in the page's "Terms used" list, and the
link is described by the definition, so keyboard and screen-reader users get it
where the term is, and everyone can follow it to the full glossary.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..errors import ErrorCollector
from ..html_tokens import Token, tokenize, with_ancestors
from .loader import Document
from ..model import Content, GlossaryTerm
from .schema import list_items, refuse_unknown_top_keys, validate_object

GLOSSARY_FILE = "glossary.yaml"
# Text inside these is never marked: links and headings (a link cannot hold a link, a heading is a label),
# code, figures and generated notes (charts, consistency checks), and interactive controls.
UNMARKED_ELEMENTS = frozenset({
    "a", "abbr", "dfn", "code", "pre", "kbd", "samp", "var", "script", "style", "template", "svg", "math",
    "h1", "h2", "h3", "h4", "h5", "h6", "figure", "aside", "button", "label", "select", "textarea", "summary",
    "time", "cite",
})


@dataclass(frozen=True)
class TermUse:
    """A glossary term as a briefing uses it: the entry, and the anchor of its explanation on the page."""

    term: GlossaryTerm
    anchor: str

    @property
    def definition_id(self) -> str:
        """The id of the element holding the definition (what the term's link is described by)."""
        return f"{self.anchor}-def"

    @property
    def reference_id(self) -> str:
        """The id of the marked term in the text, for the "back to the text" link."""
        return f"{self.anchor}-ref"


def term_anchor(term: GlossaryTerm) -> str:
    """The term's anchor, the same on the glossary page and in a briefing: ``term-light-commercial-vehicle``."""
    return "term-" + slugify(term.term)


def slugify(text: str) -> str:
    """Lowercase ASCII letters, digits and single hyphens: ``Citroën C4`` becomes ``citroen-c4``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def validate_glossary(doc: Document, errors: ErrorCollector) -> tuple[GlossaryTerm, ...]:
    """The ``terms:`` list of ``glossary.yaml``; missing definitions and duplicate terms are located errors."""
    terms: list[GlossaryTerm] = []
    seen: dict[str, GlossaryTerm] = {}
    refuse_unknown_top_keys(doc, {"terms"}, errors)
    for _, loc in list_items(doc, "terms", errors):
        term = validate_object(GlossaryTerm, doc, loc, errors)
        if term is None:
            continue
        line = doc.line_of(loc)
        if not term.term.strip():
            errors.add(doc.path, doc.line_of(loc + ("term",)), f"{_where(loc)}.term: must not be empty")
            continue
        if not term.definition.strip():
            errors.add(doc.path, doc.line_of(loc + ("definition",)), f"{_where(loc)}.definition: must not be empty")
            continue
        clash = next(((form, seen[form.casefold()]) for form in term.forms if form.casefold() in seen), None)
        if clash:
            errors.add(doc.path, line, f"glossary term {term.term!r}: {clash[0]!r} is already a form of "
                                       f"{clash[1].term!r} (at {clash[1].origin})")
            continue
        if not slugify(term.term):
            errors.add(doc.path, doc.line_of(loc + ("term",)), f"{_where(loc)}.term: needs letters or digits")
            continue
        seen.update({form.casefold(): term for form in term.forms})
        terms.append(term)
    return tuple(terms)


def check_glossary(content: Content, errors: ErrorCollector) -> None:
    """Record every glossary term citing a source that does not exist, or sharing another's anchor."""
    anchors: dict[str, GlossaryTerm] = {}
    for term in content.glossary:
        if term.source and term.source not in content.sources:
            errors.add(term.origin.path, term.origin.line, f"glossary term {term.term!r}: unknown source id {term.source!r}")
        anchor = term_anchor(term)
        if anchor in anchors:
            errors.add(term.origin.path, term.origin.line, f"glossary term {term.term!r}: its anchor #{anchor} is "
                                                           f"the same as {anchors[anchor].term!r}'s; rename one")
        anchors.setdefault(anchor, term)


def mark_terms(body_html: str, terms: tuple[GlossaryTerm, ...]) -> tuple[str, tuple[TermUse, ...]]:
    """``body_html`` with the first use of each term linked to its explanation, and the terms used, in order."""
    matcher = _TermMatcher(terms)
    if not matcher.pattern:
        return body_html, ()
    out: list[str] = []
    run: list[Token] = []
    for token, ancestors in with_ancestors(tokenize(body_html)):
        if token.kind in ("text", "ref") and not any(a.tag in UNMARKED_ELEMENTS for a in ancestors):
            run.append(token)
            continue
        out.append(matcher.mark(run))
        run = []
        out.append(token.raw)
    out.append(matcher.mark(run))
    return "".join(out), tuple(matcher.used)


class _TermMatcher:
    """Finds glossary terms in runs of text, each term only the first time."""

    def __init__(self, terms: tuple[GlossaryTerm, ...]) -> None:
        self.terms: dict[str, GlossaryTerm] = {}
        alternatives = []
        forms = sorted(((form, term) for term in terms for form in term.forms), key=lambda ft: (-len(ft[0]), ft[0]))
        for i, (form, term) in enumerate(forms):
            self.terms[f"t{i}"] = term
            alternatives.append(f"(?P<t{i}>{_form_pattern(form)})")
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?:s|es)?(?!\w)") if alternatives else None
        self.used: list[TermUse] = []
        self._done: set[str] = set()

    def mark(self, run: list[Token]) -> str:
        """The run's HTML with first uses wrapped in links; unchanged text keeps its exact source."""
        if not run:
            return ""
        # One unit per character of plain text, one per character reference (``&rsquo;``): a match may
        # start or end at any unit, and each unit keeps its exact source.
        units = [u for t in run for u in ([(ch, ch) for ch in t.raw] if t.kind == "text" else [(t.raw, t.text)])]
        text, owner = "", []
        for index, (_, decoded) in enumerate(units):
            text += decoded
            owner.extend([index] * len(decoded))
        pieces: list[str] = []
        done_to = 0
        for match in self.pattern.finditer(text):
            term = self.terms[match.lastgroup]
            if term.term in self._done:
                continue
            first, last = owner[match.start()], owner[match.end() - 1]
            if first < done_to:
                continue
            use = TermUse(term, term_anchor(term))
            self._done.add(term.term)
            self.used.append(use)
            pieces.append("".join(raw for raw, _ in units[done_to:first]))
            inner = "".join(raw for raw, _ in units[first:last + 1])
            pieces.append(f'<a class="term" href="#{use.anchor}" id="{use.reference_id}" '
                          f'aria-describedby="{use.definition_id}">{inner}</a>')
            done_to = last + 1
        pieces.append("".join(raw for raw, _ in units[done_to:]))
        return "".join(pieces)


def _form_pattern(form: str) -> str:
    """A regex for ``form``; a form written in lower case also matches with a capital (a sentence's start)."""
    escaped = re.escape(form)
    if form[:1].isalpha() and form[:1].islower():
        return f"[{form[0]}{form[0].upper()}]{re.escape(form[1:])}"
    return escaped


def _where(loc) -> str:
    return f"{loc[0]}[{loc[1]}]"
