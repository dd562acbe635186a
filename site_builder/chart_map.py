"""Locator maps: places (longitude and latitude from facts) over country outlines."""
from __future__ import annotations

from .chart_data import Point
from .model import Chart


def map_spec(chart: Chart, points: list[Point], board, datasets: dict) -> dict:
    """The layers of a locator map of ``chart``'s places."""
    raise NotImplementedError
