"""units.py and the reader's locale: values in the reader's units and currency, the original in parentheses;
numbers, dates, ranges and chart axes formatted the en-US or en-CA way."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

from site_builder.commands.build_command import build_site
from site_builder.compute.charts import Point, axis_ticks, chart_spec
from site_builder.errors import BuildErrors
from site_builder.compute.resolved import ResolvedFact
from site_builder.formatting import format_date, format_money, format_period, format_value
from site_builder.chart_model import Chart, ChartAnnotation, ChartSeries
from site_builder.model import Fact
from site_builder.compute.project import Project, load_content
from site_builder.compute.currency import ExchangeRate, exchange_rate
from site_builder.compute.units import ReaderUnits, read_fact

from conftest import copy_project, parse_html


def resolved(value, unit=None, fmt=None, fact_id="x", label="A figure") -> ResolvedFact:
    fact = Fact(id=fact_id, label=label, value=value, unit=unit, format=fmt, source="s")
    return ResolvedFact(fact, value, unit, "reported", ("s",))


RUBLE_RATE = exchange_rate(resolved(0.011, "usd_per_rub", fact_id="fx.usd_per_rub"))
US_READER = ReaderUnits("us", "usd", (RUBLE_RATE,))
METRIC_READER = ReaderUnits("metric", "usd", (RUBLE_RATE,))


# --- Physical units -------------------------------------------------------------------------------

def test_km_is_shown_in_miles_first_for_us_readers_rounded_to_the_original_precision():
    reading = read_fact(resolved(180, "km"), US_READER)
    assert str(reading) == "112 miles (180 km)"
    assert reading.conversion.note == "Converted from km to miles: 1 mile = 1.609344 km"


def test_metric_readers_see_km_as_written_and_miles_converted():
    assert str(read_fact(resolved(180, "km"), METRIC_READER)) == "180 km"
    assert str(read_fact(resolved(112, "miles"), METRIC_READER)) == "180 km (112 miles)"


@pytest.mark.parametrize("value, unit, shown", [
    (2.5, "kg", "5.51 lb (2.5 kg)"),
    (100, "km/h", "62.1 mph (100 km/h)"),
    (3.5, "l", "0.925 gal (3.5 L)"),
    (1_200_000, "km", "746,000 miles (1,200,000 km)"),
])
def test_other_metric_units_have_us_counterparts(value, unit, shown):
    assert str(read_fact(resolved(value, unit, "integer" if value > 1000 else None), US_READER)) == shown


def test_units_without_a_counterpart_are_left_alone():
    assert str(read_fact(resolved(48, "vehicles"), US_READER)) == "48"
    assert read_fact(resolved(46, "percent"), US_READER).original is None


# --- Money ----------------------------------------------------------------------------------------

def test_foreign_money_is_shown_in_the_readers_currency_at_the_sourced_rate():
    reading = read_fact(resolved(5_000_000_000, "rub"), US_READER)
    assert str(reading) == "$55 million (RUB\u00a05 billion)"
    assert reading.conversion.rate.fact.id == "fx.usd_per_rub"
    assert "0.011 US dollars per Russian ruble" in reading.conversion.note


def test_a_rate_converts_both_ways():
    ruble_site = ReaderUnits("metric", "rub", (RUBLE_RATE,))
    assert str(read_fact(resolved(11_000, "usd"), ruble_site)) == "RUB\u00a01 million ($11,000)"


def test_money_without_a_rate_or_in_the_readers_currency_is_not_converted():
    assert str(read_fact(resolved(144_000_000, "eur"), US_READER)) == "€144 million"
    assert str(read_fact(resolved(12_000, "usd"), US_READER)) == "$12,000"


def test_a_rate_needs_a_positive_number_and_a_unit_naming_two_currencies():
    assert exchange_rate(resolved(0, "usd_per_rub")) is None
    assert exchange_rate(resolved(1.1, "usd_per_usd")) is None
    assert exchange_rate(resolved(1.1, "usd_per_widget")) is None
    assert isinstance(exchange_rate(resolved(1.1, "usd_per_eur")), ExchangeRate)


@pytest.mark.parametrize("currency, locale, shown", [
    ("usd", "en-US", "$155.75 million"),
    ("usd", "en-CA", "US$155.75 million"),
    ("cad", "en-US", "CA$155.75 million"),
    ("cad", "en-CA", "$155.75 million"),
])
def test_dollar_signs_follow_the_locale(currency, locale, shown):
    assert format_money(155_750_000, currency, locale=locale) == shown


# --- Locale ---------------------------------------------------------------------------------------

def test_long_dates_read_the_same_in_the_us_and_canada():
    day = dt.date(2026, 11, 24)
    assert format_date(day, "en-US") == format_date(day, "en-CA") == "November 24, 2026"
    assert format_value(day, locale="en-CA") == "November 24, 2026"


def test_ranges_are_spaced_the_us_way_and_closed_up_the_canadian_way():
    assert format_period("2023-01/2023-11", "en-US") == "January\u2009–\u2009November 2023"
    assert format_period("2023-01/2023-11", "en-CA") == "January–November 2023"
    assert format_period("2027/2035", "en-US") == "2027–2035"
    assert format_period("2023-12", "en-US") == "December 2023"
    assert format_period("fiscal 2023", "en-US") == "fiscal 2023"


def test_numbers_and_percentages_match_in_both_locales():
    for locale in ("en-US", "en-CA"):
        assert format_value(1_300_000, locale=locale) == "1.3 million"
        assert format_value(992_200, "integer", locale=locale) == "992,200"
        assert format_value(46, unit="percent", locale=locale) == "46%"


# --- Charts ---------------------------------------------------------------------------------------

def chart_points(values: list[float], locale: str, unit: str | None = "vehicles") -> list[Point]:
    return [Point("Sales", 2020 + i, v, format_value(v, None, unit, locale), False, f"f{i}", f"Sales {2020 + i}",
                  ("s",), unit, locale) for i, v in enumerate(values)]


def line_chart() -> Chart:
    return Chart(id="c", type="line", title="Sales", series=[ChartSeries(label="Sales", facts=["f0"])])


def test_axis_ticks_are_round_and_cover_zero_and_every_value():
    for values in ([1_600_000, 687_370, 1_650_000], [-3.5, 12.0], [46.0], [15_970_000, 1_860_000]):
        ticks = axis_ticks(values)
        assert ticks[0] <= min(0, *values) and ticks[-1] >= max(values)
        steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
        assert len(steps) == 1 and 3 <= len(ticks) <= 8


def test_a_chart_of_figures_past_10_to_the_20_is_drawn():
    # Integer ticks past 64 bits (10**20) made vl-convert refuse the spec's JSON: a traceback, not a chart.
    import vl_convert as vlc

    values = [1e20, 3e20, 2e20]  # as chart_data gives them: floats
    assert all(isinstance(t, float) or abs(t) < 2 ** 53 for t in axis_ticks(values))
    svg = vlc.vegalite_to_svg(chart_spec(line_chart(), chart_points(values, "en-US"), "A chart"))
    assert "<svg" in svg and "NaN" not in svg
    level = dataclasses.replace(line_chart(), annotations=(ChartAnnotation(y=2 * 10 ** 20, label="Level"),))
    assert "Level" in vlc.vegalite_to_svg(chart_spec(level, chart_points(values, "en-US"), "A chart"))


def test_the_chart_spec_carries_the_locale_and_axis_labels_babel_wrote():
    import vl_convert as vlc

    spec = chart_spec(line_chart(), chart_points([1_600_000, 687_370, 1_650_000], "en-CA"), "A chart")
    assert spec["config"]["locale"]["number"] == vlc.get_format_locale("en-CA")
    assert spec["config"]["locale"]["time"] == vlc.get_time_format_locale("en-CA")
    assert '"value": "1.6 million"' in json.dumps(spec)  # what the tooltip shows, as the text writes it
    svg = vlc.vegalite_to_svg(spec)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"0", "0.5M", "1.0M", "1.5M", "2.0M"} <= set(labels)  # one scale and one precision on an axis


def test_percent_charts_label_their_axis_with_percentages():
    spec = chart_spec(line_chart(), chart_points([12.0, 46.0], "en-US", unit="percent"), "A chart")
    label_expr = spec["layer"][0]["encoding"]["y"]["axis"]["labelExpr"]
    assert '"50%"' in label_expr and '"0%"' in label_expr


# --- Built pages ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The library fixture built for US readers and for metric, en-CA readers."""
    sites = {}
    for name, settings in {"us": {}, "metric": {"units": "metric", "locale": "en-CA"}}.items():
        root = copy_project(tmp_path_factory.mktemp(name) / "project", "library")
        site_yaml = root / "content/site.yaml"
        text = site_yaml.read_text()
        for key, value in settings.items():
            text = re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", text)
        site_yaml.write_text(text)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SOURCE_DATE_EPOCH", "1710504000")
            build_site(Project.at(root))
        sites[name] = root / "_site"
    return sites


def test_briefing_text_and_key_numbers_show_the_readers_units(built):
    page = parse_html(built["us"] / "briefings/plant-opens/index.html")
    assert page.select_one('.briefing__body a.fact[data-fact="plant.distance"]').get_text() == "112 miles (180 km)"
    keys = [dd.get_text(" ", strip=True) for dd in page.select(".key-numbers dd")]
    assert keys == ["$55 million (RUB\u00a05 billion)", "112 miles (180 km)"]


def test_metric_canadian_site_shows_km_and_us_dollars_as_canadians_write_them(built):
    page = parse_html(built["metric"] / "briefings/plant-opens/index.html")
    assert page.select_one('.briefing__body a.fact[data-fact="plant.distance"]').get_text() == "180 km"
    assert page.select_one('.briefing__body a.fact[data-fact="plant.investment"]').get_text() \
        == "US$55 million (RUB\u00a05 billion)"
    assert page.select_one('.briefing__body a.fact[data-fact="plant.opened"]').get_text() == "May 1, 2020"
    assert page.find("html")["lang"] == "en-CA"


def test_the_rate_is_listed_with_its_source_and_the_converted_fact_links_to_it(built):
    page = parse_html(built["us"] / "briefings/plant-opens/index.html")
    rate = page.find(id="fact-fx.usd_per_rub")
    assert rate is not None, "the exchange rate is not in the page's facts list"
    assert "0.011 US dollars per Russian ruble" in rate.get_text(" ", strip=True)
    assert rate.select_one('a[href="#source-bank"]') is not None
    assert page.find(id="source-bank") is not None
    entry = page.find(id="fact-plant.investment")
    assert entry.select_one('a[href="#fact-fx.usd_per_rub"]') is not None
    assert "Converted from Russian rubles to US dollars" in entry.get_text(" ", strip=True)


@pytest.mark.parametrize("setting, line, message", [
    ("exchange_rates: [fx.nope]", 7, "exchange_rates: unknown fact 'fx.nope'"),
    ("exchange_rates: [plant.distance]", 7, "exchange_rates: fact 'plant.distance' needs a unit like usd_per_eur"),
    ("currency: XYZ", 6, "currency: 'XYZ' is not an ISO 4217 code"),
])
def test_bad_currency_settings_are_located_in_site_yaml(tmp_path, setting, line, message):
    root = copy_project(tmp_path / "p", "library")
    site_yaml = root / "content/site.yaml"
    key = setting.split(":")[0]
    site_yaml.write_text(re.sub(rf"(?m)^{key}: .*$", setting, site_yaml.read_text()))
    with pytest.raises(BuildErrors) as caught:
        load_content(Project.at(root))
    assert any(str(p).startswith(f"content/site.yaml:{line}: {message}") for p in caught.value.problems), \
        caught.value.report()
