"""render.py: briefing bodies rendered through Jinja and Markdown, and the site templates."""
from __future__ import annotations

import jinja2
import pytest
from bs4 import BeautifulSoup

from site_builder.errors import BuildError
from site_builder.render.bodies import json_for_script, render_body, render_template, site_environment

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
    env = site_environment(templates)
    assert render_template(env, "page.html", templates, tmp_path, label="<b>&</b>") == "<p>&lt;b&gt;&amp;&lt;/b&gt;</p>"
    with pytest.raises(BuildError) as caught:
        render_template(env, "page.html", templates, tmp_path)
    assert str(caught.value).startswith("templates/page.html:1: template error: UndefinedError")
    assert isinstance(env.undefined(), jinja2.StrictUndefined)


def test_template_syntax_errors_name_the_template_and_line(tmp_path):
    templates = write_templates(tmp_path, {"page.html": "{% extends 'base.html' %}", "base.html": "a\nb\n{% if %}\n"})
    with pytest.raises(BuildError) as caught:
        render_template(site_environment(templates), "page.html", templates, tmp_path)
    assert str(caught.value).startswith("templates/base.html:3: template syntax:")


def test_undefined_names_in_an_included_template_name_that_template(tmp_path):
    templates = write_templates(tmp_path, {"page.html": "one\n{% include 'part.html' %}\n", "part.html": "x\ny\n{{ nothing.here }}\n"})
    with pytest.raises(BuildError) as caught:
        render_template(site_environment(templates), "page.html", templates, tmp_path)
    assert str(caught.value).startswith("templates/part.html:3: template error: UndefinedError: 'nothing' is undefined")


def test_missing_template_is_a_build_error(tmp_path):
    templates = write_templates(tmp_path, {"page.html": "{% include 'gone.html' %}"})
    with pytest.raises(BuildError) as caught:
        render_template(site_environment(templates), "page.html", templates, tmp_path)
    assert "template not found: gone.html" in str(caught.value)
