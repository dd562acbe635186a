"""periods.py: years, quarters, months and days as series keys, x positions and en-US labels."""
from __future__ import annotations

import datetime as dt

import pytest

from site_builder.errors import BuildErrors
from site_builder.periods import PeriodError, as_period, key_label, parse_period, sorted_keys
from site_builder.compute.project import Project, load_content

from conftest import copy_project, replace_in_file


@pytest.mark.parametrize("written, key, label", [
    (2024, 2024, "2024"), ("2024", 2024, "2024"), ("2024-Q1", "2024-Q1", "Q1 2024"),
    ("2024-03", "2024-03", "March 2024"), ("2024-03-05", "2024-03-05", "March 5, 2024"),
    (dt.date(2024, 3, 5), "2024-03-05", "March 5, 2024"),
])
def test_periods_have_a_key_and_an_en_us_label(written, key, label):
    period = parse_period(written)
    assert period.key == key and period.label() == label


def test_positions_and_order_put_months_between_years():
    assert parse_period("2024-07").position == pytest.approx(2024 + 182 / 366)
    assert sorted_keys(["2024-03", 2023, "2023-Q4", "2024-01-15"]) == [2023, "2023-Q4", "2024-01-15", "2024-03"]
    assert parse_period("2024-01").previous(12).key == "2023-01"
    assert parse_period("2024-Q1").previous().key == "2023-Q4"


def test_a_date_in_a_coarser_column_is_its_year_or_month():
    assert as_period("2001-01-01", "year").key == 2001
    assert as_period("2006-02-01", "month").key == "2006-02"
    assert as_period("2006-05-01", "quarter").key == "2006-Q2"
    with pytest.raises(PeriodError):
        as_period("2006", "month")


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13", "2023-Q5", "March"])
def test_impossible_periods_are_refused(text):
    with pytest.raises(PeriodError):
        parse_period(text)
    assert key_label(text) == text


def problems_after(tmp_path, rel: str, old: str, new: str) -> list[str]:
    project = Project.at(copy_project(tmp_path / "p", "mini"))
    replace_in_file(project, rel, old, new)
    with pytest.raises(BuildErrors) as exc:
        load_content(project)
    return [str(p) for p in exc.value.problems]


def test_an_impossible_period_is_an_error_at_its_line(tmp_path):
    assert problems_after(tmp_path, "content/facts/widgets.yaml", 'period: "2021"', 'period: "2023-02-30"') == [
        "content/facts/widgets.yaml:7: fact 'sales.2021': period: '2023-02-30' is not a real date"]


def test_an_impossible_publication_date_is_an_error_at_its_line(tmp_path):
    [problem] = problems_after(tmp_path, "content/sources.yaml", "published: 2024-03-01", 'published: "0000-01"')
    assert problem.startswith("content/sources.yaml:6: sources[0].published:")


def test_a_bad_series_key_and_a_bad_from_are_errors_at_their_lines(tmp_path):
    problems = problems_after(tmp_path, "content/facts/widgets.yaml", "  - id: growth\n",
                              "  - id: s\n    label: S\n    source: agency\n    value: {2020: 1, '2021-02-30': 2}\n"
                              "  - id: m\n    label: M\n    derive: {op: mean, of: s, from: abc}\n  - id: growth\n")
    assert problems == [
        "content/facts/widgets.yaml:24: facts[3].value: series key '2021-02-30' is not a real date",
        "content/facts/widgets.yaml:27: fact 'm': derive.from: 'abc' is not a period: write 2024, 2024-Q1, 2024-03 or 2024-03-05"]


def test_an_empty_series_with_a_bad_from_is_a_located_error(tmp_path):
    problems = problems_after(tmp_path, "content/facts/widgets.yaml", "  - id: growth\n",
                              "  - id: s\n    label: S\n    source: agency\n    value: {}\n"
                              "  - id: m\n    label: M\n    derive: {op: mean, of: s, from: abc}\n  - id: growth\n")
    assert problems == [
        "content/facts/widgets.yaml:27: fact 'm': derive.from: 'abc' is not a period: write 2024, 2024-Q1, 2024-03 or 2024-03-05"]
