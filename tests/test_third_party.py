"""The final HTML of every page is checked for requests to other sites (render/third_party.py).

The hostile corpus (tests/hostile/, cases md-image-*, md-svg-*, md-style-*, ...) checks that each
class is refused at the content line that wrote it; here the scanner's reading of HTML is pinned
down case by case, and builds check what gets through and what is reported where.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from site_builder.build import SiteBuilder
from site_builder.errors import BuildErrors
from site_builder.render.third_party import (
    Load, SourceText, css_loads, is_other_origin, locate, read_all, third_party_loads,
)

from conftest import replace_in_file

LOADS = [
    ('<img alt="x" src="https://a.example/p.png">', ("img", "src", "https://a.example/p.png")),
    ('<img src="HTTPS://A.example/p.png">', ("img", "src", "HTTPS://A.example/p.png")),
    ('<img src=" \thttps://a.example/p.png">', ("img", "src", " \thttps://a.example/p.png")),
    ('<img src="ht\ttps://a.example/p.png">', ("img", "src", "ht\ttps://a.example/p.png")),  # a tab is dropped
    ('<img src="h&#116;tps://a.example/p.png">', ("img", "src", "https://a.example/p.png")),
    ('<img src="//a.example/p.png">', ("img", "src", "//a.example/p.png")),
    ('<img src="/\\a.example/p.png">', ("img", "src", "/\\a.example/p.png")),
    ('<img src="\\\\a.example\\p.png">', ("img", "src", "\\\\a.example\\p.png")),
    ('<img src="ftp://a.example/p.png">', ("img", "src", "ftp://a.example/p.png")),
    ('<img srcset="a.png 1x, https://a.example/b.png 2x">', ("img", "srcset", "https://a.example/b.png")),
    ('<picture><source srcset="//a.example/b.webp"></picture>', ("source", "srcset", "//a.example/b.webp")),
    ('<video poster="https://a.example/p.jpg"></video>', ("video", "poster", "https://a.example/p.jpg")),
    ('<audio src="https://a.example/a.mp3"></audio>', ("audio", "src", "https://a.example/a.mp3")),
    ('<object data="https://a.example/o.svg"></object>', ("object", "data", "https://a.example/o.svg")),
    ('<form action="https://a.example/f"></form>', ("form", "action", "https://a.example/f")),
    ('<button formaction="https://a.example/f">Go</button>', ("button", "formaction", "https://a.example/f")),
    ('<a href="x.html" ping="https://a.example/ping">x</a>', ("a", "ping", "https://a.example/ping")),
    ('<table background="https://a.example/bg.png"></table>', ("table", "background", "https://a.example/bg.png")),
    ('<base href="https://a.example/">', ("base", "href", "https://a.example/")),
    ('<link rel="stylesheet" href="https://a.example/s.css">', ("link", "href", "https://a.example/s.css")),
    ('<link rel="alternate stylesheet" href="//a.example/s.css">', ("link", "href", "//a.example/s.css")),
    ('<link rel="icon" href="https://a.example/i.ico">', ("link", "href", "https://a.example/i.ico")),
    ('<link rel="preload" as="font" href="https://a.example/f.woff2">', ("link", "href", "https://a.example/f.woff2")),
    ('<link rel="manifest" href="https://a.example/m.json">', ("link", "href", "https://a.example/m.json")),
    ('<link rel="dns-prefetch" href="//a.example">', ("link", "href", "//a.example")),
    ('<meta http-equiv="refresh" content="0; url=https://a.example/">', ("meta", "http-equiv=refresh",
                                                                         "https://a.example/")),
    ('<meta http-equiv="Refresh" content="5;URL=\'//a.example/\'">', ("meta", "http-equiv=refresh", "//a.example/")),
    ('<style>@import url(https://a.example/s.css);</style>', ("style", "@import/url()", "https://a.example/s.css")),
    ('<style>@import "//a.example/s.css";</style>', ("style", "@import/url()", "//a.example/s.css")),
    ('<style>body { background: url("https://a.example/b.png") }</style>',
     ("style", "@import/url()", "https://a.example/b.png")),
    ('<style>@font-face { src: url(//a.example/f.woff) }</style>', ("style", "@import/url()", "//a.example/f.woff")),
    ('<p style="background:url(\'//a.example/x\')">x</p>', ("p", "style", "//a.example/x")),
    ('<p style="background:u\\72l(https://a.example/x)">x</p>', ("p", "style", "https://a.example/x")),  # CSS escape
    ('<p style="background:ur/**/l(x); background-image: image-set(\'https://a.example/x\' 1x)">x</p>',
     ("p", "style", "https://a.example/x")),
    ('<svg><image href="https://a.example/i.png"/></svg>', ("image", "href", "https://a.example/i.png")),
    ('<svg><use xlink:href="https://a.example/s.svg#a"/></svg>', ("use", "xlink:href", "https://a.example/s.svg#a")),
    ('<svg><rect fill="url(https://a.example/g.svg#g)"/></svg>', ("rect", "fill", "https://a.example/g.svg#g")),
    ('<svg><style>@import url(//a.example/s.css);</style></svg>', ("style", "@import/url()", "//a.example/s.css")),
    ('<svg><foreignObject><img src="//a.example/p.png"/></foreignObject></svg>', ("img", "src", "//a.example/p.png")),
    ('<iframe srcdoc="&lt;img src=https://a.example/p.png&gt;"></iframe>', ("iframe", "srcdoc <img src>",
                                                                             "https://a.example/p.png")),
]


@pytest.mark.parametrize("markup, expected", LOADS, ids=[expected[0] + "-" + str(i) for i, (_, expected)
                                                           in enumerate(LOADS)])
def test_each_way_of_loading_from_another_site_is_found(markup, expected):
    loads = third_party_loads(f"<p>Before.</p>\n{markup}\n")
    assert [(load.tag, load.attribute, load.url) for load in loads] == [expected]
    assert loads[0].page_line == 2


NOT_LOADS = [
    '<a href="https://other.example/report.pdf">the report</a>',  # a link the reader may follow
    '<a href="//other.example/">x</a><area href="https://other.example/" alt="">',
    '<link rel="canonical" href="https://example.github.io/repo/">',
    '<link rel="alternate" type="application/atom+xml" href="https://example.github.io/repo/feed.xml">',
    '<img src="static/p.png" srcset="static/p.png 1x, static/p2.png 2x" alt="">',
    '<img src="../../static/p.png"><img src="/repo/static/p.png"><img src="#x"><img src="?q=1">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<svg><rect clip-path="url(#clip1)" fill="url(#g)"/><a href="https://other.example/">x</a></svg>',
    '<p style="color: red">a</p><style>p { background: url(static/b.png) }</style>',
    '<p title="see url(https://other.example/)">alt text is not CSS</p>',
    '<meta property="og:image" content="https://example.github.io/repo/card.png">',
    '<meta http-equiv="refresh" content="30">',
    '<p>https://other.example/ in text, and &lt;img src="https://other.example/p.png"&gt; shown as code</p>',
    '<script type="application/json">{"url": "https://other.example/"}</script>',
]


@pytest.mark.parametrize("markup", NOT_LOADS)
def test_links_same_site_urls_and_text_are_not_requests(markup):
    assert third_party_loads(markup) == ()


TRICKS = ["<!-- <img src=\"https://a.example/c.png\"> -->", "<img alt='<a ' src=\"https://a.example/t.png\">",
          '<img src = "https://a.example/s.png">', '<img\nsrc="//a.example/n.png">', "<IMG SRC='HTTPS://a.example/u'>",
          '<p>src="https://a.example/text" in text</p>', '<script>var s = \'src="https://a.example/js"\';</script>',
          '<script>if (a<b) {}</script>', '<title>src="https://a.example/title"</title>', "<p>", "</p>", "text",
          '<img src=https://a.example/bare.png>', '<img alt="a"src="https://a.example/joined.png">', "&amp;", "<",
          "<!doctype html>", '<a href="https://a.example/" title="x: y">link</a>', '<svg><g fill="url(#g)"></g></svg>']


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([markup for markup, _ in LOADS] + NOT_LOADS + TRICKS), max_size=12))
def test_reading_only_the_tags_that_could_load_finds_what_reading_every_token_finds(pieces):
    markup = "\n".join(pieces)
    assert third_party_loads(markup) == read_all(markup)


def test_a_commented_out_image_is_no_request_and_a_spaced_attribute_still_is():
    assert third_party_loads('<p><!-- <img src="https://a.example/p.png"> --></p>') == ()
    assert [load.url for load in third_party_loads('<p>x</p><img src = "//a.example/p.png">')] == ["//a.example/p.png"]


@pytest.mark.parametrize("url, other", [
    ("https://a.example/", True), ("HTTP://a.example", True), ("wss://a.example", True), ("file:///etc/x", True),
    ("//a.example", True), ("/\\a.example", True), ("\\/a.example", True), ("\\\\a.example", True),
    ("\x01 //a.example", True), ("/\t/a.example", True),
    ("static/a.png", False), ("/repo/a.png", False), ("../a.png", False), ("#a", False), ("data:image/png,", False),
    ("mailto:a@b.example", False), ("", False), ("a/b:c.png", False),
])
def test_which_urls_are_another_site(url, other):
    assert is_other_origin(url) is other


def test_a_stylesheet_is_read_for_imports_and_urls():
    css = '/* url(https://in.a.comment/) */\n@import url("https://a.example/x.css");\nb { background: url(x.png) }'
    assert css_loads(css) == ["https://a.example/x.css"]


def test_locate_prefers_the_markup_as_written_then_the_url_then_the_host():
    body = SourceText("content/briefings/b.md", 6, "Intro.\n\n![x][r]\n\n[r]: https://a.example/p.png\n")
    template = SourceText("templates/base.html", 1, '<html>\n<img src="h&#116;tps://b.example/q.png">\n')
    load = third_party_loads('<p><img alt="x" src="https://a.example/p.png" /></p>')[0]
    assert locate(load, [template, body]) == ("content/briefings/b.md", 10)
    encoded = third_party_loads('<img src="h&#116;tps://b.example/q.png">')[0]
    assert locate(encoded, [body, template]) == ("templates/base.html", 2)
    assert locate(Load("img", "src", "https://c.example/z", "<img>", 1), [body, template]) is None
    by_host = Load("img", "src", "https://a.example/other.png", "<img>", 1)
    assert locate(by_host, [template, body]) == ("content/briefings/b.md", 10)


def test_an_image_is_located_at_its_own_line_when_a_link_before_it_has_the_same_url():
    body = SourceText("content/briefings/b.md", 6, "See [the chart](https://a.example/p.png).\n\n"
                                                   "![The chart](https://a.example/p.png)\n\n"
                                                   '<video poster="https://a.example/p.png"></video>\n')
    image = third_party_loads('<p><img alt="The chart" src="https://a.example/p.png" /></p>')[0]
    assert locate(image, [body]) == ("content/briefings/b.md", 8)
    poster = third_party_loads('<p>x</p><video poster="https://a.example/p.png" preload="none"></video>')[0]
    assert locate(poster, [body]) == ("content/briefings/b.md", 10)


def test_the_built_mini_site_makes_no_third_party_request_but_links_out(mini_site):
    pages = sorted(mini_site.out.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        assert third_party_loads(page.read_text(encoding="utf-8")) == (), page
    # the sources are linked (navigation is not a request), so the check above did see absolute URLs
    assert 'href="https://' in (mini_site.out / "sources/index.html").read_text(encoding="utf-8")


def test_a_markdown_link_to_another_site_builds_and_reads_as_a_link(make_project, html_of):
    project = make_project()
    replace_in_file(project, "content/briefings/widget-outlook.md", "\n\n",
                    "\n\nSee [the agency](https://agency.example/report).\n\n")
    SiteBuilder(project).build()
    page = html_of(project.out / "briefings/widget-outlook/index.html")
    assert page.select_one('a[href="https://agency.example/report"]').get_text() == "the agency"


def test_an_image_added_while_serving_is_refused_although_unchanged_pages_are_not_read_again(make_project):
    project = make_project()
    builder = SiteBuilder(project)
    builder.build()
    before = (project.out / "briefings/widget-outlook/index.html").read_bytes()
    text = (project.root / "content/briefings/widget-outlook.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    last = len(lines)
    (project.root / "content/briefings/widget-outlook.md").write_text(
        text + "\n![a pixel](https://tracker.example/p.gif)\n", encoding="utf-8")
    with pytest.raises(BuildErrors) as raised:
        builder.build()
    [problem] = raised.value.problems
    assert (problem.path, problem.line) == ("content/briefings/widget-outlook.md", last + 2)
    assert "<img src> loads 'https://tracker.example/p.gif'" in problem.message
    assert (project.out / "briefings/widget-outlook/index.html").read_bytes() == before


def test_a_new_process_reads_only_the_files_no_earlier_build_checked_and_still_refuses_a_new_load(
        make_project, monkeypatch):
    import site_builder.render.third_party as third_party
    project = make_project()
    SiteBuilder(project).build()
    read: list[str] = []
    real = third_party.file_loads
    monkeypatch.setattr(third_party, "file_loads", lambda path, text: read.append(path) or real(path, text))
    SiteBuilder(project).build()  # a new builder, as a new process has: nothing in memory
    assert read == []  # every file is byte for byte one the first build checked
    page = "content/briefings/widget-outlook.md"
    text = (project.root / page).read_text(encoding="utf-8")
    (project.root / page).write_text(text + "\n![a pixel](https://tracker.example/p.gif)\n", encoding="utf-8")
    with pytest.raises(BuildErrors) as raised:
        SiteBuilder(project).build()
    assert "https://tracker.example/p.gif" in raised.value.problems[0].message
    assert "briefings/widget-outlook/index.html" in read and len(read) < 5  # that page and what lists it
