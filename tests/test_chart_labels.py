"""chart_labels.py: texts on a chart's plot (reference lines, shaded ranges), placed as Vega draws them."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from site_builder.chart_model import Chart, ChartAnnotation, ChartSeries
from site_builder.compute.chart_data import chart_points
from site_builder.compute.chart_encoding import NARROW, WIDE
from site_builder.compute.chart_labels import LINE_HEIGHT
from site_builder.compute.chart_spec import chart_spec
from site_builder.errors import ErrorCollector
from site_builder.compute.chart_point_labels import CHAR_WIDTH as BOLD_WIDTH, crosses
from site_builder.compute.charts import chart_renderer
from site_builder.model import Fact

from test_charts import book_of

SERIES = Fact(id="s", label="S", value={2020: 10, 2021: 20, 2022: 30}, source="x")


@pytest.mark.parametrize("board", [WIDE, NARROW], ids=["wide", "narrow"])
def test_a_long_label_of_a_horizontal_line_ends_on_the_line_not_across_it(board):
    label = "The level that the ministry said sales would not fall below, whatever happened"
    chart = Chart(id="c", type="line", title="T", series=[ChartSeries(label="S", fact="s")],
                  annotations=[ChartAnnotation(y=15, label=label)])
    spec = chart_spec(chart, chart_points(chart, book_of(SERIES), ErrorCollector()), "", board)
    layer = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text"
                 and any(" ".join(r["text"]) == label for r in layer["data"]["values"]))
    lines = len(layer["data"]["values"][0]["text"])
    assert lines > 1
    # Vega sets the first line's bottom at y + dy and writes each further line LINE_HEIGHT lower.
    last_line_bottom = layer["mark"]["dy"] + (lines - 1) * LINE_HEIGHT
    assert layer["mark"]["baseline"] == "bottom" and -LINE_HEIGHT < last_line_bottom < 0



def _drawn_lines_and_texts(svg: str):
    """From a drawn SVG: each line mark as pixel points, and each text mark as (lines, x, y, anchor)."""
    soup = BeautifulSoup(svg, "html.parser")
    lines = [[(float(x), float(y)) for x, y in re.findall(r"[ML]([-\d.]+),([-\d.]+)", path["d"])]
             for path in soup.find_all("path", attrs={"aria-roledescription": "line mark"})]
    texts = []
    for text in soup.find_all("text", attrs={"aria-roledescription": "text mark"}):
        x, y = map(float, text["transform"].removeprefix("translate(").rstrip(")").split(","))
        rows = [t.get_text() for t in text.find_all("tspan")] or [text.get_text()]
        texts.append((rows, x, y, text.get("text-anchor", "start")))
    return lines, texts


@pytest.mark.parametrize("board", [WIDE, NARROW], ids=["wide", "narrow"])
def test_a_line_that_ends_early_is_named_where_its_name_crosses_no_line(board):
    # Named beside its end, as the lines reaching the right edge are, it sat across the flat line.
    facts = [Fact(id="a", label="A", value={y: 10 + y - 2010 for y in range(2010, 2021)}, source="x"),
             Fact(id="b", label="B", value={y: 20 - (y - 2010) for y in range(2010, 2016)}, source="x"),
             Fact(id="c", label="C", value={y: 15 for y in range(2010, 2021)}, source="x")]
    chart = Chart(id="c", type="line", title="T", direct_labels=True,
                  series=[ChartSeries(label="Rising", fact="a"), ChartSeries(label="Falling, ends early", fact="b"),
                          ChartSeries(label="Flat", fact="c")])
    spec = chart_spec(chart, chart_points(chart, book_of(*facts), ErrorCollector()), "", board)
    lines, texts = _drawn_lines_and_texts(chart_renderer().vegalite_to_svg(spec))
    assert {" ".join(rows) for rows, *_ in texts} >= {"Rising", "Flat", "Falling, ends early"}
    rows, x, y, anchor = next(t for t in texts if " ".join(t[0]) == "Falling, ends early")
    width = max(len(r) for r in rows) * BOLD_WIDTH
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    box = (left, y - 10, left + width, y + 2 + LINE_HEIGHT * (len(rows) - 1))  # from the first line's baseline
    assert not any(crosses(box, line) for line in lines), box
