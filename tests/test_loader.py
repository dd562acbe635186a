"""loader.py: YAML and Markdown files become plain data with a line for every value, or a located error."""
from __future__ import annotations

import ast
import datetime as dt
import json
import math
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from site_builder.incremental.cache import Store
from site_builder.incremental.kept import ParsedDocuments
from site_builder.errors import BuildError
from site_builder.content.loader import (
    MAX_FILE_BYTES, MAX_YAML_NODES, load_markdown, load_yaml, parse_yaml, read_text,
)


def write(tmp_path: Path, text: str | bytes, name: str = "doc.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def error_of(tmp_path: Path, text: str | bytes, name: str = "doc.yaml") -> tuple[int, str]:
    """The (line, message) of the BuildError that loading ``text`` raises."""
    path = write(tmp_path, text, name)
    loader = load_markdown if name.endswith(".md") else load_yaml
    with pytest.raises(BuildError) as caught:
        loader(path, name)
    assert caught.value.problem.path == name
    return caught.value.problem.line, caught.value.problem.message


# --- line numbers ----------------------------------------------------------------

def test_every_key_and_list_item_has_its_own_line(tmp_path):
    doc = load_yaml(write(tmp_path, "# comment\nfacts:\n  - id: a\n    label: A\n\n  - id: b\n    value: 3\n"))
    assert doc.data == {"facts": ({"id": "a", "label": "A"}, {"id": "b", "value": 3})}  # frozen: a list is a tuple
    assert doc.line_of(("facts",)) == 2
    assert doc.line_of(("facts", 0)) == 3
    assert doc.line_of(("facts", 0, "label")) == 4
    assert doc.line_of(("facts", 1)) == 6
    assert doc.line_of(("facts", 1, "value")) == 7


def test_a_location_without_a_line_falls_back_to_the_nearest_enclosing_one(tmp_path):
    doc = load_yaml(write(tmp_path, "a: 1\nfacts:\n  - id: x\n"))
    assert doc.line_of(("facts", 0, "missing_field")) == 3
    assert doc.line_of(("facts", 7)) == 2


def test_first_line_offsets_every_line(tmp_path):
    doc = parse_yaml("a: 1\nb:\n  c: 2\n", Path("x.md"), first_line=2)
    assert doc.line_of(("a",)) == 2
    assert doc.line_of(("b", "c")) == 4


def test_merge_keys_are_resolved(tmp_path):
    doc = load_yaml(write(tmp_path, "base: &b {unit: km}\nfact:\n  <<: *b\n  value: 3\n"))
    assert doc.data["fact"] == {"unit": "km", "value": 3}


def test_merged_values_keep_the_line_they_were_written_on_and_cannot_be_overridden(tmp_path):
    doc = load_yaml(write(tmp_path, "base: &b\n  unit: km\nfact:\n  <<: *b\n  value: 3\n"))
    assert doc.line_of(("fact", "unit")) == 2 and doc.line_of(("fact", "value")) == 5
    # An explicit key beside a merged one would silently win in YAML; here it is a duplicate, at its line.
    assert error_of(tmp_path, "base: &b {unit: km}\nfact:\n  <<: *b\n  unit: miles\n") == (4, "duplicate key 'unit'")


# --- refusals, each at its line ----------------------------------------------------

def test_duplicate_key_is_reported_at_the_second_occurrence(tmp_path):
    assert error_of(tmp_path, "facts:\n  - id: a\n    label: A\n    label: B\n") == (4, "duplicate key 'label'")


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "No", "OFF"])
def test_yaml_1_1_booleans_are_refused_unquoted(tmp_path, word):
    line, message = error_of(tmp_path, f"a: 1\nlabel: {word}\n")
    assert line == 2
    assert f"YAML 1.1 reads '{word}'" in message and "quote it" in message


def test_quoted_trap_words_and_real_booleans_are_fine(tmp_path):
    doc = load_yaml(write(tmp_path, 'a: "no"\nb: true\nc: false\nd: \'off\'\n'))
    assert doc.data == {"a": "no", "b": True, "c": False, "d": "off"}


def test_underscore_number_is_refused(tmp_path):
    line, message = error_of(tmp_path, "a: 1\nvalue: 1_000\n")
    assert line == 2
    assert "'1_000' is read as the number 1000 by YAML 1.1" in message


def test_sexagesimal_number_is_refused(tmp_path):
    line, message = error_of(tmp_path, "a: 1\n\nperiod: 1:30\n")
    assert line == 3
    assert "base-60" in message and "(90)" in message


def test_quoted_sexagesimal_and_underscores_stay_text(tmp_path):
    assert load_yaml(write(tmp_path, 'a: "1:30"\nb: "1_000"\n')).data == {"a": "1:30", "b": "1_000"}


def test_byte_order_mark_is_refused(tmp_path):
    line, message = error_of(tmp_path, b"\xef\xbb\xbfa: 1\n")
    assert line == 1
    assert "byte-order mark" in message


def test_crlf_and_cr_line_endings_are_normalised(tmp_path):
    path = write(tmp_path, b"a: 1\r\nb: two\r\nc: 3\rd: 4\r\n")
    assert "\r" not in read_text(path)
    doc = load_yaml(path)
    assert doc.data == {"a": 1, "b": "two", "c": 3, "d": 4}
    assert doc.line_of(("d",)) == 4


def test_non_utf8_bytes_are_reported_at_their_line(tmp_path):
    line, message = error_of(tmp_path, b"a: 1\nb: 2\nlabel: Caf\xe9\n")
    assert line == 3
    assert "not valid UTF-8" in message and "0xe9" in message


@pytest.mark.parametrize("text", ["", "\n\n", "   \n"])
def test_empty_file_is_refused(tmp_path, text):
    assert error_of(tmp_path, text) == (1, "file is empty")


def test_file_with_only_comments_loads_as_nothing(tmp_path):
    doc = load_yaml(write(tmp_path, "# nothing here\n# at all\n"))
    assert doc.data is None


def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    line, message = error_of(tmp_path, b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    assert line == 1
    assert "limit" in message and f"{MAX_FILE_BYTES:,}" in message


def test_recursive_alias_is_refused(tmp_path):
    line, message = error_of(tmp_path, "a: 1\nloop: &x [1, *x]\n")
    assert (line, message) == (2, "recursive YAML alias")


def test_alias_bomb_is_stopped_by_the_value_limit(tmp_path):
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    line, message = error_of(tmp_path, "\n".join(levels) + "\n")
    assert "too large" in message
    assert 1 <= line <= len(levels)
    assert MAX_YAML_NODES < 10 ** 9  # what the bomb would expand to


def test_deep_nesting_is_refused_not_crashed(tmp_path):
    line, message = error_of(tmp_path, "a: 1\nb: " + "[" * 5000 + "]" * 5000 + "\n")
    assert (line, message) == (2, "YAML is nested too deeply")


def test_malformed_yaml_reports_the_line_of_the_problem(tmp_path):
    assert error_of(tmp_path, "a: 1\nb: [1, 2\nc: 3\n") == (3, "malformed YAML: expected ',' or ']', but got ':'")


def test_unclosed_quote_or_bracket_is_reported_where_it_opens(tmp_path):
    assert error_of(tmp_path, 'a: 1\nb: "unclosed\nc: 3\n\n') == (
        2, "malformed YAML: found unexpected end of stream while scanning a quoted scalar")
    assert error_of(tmp_path, "a: 1\nb: {x: 1\n\n") == (
        2, "malformed YAML: expected ',' or '}', but got '<stream end>' while parsing a flow mapping")


def test_tab_indentation_is_malformed_yaml_at_its_line(tmp_path):
    line, message = error_of(tmp_path, "facts:\n  - id: a\n\tlabel: A\n")
    assert line == 3
    assert message.startswith("malformed YAML")


def test_python_tags_are_refused(tmp_path):
    line, message = error_of(tmp_path, "a: 1\nb: !!python/object/apply:os.system ['true']\n")
    assert line == 2
    assert "python/object/apply" in message


def test_scalar_python_tags_are_refused_by_the_safe_loader(tmp_path):
    line, message = error_of(tmp_path, "a: 1\nb: !!python/name:os.system ''\n")
    assert (line, message) == (2, "unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system': "
                                  "write the value without it (quote it for text)")


@pytest.mark.parametrize("tagged", ['!!int "012"', "!!float 1", "!!bool 'yes'", "!!binary aGVsbG8=", "!!null ''", "!local x"])
def test_explicit_tags_on_scalars_are_refused(tmp_path, tagged):
    # !!int "012" would be 10: a tag makes YAML 1.1's reading of a quoted text its value.
    line, message = error_of(tmp_path, f"a: 1\nb: {tagged}\n")
    assert line == 2 and message.startswith("unsupported YAML tag")


def test_an_explicit_str_tag_is_a_way_of_quoting(tmp_path):
    assert load_yaml(write(tmp_path, "a: !!str 012\nb: !!str yes\n")).data == {"a": "012", "b": "yes"}


def test_impossible_date_is_a_located_error(tmp_path):
    assert error_of(tmp_path, "a: 1\ndate: 2024-13-45\n") == (2, "cannot read '2024-13-45': month must be in 1..12")


@pytest.mark.parametrize("number", [".nan", ".inf", "-.inf", "1.0e+400"])
def test_non_finite_numbers_are_refused(tmp_path, number):
    line, message = error_of(tmp_path, f"a: 1\nvalue: {number}\n")
    assert line == 2
    assert "not a usable number" in message


@pytest.mark.parametrize("text, message", [
    ("0o12", "YAML 1.2 reads '0o12' as the number 10, YAML 1.1 as text"),
    ("089", "YAML 1.2 reads '089' as the number 89, losing its leading zero"),
    ("007", "YAML 1.1 reads '007' as the octal number 7; write 7"),
    ("+0x1A", "'+0x1A' is read as the number 26 by YAML 1.1 but as text by YAML 1.2"),
    ("0x1_A", "'0x1_A' is read as the number 26 by YAML 1.1"),
    ("1_0.5", "'1_0.5' is read as the number 10.5 by YAML 1.1"),
    ("190:20:30.15", "'190:20:30.15' is read as a base-60 number (685230.15)"),
    ("1e-400", "'1e-400' is too small to be a usable number: it would be read as 0"),
    ("-1.0E-999", "too small to be a usable number"),
    ("=", "YAML 1.1 reads '=' as a special value (not a text); quote it (\"=\")"),
    ("<<", "YAML 1.1 reads '<<' as a special value"),
])
def test_plain_scalars_that_yaml_1_1_and_1_2_read_differently_are_refused(tmp_path, text, message):
    line, found = error_of(tmp_path, f"a: 1\nvalue: {text}\n")
    assert line == 2 and message in found


@pytest.mark.parametrize("text, value", [
    ("+12", 12), ("-0", 0), ("0x1A", 26), ("+.5", 0.5), ("-.5", -0.5), ("1.", 1.0), ("12e03", 12000.0),
    ("5e-324", 5e-324), ("0e0", 0.0), ("Null", None), ("TRUE", True), ("0o", "0o"), ("1:60", "1:60"), ("y", "y"),
])
def test_plain_scalars_both_versions_agree_on_are_kept(tmp_path, text, value):
    data = load_yaml(write(tmp_path, f"value: {text}\n")).data["value"]
    assert (type(data), data) == (type(value), value)


NUMBERISH = st.text(alphabet="0123456789_:.+-eEoxabf", min_size=1, max_size=7)


@settings(max_examples=300, deadline=None)
@given(NUMBERISH)
def test_no_plain_number_reads_otherwise_than_its_digits_say(text):
    """Whatever PyYAML's resolver makes of a plain scalar, a kept value is what the digits say as Python reads a
    literal (1.5e6, 0x1A, +.5), and a kept text is no number to Python or to JSON (a subset of YAML 1.2)."""
    resolved = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
    try:
        value = parse_yaml(f"v: {text}\n", Path("t.yaml")).data["v"]
    except BuildError:
        return  # refused, at its line: never wrong
    if isinstance(value, (dt.date, dt.datetime)):
        assert resolved == "tag:yaml.org,2002:timestamp"
        return
    # Python reads 1_000 as 1000; YAML 1.2 reads it as text, and so does the loader: no literal to compare then.
    literal = _python_literal(text) if "_" not in text else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert (type(literal), literal) == (type(value), value)
        assert math.isfinite(value) and (value != 0 or not re.search("[1-9]", text.lower().split("e")[0]))
    elif isinstance(value, str):
        assert value == text and not isinstance(literal, (int, float)) and not _json_number(text)
        assert resolved == "tag:yaml.org,2002:str"
    else:
        assert value is None or isinstance(value, bool)


def _python_literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _json_number(text: str) -> bool:
    try:
        return isinstance(json.loads(text), (int, float))
    except ValueError:
        return False


def test_integer_with_thousands_of_digits_is_refused(tmp_path):
    line, message = error_of(tmp_path, "a: 1\nvalue: " + "9" * 5000 + "\n")
    assert line == 2
    assert "digits" in message


def test_control_character_is_reported_at_its_line(tmp_path):
    assert error_of(tmp_path, "a: 1\nb: x\x01y\n") == (2, "malformed YAML: control character U+0001 is not allowed")


def test_several_documents_in_one_file_are_refused(tmp_path):
    line, message = error_of(tmp_path, "a: 1\n---\nb: 2\n")
    assert line == 2
    assert message.startswith("malformed YAML")


def test_list_as_mapping_key_is_refused(tmp_path):
    assert error_of(tmp_path, "a: 1\n? [x, y]\n: z\n") == (2, "mapping key must be a text or a number, not a list or mapping")


# --- Markdown with front matter ---------------------------------------------------------

def test_front_matter_and_body_are_split_with_the_body_line(tmp_path):
    md = load_markdown(write(tmp_path, "---\ntitle: T\ndate: 2024-01-02\n---\nFirst line.\n\nThird.\n", "b.md"), "b.md")
    assert md.meta.data["title"] == "T"
    assert md.meta.line_of(("date",)) == 3
    assert md.body == "First line.\n\nThird.\n"
    assert md.body_line == 5


def test_empty_front_matter_gives_an_empty_mapping(tmp_path):
    md = load_markdown(write(tmp_path, "---\n---\nBody\n", "b.md"), "b.md")
    assert md.meta.data == {}
    assert md.body_line == 3


def test_front_matter_errors_carry_file_lines(tmp_path):
    assert error_of(tmp_path, "---\ntitle: T\ntitle: U\n---\nBody\n", "b.md") == (3, "duplicate key 'title'")


def test_crlf_markdown_keeps_body_lines(tmp_path):
    md = load_markdown(write(tmp_path, b"---\r\ntitle: T\r\n---\r\nBody\r\n", "b.md"), "b.md")
    assert md.body == "Body\n"
    assert md.body_line == 4


@pytest.mark.parametrize("text", ["Just text\n", "---\ntitle: T\nno closing line\n"])
def test_missing_or_unclosed_front_matter_is_refused(tmp_path, text):
    line, message = error_of(tmp_path, text, "b.md")
    assert line == 1
    assert "front matter" in message


def test_empty_markdown_is_refused(tmp_path):
    assert error_of(tmp_path, "", "b.md") == (1, "file is empty")


def test_parsed_documents_are_reused_for_the_same_file_and_text_and_forgotten_when_unused():
    parsed = ParsedDocuments()
    first = parsed.parse("a: 1\n", Path("content/x.yaml"))
    assert parsed.parse("a: 1\n", Path("content/x.yaml")) is first
    assert parsed.parse("a: 1\n", Path("content/y.yaml")) is not first  # another file: its own lines and path
    assert parsed.parse("a: 2\n", Path("content/x.yaml")).data == {"a": 2}
    parsed.next_build()  # the build used x (both texts) and y
    parsed.next_build()  # the next build used nothing
    assert parsed.parse("a: 1\n", Path("content/x.yaml")) is not first


def test_parsed_documents_report_errors_like_parse_yaml():
    with pytest.raises(BuildError) as caught:
        ParsedDocuments().parse("a: [1\n", Path("content/x.yaml"))
    assert str(caught.value.problem).startswith("content/x.yaml:1: malformed YAML")


def _typed(value):
    """``value`` with the type of every part spelled out, so that 1 and 1.0 and True compare different."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


ALL_KINDS = """\
title: "Quoted: text"
count: 3
share: 0.25
negative: -0.0
huge: 1.0e+300
flag: true
nothing: null
day: 2024-01-02
moment: 2024-01-02T10:00:00Z
local: 2024-01-02 10:00:00
series: {2020: 1, 2021: 2.5}
nested: [[1, "a"], {k: [true, ~]}]
unicode: "Ŝtellantis — “quoted” \\u00e9"
"""


def test_documents_kept_on_disk_come_back_exactly_as_parsed(tmp_path, monkeypatch):
    from site_builder.incremental import kept

    first = ParsedDocuments(Store(tmp_path)).parse(ALL_KINDS, Path("content/x.yaml"))
    monkeypatch.setattr(kept, "parse_yaml", lambda *a: pytest.fail("parsed again instead of read from disk"))
    again = ParsedDocuments(Store(tmp_path)).parse(ALL_KINDS, Path("content/x.yaml"))  # a later build, a new process
    assert again is not first
    assert _typed(again.data) == _typed(first.data) and again.lines == first.lines
    assert (again.path, again.first_line) == (first.path, first.first_line)


def test_every_content_file_of_the_repository_survives_the_disk_form(tmp_path):
    repo = Path(__file__).resolve().parent.parent
    files = sorted(repo.glob("content/**/*.yaml")) + sorted(repo.glob("tests/fixtures/*/content/**/*.yaml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        parsed = parse_yaml(text, Path(path.name))
        ParsedDocuments(Store(tmp_path)).parse(text, Path(path.name))
        read = ParsedDocuments(Store(tmp_path)).parse(text, Path(path.name))
        assert _typed(read.data) == _typed(parsed.data) and read.lines == parsed.lines, path


def test_a_damaged_stored_document_is_parsed_again(tmp_path):
    ParsedDocuments(Store(tmp_path)).parse("a: 1\n", Path("content/x.yaml"))
    [stored] = tmp_path.glob("documents/*")
    stored.write_text('{"data": {"m": [["a", {"weird": 1}]]}, "lines": [], "first_line": 1}', encoding="utf-8")
    assert ParsedDocuments(Store(tmp_path)).parse("a: 1\n", Path("content/x.yaml")).data == {"a": 1}


def test_a_file_with_errors_is_never_stored(tmp_path):
    with pytest.raises(BuildError):
        ParsedDocuments(Store(tmp_path)).parse("a: [1\n", Path("content/x.yaml"))
    assert list(tmp_path.rglob("*.*")) == []


@pytest.mark.parametrize("text, number", [("1.5e6", 1.5e6), ("1E6", 1e6), ("-2.5e-3", -0.0025), (".5e2", 50.0),
                                          ("2e+3", 2000.0), ("0x1A", 26), ("0", 0), ("-0.5", -0.5)])
def test_numbers_are_read_as_yaml_1_2_reads_them(text, number):
    value = parse_yaml(f"a: {text}\n", Path("x.yaml")).data["a"]
    assert value == number and not isinstance(value, str)


@pytest.mark.parametrize("text, says", [("012", "octal number 10; write 12"), ("-007", "octal number -7"),
                                        ("0b1010", "binary number 10"), ("1e400", "not a usable number"),
                                        ("-1E999", "not a usable number")])
def test_yaml_1_1_number_traps_are_refused_at_their_line(text, says):
    with pytest.raises(BuildError) as caught:
        parse_yaml(f"label: x\nvalue: {text}\n", Path("x.yaml"))
    assert caught.value.problem.line == 2 and says in caught.value.problem.message


def test_quoted_numbers_stay_text():
    assert parse_yaml("a: '012'\nb: \"1e400\"\n", Path("x.yaml")).data == {"a": "012", "b": "1e400"}


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_a_unicode_line_separator_in_a_string_does_not_shift_later_lines(separator):
    document = parse_yaml(f'a: "one{separator}two"\nb: 1\nc: 3\n', Path("x.yaml"))
    assert (document.line_of(("b",)), document.line_of(("c",))) == (2, 3)
    with pytest.raises(BuildError) as caught:
        parse_yaml(f'a: "one{separator}two"\nb: 1\nc: 012\n', Path("x.yaml"))
    assert caught.value.problem.line == 3
    with pytest.raises(BuildError) as caught:
        parse_yaml(f'a: "one{separator}two"\nb: 1\nb: 2\n', Path("x.yaml"))
    assert caught.value.problem.line == 3
