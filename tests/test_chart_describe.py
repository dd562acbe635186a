"""chart_describe.py, chart_stacks.py and chart_custom_words.py: what a chart says in words and what its data
table lists, for stacked, faceted and custom-spec charts, as a reader finds them on the built page."""
from __future__ import annotations

import pytest

from site_builder.compute.chart_data import Point
from site_builder.compute.charts import describe_chart
from site_builder.chart_model import Chart, ChartSeries

from conftest import parse_html


def figure(site, page: str, chart: str):
    """A chart's figure on a built page: its description (aria-label), table rows and total rows."""
    found = parse_html(site.out / f"briefings/{page}/index.html").find(id=f"chart-{chart}")
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in found.select("tbody tr")]
    totals = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in found.select("tfoot tr")]
    heads = [th.get_text(strip=True) for th in found.select("thead th")]
    return found.select_one(".chart__svg")["aria-label"], heads, rows, totals


def test_stacked_bars_say_and_list_each_stacks_total(charts_site):
    description, heads, rows, totals = figure(charts_site, "over-time", "iowa-stacked")
    # Fossil fuels + nuclear + renewables: 35,361 + 3,853 + 1,437 in 2001, and so on.
    assert description.endswith("Totals (our sums): 2001, 40,651 thousand megawatthours; 2009, 51,859 thousand "
                                "megawatthours; 2017, 56,476 thousand megawatthours.")
    assert len(rows) == 9 and rows[0] == ["Fossil fuels", "2001", "35,361 thousand megawatthours", "Reported"]
    assert totals == [["Total", year, f"{total} thousand megawatthours", "Our calculation (the sum of the stack)"]
                      for year, total in (("2001", "40,651"), ("2009", "51,859"), ("2017", "56,476"))]


def test_a_chart_of_shares_says_each_series_share_and_lists_it(charts_site):
    description, heads, rows, totals = figure(charts_site, "over-time", "iowa-shares")
    assert "Each series' share of the total." in description
    assert "Renewables: 3.5% in 2001 to 38.8% in 2017 (high of 39.1% in 2016)." in description  # 1,437 of 40,651
    assert "Total (our sum): 40,651 thousand megawatthours in 2001 to 56,476 thousand megawatthours in 2017 " \
           "(high of 57,509 thousand megawatthours in 2010)." in description
    assert heads == ["Series", "Year", "Value", "Share of the total", "Status"]
    renewables = {row[1]: row[3] for row in rows if row[0] == "Renewables"}
    assert (renewables["2001"], renewables["2017"]) == ("3.5%", "38.8%")
    assert len(rows) == 3 * 17 and len(totals) == 17 and totals[0][:4] == ["Total", "2001", "40,651 thousand megawatthours", "100%"]


def test_small_multiples_give_each_panels_lowest_and_highest(charts_site):
    description, heads, rows, totals = figure(charts_site, "over-time", "jobs-panels")
    for series in ("Construction", "Manufacturing", "Education and health", "Leisure and hospitality"):
        values = [(float(r[2].split()[0].replace(",", "")), r[1], r[2]) for r in rows if r[0] == series]
        low, high = min(values), max(values)
        part = description.split(f"{series}: ")[1].split(". ")[0]
        for name, (_, year, shown) in (("lowest", low), ("highest", high)):
            # said beside the panel's first or last figure when it is one of them, else on its own
            assert f"{shown} in {year} ({name})" in part or f"{name} {shown} in {year}" in part, (series, part)
    assert "Construction: 7,689.583 thousand jobs in 2006 (highest) to 6,458.583 thousand jobs in 2015, lowest " \
           "5,518.333 thousand jobs in 2010." in description
    assert len(description) <= 600
    assert len(rows) == 4 * 10 and totals == []


def test_a_custom_spec_is_described_from_its_encodings_and_data(charts_site):
    description, heads, rows, totals = figure(charts_site, "over-time", "iowa-heatmap")
    assert description.startswith("Heatmap: Iowa's electricity by source and year. Across, year; down the side, "
                                  "series; colour, Thousand MWh. Highest: 42,750 thousand megawatthours (Fossil "
                                  "fuels, 2010); lowest: 1,437 thousand megawatthours (Renewables, 2001).")
    assert len(rows) == 3 * 17 and {r[0] for r in rows} == {"Fossil fuels", "Nuclear", "Renewables"}


def point(series: str, year: int, value: float) -> Point:
    return Point(series, year, value, f"{value:,.0f} tons", False, f"{series}.{year}", f"{series}, {year}", ("s",),
                 "tons", at=float(year))


POINTS = [point("Coal", 2020, 30), point("Coal", 2021, 20), point("Gas", 2020, 5), point("Gas", 2021, 55)]


def custom(spec: dict) -> Chart:
    return Chart(id="c", type="custom", title="Fuel", vega_lite=spec,
                 series=[ChartSeries(label="Coal", fact="coal"), ChartSeries(label="Gas", fact="gas")])


def test_a_custom_spec_that_aggregates_is_described_by_its_groups():
    chart = custom({"mark": "bar", "encoding": {"x": {"field": "series", "type": "nominal"},
                                                "y": {"field": "y", "aggregate": "sum", "type": "quantitative"}}})
    assert describe_chart(chart, POINTS) == ("Bar chart: Fuel. Across, series; up the side, sum of tons. "
                                             "Sum of tons by series: Gas, 60 tons; Coal, 50 tons.")
    chart = custom({"mark": "bar", "encoding": {"x": {"field": "period", "type": "ordinal"},
                                                "y": {"field": "y", "aggregate": "max", "type": "quantitative"}}})
    assert describe_chart(chart, POINTS).endswith("Max of tons by year: 2021, 55 tons; 2020, 30 tons.")


@pytest.mark.parametrize("spec, says", [
    ({"layer": [{"mark": "line", "encoding": {"x": {"field": "x", "type": "quantitative"},
                                              "y": {"field": "y", "type": "quantitative", "title": "Output"},
                                              "color": {"field": "series", "type": "nominal"}}},
                {"mark": "point"}]},
     "Chart (line, point): Fuel. Across, year; up the side, Output; colour, series. Highest: 55 tons (Gas, 2021); "
     "lowest: 5 tons (Gas, 2020). Coal: 30 tons in 2020 to 20 tons in 2021."),
    ({"mark": "line", "transform": [{"filter": "datum.y > 10"}],
      "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}},
     "Line chart: Fuel. Across, year; up the side, tons. The spec transforms the figures before drawing them."),
])
def test_a_custom_spec_names_its_layers_and_says_when_it_transforms_the_figures(spec, says):
    assert describe_chart(custom(spec), POINTS).startswith(says)


def test_a_custom_spec_grouped_by_its_time_axis_names_the_periods_as_readers_write_them():
    chart = custom({"mark": "bar", "encoding": {"x": {"field": "x", "type": "quantitative"},
                                                "y": {"field": "y", "aggregate": "sum", "type": "quantitative"}}})
    assert describe_chart(chart, POINTS).endswith("Sum of tons by year: 2021, 75 tons; 2020, 35 tons.")


def test_many_lines_are_summed_up_with_the_highlighted_one_in_full(charts_site):
    description, heads, rows, totals = figure(charts_site, "over-time", "jobs-highlight")
    last = {r[0]: (float(r[2].replace(",", "")), r[1], r[2]) for r in rows}  # rows run in time order
    high, low = max(last.items(), key=lambda kv: kv[1][0]), min(last.items(), key=lambda kv: kv[1][0])
    assert f"{len(last)} series, 2006 to 2015." in description and len(last) == 14
    every = [(float(r[2].replace(",", "")), r[0], r[1], r[2]) for r in rows]
    top, bottom = max(every), min(every)
    assert f"Highest: {top[1]}, {top[3]} in {top[2]}; lowest: {bottom[1]}, {bottom[3]} in {bottom[2]}." in description
    assert f"Highest last figure: {high[0]}, {high[1][2]} in {high[1][1]}; lowest: {low[0]}, {low[1][2]} in " \
           f"{low[1][1]}." in description
    assert "Construction: 100 in 2006 to 83.991 in 2015 (low of 71.764 in 2010)." in description
    assert "Wholesale trade" not in description and description.endswith("The data table lists every point.")
    assert len(rows) == 14 * 10 and len(description) <= 600


def test_a_scatter_of_many_points_is_described_by_its_ranges_and_extremes(charts_site):
    description, heads, rows, totals = figure(charts_site, "comparisons", "barley-scatter")
    assert len(rows) == 6 and "Crookston" not in description  # each site is in the table, not read aloud
    assert ("Sites, 6 points: Yield in 1931 from 29.053 bushels an acre (Grand Rapids) to 54.347 bushels an acre "
            "(Waseca); Yield in 1932 from 20.81 bushels an acre (Grand Rapids) to 41.87 bushels an acre (Waseca).") \
        in description


def test_a_scatter_of_three_points_lists_them():
    chart = Chart(id="c", type="scatter", title="T", x_title="Age", y_title="Height",
                  series=[ChartSeries(label="People", fact="unused")])
    points = [Point("People", x, y, f"{y} cm", False, "f", "", (), name=n, x_display=f"{x} years")
              for n, x, y in (("Ann", 30, 170.0), ("Bo", 40, 180.0), ("Cy", 50, 160.0))]
    assert describe_chart(chart, points) == ("Scatter chart: T. People: Ann: Age 30 years, Height 170.0 cm; Bo: Age 40 "
                                             "years, Height 180.0 cm; Cy: Age 50 years, Height 160.0 cm.")
    more = points + [Point("People", 60, 150.0, "150.0 cm", False, "f", "", (), name="Di", x_display="60 years")]
    assert describe_chart(chart, more) == (
        "Scatter chart: T. People, 4 points: Age from 30 years (Ann) to 60 years (Di); Height from 150.0 cm (Di) "
        "to 180.0 cm (Bo). The data table lists every point.")


def _jobs(series: str, x, y: float, at=None, name: str = "", x_display: str = "") -> Point:
    return Point(series, x, y, f"{y:,.1f} thousand jobs", False, "f", f"{series}, {x}", (), name=name,
                 x_display=x_display, at=at)


MONTHS = [(f"{2015 + k // 12}-{k % 12 + 1:02d}", 2015 + k / 12) for k in range(120)]
GROWING = {  # kinds whose description grew with their points: 11 industries x 120 months, 30 bars, 55 years...
    "line": ({}, [_jobs(f"Industry {i}", m, 100.0 + i * k % 37, at) for i in range(11) for k, (m, at) in enumerate(MONTHS)]),
    "area": ({"stack": "stacked"}, [_jobs(f"Industry {i}", m, 50.0 + (i + k) % 13, at)
                                    for i in range(11) for k, (m, at) in enumerate(MONTHS)]),
    "line panels": ({"small_multiples": True}, [_jobs(f"Industry {i}", m, 90.0 + (i * 7 + k) % 23, at)
                                                for i in range(11) for k, (m, at) in enumerate(MONTHS)]),
    "bar": ({}, [_jobs("Industry 0", f"Category {k}", 10.0 + (k * 7) % 30) for k in range(30)]),
    "bar grouped": ({}, [_jobs(f"Industry {i}", f"Category {k}", 10.0 + i + k) for i in range(5) for k in range(8)]),
    "bar stacked": ({"stack": "stacked"}, [_jobs(f"Industry {i}", 2000 + k, 10.0 + (i * k) % 11)
                                           for i in range(5) for k in range(20)]),
    "dot": ({}, [_jobs(f"Industry {i}", f"Category {k}", 10.0 + (i + 3 * k) % 17) for i in range(2) for k in range(30)]),
    "scatter": ({}, [_jobs(f"Industry {i}", k, 10.0 + (i * k) % 41, name=f"Site {k}", x_display=f"{k} miles")
                     for i in range(5) for k in range(50)]),
    "connected-scatter": ({}, [_jobs(f"Industry {i}", k, 10.0 + (i + k) % 29, name=str(1956 + k), x_display=f"{k} miles")
                               for i in range(3) for k in range(55)]),
    "map": ({}, [_jobs(f"Place {i}", -90.0 + i, 40.0 + i / 3) for i in range(30)]),
}


@pytest.mark.parametrize("name", GROWING)
def test_a_description_stays_short_however_many_points_the_chart_has(name):
    options, points = GROWING[name]
    labels = list(dict.fromkeys(p.series for p in points))
    chart = Chart(id="c", type=name.split()[0], title="Jobs in eleven industries, month by month",
                  series=tuple(ChartSeries(label=label, fact="f") for label in labels), **options)
    description = describe_chart(chart, points)
    assert len(description) <= 600, (len(description), description)
    assert description.endswith("The data table lists every point.")
    if name != "map":  # the highest figure drawn is said, whichever way the points are summed up
        assert max(points, key=lambda p: p.y).display in description, description


def chart_descriptions(site) -> dict[str, str]:
    """Every chart's description on a built site's pages, by chart id."""
    found = {}
    for html in sorted(site.rglob("*.html")):
        for chart in parse_html(html).select("figure[data-chart]"):
            found[chart["data-chart"]] = chart.select_one(".chart__svg")["aria-label"]
    return found


@pytest.mark.parametrize("fixture", ["charts", "heldout", "mini", "data"])
def test_every_fixtures_chart_is_described_in_600_characters_or_fewer(fixture, charts_site, tmp_path):
    from conftest import build_fixture
    site = charts_site.out if fixture == "charts" else build_fixture(tmp_path / fixture, fixture).out
    described = chart_descriptions(site)
    assert described and all(described.values())
    assert {c: len(d) for c, d in described.items() if len(d) > 600} == {}


@pytest.mark.parametrize("mark, dashed, dotted, elements, dash", [
    ("line", False, False, ["line", "circle"], None),
    ("line", True, False, ["line", "circle"], "5 3"),
    ("line", False, True, ["line", "circle"], "1.5 2.5"),
    ("dot", True, False, ["circle"], None),
    ("bar", False, False, ["rect"], None),
    ("bar", True, False, ["rect"], "3 2"),
    ("bar", False, True, ["rect"], "1.5 2"),
])
def test_a_key_entry_s_swatch_draws_its_mark_and_how_its_figures_were_made(mark, dashed, dotted, elements, dash):
    import xml.etree.ElementTree as ET

    from site_builder.compute.chart_describe import KeyEntry

    entry = KeyEntry("Sales", "#0072b2", mark, dashed=dashed, dotted=dotted)
    drawn = list(ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{entry.swatch}</svg>'))
    assert [e.tag.split("}")[1] for e in drawn] == elements
    assert drawn[0].get("stroke-dasharray") == dash
    assert all(e.get("stroke") == "#0072b2" for e in drawn)
    marker = drawn[-1]
    if mark == "bar":
        assert marker.get("fill-opacity") == ("0.35" if dashed or dotted else "1")
    else:
        assert marker.get("fill") == ("white" if dashed or dotted else "#0072b2")


def test_a_swatch_colour_cannot_break_out_of_its_attribute():
    from site_builder.compute.chart_describe import KeyEntry

    swatch = KeyEntry("x", '"/><script>', "dot").swatch
    assert "<script>" not in swatch and "&lt;script&gt;" in swatch
