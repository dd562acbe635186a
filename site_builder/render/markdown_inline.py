"""Python-Markdown's inline processing, trying only the patterns that can match a piece of text.

Stock Python-Markdown tries every inline pattern (14 of its own, 18 more from ``smarty``) on every
piece of text, one regular expression search and half a dozen Python calls each, even on prose
with no backtick, bracket, quote or dash in it: that was two thirds of converting a body. Each
pattern below has a **trigger**: substrings of which any match must contain at least one (read
off its regular expression, checked by ``tests/test_markdown_inline.py`` on a generated corpus).
A pattern whose triggers are all absent from the text finds no match there, so skipping it is what
stock processing does after a failed search; output is byte-identical.

A pattern with no entry (another extension's, or a changed regular expression) is always tried,
and a Markdown version other than the one this table was read from gets stock processing: an
upgrade can change patterns or the loop that applies them, and must not change output silently.
Render stage: imports only Markdown.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown import inlinepatterns as ip
from markdown import treeprocessors
from markdown.extensions import smarty
from markdown.util import INLINE_PLACEHOLDER_PREFIX as _PREFIX, AtomicString

# The versions the triggers and the loop below were verified against (Markdown's own tests are not
# rerun here: tests/test_markdown_inline.py compares stock and fast output on every body it can find).
VERIFIED_VERSIONS = ("3.11.3", "3.11.4")

_QUOTES = "[!\"#\\$\\%'()*+,-.\\/:;<=>?\\@\\[\\\\\\]\\^_`{|}~]"
_OPENING = "(\\s|&nbsp;|--|–|—|&[mn]dash;|&#8211;|&#8212;)"
_CLOSE = "(?<=[^\\ \\t\\r\\n\\[\\{\\(\\-\\u0002\\u0003])"

# (class, regular expression) -> substrings of which every match contains one. Read when a converter
# first runs with a set of patterns.
TRIGGERS: dict[tuple[type, str], tuple[str, ...]] = {
    (ip.BacktickInlineProcessor, "(?:(?<!\\\\)((?:\\\\{2})+)(?=`+)|(?<!\\\\)`)"): ("`",),
    (ip.EscapeInlineProcessor, "\\\\(.)"): ("\\",),
    (ip.ReferenceInlineProcessor, "(?<!\\!)\\["): ("[",),
    (ip.LinkInlineProcessor, "(?<!\\!)\\["): ("[",),
    (ip.ImageInlineProcessor, "\\!\\["): ("![",),
    (ip.ImageReferenceInlineProcessor, "\\!\\["): ("![",),
    (ip.ShortReferenceInlineProcessor, "(?<!\\!)\\["): ("[",),
    (ip.ShortImageReferenceInlineProcessor, "\\!\\["): ("![",),
    (ip.AutolinkInlineProcessor, "<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>"): ("://",),
    (ip.AutomailInlineProcessor, "<([^<> !]+@[^@<> ]+)>"): ("@",),
    (ip.SubstituteTagInlineProcessor, "  \\n"): ("  \n",),
    (ip.HtmlInlineProcessor, ip.HTML_RE): ("<",),
    (ip.HtmlInlineProcessor, ip.ENTITY_RE): ("&",),
    (ip.DelimiterProcessor, "\\*|_"): ("*", "_"),
    (smarty.SubstituteTextPattern, "(?<!\\.)\\.{3}(?!\\.)"): ("...",),
    (smarty.SubstituteTextPattern, "(?<!-)---(?!-)"): ("---",),
    (smarty.SubstituteTextPattern, "(?<!-)--(?!-)"): ("--",),
    (smarty.SubstituteTextPattern, f"^'(?={_QUOTES}\\B)"): ("'",),
    (smarty.SubstituteTextPattern, f'^"(?={_QUOTES}\\B)'): ('"',),
    (smarty.SubstituteTextPattern, "\"'(?=\\w)"): ("\"'",),
    (smarty.SubstituteTextPattern, "'\"(?=\\w)"): ("'\"",),
    (smarty.SubstituteTextPattern, f"{_CLOSE}\\'\""): ("'\"",),
    (smarty.SubstituteTextPattern, f"{_CLOSE}\\\"'"): ("\"'",),
    (smarty.SubstituteTextPattern, "(?<!\\w)'(?=\\d{2}s)"): ("'",),
    (smarty.SubstituteTextPattern, f"{_OPENING}'(?=\\w)"): ("'",),
    (smarty.SubstituteTextPattern, f"{_CLOSE}'(?!\\s|s\\b|\\d)"): ("'",),
    (smarty.SubstituteTextPattern, "'(\\s|s\\b)"): ("'",),
    (smarty.SubstituteTextPattern, "'"): ("'",),
    (smarty.SubstituteTextPattern, f'{_OPENING}"(?=\\w)'): ('"',),
    (smarty.SubstituteTextPattern, '"(?=\\s)'): ('"',),
    (smarty.SubstituteTextPattern, f'{_CLOSE}"'): ('"',),
    (smarty.SubstituteTextPattern, '"'): ('"',),
}


def trigger_of(pattern: object) -> tuple[str, ...] | None:
    """The substrings of which every match of ``pattern`` contains one, or None when it must always be tried."""
    if not isinstance(pattern, ip.InlineProcessor):  # an old-style Pattern matches differently
        return None
    return TRIGGERS.get((type(pattern), pattern.compiled_re.pattern))


class TriggeredInlineProcessor(treeprocessors.InlineProcessor):
    """Markdown's ``InlineProcessor``, skipping the patterns whose triggers a text does not contain.

    The loop over patterns (``__handleInline``) is new; ``run`` is the stock code with a shortcut for
    text that no pattern changed; the rest is inherited. Patterns run at the stack depth they run at
    in stock Markdown, so a body nested to Python's recursion limit fails (or not) as it does there.
    """

    _patterns: tuple[object, ...] = ()

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        """Apply the inline patterns to ``tree``, as stock; the triggers are worked out again only when the
        registry holds other patterns than at the last run."""
        patterns = tuple(self.inlinePatterns)
        if patterns != self._patterns:  # patterns compare by identity
            self._plan(patterns)
        # Stock InlineProcessor.run, except where marked: a text or tail that comes back from
        # __handleInline as the same object, without a placeholder in it, is left as it is. Stock
        # code clears it, finds no placeholder, puts it back and inserts an empty list of nodes.
        # (Written out here, not called: patterns recurse from this frame, as deep as stock's.)
        handle, place = self._InlineProcessor__handleInline, self._InlineProcessor__processPlaceholders
        self.stashed_nodes: dict[str, etree.Element | str] = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {c: p for p in tree.iter() for c in p}
        stack = [(tree, tree_parents)]
        self._InlineProcessor__build_ancestors(tree, tree_parents)
        while stack:
            currElement, parents = stack.pop(0)
            self.ancestors = parents
            if currElement is not tree:
                self.ancestors.append(currElement.tag.lower())
            insertQueue = []
            for child in currElement:
                if child.text and not isinstance(child.text, AtomicString):
                    self.ancestors.append(child.tag.lower())
                    text = child.text
                    done = handle(text)
                    if done is not text or _PREFIX in text:  # shortcut (above)
                        child.text = None
                        lst = place(done, child)
                        for item in lst:
                            self.parent_map[item[0]] = child
                        stack += lst
                        insertQueue.append((child, lst))
                    self.ancestors.pop()
                if child.tail:
                    tail = child.tail
                    done = handle(tail)
                    if done is not tail or _PREFIX in tail:  # shortcut (above)
                        dumby = etree.Element('d')
                        child.tail = None
                        tailResult = place(done, dumby, False)
                        if dumby.tail:
                            child.tail = dumby.tail
                        pos = list(currElement).index(child) + 1
                        tailResult.reverse()
                        for newChild in tailResult:
                            self.parent_map[newChild[0]] = currElement
                            currElement.insert(pos, newChild[0])
                if len(child):
                    self.parent_map[child] = currElement
                    stack.append((child, self.ancestors[:]))
            for element, lst in insertQueue:
                for i, obj in enumerate(lst):
                    element.insert(i, obj[0])
        self.parent_map = {}  # released as 3.11.4 does: the parsed elements are not kept until the next body
        self.stashed_nodes = {}
        return tree

    def _plan(self, patterns: tuple[object, ...]) -> None:
        self._patterns = patterns
        triggers = [trigger_of(pattern) for pattern in patterns]
        # Each distinct trigger is looked for once per text; a pattern is tried if any of its own is there.
        self._needles = sorted({needle for found in triggers if found for needle in found})
        self._triggers = [None if found is None else tuple(self._needles.index(n) for n in found)
                          for found in triggers]
        self._tried: dict[tuple[bool, ...], tuple[int, ...]] = {}
        # Most texts hold no trigger at all: one search says so (it cannot say which are there when
        # they overlap, as "'" in "\"'" does, so those are looked for one by one).
        self._any_needle = re.compile("|".join(map(re.escape, self._needles))) if self._needles else None
        self._untriggered = self._tried_for_present(tuple(False for _ in self._needles))

    def _tried_for(self, data: str) -> tuple[int, ...]:
        if self._any_needle is None or self._any_needle.search(data) is None:
            return self._untriggered
        return self._tried_for_present(tuple(map(data.__contains__, self._needles)))

    def _tried_for_present(self, present: tuple[bool, ...]) -> tuple[int, ...]:
        tried = self._tried.get(present)
        if tried is None:
            tried = self._tried[present] = tuple(
                index for index, found in enumerate(self._triggers)
                if found is None or any(present[n] for n in found))
        return tried

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # The stock loop tries pattern i from 0, then again past each match, and moves on when it
        # fails. Matches replace text with placeholders (STX "klzzwxh:0000" ETX), which contain and
        # make up no trigger, so a pattern that could not match the text at first cannot later.
        if isinstance(data, AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern
        for index in self._tried_for(data):
            if index < patternIndex:
                continue
            pattern = self._patterns[index]
            matched, start = True, 0
            while matched:
                data, matched, start = apply(pattern, data, index, start)
        return data


def fast_inline(md: markdown.Markdown) -> markdown.Markdown:
    """``md`` with its inline processors (Markdown's own and smarty's) replaced by triggered ones.

    Unchanged (stock processing) when the installed Markdown is not one of ``VERIFIED_VERSIONS``.
    """
    if markdown.__version__ not in VERIFIED_VERSIONS:
        return md
    registry = md.treeprocessors
    for name in ("inline", "smarty"):
        if name not in registry or type(registry[name]) is not treeprocessors.InlineProcessor:
            continue
        stock = registry[name]
        fast = TriggeredInlineProcessor(md)
        fast.inlinePatterns = stock.inlinePatterns
        priority = next(item.priority for item in registry._priority if item.name == name)
        registry.register(fast, name, priority)
    return md
