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
    assert shown["market.forecast_2030"] == "1.8 million"
    assert shown["market.forecast_2035"] == "1.9 million"
    assert shown["imports.cars_2023_jan_nov"] == "992,200"
    assert shown["market.growth_from_2027"] == "1%"


def test_the_forecast_mismatch_is_computed_and_shown(page):
    notes = page.select("aside.check--failed")
    assert len(notes) >= 2
    text = " ".join(n.get_text(" ", strip=True) for n in notes)
    assert "1.8 million" in text and "1.7 million" in text
    assert "Numbers do not reconcile" in text


def test_at_least_two_charts_are_inline_svg_with_forecasts_marked(page):
    figures = page.select("figure.chart")
    ids = {f["data-chart"] for f in figures}
    assert {"market-outlook", "north-america-comparison"} <= ids
    for figure in figures:
        assert figure.select_one(".chart__svg svg") is not None
    outlook = page.select_one('figure[data-chart="market-outlook"]')
    statuses = {row.find_all("td")[3].get_text() for row in outlook.select(".chart__table tbody tr")}
    assert statuses == {"Reported", "Forecast or estimate"}
