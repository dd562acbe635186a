"""validate.py: raw documents become model objects; every problem is reported at its file and line."""
from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from site_builder.errors import BuildErrors, ErrorCollector
from site_builder.content.loader import load_markdown, parse_yaml
from site_builder.compute.project import load_content
from site_builder.content.validate import (
    validate_briefing, validate_charts, validate_facts, validate_site, validate_sources,
)

FACTS = "content/facts/f.yaml"


def problems(validate, text: str, path: str = FACTS) -> list[str]:
    """What ``validate`` reports about ``text``, as ``path:line: message`` strings."""
    errors = ErrorCollector()
    doc = parse_yaml(dedent(text), Path(path))
    if validate in (validate_facts, validate_charts):
        validate([doc], errors)
    else:
        validate(doc, errors)
    return [str(p) for p in errors.problems]


def fact_problems(text: str) -> list[str]:
    return problems(validate_facts, text)


def test_valid_facts_become_typed_objects_with_their_origin():
    errors = ErrorCollector()
    doc = parse_yaml(dedent("""\
        facts:
          - id: a.b
            label: A
            value: 3
            source: s
          - id: series
            label: S
            value: {2020: 1, 2021: 2.5}
            source: s
          - id: d
            label: D
            derive: {op: rate, from: a.b, to: a.b, years: 2}
        checks:
          - id: c
            stated: a.b
            derived: d
            title: T
        """), Path(FACTS))
    facts, checks = validate_facts([doc], errors)
    assert errors.problems == []
    assert facts["a.b"].value == 3 and str(facts["a.b"].origin) == f"{FACTS}:2"
    assert facts["series"].value == {2020: 1, 2021: 2.5}
    assert facts["d"].derive.from_ == "a.b" and facts["d"].derive.inputs() == ("a.b", "a.b")
    assert checks["c"].tolerance == 0.01 and checks["c"].origin.line == 14
    # The document is read, never changed: briefing serve keeps parsed documents for the next build.
    assert doc.data["facts"][2]["derive"] == {"op": "rate", "from": "a.b", "to": "a.b", "years": 2}


def test_missing_field_is_reported_at_the_item():
    assert fact_problems("""\
        facts:
          - id: a
            value: 1
            source: s
        """) == [f"{FACTS}:2: facts[0].label: missing required field"]


@pytest.mark.parametrize("value", ["{x: 1}", "[1, 2]", "true"])
def test_wrongly_typed_value_gets_one_plain_hint(value):
    assert fact_problems(f"""\
        facts:
          - id: a
            label: A
            value: {value}
            source: s
        """) == [f"{FACTS}:4: facts[0].value: must be a number, a text, a date, a list of texts, or a series {{period: number}}"]


def test_wrong_type_names_the_value_it_got():
    assert fact_problems("""\
        facts:
          - id: a
            label: A
            derive: {op: growth, base: x, rate: y, years: "5"}
        """) == [f"{FACTS}:4: facts[0].derive.years: input should be a valid integer (got '5')"]


def test_unknown_field_is_reported_at_its_own_line():
    assert fact_problems("""\
        facts:
          - id: a
            label: A
            value: 1
            lable: typo
            source: s
        """) == [f"{FACTS}:5: facts[0].lable: unknown field"]


def test_origin_cannot_be_written_by_content():
    assert fact_problems("""\
        facts:
          - id: a
            label: A
            value: 1
            source: s
            origin: elsewhere
        """) == [f"{FACTS}:6: facts[0].origin: unknown field"]


def test_date_in_a_text_field_says_yaml_read_a_date():
    assert fact_problems("""\
        facts:
          - id: a
            label: 2024-01-05
            value: 1
            period: 2023-01-01
            source: s
        """) == [f"{FACTS}:3: facts[0].label: YAML reads 2024-01-05 as a date; quote it if you meant text",
                 f"{FACTS}:5: facts[0].period: YAML reads 2023-01-01 as a date; quote it if you meant text"]


def test_union_fields_get_hints_instead_of_pydantic_internals():
    found = fact_problems("""\
        facts:
          - id: a
            label: A
            derive: {op: mean, of: 3}
        checks:
          - id: c
            stated: a
            derived: a
            title: T
            tolerance: lots
        """)
    assert found == [f"{FACTS}:4: facts[0].derive.of: must be a fact id or a list of fact ids",
                     f"{FACTS}:10: checks[0].tolerance: must be a number: the relative difference allowed, e.g. 0.02"]


def test_closed_choices_list_the_allowed_words():
    [message] = fact_problems("""\
        facts:
          - id: a
            label: A
            derive: {op: median, of: [x]}
        """)
    assert message.startswith(f"{FACTS}:4: facts[0].derive.op: input should be 'mean', 'sum'")
    assert "(got 'median')" in message


def test_bad_id_pattern():
    assert fact_problems("""\
        facts:
          - id: Sales 2021
            label: A
            value: 1
            source: s
        """) == [f"{FACTS}:2: facts[0].id: 'Sales 2021' is not a valid id (lowercase letters, digits, '.', '_', '-')"]


def test_fact_needs_exactly_one_of_value_and_derive_and_a_source():
    assert fact_problems("""\
        facts:
          - id: both
            label: A
            value: 1
            derive: {op: mean, of: [x]}
            source: s
          - id: typed
            label: B
            value: 2
        """) == [f"{FACTS}:2: fact 'both': give exactly one of `value`, `derive` or `data`",
                 f"{FACTS}:7: fact 'typed': missing `source` (a source id, or `none` with a `source_note`)"]


def test_a_range_must_run_low_to_high_around_the_value_and_a_qualifier_is_a_known_word():
    assert fact_problems("""\
        facts:
          - id: backwards
            label: A
            value: 5
            range: [9, 1]
            source: s
          - id: outside
            label: B
            value: 20
            range: [1, 9]
            source: s
          - id: vague
            label: C
            value: 20
            qualifier: roughly
            source: s
          - id: words
            label: D
            value: soon
            qualifier: about
            source: s
        """) == [f"{FACTS}:5: fact 'backwards': `range` must be [low, high] with low < high, and `value` inside it",
                 f"{FACTS}:10: fact 'outside': `range` must be [low, high] with low < high, and `value` inside it",
                 f"{FACTS}:15: facts[2].qualifier: input should be 'about', 'approaching', 'near', 'nearly', "
                 "'up to', 'at least', 'more than' or 'less than' (got 'roughly')",
                 f"{FACTS}:20: fact 'words': `qualifier` qualifies a number; this value is not one"]


@pytest.mark.parametrize("text, expected", [
    ("fact:\n  - id: a\n", ["1: fact: unknown section (expected checks, facts)", "1: missing `facts:` list"]),
    ("facts:\n  id: a\n", ["1: facts: expected a list"]),
    ("- a\n- b\n", ["1: expected a mapping with a `facts:` list"]),
    ("facts:\n  - just text\n", ["2: facts[0]: expected a mapping of fields"]),
])
def test_wrong_document_shapes(text, expected):
    assert fact_problems(text) == [f"{FACTS}:{e}" for e in expected]


def test_site_config():
    assert problems(validate_site, "title: 3\nlocale: fr-FR\nextra: 1\n", "content/site.yaml") == [
        "content/site.yaml:1: title: input should be a valid string (got 3)",
        "content/site.yaml:2: locale: input should be 'en-US' or 'en-CA' (got 'fr-FR')",
        "content/site.yaml:3: extra: unknown field",
    ]


def test_source_without_url_needs_a_note_and_urls_must_be_web_links():
    found = problems(validate_sources, """\
        sources:
          - id: offline
            publisher: P
            title: T
            published: 2024-01-01
          - id: script
            publisher: P
            title: T
            published: 2024-01-01
            url: javascript:alert(1)
          - id: fine
            publisher: P
            title: T
            published: 2024-01-01
            note: Printed only.
        """, "content/sources.yaml")
    assert found == [
        "content/sources.yaml:2: source 'offline': give a url, or a note saying why there is none",
        "content/sources.yaml:10: source 'script': url must start with https:// or http://",
    ]


def test_duplicate_ids_in_one_file_name_the_first_definition():
    assert problems(validate_sources, """\
        sources:
          - id: s
            publisher: P
            title: T
            published: 2024-01-01
            url: https://example.org/
          - id: s
            publisher: Q
            title: T
            published: 2024-01-01
            url: https://example.org/
        """, "content/sources.yaml") == [
        "content/sources.yaml:7: duplicate source id 's' (first defined at content/sources.yaml:2)"]


def test_chart_series_need_facts_or_fact_and_charts_need_series():
    found = problems(validate_charts, """\
        charts:
          - id: c
            type: line
            title: T
            series:
              - label: Both
                facts: [a]
                fact: b
              - label: Neither
          - id: empty
            type: bar
            title: T
            series: []
          - id: pie
            type: pie
            title: T
            series: []
        """, "content/charts/c.yaml")
    assert found == [
        "content/charts/c.yaml:6: chart 'c': series 'Both' needs either `facts` (a list) or `fact` (a series fact)",
        "content/charts/c.yaml:9: chart 'c': series 'Neither' needs either `facts` (a list) or `fact` (a series fact)",
        "content/charts/c.yaml:10: chart 'empty' has no series",
        "content/charts/c.yaml:15: charts[2].type: input should be 'line', 'bar', 'area', 'scatter', "
            "'connected-scatter', 'dot', 'map' or 'custom' (got 'pie')",
    ]


def test_briefing_file_name_must_be_a_slug(tmp_path):
    path = tmp_path / "Bad_Name.md"
    path.write_text("---\ntitle: T\ndate: 2024-01-01\n---\nBody\n")
    errors = ErrorCollector()
    assert validate_briefing(load_markdown(path, "content/briefings/Bad_Name.md"), errors) is None
    assert [str(p) for p in errors.problems] == [
        "content/briefings/Bad_Name.md:1: file name 'Bad_Name.md' must be a slug: lowercase letters, digits and '-'"]


def test_front_matter_errors_have_file_lines(tmp_path):
    path = tmp_path / "b.md"
    path.write_text("---\ntitle: T\ndate: 2024-01-01\ntitel: typo\n---\nBody\n")
    errors = ErrorCollector()
    validate_briefing(load_markdown(path, "content/briefings/b.md"), errors)
    assert [str(p) for p in errors.problems] == ["content/briefings/b.md:4: titel: unknown field"]


@pytest.mark.parametrize("missing", ["date", "title"])
def test_a_missing_front_matter_field_is_named_even_when_its_name_is_a_type(tmp_path, missing):
    # "date" is also the name pydantic gives a union's date member: the field's name must not be dropped as one
    path = tmp_path / "b.md"
    path.write_text("---\n" + "".join(f"{k}: {v}\n" for k, v in {"title": "T", "date": "2024-01-01"}.items()
                                      if k != missing) + "---\nBody\n")
    errors = ErrorCollector()
    assert validate_briefing(load_markdown(path, "content/briefings/b.md"), errors) is None
    assert [str(p) for p in errors.problems] == [f"content/briefings/b.md:2: {missing}: missing required field"]


# --- cross-references, through load_content on the mini fixture ------------------------------

def content_problems(project, files: dict[str, str]) -> list[str]:
    """Write ``files`` into ``project`` and return what loading the content reports."""
    for rel, text in files.items():
        (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (project.root / rel).write_text(dedent(text))
    with pytest.raises(BuildErrors) as caught:
        load_content(project)
    return [str(p) for p in caught.value.problems]


def test_mini_fixture_content_is_valid(make_project):
    content = load_content(make_project())
    assert sorted(content.sources) == ["agency", "ministry"]
    assert {"sales.2021", "forecast.2025", "implied.2030"} <= set(content.facts)
    assert list(content.charts) == ["outlook", "compare"]
    assert [b.slug for b in content.briefings] == ["widget-outlook"]


def test_duplicate_fact_ids_across_files(make_project):
    assert content_problems(make_project(), {"content/facts/zz.yaml": """\
        facts:
          - id: sales.2021
            label: Again
            value: 1
            source: agency
        """}) == ["content/facts/zz.yaml:2: duplicate fact id 'sales.2021' (first defined at content/facts/widgets.yaml:3)"]


def test_unknown_references_are_reported_where_they_are_written(make_project):
    found = content_problems(make_project(), {
        "content/facts/zz.yaml": """\
            facts:
              - id: orphan
                label: Orphan
                value: 1
                source: nobody
              - id: unsourced
                label: Unsourced
                value: 2
                source: none
              - id: derived
                label: Derived
                derive: {op: sum, of: [orphan, ghost]}
            checks:
              - id: check
                stated: orphan
                derived: phantom
                title: T
            """,
        "content/charts/zz.yaml": """\
            charts:
              - id: zz
                type: line
                title: T
                series:
                  - label: L
                    facts: [orphan, missing.fact]
            """,
        "content/briefings/zz.md": """\
            ---
            title: Z
            date: 2024-01-01
            hero_chart: nochart
            key_numbers:
              - orphan
              - nofact
            ---
            Body.
            """,
    })
    assert found == [
        "content/briefings/zz.md:4: hero_chart: unknown chart 'nochart'",
        "content/briefings/zz.md:7: key_numbers: unknown fact 'nofact'",
        "content/charts/zz.yaml:6: chart 'zz': series 'L' names missing fact 'missing.fact'",
        "content/facts/zz.yaml:2: fact 'orphan': unknown source id 'nobody'",
        "content/facts/zz.yaml:6: fact 'unsourced': `source: none` needs a `source_note` saying why",
        "content/facts/zz.yaml:10: fact 'derived': derive refers to unknown fact 'ghost'",
        "content/facts/zz.yaml:14: check 'check': unknown fact 'phantom'",
    ]


def test_source_none_with_a_note_is_accepted(make_project):
    project = make_project()
    (project.content / "facts/zz.yaml").write_text(
        "facts:\n  - id: own\n    label: Own count\n    value: 4\n    source: none\n    source_note: Counted by us.\n")
    assert load_content(project).facts["own"].source_note == "Counted by us."


def test_drafts_are_not_published(make_project):
    project = make_project()
    (project.content / "briefings/draft.md").write_text("---\ntitle: D\ndate: 2024-01-01\ndraft: true\n---\nBody\n")
    assert [b.slug for b in load_content(project).briefings] == ["widget-outlook"]


def test_missing_required_files_are_reported(make_project):
    project = make_project()
    (project.content / "sources.yaml").unlink()
    found = content_problems(project, {})
    assert "content/sources.yaml:1: file is missing" in found


@pytest.mark.parametrize("broken, expected", [
    ("content/sources.yaml", "content/sources.yaml:2: malformed YAML"),
    ("content/facts/widgets.yaml", "content/facts/widgets.yaml:2: malformed YAML"),
    ("content/charts/widgets.yaml", "content/charts/widgets.yaml:2: malformed YAML"),
])
def test_an_unreadable_file_is_reported_alone_not_through_every_reference_to_it(make_project, broken, expected):
    project = make_project()
    path = project.root / broken
    path.write_text(path.read_text().replace("\n", "\n\t", 1))
    found = content_problems(project, {})
    assert len(found) == 1 and found[0].startswith(expected)
