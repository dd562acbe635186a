"""Python-Markdown's block tests, skipped on blocks that lack what a positive answer needs.

For every block of a body, Markdown asks each block processor in turn whether the block is its
kind. Five of those tests search the whole block with a regular expression (or split it into rows),
which was a quarter of converting a body after inline patterns were triggered (``markdown_inline``).
Each has a **trigger** here: substrings of which a block the test accepts contains at least one
(read off the test's code and regular expression, checked by ``tests/test_markdown_blocks.py``).
A block without any is not tested, since the test would answer no; the tests keep no state that
a no leaves behind (the table's and rule's fields are read only after a yes). Output is
byte-identical, and every test runs as deep in the stack as in stock Markdown.

The table of contents (``toc``) likewise walks every element of a body looking for its marker
paragraph (``[TOC]``): it does so only when the body's text contains the marker.

As in ``markdown_inline``: a processor of another class or with another expression keeps its own
test, and a Markdown version other than the verified one gets stock processing.
Render stage: imports only Markdown.
"""
from __future__ import annotations

from typing import Any, Callable

import markdown
from markdown import blockprocessors as bp
from markdown.extensions import tables, toc

from .markdown_inline import VERIFIED_VERSIONS, fast_inline

_HR = r'^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$'

# (class, the expression its test searches with) -> substrings of which every block it accepts contains one.
BLOCK_TRIGGERS: dict[tuple[type, str], tuple[str, ...]] = {
    (bp.HashHeaderProcessor, r'(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)'): ("#",),
    (bp.BlockQuoteProcessor, r'(^|\n)[ ]{0,3}>[ ]?(.*)'): (">",),
    # A match of the whole block from its start: its first line break is followed by = or -.
    (bp.SetextHeaderProcessor, r'^.*?\n(?:=+|-+)[ ]*(\n|$)'): ("\n=", "\n-"),
    (bp.HRProcessor, _HR): ("-", "_", "*"),
    # Without a pipe, the first row is one cell and has no border: not a table.
    (tables.TableProcessor, r'(?:(\\\\)|(\\`+)|(`+)|(\\\|)|(\|))'): ("|",),
}


def block_trigger_of(processor: object) -> tuple[str, ...] | None:
    """The substrings of which every block ``processor`` accepts contains one, or None to test every block."""
    expression = next((getattr(processor, name) for name in ("SEARCH_RE", "RE", "RE_CODE_PIPES")
                       if hasattr(processor, name)), None)
    pattern = getattr(expression, "pattern", None)
    return BLOCK_TRIGGERS.get((type(processor), pattern))


def _parse_blocks(parser: Any, needles_of: dict[object, tuple[str, ...]]) -> Callable[[Any, list[str]], None]:
    # Stock BlockParser.parseBlocks, with each test's trigger looked for first. It replaces the method
    # rather than wrapping the tests so that every test and run sees the stack as deep as in stock:
    # the quote test measures it, to stop nesting before Python's recursion limit.
    def parseBlocks(parent: Any, blocks: list[str]) -> None:
        while blocks:
            for processor in parser.blockprocessors:
                needles = needles_of.get(processor)
                if needles is not None:
                    block = blocks[0]
                    for needle in needles:
                        if needle in block:
                            break
                    else:
                        continue  # the test would say no
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break
    return parseBlocks


def fast_blocks(md: markdown.Markdown) -> markdown.Markdown:
    """``md`` with the block tests that have a trigger skipped on blocks without it, and the toc marker looked
    for only in bodies that contain it (stock processing when the installed Markdown is not one of
    ``VERIFIED_VERSIONS``)."""
    if markdown.__version__ not in VERIFIED_VERSIONS:
        return md
    parser = md.parser
    if "parseBlocks" not in vars(parser):
        needles_of = {p: block_trigger_of(p) for p in parser.blockprocessors if block_trigger_of(p) is not None}
        parser.parseBlocks = _parse_blocks(parser, needles_of)
    contents = md.treeprocessors["toc"] if "toc" in md.treeprocessors else None
    if type(contents) is toc.TocTreeprocessor and "replace_marker" not in vars(contents):
        contents.replace_marker = _replace_marker_if_there(contents)
    return md


def _replace_marker_if_there(contents: toc.TocTreeprocessor) -> Callable[[Any, Any], None]:
    # Stock TocTreeprocessor.replace_marker, written out (at stock's stack depth, as above), after a
    # look for the marker in the body's text: stock replaces only a paragraph whose text is the marker.
    def replace_marker(root: Any, elem: Any) -> None:
        if contents.marker not in "".join(root.itertext()):
            return
        for (p, c) in contents.iterparent(root):
            text = ''.join(c.itertext()).strip()
            if not text:
                continue
            if c.text and c.text.strip() == contents.marker and len(c) == 0:
                for i in range(len(p)):
                    if p[i] == c:
                        p[i] = elem
                        break
    return replace_marker


def fast_markdown(md: markdown.Markdown) -> markdown.Markdown:
    """``md`` with triggered inline patterns (``markdown_inline.fast_inline``) and block tests (``fast_blocks``)."""
    return fast_blocks(fast_inline(md))
