"""chart_labels.py: texts on a chart's plot (reference lines, shaded ranges), placed as Vega draws them."""
from __future__ import annotations

import pytest

from site_builder.chart_model import Chart, ChartAnnotation, ChartSeries
from site_builder.compute.chart_data import chart_points
from site_builder.compute.chart_encoding import NARROW, WIDE
from site_builder.compute.chart_labels import LINE_HEIGHT
from site_builder.compute.chart_spec import chart_spec
from site_builder.errors import ErrorCollector
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
