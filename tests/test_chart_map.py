"""chart_map.py and chart_geo.py: locator maps of places over the vendored country outlines."""
from __future__ import annotations

import json

import pytest

from site_builder.content.chart_checks import vega_lite_problems
from site_builder.compute.chart_data import Point
from site_builder.content.chart_geo import clip_ring, country_outlines, fitted_box, place_at
from site_builder.compute.chart_encoding import NARROW, WIDE
from site_builder.compute.chart_spec import chart_spec
from site_builder.chart_model import Chart

from conftest import REPO, build_fixture, parse_html

KALUGA = Point("Kaluga", 36.25, 54.51, "54.51", False, "k.lat", "Kaluga", ("s",), x_fact="k.lon", name="Kaluga")
MOSCOW = Point("Moscow", 37.62, 55.75, "55.75", False, "m.lat", "Moscow", ("s",), x_fact="m.lon", name="Moscow")


def test_a_ring_is_cut_to_the_region_along_its_edges():
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    clipped = clip_ring(square, (5.0, -5.0, 20.0, 5.0))
    assert len(clipped) == 4 and set(clipped) == {(5.0, 0.0), (10.0, 0.0), (10.0, 5.0), (5.0, 5.0)}
    assert clip_ring(square, (20.0, 20.0, 30.0, 30.0)) == []


def test_only_the_countries_in_the_region_are_kept_clipped_to_it():
    features = country_outlines((28.0, 50.0, 44.0, 59.0))
    assert {f["properties"]["name"] for f in features} >= {"Russia", "Belarus", "Ukraine"}
    assert "Canada" not in {f["properties"]["name"] for f in features}
    coordinates = [pt for f in features for polygon in f["geometry"]["coordinates"] for ring in polygon for pt in ring]
    assert all(28 <= lon <= 44 and 50 <= lat <= 59 for lon, lat in coordinates)
    assert len(json.dumps(features)) < 40_000  # a few kilobytes, not the world file's 750


def test_a_region_gets_a_readable_shape_and_places_land_where_mercator_puts_them():
    box, height = fitted_box((0.0, 0.0, 40.0, 1.0), 600)  # a thin strip is widened north and south
    assert height == 330 and box[1] < 0 and box[3] > 1
    x, y = place_at(20.0, 0.5, box, 600, height)
    assert round(x) == 300 and 0 < y < height


@pytest.mark.parametrize("board", [WIDE, NARROW], ids=["wide", "narrow"])
def test_the_map_spec_is_valid_vega_lite_with_outlines_places_and_names(board):
    chart = Chart(id="k", type="map", title="Kaluga", region=[28, 50, 44, 59], highlight="Russia")
    spec = chart_spec(chart, [KALUGA, MOSCOW], "A map.", board)
    assert vega_lite_problems(spec) == []
    assert spec["width"] == board.width and spec["projection"]["type"] == "mercator"
    assert [layer["mark"]["type"] for layer in spec["layer"]][:3] == ["geoshape", "geoshape", "circle"]
    names = [row for layer in spec["layer"] if layer["mark"]["type"] == "text"
             for row in (layer["data"].get("values") or [])]
    assert "Russia" in {row["name"] for row in names}  # the larger countries are named where there is room
    placed = [layer["transform"][0]["filter"]["oneOf"] for layer in spec["layer"] if "transform" in layer]
    assert sorted(sum(placed, [])) == ["Kaluga", "Moscow"]


def test_the_documented_map_is_built_with_its_table_description_and_downloads(charts_site):
    page = parse_html(charts_site.out / "briefings/a-map/index.html")
    figure = page.find(id="chart-midwest-airports")
    svg = figure.select_one(".chart__art--wide svg")
    texts = [t.get_text() for t in svg.find_all("text")]
    assert {"Des Moines", "Chicago", "St. Louis", "Minneapolis"} <= set(texts)
    assert figure.select_one(".chart__art--narrow svg") is not None
    description = figure.select_one(".chart__svg")["aria-label"]
    assert description.startswith("Locator map: Six Midwest airports. Des Moines (41.53° N, 93.66° W).")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in figure.select("tbody tr")]
    assert rows[0] == ["Des Moines", "-93.661", "41.535", "Reported"]
    assert figure.select_one("tbody a")["href"] == "#fact-dsm.lon"
    spec = json.loads((charts_site.out / "charts/midwest-airports.vl.json").read_text(encoding="utf-8"))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert {f["properties"]["name"] for f in spec["datasets"]["outlines"]} == {"United States of America", "Canada"}
    csv = (charts_site.out / "charts/midwest-airports.csv").read_text(encoding="utf-8").splitlines()
    assert csv[1] == "Des Moines,-93.66068222,41.53493306,reported,dsm.lat,vega-datasets ourairports"


def test_map_mistakes_are_errors_at_their_lines(make_project):
    project = make_project(fixture="charts", warm=False)
    path = project.root / "content/charts/map.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("region: [-100, 36, -84, 48]", "region: [-84, 36, -100, 48]")
                        .replace("highlight: United States of America", "highlight: Untied States"), encoding="utf-8")
    from site_builder.commands.build_command import build_site
    from site_builder.errors import BuildErrors

    with pytest.raises(BuildErrors) as failed:
        build_site(project)
    messages = [str(p) for p in failed.value.problems]
    assert "content/charts/map.yaml:6: chart 'midwest-airports': region must be [west, south, east, north] in " \
           "degrees, west < east (from -180 to 180) and south < north (from -85 to 85)" in messages
    assert any(m.startswith("content/charts/map.yaml:7: chart 'midwest-airports': highlight 'Untied States' is not "
                            "a country's name") for m in messages)


def test_a_place_outside_the_region_is_an_error(make_project):
    project = make_project(fixture="charts", warm=False)
    path = project.root / "content/charts/map.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("region: [-100, 36, -84, 48]", "region: [-100, 40, -84, 48]"),
                    encoding="utf-8")
    from site_builder.commands.build_command import build_site
    from site_builder.errors import BuildErrors

    with pytest.raises(BuildErrors) as failed:
        build_site(project)
    assert [str(p) for p in failed.value.problems] == [
        "content/charts/map.yaml:2: chart 'midwest-airports': place 'St. Louis' (-90.35998972, 38.74768694) "
        "is outside the map's region"]


def test_the_documented_map_is_the_fixture_the_tests_build():
    docs = (REPO / "docs/content-format.md").read_text(encoding="utf-8")
    section = docs[docs.index("### Locator maps"):]
    example = section.split("```")[1].removeprefix("yaml\n")
    assert "type: map" in example
    assert example in (REPO / "tests/fixtures/charts/content/charts/map.yaml").read_text(encoding="utf-8")


def _drawn(svg, role: str) -> dict[str, tuple[float, float, str]]:
    """The marks of one kind in a drawn SVG: {place: (x, y, text-anchor)} from their aria-labels."""
    found = {}
    for mark in svg.find_all(attrs={"aria-roledescription": role}):
        place = mark["aria-label"].rsplit(": ", 1)[1]
        x, y = map(float, mark["transform"].removeprefix("translate(").rstrip(")").split(","))
        found[place] = (x, y, mark.get("text-anchor", ""))
    return found


@pytest.mark.parametrize("artboard", ["wide", "narrow"])
def test_a_place_at_any_edge_of_the_map_has_its_name_inside_it_beside_its_dot(tmp_path, artboard):
    # Kaliningrad is at the map's west edge, Vladivostok at its east (and south) edge, Dikson at its north and
    # Sochi at its south: each name used to run off the map (Vladivostok past the right edge, Sochi below).
    from site_builder.compute.chart_map import BOLD_CHAR_WIDTH

    project = build_fixture(tmp_path / "edges", "map-edges")
    svg = parse_html(project.out / "briefings/russia/index.html").select_one(f".chart__art--{artboard} svg")
    width, height = float(svg["width"]), float(svg["height"])
    dots, names = _drawn(svg, "circle"), _drawn(svg, "text mark")
    assert set(dots) == {"Kaliningrad", "Vladivostok", "Dikson", "Sochi", "Moscow"} <= set(names)
    for place, (x, y, anchor) in names.items():
        if place not in dots:
            continue  # a country's name
        length = len(place) * BOLD_CHAR_WIDTH
        left = x if anchor == "start" else x - length
        top, bottom = y - 11, y + 3  # the baseline is at y; capitals rise about 9 px, descenders drop 3
        assert 0 <= left and left + length <= width, (place, left, left + length, width)
        assert 0 <= top and bottom <= height, (place, top, bottom, height)
        dot_x, dot_y = dots[place][:2]
        assert abs((top + bottom) / 2 - dot_y) <= 2 * 14 and min(abs(left - dot_x), abs(left + length - dot_x)) <= 12, place
