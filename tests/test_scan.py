"""scan.py: what a briefing body names (with lines), what it may not do, and scans kept between builds."""
from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.incremental import kept
from site_builder.incremental.cache import Store
from site_builder.errors import ErrorCollector
from site_builder.content import scan as scan_module
from site_builder.content.scan import BodyScan, plain_calls, scan_body

from conftest import briefing_with_body as briefing

PATH = "content/briefings/b.md"


def scan(body: str, body_line: int = 6):
    errors = ErrorCollector()
    refs = scan_body(briefing(body, body_line), errors)
    return refs, [str(p) for p in errors.problems]


# --- scanning -------------------------------------------------------------------------------

def test_a_body_scanned_by_an_earlier_process_is_read_from_disk_with_its_lines_and_problems(tmp_path, monkeypatch):
    body = 'Sales: {{ fact("sales") }}.\n\n{{ chart("c") }} {{ fact(1) }}\n'  # not plain: parsed by Jinja
    errors = ErrorCollector()
    first = scan_body(briefing(body, 6), errors, kept.BodyScans(Store(tmp_path)))
    assert list(tmp_path.rglob("scans/*")) and errors.problems
    monkeypatch.setattr(kept, "scan_text", lambda body: pytest.fail("parsed again"))
    again = ErrorCollector()
    moved = briefing(body, 10)  # the same body, four lines further down its file
    refs = scan_body(moved, again, kept.BodyScans(Store(tmp_path)))  # as a new process would
    assert refs.facts == {"sales": 10} and refs.charts == {"c": 12} and first.facts == {"sales": 6}
    assert [p.line for p in again.problems] == [p.line + 4 for p in errors.problems]
    assert [p.message for p in again.problems] == [p.message for p in errors.problems]


def test_a_damaged_stored_scan_is_scanned_again(tmp_path):
    body = '{{- fact("a") }}'  # whitespace control: parsed by Jinja, so its scan is stored
    kept.BodyScans(Store(tmp_path)).scan(body)
    [stored] = tmp_path.rglob("scans/*")
    stored.write_text("{not json", encoding="utf-8")
    assert kept.BodyScans(Store(tmp_path)).scan(body).refs == (("fact", "a", 1),)


def test_a_body_of_text_and_calls_is_scanned_again_rather_than_read_from_the_store(tmp_path):
    # Reading a stored scan (a file, its HMAC, JSON) takes longer than scanning such a body.
    assert kept.BodyScans(Store(tmp_path)).scan('A {{ fact("a") }}\n').refs == (("fact", "a", 1),)
    assert not list(tmp_path.rglob("scans/*"))


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


# --- bodies of text and calls, read without Jinja's parser -----------------------------------------

REPO = Path(__file__).resolve().parent.parent
PLAIN_BODIES = [
    'Text {{ fact("a") }} and {{ fact("b", "compact") }}.\n\n{{ chart(\'c\') }}\n\nA {{ check("k") }}\n',
    '{{fact("a")}}{{  fact ( "b" , \'integer\' )  }}\t{{\tsource("s")\t}}',
    'Second line\n\nthird {{ fact("é.ü") }} and a brace } and }} in text, {{ fact("a") }}\n',
    'Ends with two newlines {{ source("s") }}\n\n',
    '',
]
NOT_PLAIN_BODIES = [
    '{{{ fact("a") }}}', 'a {{ fact("a") }}}', 'a {{ nope }} {{ fact("a") }}', '{{- fact("a") }}', '{{ fact("a") -}}',
    'a {% raw %}{{ fact("a") }}{% endraw %}', '{# {{ fact("a") }} #} b', 'line\r\n{{ fact("a") }}',
    '{{ fact("a\\"b") }}', '{{ fact("a", "b", "c") }}', '{{ fact() }}', '{{ fact("a" ~ "b") }}',
    '{{ fact("a")\n }}', '{{ fact(\n"a") }}', '{{ other("a") }}', '{{ fact(a) }}', 'a {{ fact("a") }} {{',
]


def _fixture_bodies() -> list[str]:
    files = [*REPO.glob("tests/fixtures/**/*.md"), *REPO.glob("content/**/*.md"), *REPO.glob("site_builder/starter/**/*.md")]
    return [path.read_text(encoding="utf-8") for path in sorted(files)]


def _scan_by_jinja(body: str, monkeypatch) -> BodyScan:
    with monkeypatch.context() as patched:
        patched.setattr(scan_module, "plain_calls", lambda text: None)
        return scan_module.scan_text.__wrapped__(body)


def test_bodies_of_text_and_calls_are_scanned_as_jinjas_parser_reads_them(monkeypatch):
    bodies = [*_fixture_bodies(), *PLAIN_BODIES]
    plain = [body for body in bodies if plain_calls(body) is not None]
    assert set(PLAIN_BODIES) <= set(plain) and len(plain) > len(PLAIN_BODIES)  # fixture bodies are read plainly too
    for body in plain:
        assert scan_module.scan_text.__wrapped__(body) == _scan_by_jinja(body, monkeypatch), body[:200]


@pytest.mark.parametrize("body", NOT_PLAIN_BODIES)
def test_anything_else_in_a_body_is_left_to_jinjas_parser(body):
    assert plain_calls(body) is None


def test_a_plain_call_is_found_at_the_line_of_its_braces():
    refs = scan_module.scan_text.__wrapped__('One\n\ntwo {{ fact("a") }}\n{{ chart("c") }} {{ fact("b", "year") }}\n').refs
    assert refs == (("fact", "a", 3), ("chart", "c", 4), ("fact", "b", 4))
