"""html_tokens.py: tokens that spell their input exactly; charts kept whole; one element found by class."""
from __future__ import annotations

from site_builder.html_tokens import element_html, join, tokenize, visible_text

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
