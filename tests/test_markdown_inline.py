"""render/markdown_inline.py: Markdown with triggered inline patterns gives stock Markdown's output, byte for byte.

The corpus: every Markdown file in the repository (briefings of every fixture, the docs), the
benchmark's synthetic bodies, and generated text made of the pieces each inline pattern reacts to
(quotes, emphasis, code spans, links, HTML, entities, escapes, dashes, ellipses, tables, lists,
headings). Each trigger is checked against every match of its pattern on that corpus, and each is
shown to matter: with any one pattern wrongly skipped, some output of the corpus differs.
"""
from __future__ import annotations

import functools
import importlib.util
import random
import sys
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings, strategies as st

from site_builder.render import bodies, markdown_inline
from site_builder.render.bodies import MARKDOWN_EXTENSIONS
from site_builder.render.markdown_blocks import fast_markdown
from site_builder.render.markdown_inline import TRIGGERS, TriggeredInlineProcessor, fast_inline, trigger_of

REPO = Path(__file__).resolve().parent.parent
PLACEHOLDER = markdown.util.INLINE_PLACEHOLDER % "0007"  # what a pattern's match leaves in the text for the next patterns
PIECES = (
    "'", '"', "'", '"', "`", "``", "\\", "\\\\", "*", "**", "***", "_", "__", "[", "]", "(", ")", "!", "![",
    "<", ">", "<<", ">>", "&", "&amp;", "&nbsp;", "&#8212;", "&#x41;", "&mdash;", "&bogus", "-", "--", "---",
    "----", ".", "..", "...", "....", "  \n", "\n", "\n\n", " ", " ", "  ", "\t", "word", "Word", "x_y_z",
    "snake_case", "'80s", "'s", "s'", "'\"", "\"'", "–", "—", ",", ";", ":", "?", "{", "}", "#", "=",
    "[ref]", "![ref]", "[text][ref]", "![alt][ref]", "[text](http://example.org/a)", "![alt](i.png \"t\")",
    "<http://example.org/x>", "<me@example.org>", "<b>", "</b>", "<span class=\"c\">", "<!-- c -->",
    "<?pi?>", "<![CDATA[x]]>", "`code 'q' *e*`", "\\`", "\\*", "\\'", "a@b", "://", "1.", "2)",
)
LINE_STARTS = ("", "", "", "# ", "## ", "### ", "###### ", "#", "- ", "* ", "1. ", "> ", ">", "   > ", "    ",
               "| a | b |\n| --- | :-: |\n| ", "|", "Title\n=====\n", "Title\n---\n", "***\n", "- - -\n", "___\n",
               "a | b\n--|--\n", "[TOC]\n\n", "  [TOC] \n\n")
REFERENCES = "[ref]: http://example.org/r \"Title\"\n\n"


def converter(fast: bool) -> markdown.Markdown:
    md = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return fast_markdown(md) if fast else md  # fast: as bodies._markdown makes it


def convert(md: markdown.Markdown, text: str) -> str:
    return md.reset().convert(text)


def generated(count: int, seed: int = 13) -> list[str]:
    """Texts of random pieces on random lines, some with a reference definition and a placeholder-like run."""
    rng = random.Random(seed)
    texts = []
    for n in range(count):
        lines = []
        for _ in range(rng.randrange(1, 6)):
            line = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 25)))
            lines.append(rng.choice(LINE_STARTS) + line)
        text = rng.choice(("\n", "\n\n", "  \n")).join(lines)
        texts.append((REFERENCES if n % 3 == 0 else "") + text)
    return texts


@functools.lru_cache(maxsize=1)
def repository_texts() -> tuple[str, ...]:
    """Every Markdown file in the repository (briefings, fixtures, docs), whole."""
    skip = {".venv", "node_modules", ".git", "_site", ".briefing-cache"}
    paths = [p for p in sorted(REPO.rglob("*.md")) if not skip & set(p.relative_to(REPO).parts)]
    return tuple(p.read_text(encoding="utf-8") for p in paths)


@functools.lru_cache(maxsize=1)
def synthetic_bodies() -> tuple[str, ...]:
    spec = importlib.util.spec_from_file_location("synth", REPO / "benchmarks" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    sys.modules["synth"] = synth  # its dataclass looks its module up
    spec.loader.exec_module(synth)
    return tuple(synth._body(f"b{i:04d}", i % 3, random.Random(i)) for i in range(150))


@functools.lru_cache(maxsize=1)
def corpus() -> tuple[str, ...]:
    return tuple(generated(1500)) + repository_texts() + synthetic_bodies()


def test_the_corpus_is_there():
    assert len(repository_texts()) >= 20 and any("{{ fact(" in text for text in repository_texts())
    assert len(synthetic_bodies()) == 150


@pytest.mark.parametrize("part", ["generated", "repository", "synthetic"])
def test_fast_output_is_stock_output(part):
    texts = {"generated": generated(1500), "repository": repository_texts(), "synthetic": synthetic_bodies()}[part]
    stock, fast = converter(False), converter(True)
    for text in texts:
        assert convert(fast, text) == convert(stock, text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES + LINE_STARTS), min_size=1, max_size=40).map("".join))
def test_fast_output_is_stock_output_on_drawn_text(text):
    assert convert(converter(True), text) == convert(converter(False), text)


def registered_patterns() -> list[object]:
    md = converter(True)
    return list(md.inlinePatterns) + list(md.treeprocessors["smarty"].inlinePatterns)


def test_every_pattern_has_a_trigger_and_every_trigger_a_pattern():
    """The table is read off exactly the patterns these extensions register: none is always tried, none is stale."""
    registered = {(type(p), p.compiled_re.pattern) for p in registered_patterns()}
    assert registered == set(TRIGGERS)
    assert len(registered_patterns()) == 32  # 14 of Markdown's own, 18 of smarty's


def test_each_trigger_is_in_every_match_of_its_pattern():
    """A trigger is necessary: every match (with the character after it, for a lookahead) contains one."""
    texts = corpus() + tuple(text.replace(" ", PLACEHOLDER, 3) for text in generated(300, seed=7))
    matched = set()
    for pattern in registered_patterns():
        needles = trigger_of(pattern)
        for text in texts:
            for m in pattern.compiled_re.finditer(text):
                assert any(n in text[m.start():m.end() + 1] for n in needles), (pattern.compiled_re.pattern, text)
                matched.add(pattern)
    assert len(matched) == len(registered_patterns())  # each pattern matched somewhere: the check ran on it


def test_no_trigger_is_made_by_a_placeholder():
    """Matches leave placeholders in the text: none contains a trigger, and none can make one with the text
    around it (a trigger across a placeholder's edge would contain its STX or ETX)."""
    needles = {n for found in TRIGGERS.values() for n in found}
    for needle in needles:
        assert markdown.util.STX not in needle and markdown.util.ETX not in needle
        for number in range(0, 100_000, 7):
            assert needle not in markdown.util.INLINE_PLACEHOLDER % f"{number:04d}"


@pytest.mark.parametrize("key", sorted(TRIGGERS, key=repr), ids=lambda key: f"{key[0].__name__}:{key[1][:24]}")
def test_skipping_any_one_pattern_wrongly_changes_some_output(key, monkeypatch):
    """The equality tests can fail: with one pattern's trigger replaced by text that never occurs, the corpus
    gives different HTML somewhere (so a trigger that is too strict for any pattern would be caught)."""
    stock, fast = converter(False), converter(True)
    monkeypatch.setitem(TRIGGERS, key, ("\x00never",))
    assert any(convert(fast, text) != convert(stock, text) for text in corpus())


def test_another_markdown_version_gets_stock_processing(monkeypatch):
    monkeypatch.setattr(markdown, "__version__", "3.99.0")
    md = converter(True)
    assert type(md.treeprocessors["inline"]) is markdown.treeprocessors.InlineProcessor
    assert type(md.treeprocessors["smarty"]) is markdown.treeprocessors.InlineProcessor


def test_the_verified_version_is_the_installed_one_and_bodies_use_it():
    """An upgrade of Markdown fails here: verify the triggers against the new version, then add it to
    VERIFIED_VERSIONS (and to the test extra's pin in pyproject.toml)."""
    assert markdown.__version__ in markdown_inline.VERIFIED_VERSIONS
    md = bodies._markdown()
    assert type(md.treeprocessors["inline"]) is TriggeredInlineProcessor
    assert type(md.treeprocessors["smarty"]) is TriggeredInlineProcessor
    names = [item.name for item in sorted(md.treeprocessors._priority, key=lambda item: -item.priority)]
    assert names == ["inline", "prettify", "smarty", "toc", "unescape"]


def test_a_pattern_without_a_trigger_is_always_tried(monkeypatch):
    """An unknown pattern (another extension's, or a changed expression) is tried on every text, as stock does."""
    stock, fast = converter(False), converter(True)
    key = next(k for k in TRIGGERS if k[1] == "'")
    monkeypatch.delitem(TRIGGERS, key)
    assert trigger_of(fast.treeprocessors["smarty"].inlinePatterns["smarty-quotes-10"]) is None
    for text in generated(200):
        assert convert(fast, text) == convert(stock, text)


def test_patterns_run_at_the_stack_depth_they_run_at_in_stock_markdown(monkeypatch):
    """A body nested close to Python's recursion limit fails, or not, where stock Markdown's would."""
    depths = {False: [], True: []}
    handle = markdown.inlinepatterns.BacktickInlineProcessor.handleMatch
    for fast in (False, True):
        md = converter(fast)
        monkeypatch.setattr(markdown.inlinepatterns.BacktickInlineProcessor, "handleMatch",
                            lambda self, m, data, fast=fast: (depths[fast].append(markdown.util._get_stack_depth()),
                                                              handle(self, m, data))[1])
        convert(md, "a `b` *c `d` [e `f`](g)*")
    assert len(depths[True]) == 3 and depths[True] == depths[False]
