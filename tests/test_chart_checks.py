"""A custom chart's Vega-Lite spec is checked against the schema and for foreign data, at its place."""
from __future__ import annotations

import json

from conftest import parse_html

from site_builder.content.chart_checks import foreign_data, vega_lite_problems


def test_a_schema_mistake_names_the_deepest_place_and_the_fault():
    found = vega_lite_problems({"mark": "rect", "encoding": {"x": {"field": "a", "type": "ordinall"}}})
    assert found == [(("encoding", "x", "type"), "'ordinall' is not one of ['quantitative', 'ordinal', 'temporal', 'nominal']")]
    assert vega_lite_problems({"mark": "rect", "encoding": {"x": {"field": "period", "type": "ordinal"}}}) == []


def test_data_from_a_url_or_written_into_the_spec_is_refused():
    assert [w for w, _ in foreign_data({"layer": [{"data": {"url": "https://x.org/a.csv"}, "mark": "bar"}]})] == \
        [("layer", 0, "data")]
    assert foreign_data({"data": {"name": "points"}, "mark": "bar"}) == []


def test_every_kind_of_the_fixture_has_an_svg_per_artboard_a_description_and_a_table(charts_site):
    for slug in ("comparisons", "over-time"):
        page = parse_html(charts_site.out / f"briefings/{slug}/index.html")
        for figure in page.select("figure.chart"):
            assert figure.select_one(".chart__art--wide svg") and figure.select_one(".chart__art--narrow svg")
            assert figure.select_one(".chart__desc").get_text(strip=True)
            assert figure.select("table tbody tr")
    spec = json.loads((charts_site.out / "charts/iowa-heatmap.vl.json").read_text(encoding="utf-8"))
    assert spec["$schema"].endswith("v6.json") and spec["data"] == {"name": "points"}
    assert spec["mark"] == "rect" and spec["datasets"]["points"]
