"""charts.py: chart points come from facts; specs, SVGs, CSVs and descriptions come from the points."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from site_builder.incremental.cache import Store
from site_builder.incremental.kept import SvgCache
from site_builder.compute.charts import (
    chart_csv, chart_points, chart_spec, describe_chart, render_chart, scope_svg_ids,
)
from site_builder.compute.chart_encoding import NARROW
from site_builder.errors import ErrorCollector
from site_builder.compute.facts import resolve_facts
from site_builder.chart_model import Chart, ChartAnnotation, ChartPair, ChartPlace, ChartSeries
from site_builder.model import Content, Fact, Location, SiteConfig
from site_builder.compute.project import Project, load_content

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"

SERIES_LINE = Location("content/charts/c.yaml", 6)


@pytest.fixture(scope="module")
def mini():
    """The mini fixture's content and fact book (content only: nothing is built)."""
    content = load_content(Project.at(MINI))
    errors = ErrorCollector()
    book = resolve_facts(content, errors)
    assert errors.problems == []
    return content, book


def book_of(*facts: Fact):
    content = Content(SiteConfig(title="T"), {}, {f.id: f for f in facts}, {}, {}, [])
    errors = ErrorCollector()
    return resolve_facts(content, errors)


def line_chart(*fact_ids: str, chart_type: str = "line", fact: str | None = None) -> Chart:
    series = ChartSeries(label="S", facts=list(fact_ids) or None, fact=fact, origin=SERIES_LINE)
    return Chart(id="c", type=chart_type, title="Title", series=[series], origin=Location("content/charts/c.yaml", 2))


def test_points_come_from_facts_with_year_x_and_projection_flag(mini):
    content, book = mini
    errors = ErrorCollector()
    points = chart_points(content.charts["outlook"], book, errors)
    assert errors.problems == []
    assert [(p.series, p.x, p.y, p.display, p.projected) for p in points] == [
        ("Reported", 2021, 1_500_000.0, "1.5 million widgets", False),
        ("Reported", 2022, 700_000.0, "700,000 widgets", False),
        ("Reported", 2023, 1_100_000.0, "1.1 million widgets", False),
        ("Ministry forecast", 2025, 1_100_000.0, "1.1 million widgets", True),
        ("Ministry forecast", 2030, 1_400_000.0, "1.4 million", True),
    ]
    assert points[3].fact_id == "forecast.2025"
    assert points[3].sources == ("ministry", "agency")


def test_bar_chart_x_is_each_facts_label(mini):
    content, book = mini
    points = chart_points(content.charts["compare"], book, ErrorCollector())
    assert [p.x for p in points] == ["Widget sales, 2023", "Forecast widget sales, 2030"]


def test_series_fact_gives_one_point_per_year():
    book = book_of(Fact(id="s", label="Sales", value={2016: 20, 2015: 10}, source="x", kind="estimate"))
    points = chart_points(line_chart(fact="s"), book, ErrorCollector())
    assert [(p.x, p.y, p.label, p.projected) for p in points] == [(2015, 10.0, "Sales, 2015", True),
                                                                   (2016, 20.0, "Sales, 2016", True)]


@pytest.mark.parametrize("fact, message", [
    (Fact(id="f", label="F", value=1, source="x", period="2023-01/2023-11"),
     "chart 'c': fact 'f' needs a year, quarter, month or day as its `period` (2024, 2024-Q1, 2024-03, 2024-03-05) "
         "to be placed on the x axis"),
    (Fact(id="f", label="F", value=1, source="x"),
     "chart 'c': fact 'f' needs a year, quarter, month or day as its `period` (2024, 2024-Q1, 2024-03, 2024-03-05) "
         "to be placed on the x axis"),
    (Fact(id="f", label="F", value="words", source="x", period="2020"), "chart 'c': fact 'f' is not a number"),
])
def test_facts_that_cannot_be_placed_are_errors_at_the_series(fact, message):
    errors = ErrorCollector()
    assert render_chart(line_chart("f"), book_of(fact), SvgCache(Store(None)), errors) is None
    assert [str(p) for p in errors.problems] == [f"{SERIES_LINE}: {message}"]


def test_chart_without_points_is_an_error():
    errors = ErrorCollector()
    book = book_of(Fact(id="s", label="S", value={}, source="x"))
    assert render_chart(line_chart(fact="s"), book, SvgCache(Store(None)), errors) is None
    assert [str(p) for p in errors.problems] == ["content/charts/c.yaml:2: chart 'c' has no data points"]


def test_description_says_what_the_chart_shows(mini):
    content, book = mini
    chart = content.charts["outlook"]
    assert describe_chart(chart, chart_points(chart, book, ErrorCollector())) == (
        "Line chart: Widget sales, reported and forecast. "
        "Reported: 1.5 million widgets in 2021 to 1.1 million widgets in 2023 (low of 700,000 widgets in 2022). "
        "Ministry forecast: 1.1 million widgets in 2025 to 1.4 million in 2030. "
        "Marked: Method change (2023). Dashed lines and hollow markers are forecasts or estimates.")


def test_bar_description_lists_each_bar(mini):
    content, book = mini
    chart = content.charts["compare"]
    text = describe_chart(chart, chart_points(chart, book, ErrorCollector()))
    assert text.startswith("Bar chart: Widgets compared. Widgets: Widget sales, 2023, 1.1 million widgets; "
                           "Forecast widget sales, 2030, 1.4 million.")


def test_our_calculations_carry_their_kind_and_are_drawn_dotted_not_dashed():
    book = book_of(Fact(id="r", label="R", value=1, source="a", period="2020"),
                   Fact(id="f", label="F", value=2, source="m", period="2030", kind="forecast"),
                   Fact(id="c", label="C", value=3, source="m", period="2030", kind="calculated"))
    chart = Chart(id="c", type="line", title="T", origin=Location("content/charts/c.yaml", 2), series=[
        ChartSeries(label="Reported", facts=["r"], origin=SERIES_LINE),
        ChartSeries(label="Forecast", facts=["f"], origin=SERIES_LINE),
        ChartSeries(label="Ours", facts=["c"], origin=SERIES_LINE)])
    points = chart_points(chart, book, ErrorCollector())
    assert [(p.kind, p.status, p.projected) for p in points] == [
        ("reported", "Reported", False), ("forecast", "Forecast", True), ("calculated", "Our calculation", True)]
    spec = chart_spec(chart, points, "D.")
    rows = spec["datasets"]["points"]
    assert [(r["kind"], r["drawn"]) for r in rows] == [
        ("reported", "Reported"), ("forecast", "Forecast or estimate"), ("calculated", "Our calculation")]
    assert describe_chart(chart, points).endswith(
        "Dashed lines and hollow markers are forecasts or estimates; dotted lines are our own calculations.")


def test_csv_has_one_row_per_point_at_full_precision():
    book = book_of(Fact(id="a", label="A", value=1_234_567, source="agency", period="2020"),
                   Fact(id="b", label="B", value=0.1 + 0.2, source="ministry", period="2021", kind="forecast"))
    rows = list(csv.reader(io.StringIO(chart_csv(chart_points(line_chart("a", "b"), book, ErrorCollector())))))
    assert rows == [["series", "x", "value", "status", "fact", "sources"],
                    ["S", "2020", "1234567", "reported", "a", "agency"],
                    ["S", "2021", repr(0.1 + 0.2), "forecast", "b", "ministry"]]


def test_spec_carries_the_data_and_description(mini):
    content, book = mini
    chart = content.charts["outlook"]
    points = chart_points(chart, book, ErrorCollector())
    spec = chart_spec(chart, points, "Described.")
    assert spec["description"] == "Described."
    assert spec["width"] == 640 and spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    values = spec["datasets"]["points"]
    assert [(v["x"], v["y"], v["status"]) for v in values][-1] == (2030, 1_400_000.0, "Forecast")
    assert "rule" in [layer["mark"]["type"] for layer in spec["layer"]]  # the "Method change" marker
    narrow = chart_spec(chart, points, "Described.", NARROW)
    assert narrow["width"] == 310 and len(narrow["layer"][0]["encoding"]["x"]["axis"]["values"]) <= 5


@pytest.mark.parametrize("chart_id, chart_type", [
    ("outlook", "line"),  # two series, one all forecast, and a rule: the data goes into each layer
    ("outlook", "area"),
    ("compare", "bar"),
    ("compare", "line"),  # one series: the data sits at the top of the spec
])
def test_spec_of_every_chart_shape_is_valid_vega_lite_with_the_points_as_data(mini, chart_id, chart_type):
    # chart_spec skips Altair's schema validation for speed, so every shape it can build is validated here.
    import dataclasses

    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    content, book = mini
    chart = dataclasses.replace(content.charts[chart_id], type=chart_type)
    points = chart_points(chart, book, ErrorCollector())
    spec = chart_spec(chart, points, "Described.")
    validate_jsonschema(spec, load_schema())  # raises on any part of the spec the schema does not allow
    parts = [spec, *spec.get("layer", [])]
    named = {part["data"]["name"] for part in parts if "name" in part.get("data", {})}
    assert named and named <= set(spec["datasets"]), "a named data set was left unfilled"
    assert [(r["x"], r["y"]) for r in spec["datasets"]["points"]] == [(p.x, p.y) for p in points]


def test_scope_svg_ids_prefixes_ids_and_every_reference():
    svg = ('<svg><defs><clipPath id="clip1"><rect/></clipPath><g id="clip10"/></defs>'
           '<g clip-path="url(#clip1)"><use href="#clip10"/></g></svg>')
    scoped = scope_svg_ids(svg, "chart-x")
    assert re.findall(r'id="([^"]+)"', scoped) == ["chart-x-clip1", "chart-x-clip10"]
    assert 'url(#chart-x-clip1)' in scoped and 'href="#chart-x-clip10"' in scoped


def test_rendered_svg_ids_are_scoped_and_references_resolve(mini, chart_cache):
    content, book = mini
    rendered = render_chart(content.charts["outlook"], book, SvgCache(Store(chart_cache)), ErrorCollector())
    assert rendered.svg.lstrip().startswith("<svg") and ">Method change<" in rendered.svg
    assert rendered.narrow_svg.lstrip().startswith("<svg") and rendered.narrow_svg != rendered.svg
    assert [entry.label for entry in rendered.key] == ["Reported", "Ministry forecast", "Reported",
                                                       "Forecast or estimate"]
    ids = re.findall(r'\bid="([^"]+)"', rendered.svg)
    assert all(i.startswith("chart-outlook-") for i in ids)
    for ref in re.findall(r'url\(#([^)]+)\)', rendered.svg) + re.findall(r'href="#([^"]+)"', rendered.svg):
        assert ref in ids
    assert rendered.sources == ("agency", "ministry")
    assert rendered.csv.splitlines()[0] == "series,x,value,status,fact,sources"


def test_cache_hit_does_not_render_again(mini, tmp_path):
    content, book = mini
    chart = content.charts["compare"]
    first = SvgCache(Store(tmp_path / "cache"))
    svg = render_chart(chart, book, first, ErrorCollector()).svg
    assert first.rendered == 1
    render_chart(chart, book, first, ErrorCollector())
    assert first.rendered == 1
    later_run = SvgCache(Store(tmp_path / "cache"))
    assert render_chart(chart, book, later_run, ErrorCollector()).svg == svg
    assert later_run.rendered == 0
    cached = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert cached and not [p for p in cached if p.suffix == ".tmp"]


def test_csv_text_cells_cannot_run_as_spreadsheet_formulas():
    from site_builder.compute.charts import Point, chart_csv
    point = Point(series="=HYPERLINK(\"http://x\")", x="@SUM(A1)", y=5.0, display="5", projected=False,
                  fact_id="f", label="l", sources=("s",))
    row = chart_csv([point]).splitlines()[1]
    assert row.startswith("\"'=HYPERLINK(") and ",'@SUM(A1),5," in row


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@pytest.mark.skipif(not DEJAVU.is_dir(), reason="needs Debian's fonts-dejavu-core (installed by .ci/run)")
def test_charts_are_drawn_with_vl_converts_own_fonts_whatever_the_machine_has(mini, tmp_path):
    import json
    import os
    import subprocess
    import sys

    from site_builder.compute import charts
    from site_builder.compute.charts import chart_renderer

    content, book = mini
    chart = content.charts["outlook"]
    spec = chart_spec(chart, chart_points(chart, book, ErrorCollector()), "Described.")
    spec["config"]["font"] = "DejaVu Sans"  # a font this machine has and vl-convert does not carry
    svg = chart_renderer().vegalite_to_svg(spec)
    assert os.environ.get("FONTCONFIG_FILE") != str(charts._NO_FONTS_CONF)  # put back once vl-convert read it
    (tmp_path / "fonts.conf").write_text(f"<fontconfig><dir>{DEJAVU}</dir></fontconfig>", encoding="utf-8")
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    script = ("import json, sys, vl_convert\n"
              "from site_builder.compute.charts import chart_renderer\n"
              "spec = json.load(open(sys.argv[1]))\n"
              "renderer = vl_convert if sys.argv[2] == 'plain' else chart_renderer()\n"
              "print(json.dumps(renderer.vegalite_to_svg(spec)))\n")
    env = os.environ | {"FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}  # a machine whose fonts are DejaVu

    def drawn(how: str) -> str:
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "spec.json"), how], env=env,
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout)
    assert drawn("plain") != svg  # vl-convert left alone measures text with the machine's DejaVu Sans...
    assert drawn("ours") == svg  # ...chart_renderer with its own font, as in this process


def drawn_axis_labels(svg: str) -> list[list[str]]:
    """The tick labels of each axis as drawn in a chart's SVG: the x axis's, then the y axis's."""
    from bs4 import BeautifulSoup
    return [[t.get_text() for t in g.find_all("text")]
            for g in BeautifulSoup(svg, "html.parser").select("g.role-axis-label")]


@pytest.mark.parametrize("value, ticks", [
    # a gas price, cents below $100 as the text writes them: "$1.50", never "$1.5" beside "$1.0"
    ({1956: 1.21, 1980: 1.9, 2010: 2.43}, ["$0.00", "$0.50", "$1.00", "$1.50", "$2.00", "$2.50"]),
    ({2015: 102.5, 2016: 104.0}, ["$102.50", "$103.00", "$103.50", "$104.00"]),
    ({2015: 2, 2016: 3}, ["$0", "$1", "$2", "$3"]),  # whole dollars when every tick is whole
])
def test_money_axis_ticks_follow_the_money_rule_of_the_text(value, ticks):
    book = book_of(Fact(id="s", label="Gas", value=value, unit="USD", source="x"))
    chart = line_chart(fact="s")
    if min(value.values()) > 100:
        chart = Chart(**{**chart.__dict__, "zero": False})
    rendered = render_chart(chart, book, SvgCache(Store(None)), ErrorCollector())
    assert drawn_axis_labels(rendered.svg)[1] == ticks
    narrow = drawn_axis_labels(rendered.narrow_svg)[1]  # fewer ticks, the same rule
    assert all(re.fullmatch(r"\$\d+(\.\d\d)?", t) for t in narrow), narrow
    assert len({len(t.partition(".")[2]) for t in narrow}) == 1, narrow


def test_compact_axis_labels_are_grouped_past_a_thousand_trillion():
    from site_builder.formatting import format_axis_label
    assert [format_axis_label(v) for v in (1.234e15, -2.5e15, 1.5e12, 12_000)] == ["1,234T", "-2,500T", "1.5T", "12K"]
    book = book_of(Fact(id="s", label="Debt", value={2015: 1.2e15, 2016: 2.1e15}, source="x"))
    rendered = render_chart(line_chart(fact="s"), book, SvgCache(Store(None)), ErrorCollector())
    assert drawn_axis_labels(rendered.svg)[1][-2:] == ["2,000T", "2,500T"]


@pytest.mark.parametrize("series, places, annotations, expected", [
    ([ChartSeries(label="S", facts=("a", "b"))], (), (), ("a", "b")),
    ([ChartSeries(label="S")], (), (), ()),
    ([ChartSeries(label="S", facts=("a",), fact="b")], (), (), ("a", "b")),
    ([ChartSeries(label="S", points=(ChartPair(x="a", y="b"),)), ChartSeries(label="T", x="c", y="d")], (), (),
     ("a", "b", "c", "d")),
    ([ChartSeries(label="S", facts=("a",))], (ChartPlace(label="P", lon="lo", lat="la"),),
     (ChartAnnotation(label="A", fact="n"),), ("a", "lo", "la", "n")),
])
def test_a_chart_names_the_facts_of_its_series_then_its_places_and_annotations(series, places, annotations, expected):
    chart = Chart(id="c", type="line", title="T", series=tuple(series), places=places, annotations=annotations)
    assert chart.fact_ids() == expected
    assert type(chart.fact_ids()) is tuple
