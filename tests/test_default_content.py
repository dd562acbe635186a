"""The shipped Kaluga briefing: every fact from the seed article is on the page, sourced to the article."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_builder.commands.build_command import build_site

from conftest import copy_default_project

REPO = Path(__file__).resolve().parent.parent
SEED_FACTS = [
    "plant.operator", "plant.restart", "plant.restart_announced_by", "plant.partner", "plant.prospects",
    "plant.paused_since", "plant.models.passenger", "plant.models.lcv", "plant.models.mitsubishi",
    "market.forecast_2024", "market.forecast_2026", "market.growth_from_2027", "market.forecast_2030",
    "market.forecast_2035", "imports.cars_2023_jan_nov", "framing",
]


@pytest.fixture(scope="module")
def default_site(tmp_path_factory) -> Path:
    project = copy_default_project(tmp_path_factory.mktemp("default"))
    build_site(project)
    return project.out


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
    assert "1.8 million by 2030 needs 1.73 million for “2026 level under the ministry's rule (our calculation)”, not 1.64 million" in text


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


# --- the fact-check of issue 16, as a reader sees it -------------------------------------------

def read(default_site, slug: str) -> BeautifulSoup:
    return BeautifulSoup((default_site / f"briefings/{slug}/index.html").read_text(), "html.parser")


def body_text(page: BeautifulSoup) -> str:
    return " ".join(page.select_one(".briefing__body").get_text(" ", strip=True).split())


def test_the_plant_is_described_with_its_capacity_mix_real_output_jobs_and_the_invasion(page):
    text = body_text(page)
    assert ("designed to build 125,000 vehicles a year: 85,000 Peugeot and Citroën mid-range cars and 40,000 "
            "mid-range SUVs for Peugeot, Citroën and Mitsubishi") in text
    assert "before the pause it built about 11,000 vehicles a year, 8.8% of that capacity (our calculation), " \
           "and employed 2,700 people" in text
    assert "citing cross sanctions related to Russia's invasion of Ukraine" in text
    assert "Russia had invaded Ukraine in February 2022" in text


def test_the_page_says_it_was_updated_with_later_figures(page):
    meta = page.select_one(".briefing__header .meta").get_text(" ", strip=True)
    assert "Facts as of December 13, 2023" in meta and "Updated March 19, 2025" in meta
    assert "These figures are for 2024; they were published in 2025, after the article." in body_text(page)


def test_the_north_america_comparison_compares_like_with_like_and_per_person(page):
    text = body_text(page)
    assert "far below US sales in 2024, 15.97 million" in text and "that year (" not in text
    assert "All three counts include pickups, SUVs and vans" in text
    assert "US and Canadian counts include pickups and SUVs" not in text
    assert "they include heavy trucks and buses ( 158,000 in 2023), and they count new vehicles of every type " \
           "up to three years old" in text
    assert "bought about 11 new vehicles per 1,000 people in 2024; Canada, with 41.53 million , bought 45 , " \
           "and the US 47" in text
    totals = page.select_one('figure[data-chart="north-america-comparison"]')
    assert {a["href"] for a in totals.select(".chart__table a")} == {
        "#fact-market.sales_2024", "#fact-na.canada_sales_2024", "#fact-na.us_sales_2024"}  # all 2024, no 2030
    per_person = page.select_one('figure[data-chart="north-america-per-person"]')
    assert [td.get_text() for td in per_person.select(".chart__table tbody td:nth-of-type(3)")] == ["11 per 1,000 people", "45 per 1,000 people", "47 per 1,000 people"]


def test_our_calculations_are_never_labelled_as_the_ministry_forecast(page):
    entry = page.find(id="fact-market.forecast_2026")
    assert "Ministry forecast" not in entry.select_one(".fact-entry__label").get_text()
    for fact_id in ("market.forecast_2026", "market.implied_2030", "market.implied_2035"):
        badge = page.find(id=f"fact-{fact_id}").select_one(".badge")
        assert badge.get_text(strip=True) == "calculated" and "badge--calculated" in badge["class"]
    outlook = page.select_one('figure[data-chart="market-outlook"]')
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in outlook.select(".chart__table tbody tr")]
    forecast_years = {r[1] for r in rows if r[0].startswith("Forecast")}
    assert forecast_years == {"2024", "2030", "2035"}  # the ministry published no 2026 figure
    assert {r[3] for r in rows if r[1] == "2026"} == {"Our calculation"}
    assert ["Reported: cars + LCVs (AEB)", "2012", "2.94 million vehicles", "Reported"] in rows  # the peak is in frame
    title = outlook.select_one(".chart__title").get_text()
    assert title == "Russia's new-vehicle market, reported and forecast"


def test_the_ministry_2023_total_and_chinese_brands_are_given(page):
    text = body_text(page)
    assert "By the ministry’s own count, 1.3 million vehicles of every type were sold in 2023, so its 2024 " \
           "forecast had already been reached the year before" in text
    assert "Chinese brands’ share of new-car sales rose from 17% in 2022 to 49% in 2023" in text


def test_what_happened_next_keeps_ownership_pilot_batch_and_the_loss_precise(page, default_site):
    later = read(default_site, "kaluga-what-happened-next")
    for text in (body_text(page), body_text(later)):
        assert "pilot batch of 48 imported cars" in text
        assert "cars from imported kits" not in text
        assert "converted at the rate Reuters used in March 2024 ( 1.0816 US dollars per euro )" in text
        assert "still majority-owned by Stellantis" in text
    text = body_text(later)
    assert "under new owners" not in text  # the quoted source says it of the VW plant, not of this one
    assert "Losing control is not losing ownership." in text
    assert "including light commercial vehicles such as" not in text


def test_the_numbers_briefing_has_no_stale_or_unsourced_claims(default_site):
    numbers = read(default_site, "russia-car-market-by-the-numbers")
    text = body_text(numbers)
    assert "In a forecast reported in August 2023, Russia’s Ministry of Industry and Trade put sales" in text
    assert "expects" not in text
    assert "North American carmakers are not part of the recovery" not in text
    assert "small by North American standards" not in text
    assert "Russia bought about 11 new vehicles per 1,000 people, Canada 45 and the US 47" in text


def test_a_month_only_event_follows_the_days_of_that_month_on_the_timeline(default_site):
    timeline = BeautifulSoup((default_site / "timeline/index.html").read_text(), "html.parser")
    labels = [e.get_text(" ", strip=True) for e in timeline.select(".timeline-event__what")]
    meeting = next(i for i, t in enumerate(labels) if t.startswith("Governor's meeting with Automotive Technologies"))
    pilot = next(i for i, t in enumerate(labels) if t.startswith("Pilot batch of imported cars"))
    assert meeting < pilot


def test_figures_published_rounded_keep_their_published_precision(page):
    # Published as 1.65 million, 1.599 million, 15.97 million and 1.86 million; never "1,650,000".
    shown = {a["data-fact"]: a.get_text() for a in page.select("a.fact[data-fact]")}
    entries = {li.get("id"): li.get_text(" ", strip=True) for li in page.select("[id^=fact-]")}
    text = " ".join(entries.values()) + " " + " ".join(shown.values())
    assert "1.65 million" in text and "1,650,000" not in text
    assert "1.599 million" in text and "1,599,000" not in text


def test_a_locator_map_shows_kaluga_southwest_of_moscow_with_sourced_coordinates(page, default_site):
    for briefing in (page, read(default_site, "kaluga-what-happened-next")):
        figure = briefing.select_one('figure[data-chart="kaluga-locator"]')
        assert figure is not None and figure.select_one(".chart__svg svg") is not None
        drawn = {t.get_text() for t in figure.select(".chart__art--narrow text")}
        assert {"Kaluga", "Moscow"} <= drawn
        description = figure.select_one(".chart__svg")["aria-label"]
        assert "Kaluga (54.55° N, 36.28° E)" in description and "Moscow (55.75° N, 37.62° E)" in description
        sources = [a["href"] for a in figure.select(".chart__sources a")]
        assert sources == ["#source-wikipedia-kaluga", "#source-tripomatic-moscow"]
    # Kaluga lies southwest of Moscow on the drawing too (SVG y grows downwards).
    marks = {p["aria-label"].rsplit("Place: ", 1)[1]: p["transform"]
             for p in page.select('figure[data-chart="kaluga-locator"] .chart__art--wide path[aria-label*="Place: "]')}
    (kx, ky), (mx, my) = (tuple(float(v) for v in marks[name][10:-1].split(",")) for name in ("Kaluga", "Moscow"))
    assert kx < mx and ky > my


def test_the_regions_other_plants_are_reported_with_their_source(default_site):
    text = body_text(read(default_site, "kaluga-what-happened-next"))
    assert "the former Volkswagen plant planned to assemble 27,000 cars that year, and that the former " \
           "Volvo Trucks plant had assembled 649 trucks since January" in text


def test_2023_is_drawn_on_the_registration_basis_as_our_calculation(page):
    assert "Its 2023 point on the registration basis, 1.13 million , is our calculation from the 2024 figure " \
           "and its growth of 46% ." in body_text(page)
    outlook = page.select_one('figure[data-chart="market-outlook"]')
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in outlook.select(".chart__table tbody tr")]
    assert ["Our calculation: 2023 on the registration basis", "2023", "1.13 million vehicles",
            "Our calculation"] in rows
    entry = page.find(id="fact-market.sales_2023_registration_basis")
    assert "taken back 1 year at 46% growth a year" in entry.get_text(" ", strip=True)


# --- the fuel-economy briefing: every number read from content/data/cars.json ----------------

CARS = REPO / "content/data/cars.json"
ORIGINS = ("USA", "Japan", "Europe")


def cars_mean(column: str, origin: str | None = None, year: int | None = None) -> float:
    """An average computed here, from the vendored file, independently of the site's code."""
    import json
    from statistics import mean
    rows = json.loads(CARS.read_text(encoding="utf-8"))
    return mean(r[column] for r in rows if r[column] is not None and (origin is None or r["Origin"] == origin)
                and (year is None or r["Year"].startswith(str(year))))


def to3(value: float) -> str:
    """Three significant digits, as the facts state them: 15.034 is "15.0", 3821.4 is "3,820"."""
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    rounded = round(value, 2 - math.floor(math.log10(abs(value))))
    return f"{rounded:,.{digits}f}"


@pytest.fixture(scope="module")
def fuel(default_site) -> BeautifulSoup:
    return read(default_site, "fuel-economy-1970s")


def test_the_fuel_economy_briefing_reads_its_averages_from_the_table(fuel):
    shown = {a["data-fact"]: a.get_text() for a in fuel.select(".briefing__body a.fact")}
    assert shown["cars.mpg_usa_1973"] == to3(cars_mean("Miles_per_Gallon", "USA", 1973)) == "15.0"
    assert shown["cars.mpg_usa_1980"] == to3(cars_mean("Miles_per_Gallon", "USA", 1980))
    assert shown["cars.mpg_japan_1980"] == to3(cars_mean("Miles_per_Gallon", "Japan", 1980))
    assert shown["cars.weight_usa_1973"] == to3(cars_mean("Weight_in_lbs", "USA", 1973)) + " lb"
    change = cars_mean("Miles_per_Gallon", "USA", 1980) / cars_mean("Miles_per_Gallon", "USA", 1973) - 1
    assert shown["cars.mpg_usa_change"] == f"{change:.1%}"
    assert shown["cars.models"] == "406"


def test_the_fuel_economy_summary_and_title_carry_facts_as_text(fuel):
    lead = fuel.find("p", class_="lead").get_text()
    assert f"from {to3(cars_mean('Miles_per_Gallon', 'USA', 1973))} miles per gallon" in lead
    assert f"to {to3(cars_mean('Miles_per_Gallon', 'USA', 1980))} in 1980" in lead
    assert "{{" not in lead and "{{" not in fuel.find("meta", attrs={"name": "description"})["content"]


def test_every_figure_of_the_fuel_economy_body_is_a_sourced_fact(fuel):
    body = fuel.select_one(".briefing__body")
    for a in body.select("a.fact"):
        entry = fuel.find(id=f"fact-{a['data-fact']}")
        cites = {link["href"] for link in entry.select("a[href^='#source-']")}
        assert cites & {"#source-vega-datasets-cars", "#source-ucs-cafe-history"}, a["data-fact"]
    # No figure is typed by hand: outside fact links and charts, the only numbers are model years.
    import copy
    import re
    prose = copy.copy(body)
    for tag in prose.select("a.fact, figure"):
        tag.decompose()
    typed = {int(n) for n in re.findall(r"\d+", prose.get_text(" "))}
    assert typed and typed <= set(range(1970, 1986)), typed


def test_a_fact_read_from_the_table_says_where_it_was_read(fuel):
    entry = " ".join(fuel.find(id="fact-cars.mpg_usa").get_text(" ").split())
    assert "Miles_per_Gallon by Year (average of 254 rows of content/data/cars.json where Origin is USA)" in entry
    for source in ("vega-datasets-cars", "statlib-cars", "uci-auto-mpg"):
        assert fuel.find(id=f"source-{source}") is not None


def test_the_fuel_economy_chart_draws_the_mean_by_origin_and_year(fuel):
    figure = fuel.select_one('figure[data-chart="mpg-by-origin"]')
    assert figure.select_one(".chart__svg svg") is not None
    rows = {(tds[0].get_text(), tds[1].get_text()): tds[2].get_text()
            for tds in (tr.find_all("td") for tr in figure.select(".chart__table tbody tr"))}
    assert {origin for origin, _ in rows} == set(ORIGINS)
    assert {year for _, year in rows} == {str(y) for y in (*range(1970, 1981), 1982)}  # the table has no 1981
    for origin in ORIGINS:
        assert rows[(origin, "1975")] == to3(cars_mean("Miles_per_Gallon", origin, 1975)) + " mpg"
    assert fuel.select_one('figure[data-chart="weight-by-origin"] .chart__svg svg') is not None


def test_the_sources_page_lists_the_dataset_as_citing_its_sources(default_site):
    sources = BeautifulSoup((default_site / "sources/index.html").read_text(), "html.parser")
    for source in ("vega-datasets-cars", "statlib-cars", "uci-auto-mpg", "ucs-cafe-history"):
        entry = sources.find(id=f"source-{source}")
        assert "Not cited" not in entry.get_text(), source
    statlib = " ".join(sources.find(id="source-statlib-cars").get_text(" ").split())
    assert "Dataset: Fuel economy, power and weight of car models of the 1970s and early 1980s" in statlib
    assert "Text: cited in the text of" in statlib


def test_a_briefing_with_three_charts_stays_under_100_kb_gzipped_without_javascript(default_site, monkeypatch):
    # Issue 15's page-weight budget, counted as benchmarks/chart_cost.py counts it: the HTML with its inline SVG
    # charts plus the CSS, scripts and images it loads, each gzipped; the lazy Vega bundle is not loaded.
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from measure import page_weight

    weighed = {}
    for path in sorted(default_site.glob("briefings/*/index.html")):
        charts = len(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select("figure.chart"))
        if charts >= 3:
            weighed[path.parent.name] = page_weight(default_site, path.relative_to(default_site).as_posix()).gzip_total
    assert weighed and "russia-car-market-by-the-numbers" in weighed
    assert all(size < 100_000 for size in weighed.values()), weighed


def test_every_chart_of_the_default_site_is_described_in_600_characters_or_fewer(default_site):
    described = {}
    for html in sorted(default_site.rglob("*.html")):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for chart in soup.select("figure[data-chart]"):
            described[chart["data-chart"]] = chart.select_one(".chart__svg")["aria-label"]
    assert len(described) >= 5 and all(described.values())
    # the market chart read its six series one by one: 791 characters
    assert {c: len(d) for c, d in described.items() if len(d) > 600} == {}
