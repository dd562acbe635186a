"""Locator maps: places (longitude and latitude from facts) over country outlines (``chart_geo``), drawn as
Vega-Lite ``geoshape`` layers on a Mercator projection fitted to the map's region.

Place names are placed at build time, where the projection is known: to the right of their dot, or to the
left where the right runs out of room or another name is already there, or a line higher or lower; never
past the map's edge (a place at the edge of the region has its name on the inner side).
"""
from __future__ import annotations

from .chart_data import Point
from ..content.chart_geo import Box, country_anchors, country_outlines, fitted_box, place_at
from .chart_theme import FONT_SIZE, PALETTE
from ..chart_model import Chart

# Borders at 4.8:1 on white (WCAG 1.4.11 asks 3:1 of the shapes a reader must tell apart).
WATER, LAND, HIGHLIGHT, BORDER = "#e6eff6", "#f4f3ef", "#dcd8cc", "#6b7280"
COUNTRY_GREY = "#57534e"
CHAR_WIDTH = 6.9  # of a 12 px Liberation Sans character, on average, rounded up
BOLD_CHAR_WIDTH = 7.6  # of a bold one (place names): "Vladivostok" is 80 px wide
LINE = FONT_SIZE + 2  # a line of text, as drawn (14 px)
GAP = 8  # between a dot and its name


def map_region(chart: Chart, points: list[Point]) -> Box:
    """The map's [west, south, east, north]: the chart's ``region``, or its places with room around them."""
    if chart.region:
        west, south, east, north = (float(v) for v in chart.region)
        return west, south, east, north
    lons, lats = [float(p.x) for p in points], [p.y for p in points]
    pad = max(2.0, 0.3 * max(max(lons) - min(lons), max(lats) - min(lats)))
    return (max(-180.0, min(lons) - pad), max(-80.0, min(lats) - pad), min(180.0, max(lons) + pad),
            min(80.0, max(lats) + pad))


def map_spec(chart: Chart, points: list[Point], board, datasets: dict) -> dict:
    """The spec of a locator map of ``chart``'s places at ``board``'s width (its height follows the region)."""
    box, height = fitted_box(map_region(chart, points), board.width, highest=0.8 if board.width > 400 else 1.1)
    datasets["outlines"] = country_outlines(box)
    west, south, east, north = box
    corners = {"type": "Feature", "properties": {},
               "geometry": {"type": "MultiPoint", "coordinates": [[west, south], [east, south], [east, north],
                                                                  [west, north]]}}
    where = {"longitude": {"field": "x", "type": "quantitative"}, "latitude": {"field": "y", "type": "quantitative"}}
    fill = LAND
    if chart.highlight:
        fill = {"condition": {"test": f"datum.properties.name === {chart.highlight!r}", "value": HIGHLIGHT},
                "value": LAND}
    layers = [
        # The sea is background, not data: screen readers skip it (aria: false), as axe requires.
        {"data": {"sphere": True}, "mark": {"type": "geoshape", "fill": WATER, "stroke": None, "clip": True, "aria": False}},
        {"data": {"name": "outlines"}, "mark": {"type": "geoshape", "stroke": BORDER, "strokeWidth": 0.8,
                                                "clip": True},
         "encoding": {"fill": fill if isinstance(fill, dict) else {"value": fill},
                      "tooltip": {"field": "properties.name", "type": "nominal", "title": "Country"}}},
        {"data": {"name": "points"}, "mark": {"type": "circle", "size": 70, "opacity": 1, "color": PALETTE[0],
                                              "stroke": "white", "strokeWidth": 1.5},
         "encoding": {**where, "tooltip": [{"field": "series", "type": "nominal", "title": "Place"}]}},
    ]
    layers += _name_layers(points, box, (board.width, height), where, datasets["outlines"])
    return {"width": board.width, "height": height, "autosize": {"type": "none"}, "padding": 0,
            "projection": {"type": "mercator", "fit": corners}, "layer": layers}


def _name_layers(points: list[Point], box: Box, size: tuple[int, int], where: dict, outlines: list[dict]) -> list[dict]:
    """Place names beside their dots, then the names of the larger countries where they fit."""
    width, height = size
    dots = [place_at(float(p.x), p.y, box, width, height) for p in points]
    taken: list[tuple[float, float, float, float]] = [(x - 5, y - 5, x + 5, y + 5) for x, y in dots]
    groups: dict[tuple[str, int], list[str]] = {}
    for p in sorted(points, key=lambda p: place_at(float(p.x), p.y, box, width, height)[1]):
        x, y = place_at(float(p.x), p.y, box, width, height)
        align, dy, spot = _name_spot(p.series, x, y, size, taken)
        taken.append(spot)
        groups.setdefault((align, dy), []).append(p.series)
    layers = []
    for (align, dy), names in sorted(groups.items()):
        layers.append({"data": {"name": "points"}, "transform": [{"filter": {"field": "series", "oneOf": names}}],
                       "mark": {"type": "text", "align": align, "baseline": "middle", "dy": dy,
                                "dx": GAP if align == "left" else -GAP, "fontWeight": "bold", "color": "#1f2937"},
                       "encoding": {**where, "text": {"field": "series"}}})
    countries = []
    for name, lon, lat in country_anchors(outlines, box):
        x, y = place_at(lon, lat, box, width, height)
        half = len(name) * CHAR_WIDTH / 2
        spot = (x - half, y - LINE / 2, x + half, y + LINE / 2)
        if spot[0] >= 2 and spot[2] <= width - 2 and spot[1] >= 0 and spot[3] <= height \
                and not any(_overlaps(spot, other) for other in taken):
            taken.append(spot)
            countries.append({"x": lon, "y": lat, "name": name})
    if countries:
        layers.append({"data": {"values": countries}, "mark": {"type": "text", "color": COUNTRY_GREY,
                                                               "fontStyle": "italic"},
                       "encoding": {**where, "text": {"field": "name"}}})
    return layers


def _name_spot(name: str, x: float, y: float, size: tuple[int, int], taken: list) -> tuple[str, int, tuple]:
    """Where a place's name goes: (alignment, vertical offset, box), the first free of right, left, a line
    higher, a line lower, and so on; inside the map in any case, over another name only if nothing is free."""
    width, height = size
    length = len(name) * BOLD_CHAR_WIDTH
    inside = []
    for dy in (0, *(sign * n * LINE for n in range(1, 6) for sign in (-1, 1))):
        for align in ("left", "right"):
            left = x + GAP if align == "left" else x - GAP - length
            spot = (left, y + dy - LINE / 2, left + length, y + dy + LINE / 2)
            if left >= 2 and spot[2] <= width - 2 and spot[1] >= 0 and spot[3] <= height:
                if not any(_overlaps(spot, other) for other in taken):
                    return align, dy, spot
                inside.append((align, dy, spot))
    if inside:  # crowded: better over another name than cut off by the map's edge
        return inside[0]
    return "left", 0, (x + GAP, y - LINE / 2, x + GAP + length, y + LINE / 2)  # a name wider than the map


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
