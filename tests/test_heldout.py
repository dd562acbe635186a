"""A held-out briefing written from README.md and docs/content-format.md alone: a yearly table of two measures
over 55 years and a monthly table of 11 industries over 10 years (fictional figures, declared sources)."""
from __future__ import annotations

import csv

import pytest


from conftest import FIXTURES, build_fixture, parse_html

DATA = FIXTURES / "heldout" / "content" / "data"


@pytest.fixture(scope="module")
def heldout_site(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("heldout") / "p", "heldout").out


@pytest.fixture(scope="module")
def page(heldout_site):
    return parse_html(heldout_site / "briefings/lakeland/index.html")


def rows(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_tables_have_the_shape_of_the_held_out_scenario():
    assert len(rows("lakeland-yearly.csv")) == 55
    monthly = rows("lakeland-jobs-monthly.csv")
    assert len({r["industry"] for r in monthly}) == 11 and len({r["month"] for r in monthly}) == 120


def test_the_briefing_reads_its_figures_from_both_tables(page):
    yearly = {int(r["year"]): r for r in rows("lakeland-yearly.csv")}
    growth = float(yearly[2024]["population"]) / float(yearly[1970]["population"]) - 1
    assert page.h1.get_text() == f"Lakeland grew by {growth:.1%} in half a century"
    shown = {a["data-fact"]: a.get_text() for a in page.select(".briefing__body a.fact")}
    assert shown["pop.1970"] == f"{round(float(yearly[1970]['population'])) * 1000:,}"
    december = sum(float(r["jobs"]) for r in rows("lakeland-jobs-monthly.csv") if r["month"] == "2024-12") * 1000
    assert shown["jobs.dec_2024"] == f"{round(december, -3):,.0f}"
    monthly = page.select_one('figure[data-chart="jobs-monthly"]')
    assert len(monthly.select(".chart__table tbody tr")) == 120
    assert page.select_one('figure[data-chart="jobs-growth"] .chart__svg svg') is not None
    for a in page.select(".briefing__body a.fact"):
        assert page.find(id=f"fact-{a['data-fact']}").select("a[href^='#source-']"), a["data-fact"]


# --- the gaps the held-out briefings hit, each a case of the fixture ----------------------------

def monthly_totals() -> dict[str, float]:
    totals: dict[str, float] = {}
    for r in rows("lakeland-jobs-monthly.csv"):
        totals[r["month"]] = totals.get(r["month"], 0) + float(r["jobs"]) * 1000
    return totals


def test_the_lowest_and_highest_figures_of_a_series_and_when_they_were_are_read_not_typed(page):
    # "Jobs were fewest in April 2020": neither the month nor the figure is typed; both are read from the table.
    import datetime as dt
    totals = monthly_totals()
    low = min(totals, key=totals.get)
    recent = {m: v for m, v in totals.items() if m >= "2021-01"}
    high = max(recent, key=recent.get)
    shown = {a["data-fact"]: a.get_text() for a in page.select(".briefing__body a.fact")}
    month = lambda key: dt.date.fromisoformat(key + "-01").strftime("%B %Y")  # noqa: E731
    assert shown["jobs.fewest_when"] == month(low) and shown["jobs.most_when"] == month(high)
    assert shown["jobs.fewest"] == f"{round(totals[low]):,}" and shown["jobs.most_since_2021"] == f"{round(recent[high]):,}"
    how = " ".join(page.find(id="fact-jobs.most_when").get_text(" ").split())
    assert "The month in which “Jobs in Lakeland, all industries, monthly” was highest, January 2021 to December 2024" in how
    # A month is no number of jobs: the facts list shows it without the series' unit.
    assert page.find(id="fact-jobs.fewest_when").select_one(".fact-entry__value").get_text(strip=True) == month(low)


def test_a_chart_description_names_a_marked_span_of_months_the_readers_way(page):
    label = page.select_one('figure[data-chart="jobs-monthly"] .chart__svg')["aria-label"]
    assert "Marked: Lockdown (March 2020 to June 2020)." in label


def test_a_summary_that_starts_with_a_fact_is_written_in_single_quotes(page, tmp_path):
    from site_builder.commands.build_command import build_site
    from site_builder.compute.project import Project
    from site_builder.errors import BuildErrors
    from conftest import copy_project, replace_in_file
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert description.startswith(page.select_one(".briefing__body a.fact[data-fact='pop.2024']").get_text())
    # Double quotes, the natural first try, end the text at fact(": the error says what to write instead.
    project = Project.at(copy_project(tmp_path / "p", "heldout"))
    replace_in_file(project, "content/briefings/lakeland.md", "summary: '{{", 'summary: "{{')
    replace_in_file(project, "content/briefings/lakeland.md", "in December.'", 'in December."')
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("content/briefings/lakeland.md", 3)
    assert "must be in single quotes" in problem.message and "summary: '{{ fact(\"id\") }}" in problem.message


def test_a_scatter_of_two_measures_over_time_pairs_two_series_by_period(page):
    # Two series facts (x: population, y: the share in work), not 55 facts typed for each measure.
    yearly = rows("lakeland-yearly.csv")
    figure = page.select_one('figure[data-chart="people-in-work"]')
    cells = [[td.get_text() for td in tr.find_all("td")] for tr in figure.select(".chart__table tbody tr")]
    assert len(cells) == len(yearly) == 55
    first = yearly[0]
    share = 100 * float(first["employed"]) / float(first["population"])
    assert any(c == f"{round(float(first['population']) * 1000):,} people" for c in cells[0]), cells[0]
    assert f"{share:.1f}%" in cells[0] and "1970" in " ".join(cells[0])
    assert figure.select_one(".chart__svg svg") is not None
    described = figure.select_one(".chart__svg")["aria-label"]
    # 55 years read aloud one by one was 3,016 characters: the ranges, the extremes and the ends instead
    assert len(described) <= 600 and "1971" not in described and described.count("%") == 4
    low = min(yearly, key=lambda r: float(r["employed"]) / float(r["population"]))
    high = max(yearly, key=lambda r: float(r["employed"]) / float(r["population"]))
    assert f"Lakeland, 55 points from 1970 to 2024: People from 816,300 people (1970) to 1.4 million people " \
           f"(2024); Share in work from 28.6% ({low['year']}) to 38.8% ({high['year']})." in described
    assert "First, 1970: 816,300 people, 37.5%; last, 2024: 1.4 million people, 28.8%." in described
    assert yearly[0]["year"] == "1970" and yearly[-1]["year"] == "2024"


def test_the_paired_scatter_is_drawn_at_its_two_measures_in_time_order(heldout_site):
    import json
    yearly = rows("lakeland-yearly.csv")
    drawn = json.loads((heldout_site / "charts/people-in-work.vl.json").read_text())["datasets"]["points"]
    assert [(p["x"], p["name"]) for p in drawn] == [(float(r["population"]) * 1000, r["year"]) for r in yearly]
    assert [p["y"] for p in drawn] == pytest.approx([100 * float(r["employed"]) / float(r["population"]) for r in yearly])


def test_a_scatter_series_is_two_series_facts_or_a_list_of_points(tmp_path):
    from site_builder.commands.build_command import build_site
    from site_builder.compute.project import Project
    from site_builder.errors import BuildErrors
    from conftest import copy_project, replace_in_file
    project = Project.at(copy_project(tmp_path / "p", "heldout"))
    replace_in_file(project, "content/charts/lakeland.yaml", "        y: rate\n", "        y: rate.2024\n")
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    assert [p.message for p in caught.value.problems] == [
        "chart 'people-in-work': fact 'rate.2024' is not a series: give `points` for single figures"]
    replace_in_file(project, "content/charts/lakeland.yaml", "        y: rate.2024\n", "")
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    assert "needs `points` (a list of {x: fact, y: fact}), or `x` and `y`" in caught.value.problems[0].message


def test_a_monthly_series_is_charted_year_by_year_from_complete_years(page):
    from statistics import mean
    totals = monthly_totals()
    years = sorted({m[:4] for m in totals})
    expected = [mean(v for m, v in totals.items() if m.startswith(y)) for y in years]
    figure = page.select_one('figure[data-chart="jobs-yearly"]')
    cells = [[td.get_text() for td in tr.find_all("td")] for tr in figure.select(".chart__table tbody tr")]
    assert [c[1] for c in cells] == years  # ten years of twelve months each
    assert [c[2] for c in cells] == [f"{round(v, -3):,.0f} jobs" for v in expected]  # to its three digits
    how = " ".join(page.find(id="fact-jobs.yearly").get_text(" ").split())
    assert "Jobs in Lakeland, all industries, monthly: the average of each complete year" in how
