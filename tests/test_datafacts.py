"""datafacts.py: facts read from datasets (one cell, aggregates, series over time), with their provenance."""
from __future__ import annotations

import csv
from statistics import mean

import pytest

from site_builder.errors import BuildErrors, ErrorCollector
from site_builder.compute.facts import resolve_facts
from site_builder.compute.project import Project, load_content

from conftest import FIXTURES, build_fixture, copy_project, replace_in_file

DATA = FIXTURES / "data" / "content" / "data"


def stock_rows() -> list[dict]:
    with open(DATA / "stocks.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    project = Project.at(copy_project(tmp_path_factory.mktemp("data") / "p", "data"))
    errors = ErrorCollector()
    result = resolve_facts(load_content(project), errors)
    assert errors.problems == []
    return result


def test_one_cell_is_read_with_its_line(book):
    fact = book["msft.jan_2000"]
    assert fact.value == 39.81 and fact.unit == "usd"
    assert fact.rows == (2,)
    assert fact.how == "Read from content/data/stocks.csv, line 2, column price"
    assert fact.sources == ("vega-datasets",)


def test_a_series_over_months_is_keyed_by_month(book):
    msft = [r for r in stock_rows() if r["symbol"] == "MSFT"]
    series = book["msft.price"].value
    assert list(series)[:3] == ["2000-01", "2000-02", "2000-03"]
    assert len(series) == len(msft) and series["2010-03"] == float(msft[-1]["price"])


def test_aggregates_over_a_filtered_range(book):
    apple_2008 = [float(r["price"]) for r in stock_rows() if r["symbol"] == "AAPL" and r["date"].endswith("2008")]
    assert book["aapl.mean_2008"].value == pytest.approx(mean(apple_2008))
    assert len(book["aapl.mean_2008"].rows) == 12
    assert book["msft.peak_2000s"].value == max(float(r["price"]) for r in stock_rows() if r["symbol"] == "MSFT")
    assert book["months.count"].value == len(stock_rows())


def test_a_sum_by_year_and_shares_of_it(book):
    with open(DATA / "iowa-electricity.csv", newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["year"].startswith("2017")]
    total = sum(float(r["net_generation"]) for r in rows) * 1000
    renewables = next(float(r["net_generation"]) for r in rows if r["source"] == "Renewables") * 1000
    assert book["iowa.total"].value[2017] == pytest.approx(total)
    assert book["iowa.wind_share_2017"].value == pytest.approx(100 * renewables / total)
    assert book["iowa.wind_2017"].unit == "megawatthours"
    assert book["iowa.wind_share"].sources == ("vega-datasets", "eia-iowa")


def test_a_reference_to_a_missing_column_or_several_rows_is_an_error_at_the_fact(tmp_path):
    root = copy_project(tmp_path / "p", "data")
    replace_in_file(Project.at(root), "content/facts/stocks.yaml", "where: {symbol: MSFT, date: \"2000-01\"}",
                    "where: {symbol: MSFT}")
    replace_in_file(Project.at(root), "content/facts/iowa.yaml", "column: net_generation, where: {source: Renewables}",
                    "column: net_gen, where: {source: Renewables}")
    with pytest.raises(BuildErrors) as exc:
        load_content(Project.at(root))
    assert [str(p) for p in exc.value.problems] == [
        "content/facts/iowa.yaml:2: fact 'iowa.wind': data: dataset 'iowa' has no column 'net_gen' "
        "(declared: year, source, net_generation)"]
    replace_in_file(Project.at(root), "content/facts/iowa.yaml", "column: net_gen,", "column: net_generation,")
    from site_builder.commands.build_command import build_site
    with pytest.raises(BuildErrors) as exc:
        build_site(Project.at(root))
    assert [str(p) for p in exc.value.problems] == [
        "content/facts/stocks.yaml:8: fact 'msft.jan_2000': data: 123 rows match where symbol is MSFT "
        "(lines 2, 3, 4, 5, 6, ...); narrow `where` to one row, or give `agg` (sum, mean, min, max, first, last, count)"]


# --- the fixture built as a site: what readers of the stocks and Iowa briefing see ----------------

@pytest.fixture(scope="module")
def data_site(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("data-site") / "p", "data").out


def test_a_monthly_series_keeps_its_currency_and_months_in_table_and_description(data_site):
    from conftest import parse_html
    page = parse_html(data_site / "briefings/from-data/index.html")
    figure = page.select_one('figure[data-chart="msft-monthly"]')
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in figure.select(".chart__table tbody tr")]
    first = stock_rows()[0]
    assert rows[0] == ["Microsoft", "January 2000", f"${float(first['price']):.2f}", "Reported"]
    assert len(rows) == len([r for r in stock_rows() if r["symbol"] == "MSFT"])
    assert figure.select_one(".chart__svg")["aria-label"].startswith(
        "Line chart: Microsoft's share price. Microsoft: $39.81 in January 2000 to $28.80 in March 2010")
    listed = " ".join(page.find(id="fact-msft.price").get_text(" ").split())
    assert listed.startswith("Microsoft share price, monthly January 2000: $39.81; February 2000: $36.35;")
    tooltip_values = (data_site / "charts/msft-monthly.vl.json").read_text()
    assert '"$39.81"' in tooltip_values


def test_a_share_of_a_total_cites_both_of_its_dataset_sources(data_site):
    from conftest import parse_html
    page = parse_html(data_site / "briefings/from-data/index.html")
    cites = [a["href"] for a in page.find(id="fact-iowa.wind_share").select("a[href^='#source-']")]
    assert cites == ["#source-vega-datasets", "#source-eia-iowa"]
    entry = " ".join(page.find(id="fact-msft.jan_2000").get_text(" ").split())
    assert "Read from content/data/stocks.csv, line 2, column price" in entry
    sources = parse_html(data_site / "sources/index.html").find(id="source-eia-iowa")
    assert "Dataset: Net generation of electricity in Iowa by source" in " ".join(sources.get_text(" ").split())


def test_a_monthly_series_is_drawn_with_a_few_readable_year_labels(data_site):
    from conftest import parse_html
    figure = parse_html(data_site / "briefings/from-data/index.html").select_one('figure[data-chart="msft-monthly"]')
    for art in figure.select(".chart__art--wide, .chart__art--narrow"):
        labels = [t.get_text() for t in art.select("text")]
        years = [label for label in labels if label.isdigit() and len(label) == 4]
        assert 3 <= len(years) <= 12 and years[0] == "2000"  # not 123 month labels over each other


def test_a_value_read_at_one_period_keeps_the_series_precision_unit_and_currency(data_site, book):
    # iowa.total is published to three significant digits; iowa.total_2017 reads it `at: 2017` and states nothing.
    from conftest import parse_html
    with open(DATA / "iowa-electricity.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = {y: sum(float(r["net_generation"]) for r in rows if r["year"].startswith(y)) * 1000 for y in ("2001", "2017")}
    assert book["iowa.total_2017"].value == total["2017"] and book["iowa.total_2017"].precision == 3
    three = {y: f"{round(v / 1e6, 1):g} million" for y, v in total.items()}  # 56,476,000 is "56.5 million"
    assert three == {"2001": "40.7 million", "2017": "56.5 million"}
    page = parse_html(data_site / "briefings/from-data/index.html")
    text = {a["data-fact"]: a.get_text() for a in page.select(".briefing__body a.fact")}
    assert (text["iowa.total_2001"], text["iowa.total_2017"]) == (three["2001"], three["2017"])
    assert text["msft.mar_2005"] == "$22.24"  # the series' currency
    boxes = {" ".join(box.get_text(" ").split()) for box in page.select(".key-numbers li, .key-number")}
    assert f"Iowa electricity from all sources, 2017 {three['2017']} megawatthours" in boxes, boxes
    listed = " ".join(page.find(id="fact-iowa.total_2017").get_text(" ").split())
    assert f"{three['2017']} megawatthours" in listed and "56.48" not in listed
    table = page.select_one('figure[data-chart="iowa-totals"] .chart__table')
    cells = [[td.get_text() for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    assert [c[1:] for c in cells] == [["2001", f"{three['2001']} megawatthours", "Reported"],
                                      ["2017", f"{three['2017']} megawatthours", "Reported"]]  # as the series was


def test_approx_and_format_are_kept_by_at_abs_and_negate_unless_the_fact_states_its_own(tmp_path):
    root = copy_project(tmp_path / "p", "data")
    replace_in_file(Project.at(root), "content/facts/iowa.yaml", "    precision: 3  ", "    approx: true\n    format: integer  #")
    with open(root / "content/facts/iowa.yaml", "a", encoding="utf-8") as f:
        f.write("  - id: iowa.fall\n    label: A fall\n    derive: {op: negate, of: iowa.total_2017}\n"
                "  - id: iowa.own\n    label: Own precision\n    precision: 2\n    derive: {op: at, of: iowa.total, at: 2017}\n")
    errors = ErrorCollector()
    book = resolve_facts(load_content(Project.at(root)), errors)
    assert errors.problems == []
    assert book["iowa.total_2017"].formatted() == "56,476,000"  # approx: all five digits published, as integers
    assert book["iowa.fall"].formatted() == "-56,476,000"
    assert book["iowa.own"].formatted() == "56,000,000"
    assert book["iowa.share_gain"].precision is None  # arithmetic on values makes a new figure
