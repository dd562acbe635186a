"""chart_point_labels.py: labels on facts' points, their text read from the series (value in the fact's unit and
precision, period), placed clear of the chart's lines, and their mistakes reported at their lines."""
from __future__ import annotations

import pytest

from site_builder.commands.build_command import build_site
from site_builder.chart_model import Chart, ChartAnnotation, ChartSeries
from site_builder.compute.chart_data import chart_points
from site_builder.compute.chart_encoding import NARROW, WIDE
from site_builder.compute.chart_point_labels import crosses
from site_builder.compute.chart_spec import chart_spec
from site_builder.errors import BuildErrors, ErrorCollector
from site_builder.model import Fact, Location

from conftest import REPO, parse_html
from test_charts import book_of

SALES = Fact(id="sales", label="Sales", value={2020: 1_234_567, 2021: 987_654, 2022: 1_500_000}, unit="vehicles",
             precision=3, source="x")


def labelled(at, label: str = "{value} in {period}") -> Chart:
    return Chart(id="c", type="line", title="T", series=[ChartSeries(label="Sales", fact="sales")],
                 annotations=[ChartAnnotation(fact="sales", at=at, label=label)], origin=Location("c.yaml", 2))


def drawn_labels(chart: Chart, board=WIDE) -> list[str]:
    points = chart_points(chart, book_of(SALES), ErrorCollector())
    spec = chart_spec(chart, points, "", board)
    return [" ".join(row["text"]) for layer in spec["layer"] if layer["mark"]["type"] == "text"
            and "fontWeight" in layer["mark"] for row in layer["data"].get("values", ())]


@pytest.mark.parametrize("at, says", [
    ("low", "988,000 vehicles in 2021"),        # the fact's precision: three significant digits
    ("high", "1.50 million vehicles in 2022"),
    ("first", "1.23 million vehicles in 2020"),
    (2021, "988,000 vehicles in 2021"),
    (None, "1.50 million vehicles in 2022"),     # the last point unless told
])
def test_a_label_reads_its_point_from_the_series_in_the_facts_unit_and_precision(at, says):
    assert drawn_labels(labelled(at)) == [says]


def test_without_a_label_the_figure_alone_is_written_and_the_description_says_it():
    from site_builder.compute.charts import describe_chart

    chart = labelled("high", label="")
    assert drawn_labels(chart) == ["1.50 million vehicles"]
    points = chart_points(chart, book_of(SALES), ErrorCollector())
    assert "Labelled: 1.50 million vehicles." in describe_chart(chart, points)


def test_a_period_the_series_lacks_is_an_error_at_the_chart():
    errors = ErrorCollector()
    chart_points(labelled(2031), book_of(SALES), errors)
    assert [str(p) for p in errors.problems] == [
        "c.yaml:2: chart 'c': annotation on 'sales' at 2031: the series has no figure for that period"]


def test_a_label_is_placed_clear_of_its_own_line():
    # A V: the low's label goes under it, where the line is not, at both widths.
    for board in (WIDE, NARROW):
        points = chart_points(labelled("low"), book_of(SALES), ErrorCollector())
        spec = chart_spec(labelled("low"), points, "", board)
        layer = next(layer for layer in spec["layer"] if "fontWeight" in layer["mark"])
        assert (layer["mark"]["baseline"], layer["mark"]["dy"]) == ("top", 9)


def test_crossing_is_a_line_through_a_box_not_beside_it():
    assert crosses((0, 0, 10, 10), [(-5, 5), (15, 5)])
    assert not crosses((0, 0, 10, 10), [(-5, 12), (15, 12)])
    assert not crosses((0, 0, 10, 10), [(12, -5), (30, 40)])


def test_the_fixtures_low_is_labelled_from_the_series_below_its_point(charts_site):
    figure = parse_html(charts_site.out / "briefings/over-time/index.html").find(id="chart-jobs-highlight")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in figure.select("tbody tr")]
    low = min((float(r[2]), r[1], r[2]) for r in rows if r[0] == "Construction")
    label = f"Low: {low[2]} in {low[1]}"
    assert label == "Low: 71.764 in 2010"
    assert f"Labelled: {label}." in figure.select_one(".chart__svg")["aria-label"]
    for artboard in ("wide", "narrow"):
        svg = figure.select_one(f".chart__art--{artboard} svg")
        text = next(t for t in svg.find_all("text") if t.get_text(" ") == label)
        marker = next(m for m in svg.find_all(attrs={"aria-roledescription": "point"})
                      if m.get("aria-label", "").startswith("x: 2010;") and "series: Construction;" in m["aria-label"])
        text_y = float(text["transform"].split(",")[1].rstrip(")"))
        marker_y = float(marker["transform"].split(",")[1].rstrip(")"))
        assert text_y > marker_y + 9, artboard  # under its point


@pytest.mark.parametrize("annotation, message", [
    ('{fact: jobs.construction.index, at: 2010-13, label: "Low"}',
     "chart 'jobs-highlight': at '2010-13' is not a period of the series (2024, 2024-Q1, 2024-03, 2024-03-05) nor "
     "one of low, high, first, last"),
    ('{fact: jobs.construction.index, at: low, label: "Low: {valu}"}',
     "chart 'jobs-highlight': label 'Low: {valu}': {valu} is not one of {value}, {period}, {series}"),
    ('{fact: jobs.construction.index, at: low, label: "Low: {value:.1f}"}',
     "chart 'jobs-highlight': label 'Low: {value:.1f}': a placeholder takes no format ({value} is shown in the "
     "fact's own unit and precision)"),
    ('{y: 90, at: low, label: "Low"}',
     "chart 'jobs-highlight': `at` places a label on a series fact's point: give `fact` too"),
])
def test_label_mistakes_are_errors_at_their_line(make_project, annotation, message):
    project = make_project(fixture="charts", warm=False)
    path = project.root / "content/charts/kinds.yaml"
    text = path.read_text(encoding="utf-8")
    old = '{fact: jobs.construction.index, at: low, label: "Low: {value} in {period}"}'
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, annotation), encoding="utf-8")
    with pytest.raises(BuildErrors) as failed:
        build_site(project)
    assert f"content/charts/kinds.yaml:{line}: {message}" in [str(p) for p in failed.value.problems]


def test_the_documented_labels_are_the_fixtures():
    docs = (REPO / "docs/content-format.md").read_text(encoding="utf-8")
    section = docs[docs.index("- Labels read from the data"):]
    example = section.split("```yaml\n")[1].split("```")[0]
    fixture = (REPO / "tests/fixtures/charts/content/charts/kinds.yaml").read_text(encoding="utf-8")
    assert "at: low" in example and all(line.strip() in fixture for line in example.splitlines() if line.strip())


def test_a_chart_that_draws_no_point_labels_does_not_claim_them():
    from site_builder.compute.charts import describe_chart

    facts = [Fact(id=f"f{i}", label=f"F{i}", value=v, source="x") for i, v in enumerate((3, 5))]
    bars = Chart(id="b", type="bar", title="T", series=[ChartSeries(label="S", facts=["f0", "f1"])],
                 annotations=[ChartAnnotation(fact="f1", label="The top: {value}")])
    points = chart_points(bars, book_of(*facts), ErrorCollector())
    assert "Labelled" not in describe_chart(bars, points)
    lines = Chart(id="l", type="line", title="T", series=[ChartSeries(label="Sales", fact="sales")],
                  small_multiples=True, annotations=[ChartAnnotation(fact="sales", at="high", label="Top")])
    assert "Labelled" not in describe_chart(lines, chart_points(lines, book_of(SALES), ErrorCollector()))
