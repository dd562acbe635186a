"""render.py: briefing bodies are scanned for references (with lines) and rendered through Markdown."""
from __future__ import annotations

import datetime as dt

import jinja2
import pytest
from bs4 import BeautifulSoup

from site_builder.errors import BuildError, ErrorCollector
from site_builder.model import Briefing, BriefingMeta, Location
from site_builder.render import json_for_script, render_body, render_template, scan_body, site_environment

PATH = "content/briefings/b.md"


def briefing(body: str, body_line: int = 6) -> Briefing:
    return Briefing(slug="b", meta=BriefingMeta(title="T", date=dt.date(2024, 1, 1)), body=body,
                    body_line=body_line, origin=Location(PATH, 1))


def scan(body: str, body_line: int = 6):
    errors = ErrorCollector()
    refs = scan_body(briefing(body, body_line), errors)
    return refs, [str(p) for p in errors.problems]


def fake_ref(function: str, ref_id: str, extra: tuple) -> tuple[str, bool]:
    """Stand-in for the site renderer: charts and checks are blocks, the rest inline."""
    if function in ("chart", "check"):
        return f'<figure class="{function}" data-id="{ref_id}"></figure>', True
    return f'<a class="{function}" data-id="{ref_id}" data-extra="{",".join(extra)}">{ref_id.upper()}</a>', False


def render(body: str) -> BeautifulSoup:
    return BeautifulSoup(render_body(briefing(body), fake_ref), "html.parser")


# --- scanning -------------------------------------------------------------------------------

def test_a_body_scanned_by_an_earlier_process_is_read_from_disk_with_its_lines_and_problems(tmp_path, monkeypatch):
    from site_builder import render

    body = 'Sales: {{ fact("sales") }}.\n\n{{ chart("c") }} {{ fact(1) }}\n'
    errors = ErrorCollector()
    first = scan_body(briefing(body, 6), errors, render.BodyScans(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] and errors.problems
    monkeypatch.setattr(render, "scan_text", lambda body: pytest.fail("parsed again"))
    again = ErrorCollector()
    moved = briefing(body, 10)  # the same body, four lines further down its file
    refs = scan_body(moved, again, render.BodyScans(tmp_path))  # as a new process would
    assert refs.facts == {"sales": 10} and refs.charts == {"c": 12} and first.facts == {"sales": 6}
    assert [p.line for p in again.problems] == [p.line + 4 for p in errors.problems]
    assert [p.message for p in again.problems] == [p.message for p in errors.problems]


def test_a_damaged_stored_scan_is_scanned_again(tmp_path):
    from site_builder import render

    render.BodyScans(tmp_path).scan('{{ fact("a") }}')
    [stored] = tmp_path.iterdir()
    stored.write_text("{not json", encoding="utf-8")
    assert render.BodyScans(tmp_path).scan('{{ fact("a") }}').refs == (("fact", "a", 1),)


def test_a_body_scanned_again_reports_its_problems_again_at_its_current_lines():
    body = 'Intro.\n\n{{ fact("a") }} and {{ fact(x) }}\n'
    first, again = scan(body), scan(body)  # the second comes from the scan cache
    assert first == again
    assert first[1] == [f'{PATH}:8: fact() takes the id as a quoted text, e.g. fact("some.id")']
    assert dict(again[0].facts) == {"a": 8}
    moved = scan(body, body_line=10)
    assert moved[1][0].startswith(f"{PATH}:12:") and dict(moved[0].facts) == {"a": 12}


def test_scan_finds_every_reference_with_its_first_line():
    refs, problems = scan('Intro {{ fact("a") }}.\n\n{{ chart("c") }}\nAgain {{ fact("a") }} and {{ fact("b", "integer") }}\n'
                          '{{ source("s") }} {{ check("k") }}\n')
    assert problems == []
    assert refs.facts == {"a": 6, "b": 9}
    assert refs.charts == {"c": 8}
    assert refs.sources == {"s": 10} and refs.checks == {"k": 10}


def test_unknown_names_are_reported_at_their_line():
    _, problems = scan('Fine.\n{{ config.__class__ }}\n{{ cycler }}\n')
    assert problems == [f"{PATH}:7: unknown name 'config' (a body can use fact, chart, source, check)",
                        f"{PATH}:8: unknown name 'cycler' (a body can use fact, chart, source, check)"]


@pytest.mark.parametrize("call", ['fact(x)', 'fact()', 'fact(3)', 'chart("a" ~ "b")', 'fact(id="a")',
                                  'source("a", "b", "c")'])
def test_ids_must_be_quoted_literals(call):
    name = call.split("(")[0]
    _, problems = scan(f"Text\n\n{{{{ {call} }}}}\n")
    assert problems == [f'{PATH}:8: {name}() takes the id as a quoted text, e.g. {name}("some.id")']


@pytest.mark.parametrize("statement, keyword", [
    ('{% include "/etc/passwd" %}', "include"),
    ('{% for i in range(3) %}x{% endfor %}', "for"),
    ('{% set x = 1 %}', "set"),
    ('{% if true %}x{% endif %}', "if"),
    ('{% extends "base.html" %}', "extends"),
    ('{% import "x" as y %}', "import"),
    ('{% macro m() %}{% endmacro %}', "macro"),
])
def test_statements_are_not_allowed_in_a_body(statement, keyword):
    _, problems = scan(f"Text\n{statement}\n")
    assert problems == [f'{PATH}:7: {{% {keyword} %}} is not allowed in a body; '
                        'write only text and calls such as {{ fact("id") }} or {{ chart("id") }}']


@pytest.mark.parametrize("expression", ['9**9**9', '"x" * 100000000', 'fact("a")|upper', '[1, 2]', '"text"',
                                        'fact("a") ~ fact("b")'])
def test_expressions_are_not_allowed_in_a_body(expression):
    _, problems = scan(f"Text\n{{{{ {expression} }}}}\n")
    assert problems == [f'{PATH}:7: expressions are not allowed in a body; '
                        'write only text and calls such as {{ fact("id") }} or {{ chart("id") }}']


def test_template_syntax_error_in_body_is_located():
    _, problems = scan("Line\nLine\n{{ fact('a') \n")
    assert len(problems) == 1 and problems[0].startswith(f"{PATH}:8: template syntax:")


def test_raw_blocks_and_comments_are_text():
    refs, problems = scan("{# a note to self #}\n{% raw %}{{ not a call }}{% endraw %}\n")
    assert problems == [] and refs.facts == {}
    assert "{{ not a call }}" in render("{# note #}{% raw %}{{ not a call }}{% endraw %}").get_text()


# --- rendering -------------------------------------------------------------------------------------

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
