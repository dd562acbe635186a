"""The shipped Kaluga briefing: every fact from the seed article is on the page, sourced to the article."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_builder.build import build_site
from site_builder.project import Project

REPO = Path(__file__).resolve().parent.parent
SEED_FACTS = [
    "plant.operator", "plant.restart", "plant.restart_announced_by", "plant.partner", "plant.prospects",
    "plant.paused_since", "plant.models.passenger", "plant.models.lcv", "plant.models.mitsubishi",
    "market.forecast_2024", "market.forecast_2026", "market.growth_from_2027", "market.forecast_2030",
    "market.forecast_2035", "imports.cars_2023_jan_nov", "framing",
]


@pytest.fixture(scope="module")
def default_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("default")
    for folder in ("content", "templates", "static"):
        shutil.copytree(REPO / folder, root / folder)
    if (REPO / ".briefing-cache").is_dir():  # reuse rendered charts: same specs, same SVGs
        shutil.copytree(REPO / ".briefing-cache", root / ".briefing-cache")
    build_site(Project.at(root))
    return root / "_site"


@pytest.fixture(scope="module")
def page(default_site) -> BeautifulSoup:
    return BeautifulSoup((default_site / "briefings/kaluga-plant/index.html").read_text(), "html.parser")


@pytest.mark.parametrize("fact_id", SEED_FACTS)
def test_every_seed_fact_is_shown_in_the_text_and_sourced_to_the_article(page, fact_id):
    in_text = page.select(f'.briefing__body a.fact[data-fact="{fact_id}"]')
    assert in_text, f"{fact_id} is not used in the briefing's text"
    assert in_text[0].get_text(strip=True)
    entry = page.find(id=f"fact-{fact_id}")
    assert entry is not None
    assert any(a["href"] == "#source-seed-article" for a in entry.select("a[href^='#source-']"))


def test_article_source_is_listed_with_its_publisher_and_url(page):
    item = page.find(id="source-seed-article")
    link = item.find("a")
    assert link["href"].startswith("https://")
    assert "Kaluga Plant to Resume Production" in link.get_text()


def test_forecasts_read_as_north_americans_write_numbers(page):
    shown = {a["data-fact"]: a.get_text(strip=True) for a in page.select(".briefing__body a.fact")}
    assert shown["market.forecast_2024"] == "1.3 million"
    # Vague as the ministry put them: "approach 1.8 million", "near 1.9 million".
    assert shown["market.forecast_2030"] == "approaching 1.8 million"
    assert shown["market.forecast_2035"] == "near 1.9 million"
    assert shown["imports.cars_2023_jan_nov"] == "992,200"
    assert shown["market.growth_from_2027"] == "1%"


def test_the_forecast_check_says_it_cannot_be_checked_as_reported(page):
    notes = page.select("aside.check")
    assert len(notes) == 2
    for note in notes:
        assert note.select_one(".check__label").get_text(strip=True) == \
            "Not comparable as published; consistent after adjustment"
        title = note.select_one(".check__title").get_text(" ", strip=True)
        assert "cannot be checked as reported; it is consistent if the ministry used its own all-vehicle count" in title
    text = " ".join(n.get_text(" ", strip=True) for n in notes)
    assert "approaching 1.8 million" in text and "1.7 million" in text
    assert "does not add up" not in page.get_text() and "does not follow" not in page.get_text()
    assert "1.8 million by 2030 needs 2.43% a year over 4 years" in text
    assert "to be 1.73 million, not 1.64 million" in text


def test_the_summary_gives_the_fair_verdict(page):
    lead = page.select_one(".briefing__header .lead").get_text(" ", strip=True)
    assert "cannot be checked as reported; it is consistent if the ministry used its own all-vehicle count" in lead


def test_at_least_two_charts_are_inline_svg_with_forecasts_marked(page):
    figures = page.select("figure.chart")
    ids = {f["data-chart"] for f in figures}
    assert {"market-outlook", "north-america-comparison"} <= ids
    for figure in figures:
        assert figure.select_one(".chart__svg svg") is not None
    outlook = page.select_one('figure[data-chart="market-outlook"]')
    statuses = {row.find_all("td")[3].get_text() for row in outlook.select(".chart__table tbody tr")}
    assert statuses == {"Reported", "Forecast", "Our calculation"}
