"""Country outlines for locator maps: the vendored world-atlas TopoJSON (``site_builder/geo/``), decoded
and cut to a map's region, as GeoJSON features a Vega-Lite ``geoshape`` draws.

A page carries only the countries inside its map's region, clipped to it and rounded to what the map
can show, so a locator map costs a few kilobytes, not the 750 KB of the world file.
"""
from __future__ import annotations

import functools
import json
import math
from pathlib import Path

WORLD = Path(__file__).resolve().parent.parent / "geo" / "countries-50m.json"
Box = tuple[float, float, float, float]  # west, south, east, north, in degrees
Ring = list[tuple[float, float]]


@functools.cache
def _world() -> dict:
    return json.loads(WORLD.read_text(encoding="utf-8"))


@functools.cache
def _arcs() -> tuple[tuple[tuple[float, float], ...], ...]:
    """Every arc of the world file in degrees (TopoJSON stores them quantized and delta-encoded)."""
    world = _world()
    (sx, sy), (tx, ty) = world["transform"]["scale"], world["transform"]["translate"]
    decoded = []
    for arc in world["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(tuple(points))
    return tuple(decoded)


def _ring(indexes: list[int]) -> Ring:
    arcs = _arcs()
    ring: Ring = []
    for i in indexes:
        points = list(arcs[i]) if i >= 0 else list(reversed(arcs[~i]))
        ring.extend(points[1:] if ring else points)
    return ring


def _polygons(geometry: dict) -> list[list[Ring]]:
    if geometry.get("type") == "Polygon":
        return [[_ring(r) for r in geometry["arcs"]]]
    if geometry.get("type") == "MultiPolygon":
        return [[_ring(r) for r in polygon] for polygon in geometry["arcs"]]
    return []


def clip_ring(ring: Ring, box: Box) -> Ring:
    """``ring`` cut to ``box`` (Sutherland-Hodgman: exact for a rectangle; the cut runs along its edges)."""
    west, south, east, north = box
    edges = ((0, west, True), (0, east, False), (1, south, True), (1, north, False))
    out = ring
    for axis, limit, keep_above in edges:
        if not out:
            break
        inside = (lambda p: p[axis] >= limit) if keep_above else (lambda p: p[axis] <= limit)
        points, out = out, []
        for a, b in zip(points, points[1:] + points[:1]):
            if inside(b):
                if not inside(a):
                    out.append(_crossing(a, b, axis, limit))
                out.append(b)
            elif inside(a):
                out.append(_crossing(a, b, axis, limit))
    return out


def _crossing(a: tuple[float, float], b: tuple[float, float], axis: int, limit: float) -> tuple[float, float]:
    t = (limit - a[axis]) / (b[axis] - a[axis])
    point = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
    return (limit, point[1]) if axis == 0 else (point[0], limit)


def _densified(ring: Ring, step: float = 0.5) -> Ring:
    """``ring`` with points every ``step`` degrees along its long edges (those a clip drew along the region's
    sides): d3-geo draws an edge as the shortest way on the globe, which bows away from a parallel."""
    out: Ring = []
    for a, b in zip(ring, ring[1:] + ring[:1]):
        out.append(a)
        pieces = int(max(abs(b[0] - a[0]), abs(b[1] - a[1])) / step)
        out.extend((a[0] + (b[0] - a[0]) * i / (pieces + 1), a[1] + (b[1] - a[1]) * i / (pieces + 1))
                   for i in range(1, pieces + 1))
    return out


def _rounded(ring: Ring, places: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, places), round(y, places)]
        if not out or point != out[-1]:
            out.append(point)
    if len(out) > 1 and out[0] != out[-1]:
        out.append(out[0])  # GeoJSON rings end where they start
    return out


def country_outlines(box: Box) -> list[dict]:
    """The countries that reach into ``box``, each clipped to it, as GeoJSON features named by Natural Earth.

    Rings are wound as Vega's d3-geo wants them: an outer ring clockwise (longitude right, latitude up),
    holes the other way; d3 reads a counter-clockwise outer ring as the rest of the globe.
    """
    span = max(box[2] - box[0], box[3] - box[1])
    places = 2 if span > 4 else 3  # about a pixel on a 640 px map
    features = []
    for geometry in _world()["objects"]["countries"]["geometries"]:
        polygons = []
        for polygon in _polygons(geometry):
            rings = [_rounded(_densified(clip_ring(ring, box)), places) for ring in polygon]
            rings = [r for r in rings if len(r) >= 4]
            if rings and _signed_area(rings[0]) != 0:
                polygons.append([_wound(r, outer=i == 0) for i, r in enumerate(rings)])
        if polygons:
            features.append({"type": "Feature", "properties": {"name": geometry.get("properties", {}).get("name", "")},
                             "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    return features


def country_names() -> frozenset[str]:
    """Every country's name in the outlines (Natural Earth's: "United States of America", "Russia")."""
    return frozenset(g.get("properties", {}).get("name", "") for g in _world()["objects"]["countries"]["geometries"])


def country_anchors(features: list[dict], box: Box, least: float = 0.08) -> list[tuple[str, float, float]]:
    """(name, longitude, latitude) to write each country's name at: the middle of its largest piece on the
    map, for the countries that cover at least ``least`` of the map's region, largest first."""
    whole = (box[2] - box[0]) * (box[3] - box[1])
    anchors = []
    for feature in features:
        rings = [polygon[0] for polygon in feature["geometry"]["coordinates"]]
        total = sum(abs(_signed_area(r)) for r in rings)
        if total >= least * whole:
            lon, lat = _centroid(max(rings, key=lambda r: abs(_signed_area(r))))
            anchors.append((total, feature["properties"]["name"], lon, lat))
    return [(name, lon, lat) for _, name, lon, lat in sorted(anchors, key=lambda a: -a[0])]


def _centroid(ring: list[list[float]]) -> tuple[float, float]:
    area = _signed_area(ring)
    cx = sum((a[0] + b[0]) * (a[0] * b[1] - b[0] * a[1]) for a, b in zip(ring, ring[1:])) / (6 * area)
    cy = sum((a[1] + b[1]) * (a[0] * b[1] - b[0] * a[1]) for a, b in zip(ring, ring[1:])) / (6 * area)
    return cx, cy


def _signed_area(ring: list[list[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:])) / 2


def _wound(ring: list[list[float]], outer: bool) -> list[list[float]]:
    clockwise = _signed_area(ring) < 0
    return ring if clockwise == outer else ring[::-1]


def mercator_y(lat: float) -> float:
    """A latitude's place on a Mercator map, in radians of longitude."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fitted_box(box: Box, width: int, lowest: float = 0.55, highest: float = 1.25) -> tuple[Box, int]:
    """``box`` widened, if need be, to a shape between ``lowest`` and ``highest`` (height over width) on a
    Mercator map, and the height in pixels it has at ``width``."""
    west, south, east, north = box
    ratio = (mercator_y(north) - mercator_y(south)) / math.radians(east - west)
    if ratio < lowest:  # a wide strip: show more to the north and south
        middle = (mercator_y(north) + mercator_y(south)) / 2
        half = lowest * math.radians(east - west) / 2
        south, north = _latitude(middle - half), _latitude(middle + half)
        ratio = lowest
    elif ratio > highest:  # a tall strip: show more to the east and west
        middle, half = (west + east) / 2, math.degrees((mercator_y(north) - mercator_y(south)) / highest) / 2
        west, east = middle - half, middle + half
        ratio = highest
    return (west, max(south, -85.0), east, min(north, 85.0)), round(width * ratio)


def _latitude(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def place_at(lon: float, lat: float, box: Box, width: int, height: int) -> tuple[float, float]:
    """Where a longitude and latitude fall on a Mercator map of ``box`` drawn ``width`` x ``height`` px."""
    west, south, east, north = box
    x = (lon - west) / (east - west) * width
    y = (mercator_y(north) - mercator_y(lat)) / (mercator_y(north) - mercator_y(south)) * height
    return x, y
