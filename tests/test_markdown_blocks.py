"""render/markdown_blocks.py: block tests skipped on blocks without their triggers, and stock Markdown's output.

The corpus is test_markdown_inline's (every Markdown file of the repository, the synthetic bodies,
generated text with headings of both kinds, rules, quotes, tables and lists), on which the whole
fast converter is compared with stock Markdown there. Here: each block trigger is in every block
its test accepts, and each one matters (with any one test wrongly skipped, some output differs).
"""
from __future__ import annotations

import markdown
import pytest

from site_builder.render import bodies
from site_builder.render.markdown_blocks import BLOCK_TRIGGERS, block_trigger_of, fast_blocks
from test_markdown_inline import convert, converter, corpus


def test_the_table_names_exactly_the_block_tests_it_skips():
    md = converter(True)
    triggered = {(type(p), block_trigger_of(p)) for p in md.parser.blockprocessors if block_trigger_of(p)}
    assert {cls for cls, _ in triggered} == {cls for cls, _ in BLOCK_TRIGGERS}
    assert len(triggered) == 5
    names = sorted(type(p).__name__ for p in md.parser.blockprocessors if block_trigger_of(p))
    assert names == ["BlockQuoteProcessor", "HRProcessor", "HashHeaderProcessor", "SetextHeaderProcessor",
                     "TableProcessor"]
    assert "parseBlocks" in vars(md.parser) and "parseBlocks" not in vars(converter(False).parser)


def test_each_trigger_is_in_every_block_its_test_accepts():
    """Every block stock Markdown asks a triggered test about, over the corpus: when the test says yes, the block
    holds a trigger (and each test said yes somewhere, so the check ran on it)."""
    md = converter(False)
    accepted: dict[str, int] = {}
    for processor in md.parser.blockprocessors:
        needles = block_trigger_of(processor)
        if needles is None:
            continue
        test = processor.test

        def checked(parent, block, test=test, needles=needles, name=type(processor).__name__):
            answer = test(parent, block)
            if answer:
                assert any(needle in block for needle in needles), (name, block)
                accepted[name] = accepted.get(name, 0) + 1
            return answer
        processor.test = checked
    for text in corpus():
        convert(md, text)
    assert len(accepted) == 5, accepted


@pytest.mark.parametrize("key", sorted(BLOCK_TRIGGERS, key=repr), ids=lambda key: key[0].__name__)
def test_skipping_any_one_block_test_wrongly_changes_some_output(key, monkeypatch):
    """The equality tests can fail: with one test's trigger replaced by text that never occurs, the corpus
    gives different HTML somewhere."""
    monkeypatch.setitem(BLOCK_TRIGGERS, key, ("\x00never",))
    stock, fast = converter(False), converter(True)
    assert any(convert(fast, text) != convert(stock, text) for text in corpus())


def test_another_markdown_version_keeps_every_block_test(monkeypatch):
    monkeypatch.setattr(markdown, "__version__", "3.99.0")
    md = fast_blocks(markdown.Markdown(extensions=bodies.MARKDOWN_EXTENSIONS, output_format="html"))
    assert "parseBlocks" not in vars(md.parser) and "replace_marker" not in vars(md.treeprocessors["toc"])


def test_bodies_convert_with_the_block_tests_triggered_and_the_marker_looked_for():
    md = bodies._markdown()
    assert "parseBlocks" in vars(md.parser) and "replace_marker" in vars(md.treeprocessors["toc"])


def test_the_toc_marker_is_replaced_where_there_is_one_and_looked_for_only_then(monkeypatch):
    text = "Intro\n\n[TOC]\n\n# A *b*\n\n## C\n\n> [TOC]\n"
    fast = converter(True)
    assert convert(fast, text) == convert(converter(False), text)
    assert convert(fast, text).count('<div class="toc">') == 2
    walked = []
    contents = fast.treeprocessors["toc"]
    monkeypatch.setattr(contents, "iterparent", lambda node: walked.append(node) or iter(()))
    convert(fast, "# A\n\nNo marker here, [TOC ] or TOC.\n")
    assert walked == []
    convert(fast, text)
    assert walked


def test_the_quote_test_measures_the_stack_at_the_depth_stock_markdown_does(monkeypatch):
    """Quotes stop nesting near Python's recursion limit, by the depth of the stack their test runs on: the
    triggered test runs at the same depth as stock's."""
    depths = []
    monkeypatch.setattr(markdown.util, "nearing_recursion_limit", lambda: depths.append(markdown.util._get_stack_depth()))
    stock, fast = converter(False), converter(True)
    for md in (stock, fast):
        convert(md, "> a\n> > b\n\nc")
    assert depths and len(depths) % 2 == 0
    assert depths[:len(depths) // 2] == depths[len(depths) // 2:]


def test_quotes_nested_past_the_guard_stop_where_stock_markdown_stops():
    text = ">" * 600 + " deep"
    html = convert(converter(True), text)
    assert html == convert(converter(False), text)
    assert 100 < html.count("<blockquote>") < 600  # the guard stopped the nesting


def test_the_toc_marker_is_looked_for_at_the_stack_depth_of_stock_markdown(monkeypatch):
    depths = []
    walk = markdown.extensions.toc.TocTreeprocessor.iterparent

    def recording(self, node):
        depths.append(markdown.util._get_stack_depth())
        return walk(self, node)
    text = "[TOC]\n\n# A\n"
    monkeypatch.setattr(markdown.extensions.toc.TocTreeprocessor, "iterparent", recording)
    for fast in (False, True):
        convert(converter(fast), text)
    half = len(depths) // 2  # it recurses: one call per element it walks, the same for both
    assert half and depths[:half] == depths[half:]


@pytest.mark.parametrize("cls, needle", [(markdown.blockprocessors.HashHeaderProcessor, "#"),
                                         (markdown.extensions.tables.TableProcessor, "|")])
def test_block_tests_run_at_the_stack_depth_of_stock_markdown(cls, needle, monkeypatch):
    depths = []  # of the tests both run: on blocks with the trigger
    test = cls.test

    def recording(self, parent, block):
        if needle in block:
            depths.append(markdown.util._get_stack_depth())
        return test(self, parent, block)
    monkeypatch.setattr(cls, "test", recording)
    for fast in (False, True):
        convert(converter(fast), "# A #\n\na | b\n--|--\n1 | 2\n\n> # B\n> c | d\n> --|--")
    half = len(depths) // 2
    assert half and depths[:half] == depths[half:]
