"""html_tokens.py: tokens that spell their input exactly; charts kept whole; one element found by class;
the fast expression agrees with html.parser."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from site_builder.html_tokens import (
    _parsed_tokens, _plain_tokens, element_html, join, tokenize, tokenize_page, visible_text,
)

PAGE = ('<main><p>Intro &amp; more</p><div class="briefing__body"><p>Text <b>bold</b></p>'
        '<div class="chart"><svg viewBox="0 0 1 1"><g><text>1.5M</text><svg><text>inner</text></svg></g></svg></div>'
        '<p>After</p></div><div class="facts"><p>Facts</p></div></main>')


def test_tokens_join_back_to_the_input_and_an_svg_is_one_token():
    tokens = tokenize(PAGE)
    assert join(tokens) == PAGE
    svgs = [t for t in tokens if t.tag == "svg"]
    assert len(svgs) == 1 and svgs[0].kind == "element"
    assert svgs[0].raw.startswith("<svg viewBox") and svgs[0].raw.endswith("</svg></g></svg>")


def test_visible_text_leaves_out_chart_text():
    assert visible_text(PAGE) == "Intro & more Text bold After Facts"


def test_element_html_finds_the_element_with_its_nested_divs_and_nothing_after():
    body = element_html(PAGE, "div", "briefing__body")
    assert body.startswith('<div class="briefing__body">') and body.endswith("<p>After</p></div>")
    assert "Facts" not in body
    assert element_html(PAGE, "div", "no-such-class") == ""


# --- The plain-form expression against html.parser -------------------------------------------------

FRAGMENTS = ['<p>', '</p>', '<h2 id="why-it-matters">', '</h2>', '<a class="term" href="#t-1">', '</a>', '<br>', '<br/>',
             '<br />', "<img alt='A &amp; B' src=\"x.png\">", '<td align="right">', '</td >', '<A HREF="#X">',
             '<input disabled>', '<span data-x="">', '<my-tag>', '</my-tag>', '&amp;', '&rsquo;', '&#39;', '&#x2014;',
             '&nbsp;', 'text', ' more text ', '\n', 'Ünïcödé — “quotes”', '1 > 0', '<', '&', '&amp', '&#39',
             '<!-- note -->', '<script>if (a < b) {}</script>', '<style>p > a {}</style>', '<textarea><b></textarea>',
             '<title>A & B</title>', '<a href=bare>', '<?pi?>', '<!DOCTYPE html>', '<p class="a>b">', '</ p>', '<3']


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30))
def test_the_expression_gives_html_parsers_tokens_or_leaves_the_markup_to_it(pieces):
    markup = "".join(pieces)
    plain = _plain_tokens(markup)
    if plain is not None:
        assert plain == _parsed_tokens(markup)
    assert tokenize(markup) == tokenize_with_parser(markup)
    assert join(tokenize(markup)) == markup


def tokenize_with_parser(markup):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("site_builder.html_tokens._plain_tokens", lambda markup: None)
        return tokenize(markup)


def test_built_pages_take_the_expression_and_read_the_same(library_site):
    bodies = 0
    for page in sorted(library_site.rglob("*.html")):
        markup = page.read_text(encoding="utf-8")
        body = element_html(markup, "div", "briefing__body")
        if body:
            bodies += 1
            assert _plain_tokens(body) is not None, page  # the fast path is the one builds take
        assert tokenize(markup) == tokenize_with_parser(markup), page
    assert bodies >= 3


# --- Whole pages: script, style, title and textarea read by the expression too ------------------------

@given(st.lists(st.sampled_from(FRAGMENTS + ['<script src="a.js" defer></script>', '<script type="application/json">'
                                             '{"a": [1, 2]}</script>', '<style>p { color: red }</style>',
                                             '<SCRIPT>x = 1</SCRIPT >', '<textarea>a &amp; b</textarea>']),
                max_size=30))
def test_a_page_reads_as_html_parser_reads_it_and_spells_its_input(pieces):
    markup = "<!doctype html>" + "".join(pieces)
    tokens = tokenize_page(markup)
    assert join(tokens) == markup
    if "<title" not in markup and "<textarea" not in markup:  # text to a browser; html.parser finds references
        assert tokens == tokenize_with_parser(markup)


def test_built_pages_are_read_whole_by_the_expression(library_site, monkeypatch):
    pages = sorted(library_site.rglob("*.html"))
    expected = {page: tokenize_with_parser(page.read_text(encoding="utf-8")) for page in pages}
    monkeypatch.setattr("site_builder.html_tokens._parsed_tokens", lambda markup: pytest.fail("html.parser used"))
    for page in pages:
        if page.name == "index.html" and page.parent.name == "search":
            continue  # its <noscript> is left to html.parser
        tokens = tokenize_page(page.read_text(encoding="utf-8"))
        assert tags(tokens) == tags(expected[page]), page  # the title's text may be split at references


def tags(tokens):
    return [token for token in tokens if token.kind not in ("text", "ref")]
