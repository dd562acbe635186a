"""render.py: briefing bodies rendered through Jinja and Markdown, and the site templates."""
from __future__ import annotations

import re

import time
import tracemalloc

import jinja2
import pytest
from bs4 import BeautifulSoup

from site_builder.errors import BuildError
from site_builder.content.scan import BODY_FUNCTIONS, body_environment
from site_builder.render import bodies
from site_builder.render.bodies import BodyDraft, draft_body, json_for_script, render_body, render_template
from site_builder.render.templates import site_templates

from conftest import briefing_with_body as briefing

PATH = "content/briefings/b.md"


def fake_ref(function: str, ref_id: str, extra: tuple) -> tuple[str, bool]:
    """Stand-in for the site renderer: charts and checks are blocks, the rest inline."""
    if function in ("chart", "check"):
        return f'<figure class="{function}" data-id="{ref_id}"></figure>', True
    return f'<a class="{function}" data-id="{ref_id}" data-extra="{",".join(extra)}">{ref_id.upper()}</a>', False


def render(body: str) -> BeautifulSoup:
    return BeautifulSoup(render_body(briefing(body), fake_ref), "html.parser")


# --- rendering -------------------------------------------------------------------------------------

def test_raw_blocks_and_comments_render_as_text():
    assert "{{ not a call }}" in render("{# note #}{% raw %}{{ not a call }}{% endraw %}").get_text()


def test_references_survive_markdown_inline():
    soup = render('*Emphasis {{ fact("a") }}* and [a link {{ source("s") }}](https://example.org/).\n\n'
                  '## Heading {{ fact("h") }}\n\n- item {{ fact("l", "integer") }}\n\n| A | B |\n|---|---|\n| {{ fact("t") }} | x |\n')
    assert soup.select_one('em a.fact[data-id="a"]').get_text() == "A"
    assert soup.select_one('h2 a.fact[data-id="h"]').get_text() == "H"
    assert soup.select_one('li a.fact[data-id="l"]')["data-extra"] == "integer"
    assert soup.select_one('td a.fact[data-id="t"]').get_text() == "T"
    assert soup.select_one('a[href="https://example.org/"] a.source[data-id="s"]')
    assert "SBREF" not in str(soup)


def test_block_references_are_not_wrapped_in_paragraphs():
    soup = render('Before.\n\n{{ chart("c") }}\n\nText then {{ check("k") }} inline.\n')
    figures = soup.find_all("figure")
    assert [f["data-id"] for f in figures] == ["c", "k"]
    assert all(f.find_parent("p") is None for f in figures)
    assert [p.get_text(" ", strip=True) for p in soup.find_all("p")] == ["Before.", "Text then", "inline."]


def test_text_that_looks_like_a_placeholder_is_left_alone():
    soup = render('Literal SBREF0Z and SBREF99Z, then {{ fact("a") }}.\n')
    assert soup.get_text() == "Literal SBREF0Z and SBREF99Z, then A."


def test_markdown_features_render():
    soup = render('A "quoted" -- text.\n\n## Section\n')
    assert soup.find("h2")["id"] == "section"
    assert "\u201cquoted\u201d" in soup.get_text()


DRAFTED_BODIES = [
    'Text {{ fact("a") }} and {{ fact("b", "compact") }}.\n\n{{ chart("c") }}\n\nA {{ check("k") }} {{ source("s") }}\n',
    '{{- fact("a") -}}   \n  after, {{ fact("b") -}}\n\n  trimmed\n',
    'Windows lines\r\nwith {{ fact("a") }}\r\n\r\n## Why it matters\r\n\r\nText.\r\n',
    '{# a comment #}{% raw %}{{ fact("not a call") }}{% endraw %} then {{ fact("a") }}',
    'Ends with two newlines {{ source("s") }}\n\n',
    '  {{ fact("a") }}  ',
    '',
    '{{ fact("a") }}{{ fact("a") }}{{ chart("c") }}{{ chart("c") }}',
    '{{fact("a")}}{{  fact ( "b" , \'integer\' )  }}\t{{\tsource("s")\t}} and }} in text\n',
    'a {{ fact("a") }}}',
]


def _drafted_by_jinja(body: str, tag: str) -> tuple[str, list]:
    """The body rendered as a compiled Jinja template with the same placeholders (what drafts were made by)."""
    calls: list = []

    def placeholder(function):
        def call(ref_id, *extra):
            calls.append((function, ref_id, extra))
            token = f"{tag}N{len(calls) - 1}Z"
            return f"\n\n{token}\n\n" if function in ("chart", "check") else token
        return call

    text = body_environment().from_string(body).render({name: placeholder(name) for name in BODY_FUNCTIONS})
    return text, calls


@pytest.mark.parametrize("body", DRAFTED_BODIES)
def test_a_draft_reads_the_body_as_a_compiled_jinja_template_would(body, monkeypatch):
    # Bodies of text and calls are drafted from their parse, without compiling them: the text fed to
    # Markdown, and the references in order, must be what Jinja itself renders.
    import site_builder.render.bodies as bodies

    seen: list[str] = []
    monkeypatch.setattr(bodies, "wrap_callouts", lambda html: html)
    monkeypatch.setattr(bodies, "_markdown", lambda: _Recorder(seen))
    draft = draft_body(briefing(body))
    expected_text, expected_calls = _drafted_by_jinja(body, draft.tag)
    assert seen == [expected_text]
    assert list(draft.calls) == expected_calls


class _Recorder:
    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    def reset(self):
        return self

    def convert(self, text: str) -> str:
        self.seen.append(text)
        return text


def test_a_body_with_other_jinja_is_still_reported_by_jinja():
    with pytest.raises(BuildError, match=r"content/briefings/b.md:7: template error: .*undefined"):
        draft_body(briefing('Line one\n{{ nothing }}\n'))
    with pytest.raises(BuildError, match=r"content/briefings/b.md:6: template error"):
        draft_body(briefing('{{ fact("a" }}'))


def test_render_errors_from_references_keep_their_location():
    def failing(function, ref_id, extra):
        raise BuildError(PATH, 9, "nope")
    with pytest.raises(BuildError) as caught:
        render_body(briefing('{{ fact("a") }}'), failing)
    assert str(caught.value) == f"{PATH}:9: nope"


def test_json_for_script_cannot_close_the_script_element():
    text = json_for_script('{"a": "</script><script>alert(1)</script>", "b": "&\u2028"}')
    assert "</script>" not in text and "<" not in text and "&" not in text
    assert "\\u003c/script\\u003e" in text


# --- site templates ------------------------------------------------------------------------------

def write_templates(root, files: dict[str, str]):
    templates = root / "templates"
    templates.mkdir()
    for name, text in files.items():
        (templates / name).write_text(text)
    return templates


def test_site_templates_autoescape_and_are_strict(tmp_path):
    templates = write_templates(tmp_path, {"page.html": "<p>{{ label }}</p>"})
    env = site_templates(templates).env
    assert render_template(env, "page.html", templates, tmp_path, label="<b>&</b>") == "<p>&lt;b&gt;&amp;&lt;/b&gt;</p>"
    with pytest.raises(BuildError) as caught:
        render_template(env, "page.html", templates, tmp_path)
    assert str(caught.value).startswith("templates/page.html:1: template error: UndefinedError")
    assert isinstance(env.undefined(), jinja2.StrictUndefined)


def test_template_syntax_errors_name_the_template_and_line(tmp_path):
    templates = write_templates(tmp_path, {"page.html": "{% extends 'base.html' %}", "base.html": "a\nb\n{% if %}\n"})
    with pytest.raises(BuildError) as caught:
        render_template(site_templates(templates).env, "page.html", templates, tmp_path)
    assert str(caught.value).startswith("templates/base.html:3: template syntax:")


def test_undefined_names_in_an_included_template_name_that_template(tmp_path):
    templates = write_templates(tmp_path, {"page.html": "one\n{% include 'part.html' %}\n", "part.html": "x\ny\n{{ nothing.here }}\n"})
    with pytest.raises(BuildError) as caught:
        render_template(site_templates(templates).env, "page.html", templates, tmp_path)
    assert str(caught.value).startswith("templates/part.html:3: template error: UndefinedError: 'nothing' is undefined")


@pytest.mark.parametrize("files, where", [
    ({"page.html": "one\n{% include 'page.html' %}\n"}, "templates/page.html:2"),
    ({"page.html": "{% extends 'page.html' %}"}, "templates/page.html:1"),
    ({"page.html": "x\n{% include 'part.html' %}", "part.html": "y\nz\n{% include 'page.html' %}"}, "templates/part.html:3"),
    ({"page.html": "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}\n{{ m(0) }}"}, "templates/page.html:1"),
])
def test_a_template_that_recurses_without_end_is_an_error_at_its_line(tmp_path, files, where):
    templates = write_templates(tmp_path, files)
    with pytest.raises(BuildError) as caught:  # a RecursionError traceback before
        render_template(site_templates(templates).env, "page.html", templates, tmp_path)
    assert str(caught.value).startswith(f"{where}: rendering page.html recursed without end")


@pytest.mark.parametrize("loop", ["{{ lipsum(10**7) }}",
                                  "{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}"])
def test_a_template_that_runs_too_long_is_stopped_at_its_line(tmp_path, monkeypatch, loop):
    monkeypatch.setattr(bodies, "TEMPLATE_SECONDS", 0.3)
    templates = write_templates(tmp_path, {"page.html": "a\nb\n{% block main %}\n" + loop + "{% endblock %}\n"})
    started = time.monotonic()
    with pytest.raises(BuildError) as caught:
        render_template(site_templates(templates).env, "page.html", templates, tmp_path)
    assert time.monotonic() - started < 5
    assert str(caught.value) == "templates/page.html:4: rendering page.html took more than 0.3 s: does a loop run too long?"


def test_a_template_over_the_size_limit_is_never_read_whole(tmp_path, monkeypatch):
    templates = write_templates(tmp_path, {"page.html": "{% include 'big.html' %}", "big.html": ""})
    with open(templates / "big.html", "wb") as file:
        file.truncate(20_000_000)
    tracemalloc.start()
    try:
        site = site_templates(templates)  # reads every template's source
        with pytest.raises(BuildError) as caught:
            render_template(site.env, "page.html", templates, tmp_path)
        assert tracemalloc.get_traced_memory()[1] < 5_000_000  # read whole, and decoded: 40 MB
    finally:
        tracemalloc.stop()
    assert str(caught.value) == "templates/big.html:1: file is 20,000,000 bytes; the limit is 2,000,000"


@pytest.mark.parametrize("expression, message", [
    ('"x" * 10**10', "SecurityError: str of 1 times 10,000,000,000 is too large"),  # ten gigabytes, in one step
    ("10**10 * [1]", "SecurityError: list of 1 times 10,000,000,000 is too large"),
    ("7 ** 1000000000", "SecurityError: 7 ** 1000000000 is too large"),
    ("range(10**9)|list", "OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000)."),
])
def test_a_template_cannot_make_a_value_too_large_to_hold(tmp_path, expression, message):
    templates = write_templates(tmp_path, {"page.html": "a\n{{ " + expression + " }}\n"})
    with pytest.raises(BuildError) as caught:
        render_template(site_templates(templates).env, "page.html", templates, tmp_path)
    assert str(caught.value) == f"templates/page.html:2: template error: {message}"


def test_missing_template_is_a_build_error(tmp_path):
    templates = write_templates(tmp_path, {"page.html": "{% include 'gone.html' %}"})
    with pytest.raises(BuildError) as caught:
        render_template(site_templates(templates).env, "page.html", templates, tmp_path)
    assert "template not found: gone.html" in str(caught.value)


def test_there_is_one_renderer_and_nothing_subclasses_it():
    """Reuse is handed to the renderer (``render/reuse.py``), not made by overriding its methods."""
    import importlib
    import pkgutil

    import site_builder
    from site_builder.render.site import SiteRenderer

    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(site_builder.__path__, "site_builder.")
               if not m.name.endswith("__main__")]  # that one runs the command line
    renderers = {(c.__module__, c.__qualname__) for m in modules for c in vars(m).values()
                 if isinstance(c, type) and c.__name__.endswith("Renderer") and c.__module__.startswith("site_builder")}
    assert renderers == {("site_builder.render.site", "SiteRenderer")}
    assert SiteRenderer.__subclasses__() == []


def test_the_renderer_on_its_own_makes_every_file_the_build_wrote(tmp_path):
    """Nothing kept, nothing reused (``reuse.MAKE_NOW``, the default): the same bytes as the build's."""
    from site_builder.compute.project import load_content
    from site_builder.compute.stage import compile_content
    from site_builder.incremental.cache import Store
    from site_builder.incremental.kept import PageReadings, PngCache, SvgCache
    from site_builder.render.site import Kept, SiteRenderer
    from site_builder.settings import resolve_settings

    from conftest import build_fixture, snapshot

    project = build_fixture(tmp_path / "mini")
    content = load_content(project)
    compiled = compile_content(content, SvgCache(Store(project.cache)))
    kept = Kept(PageReadings(), PngCache(Store(project.cache)), None, Store(project.cache))
    settings = resolve_settings(content.site, briefings=content.briefings)
    files = SiteRenderer(project, compiled, settings, [], kept).render_all()
    written = snapshot(project.out)
    assert {path for path in files if path.endswith(".html")} == {path for path in written if path.endswith(".html")}
    assert {path: data for path, data in files.items()} == {path: written[path] for path in files}


@pytest.mark.parametrize("html", [
    "<p>{t}N0Z</p>\n<p>Text {t}N1Z and {t}N0Z.</p>",
    "<p>  {t}N1Z\n</p><p>{o}N0Z</p> {o}N1Z{t}N0Z <p>{o}N1Z </p>",  # another tag, as an author could type it
    "<p>{t}N0Z{t}N1Z</p><p>SBREF{t}N1Z</p><p>{t}N01Z</p><p>{t}N\u0661Z</p>",  # runs, a prefix, 01, an Arabic 1
])
def test_placeholders_are_filled_as_one_expression_per_tag_filled_them(html):
    tag, other = "SBREF" + "0123456789abcdef", "SBREF" + "fedcba9876543210"
    draft = BodyDraft(html.format(t=tag, o=other), tag, (("fact", "a", ()), ("chart", "c", ())))
    pieces = ["<b>A</b>", "<figure>C</figure>"]

    def one_expression_per_tag(text: str) -> str:  # how bodies were filled before, compiling each tag's own
        text = re.sub(rf"<p>\s*{tag}N(\d+)Z\s*</p>", lambda m: pieces[int(m.group(1))], text)
        return re.sub(rf"{tag}N(\d+)Z", lambda m: pieces[int(m.group(1))], text)

    filled = render_body(None, lambda function, ref_id, extra: (pieces[["a", "c"].index(ref_id)], False), draft)
    assert filled == one_expression_per_tag(draft.html)
    assert filled.count(other) == draft.html.count(other) and "<figure>C</figure>" in filled
