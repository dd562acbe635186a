"""The typed objects every stage passes around.

Loaded content becomes these frozen dataclasses once it has been validated;
nothing downstream handles raw dicts. ``origin`` always says where an object
was written, so later stages can still report ``path:line``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Union

from typing import Annotated

from pydantic import ConfigDict, Strict, StrictBool, StrictFloat, StrictInt, StrictStr, StringConstraints

FORBID_EXTRA = ConfigDict(extra="forbid")

Number = Union[StrictInt, StrictFloat]
# Series keys are periods: years (2024), quarters ("2024-Q1"), months ("2024-03") or days
# ("2024-03-05" or a YAML date); validate.py checks each one and stores its canonical key.
Series = dict[Union[StrictInt, StrictStr, Annotated[dt.date, Strict()]], Number]
# A date value (YAML 2022-04-08) is shown the reader's way and placed on the timeline.
FactValue = Union[Number, StrictStr, list[StrictStr], Series, Annotated[dt.date, Strict()]]
# "calculated": a figure we computed ourselves that no publisher stated (an implied projection, say),
# kept apart from a publisher's "forecast" so readers never mistake one for the other.
Kind = Literal["reported", "forecast", "estimate", "derived", "calculated"]
# How a vague figure was stated ("approach 1.8 million", "near 1.9 million"): shown before the value.
Qualifier = Literal["about", "approaching", "near", "nearly", "up to", "at least", "more than", "less than"]
Format = Literal["compact", "integer", "decimal", "percent", "year", "text"]
# Kinds of chart (docs/content-format.md shows each): "custom" draws the chart's own Vega-Lite spec.
ChartType = Literal["line", "bar", "area", "scatter", "connected-scatter", "dot", "map", "custom"]
# A publication date may be known only to the month or year: "2023-12" or "2023".
PartialDate = Annotated[str, StringConstraints(strict=True, pattern=r"^([1-9]\d{3}|0[1-9]\d{2}|00[1-9]\d|000[1-9])(-(0[1-9]|1[0-2]))?$")]
PublishedDate = Union[dt.date, PartialDate]
Operation = Literal["mean", "sum", "difference", "ratio", "growth", "rate", "convert",
                    "at", "percent_change", "point_change", "share", "index", "abs", "negate",
                    "change_series", "percent_change_series", "share_series", "rolling_mean"]
Aggregate = Literal["sum", "mean", "min", "max", "first", "last", "count"]
ColumnType = Literal["year", "quarter", "month", "date", "number", "category", "text"]
Scale = Literal["thousands", "millions", "billions"]
SCALES = {"thousands": 1_000, "millions": 1_000_000, "billions": 1_000_000_000}
Cell = Union[StrictInt, StrictFloat, StrictStr]


@dataclass(frozen=True)
class Location:
    """Where something was written: a path relative to the project root, and a line."""

    path: str = ""
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


NOWHERE = Location()


@dataclass(frozen=True)
class SiteConfig:
    """Settings from ``content/site.yaml``."""

    __pydantic_config__ = FORBID_EXTRA
    title: StrictStr
    base_url: StrictStr = "/"
    description: StrictStr = ""
    locale: Literal["en-US", "en-CA"] = "en-US"
    author: StrictStr = ""
    organization: StrictStr = ""
    show_revisions: bool = True
    allow_raw_html: bool = False               # true: bodies may carry <script>, onclick=, javascript:, <iframe>...
    cname: StrictStr | None = None
    units: Literal["us", "metric"] = "us"      # which of km or miles (kg or lb, ...) readers see first
    currency: StrictStr = "USD"                # money in other currencies is shown converted, original in parentheses
    exchange_rates: list[StrictStr] = field(default_factory=list)  # ids of sourced rate facts, unit like usd_per_eur


@dataclass(frozen=True)
class Source:
    """A publication that facts and charts cite."""

    __pydantic_config__ = FORBID_EXTRA
    id: StrictStr
    publisher: StrictStr
    title: StrictStr
    published: PublishedDate
    url: StrictStr | None = None
    license: StrictStr | None = None
    accessed: dt.date | None = None
    note: StrictStr | None = None
    origin: Location = NOWHERE


@dataclass(frozen=True)
class Derivation:
    """How a derived fact is computed from other facts: one declared operation."""

    __pydantic_config__ = FORBID_EXTRA
    op: Operation
    of: StrictStr | list[StrictStr] | None = None
    base: StrictStr | None = None
    rate: StrictStr | None = None
    years: StrictInt | None = None
    from_: StrictStr | StrictInt | None = None  # written `from:` in YAML
    to: StrictStr | StrictInt | None = None
    factor: Number | StrictStr | None = None
    unit: StrictStr | None = None
    total: StrictStr | None = None       # share: the fact (or series) that is 100%
    at: StrictStr | StrictInt | dt.date | None = None   # at: the period read from a series
    window: StrictInt | None = None      # rolling_mean: how many periods
    lag: StrictInt | None = None         # change_series: periods back (default 1; 12 for months a year back)

    def inputs(self) -> tuple[str, ...]:
        """The ids of every fact this derivation reads."""
        ids: list[str] = []
        if isinstance(self.of, str):
            ids.append(self.of)
        elif self.of:
            ids.extend(self.of)
        for ref in (self.base, self.rate, self.factor, self.total):
            if isinstance(ref, str):
                ids.append(ref)
        if self.op in ("rate", "percent_change", "point_change") and self.of is None:
            ids.extend(str(ref) for ref in (self.from_, self.to) if ref is not None)
        return tuple(ids)


@dataclass(frozen=True)
class DataRef:
    """Where a fact's value is read in a dataset: one cell, an aggregate, or a column over time."""

    __pydantic_config__ = FORBID_EXTRA
    dataset: StrictStr
    column: StrictStr
    where: dict[StrictStr, Cell | list[Cell]] = field(default_factory=dict)  # column: value (or any of a list)
    from_: StrictStr | StrictInt | None = None   # written `from:`: the first period included
    to: StrictStr | StrictInt | None = None
    agg: Aggregate | None = None
    by: StrictStr | None = None                 # the time column: the fact is a series over it


@dataclass(frozen=True)
class Column:
    """A declared column of a dataset: its type, and for numbers their unit and scale."""

    __pydantic_config__ = FORBID_EXTRA
    type: ColumnType
    unit: StrictStr | None = None
    currency: StrictStr | None = None           # money: an ISO 4217 code (usd); the unit then
    scale: Scale | None = None                  # cells counted in thousands (or millions, billions)
    parse: StrictStr | None = None              # a time column's strptime format, e.g. "%b %d %Y"
    label: StrictStr | None = None

    @property
    def value_unit(self) -> str | None:
        """The unit of this column's values once scaled."""
        return (self.currency or "").lower() or self.unit


@dataclass(frozen=True)
class Dataset:
    """A data table under ``content/data/``, declared once in ``content/datasets.yaml``."""

    __pydantic_config__ = FORBID_EXTRA
    id: StrictStr
    file: StrictStr
    title: StrictStr
    license: StrictStr
    retrieved: dt.date
    columns: dict[StrictStr, Column]
    source: StrictStr | None = None
    sources: list[StrictStr] = field(default_factory=list)
    time: StrictStr | None = None               # the time column
    key: list[StrictStr] = field(default_factory=list)   # columns no two rows may share (e.g. [month])
    note: StrictStr | None = None
    origin: Location = NOWHERE

    @property
    def source_ids(self) -> tuple[str, ...]:
        """Every source the dataset cites."""
        return tuple(dict.fromkeys(([self.source] if self.source else []) + list(self.sources)))


@dataclass(frozen=True)
class Table:
    """A loaded dataset: its rows, each with the line (or record) it was read from."""

    dataset: Dataset
    path: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell | None, ...], ...]
    lines: tuple[int, ...]
    unit: str = "line"                          # what ``lines`` count: file lines, or JSON/YAML lines

    def column(self, name: str) -> int:
        """The index of column ``name`` in each row."""
        return self.columns.index(name)


@dataclass(frozen=True)
class Fact:
    """One sourced figure or statement, typed or derived."""

    __pydantic_config__ = FORBID_EXTRA
    id: StrictStr
    label: StrictStr
    source: StrictStr | None = None
    sources: list[StrictStr] = field(default_factory=list)   # more sources, e.g. a compilation and its original
    value: FactValue | None = None
    derive: Derivation | None = None
    data: DataRef | None = None       # read from a dataset instead of typed
    unit: StrictStr | None = None
    scope: StrictStr | None = None
    period: StrictStr | StrictInt | None = None
    kind: Kind | None = None
    source_note: StrictStr | None = None
    quote: StrictStr | None = None
    note: StrictStr | None = None
    format: Format | None = None
    precision: StrictInt | None = None      # significant digits as published: 1.65 million has 3
    approx: bool = False                    # "about": shown with the precision it was published with
    event_date: PublishedDate | None = None  # puts the fact on the timeline (a date value does so by itself)
    qualifier: Qualifier | None = None   # "approaching" 1.8 million: the value is a point stated vaguely
    range: tuple[Number, Number] | None = None  # stated as a range, low and high; `value` is the point checks use
    origin: Location = NOWHERE


@dataclass(frozen=True)
class CheckAdjustment:
    """A stated correction a check applies before comparing, e.g. a scope gap added to a base."""

    __pydantic_config__ = FORBID_EXTRA
    add: StrictStr                   # the fact whose value is added (negative to subtract)
    to: StrictStr | None = None      # an input of the derived fact to add it to; by default the derived figure
    note: StrictStr | None = None    # why the adjustment is fair, in plain words


@dataclass(frozen=True)
class Check:
    """A declared expectation that a stated fact matches a derived one."""

    __pydantic_config__ = FORBID_EXTRA
    id: StrictStr
    stated: StrictStr
    derived: StrictStr
    title: StrictStr
    tolerance: Number = 0.01
    note: StrictStr | None = None
    adjustment: CheckAdjustment | None = None
    origin: Location = NOWHERE

    def fact_ids(self) -> tuple[str, ...]:
        """The ids of every fact the check reads: stated, derived and any adjustment."""
        extra = (self.adjustment.add,) if self.adjustment else ()
        return (self.stated, self.derived) + extra


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
    facts: list[StrictStr] | None = None
    fact: StrictStr | None = None
    points: list[ChartPair] | None = None
    origin: Location = NOWHERE

    def fact_ids(self) -> tuple[str, ...]:
        """The ids of the facts this series draws."""
        pairs = tuple(fid for pair in self.points or () for fid in (pair.x, pair.y))
        return tuple(self.facts or ()) + ((self.fact,) if self.fact else ()) + pairs


@dataclass(frozen=True)
class ChartRule:
    """A vertical marker, e.g. a break in a data series."""

    __pydantic_config__ = FORBID_EXTRA
    x: StrictInt | StrictStr
    label: StrictStr


@dataclass(frozen=True)
class ChartAnnotation:
    """A note drawn on a chart: a line at ``x`` or ``y``, a shaded ``x_range``, or a label on a ``fact``'s point."""

    __pydantic_config__ = FORBID_EXTRA
    label: StrictStr = ""
    x: StrictInt | StrictStr | None = None
    y: Number | None = None
    x_range: list[StrictInt | StrictStr] | None = None
    fact: StrictStr | None = None


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
    series: list[ChartSeries] = field(default_factory=list)
    subtitle: StrictStr = ""
    caption: StrictStr = ""
    x_title: StrictStr = ""
    y_title: StrictStr = ""
    rules: list[ChartRule] = field(default_factory=list)
    annotations: list[ChartAnnotation] = field(default_factory=list)
    note: StrictStr = ""
    zero: StrictBool = True                    # lines: start the y axis at zero (bars always do)
    orientation: Literal["auto", "vertical", "horizontal"] = "auto"   # bars and dots
    stack: Literal["none", "stacked", "share"] = "none"               # bars and areas
    categories: list[StrictStr] | None = None  # bars and dots: the category of each series' n-th fact
    highlight: StrictStr = ""                  # lines: the series drawn in colour, the others in grey
    small_multiples: StrictBool = False        # lines and areas: one small panel per series
    direct_labels: StrictBool = False          # lines: series names at the lines' ends instead of a key
    region: list[Number] | None = None         # maps: [west, south, east, north] in degrees
    places: list[ChartPlace] = field(default_factory=list)
    vega_lite: dict | None = None              # custom: a Vega-Lite spec (its data: {name: points})
    origin: Location = NOWHERE

    def fact_ids(self) -> tuple[str, ...]:
        """The ids of every fact drawn in the chart, in order."""
        places = tuple(fid for place in self.places for fid in (place.lon, place.lat))
        annotated = tuple(a.fact for a in self.annotations if a.fact)
        return tuple(fid for series in self.series for fid in series.fact_ids()) + places + annotated


@dataclass(frozen=True)
class BriefingMeta:
    """A briefing's front matter."""

    __pydantic_config__ = FORBID_EXTRA
    title: StrictStr
    date: dt.date
    summary: StrictStr = ""
    updated: dt.date | None = None
    tags: list[StrictStr] = field(default_factory=list)
    hero_chart: StrictStr | None = None
    key_numbers: list[StrictStr] = field(default_factory=list)
    draft: bool = False


@dataclass(frozen=True)
class Briefing:
    """A briefing: front matter, Markdown body and where it was written."""

    slug: str
    meta: BriefingMeta
    body: str
    body_line: int
    origin: Location
    meta_lines: dict[tuple, int] = field(default_factory=dict)  # front-matter location → line, for errors


@dataclass(frozen=True)
class GlossaryTerm:
    """A term from ``content/glossary.yaml``, explained where a briefing first uses it."""

    __pydantic_config__ = FORBID_EXTRA
    term: StrictStr
    definition: StrictStr
    abbreviation: StrictStr | None = None
    aliases: list[StrictStr] = field(default_factory=list)
    source: StrictStr | None = None
    origin: Location = NOWHERE

    @property
    def forms(self) -> tuple[str, ...]:
        """Every way a briefing may write the term: itself, its abbreviation, its aliases."""
        return tuple(dict.fromkeys([self.term, *([self.abbreviation] if self.abbreviation else []), *self.aliases]))


@dataclass(frozen=True)
class Content:
    """Everything under ``content/``, validated and cross-checked."""

    site: SiteConfig
    sources: dict[str, Source]
    facts: dict[str, Fact]
    checks: dict[str, Check]
    charts: dict[str, Chart]
    briefings: list[Briefing]
    glossary: tuple[GlossaryTerm, ...] = ()
    tables: dict[str, Table] = field(default_factory=dict)   # datasets, loaded
