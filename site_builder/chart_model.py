"""The model of a chart declared in ``content/charts/*.yaml``: its series, markers, notes and places.

Frozen dataclasses validated by pydantic like the rest of :mod:`model`; the compute
stage turns them into points, Vega-Lite specs and drawings.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, StrictBool, StrictInt, StrictStr

from .frozen import freeze
from .model import FORBID_EXTRA, NOWHERE, Location, Number

# A JSON object written in YAML (a custom chart's Vega-Lite spec), validated as a dict and frozen all the way down.
FrozenJson = Annotated[dict[str, Any], AfterValidator(freeze)]
# Kinds of chart (docs/content-format.md shows each): "custom" draws the chart's own Vega-Lite spec.
ChartType = Literal["line", "bar", "area", "scatter", "connected-scatter", "dot", "map", "custom"]


@dataclass(frozen=True)
class ChartPair:
    """One point of a scatter chart: the facts giving its x and y, and its label."""

    __pydantic_config__ = FORBID_EXTRA
    x: StrictStr
    y: StrictStr
    label: StrictStr = ""


@dataclass(frozen=True)
class ChartSeries:
    """One line, area, group of bars or set of scatter points in a chart, drawn from facts."""

    __pydantic_config__ = FORBID_EXTRA
    label: StrictStr
    facts: tuple[StrictStr, ...] | None = None
    fact: StrictStr | None = None
    points: tuple[ChartPair, ...] | None = None
    x: StrictStr | None = None   # scatter: two series facts, one point for each period both have
    y: StrictStr | None = None
    origin: Location = NOWHERE

    def fact_ids(self) -> tuple[str, ...]:
        """The ids of the facts this series draws."""
        if self.fact is None and self.points is None and self.x is None and self.y is None:
            return tuple(self.facts) if self.facts else ()  # the common series, asked of every chart each build
        pairs = tuple(fid for pair in self.points or () for fid in (pair.x, pair.y))
        both = tuple(fid for fid in (self.x, self.y) if fid)
        return tuple(self.facts or ()) + ((self.fact,) if self.fact else ()) + pairs + both


@dataclass(frozen=True)
class ChartRule:
    """A vertical marker, e.g. a break in a data series."""

    __pydantic_config__ = FORBID_EXTRA
    x: StrictInt | StrictStr
    label: StrictStr


@dataclass(frozen=True)
class ChartAnnotation:
    """A note drawn on a chart: a line at ``x`` or ``y``, a shaded ``x_range``, or a label on a ``fact``'s point
    (a series fact's point ``at`` a period, or at its ``low``, ``high``, ``first`` or ``last``)."""

    __pydantic_config__ = FORBID_EXTRA
    label: StrictStr = ""
    x: StrictInt | StrictStr | None = None
    y: Number | None = None
    x_range: tuple[StrictInt | StrictStr, ...] | None = None
    fact: StrictStr | None = None
    at: StrictInt | StrictStr | None = None


@dataclass(frozen=True)
class ChartPlace:
    """A point on a locator map: its name and the facts giving its longitude and latitude."""

    __pydantic_config__ = FORBID_EXTRA
    label: StrictStr
    lon: StrictStr
    lat: StrictStr


@dataclass(frozen=True)
class Chart:
    """A chart declared in ``content/charts/*.yaml``."""

    __pydantic_config__ = FORBID_EXTRA
    id: StrictStr
    type: ChartType
    title: StrictStr
    series: tuple[ChartSeries, ...] = ()
    subtitle: StrictStr = ""
    caption: StrictStr = ""
    x_title: StrictStr = ""
    y_title: StrictStr = ""
    rules: tuple[ChartRule, ...] = ()
    annotations: tuple[ChartAnnotation, ...] = ()
    note: StrictStr = ""
    zero: StrictBool = True                    # lines: start the y axis at zero (bars always do)
    orientation: Literal["auto", "vertical", "horizontal"] = "auto"   # bars and dots
    stack: Literal["none", "stacked", "share"] = "none"               # bars and areas
    categories: tuple[StrictStr, ...] | None = None  # bars and dots: the category of each series' n-th fact
    highlight: StrictStr = ""                  # lines: the series drawn in colour, the others in grey
    small_multiples: StrictBool = False        # lines and areas: one small panel per series
    direct_labels: StrictBool = False          # lines: series names at the lines' ends instead of a key
    region: tuple[Number, ...] | None = None         # maps: [west, south, east, north] in degrees
    places: tuple[ChartPlace, ...] = ()
    vega_lite: FrozenJson | None = None         # custom: a Vega-Lite spec (its data: {name: points})
    origin: Location = NOWHERE

    def fact_ids(self) -> tuple[str, ...]:
        """The ids of every fact drawn in the chart, in order."""
        if len(self.series) == 1 and not self.places and not self.annotations:
            return self.series[0].fact_ids()
        places = tuple(fid for place in self.places for fid in (place.lon, place.lat))
        annotated = tuple(a.fact for a in self.annotations if a.fact)
        return tuple(fid for series in self.series for fid in series.fact_ids()) + places + annotated
