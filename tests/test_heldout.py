"""A held-out briefing written from README.md and docs/content-format.md alone: a yearly table of two measures
over 55 years and a monthly table of 11 industries over 10 years (fictional figures, declared sources)."""
from __future__ import annotations

import csv

import pytest


from conftest import FIXTURES, build_fixture, parse_html

DATA = FIXTURES / "heldout" / "content" / "data"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    return parse_html(build_fixture(tmp_path_factory.mktemp("heldout") / "p", "heldout").out
                      / "briefings/lakeland/index.html")


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
