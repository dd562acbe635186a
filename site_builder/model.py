"""The typed objects every stage passes around.

Loaded content becomes these frozen dataclasses once it has been validated;
nothing downstream handles raw dicts. ``origin`` always says where an object
was written, so later stages can still report ``path:line``. Charts are modelled
in :mod:`chart_model`, datasets and their rows in :mod:`data_model`; ``Content``
holds them all.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal, Union

from pydantic import ConfigDict, Strict, StrictFloat, StrictInt, StrictStr, StringConstraints

from .frozen import EMPTY, FrozenDict

if TYPE_CHECKING:  # the chart and data models build on this module's Location and Number
    from .chart_model import Chart
    from .data_model import Table

FORBID_EXTRA = ConfigDict(extra="forbid")

Number = Union[StrictInt, StrictFloat]
# Series keys are periods: years (2024), quarters ("2024-Q1"), months ("2024-03") or days
# ("2024-03-05" or a YAML date); validate.py checks each one and stores its canonical key.
Series = FrozenDict[Union[StrictInt, StrictStr, Annotated[dt.date, Strict()]], Number]
# A date value (YAML 2022-04-08) is shown the reader's way and placed on the timeline.
FactValue = Union[Number, StrictStr, tuple[StrictStr, ...], Series, Annotated[dt.date, Strict()]]
# "calculated": a figure we computed ourselves that no publisher stated (an implied projection, say),
# kept apart from a publisher's "forecast" so readers never mistake one for the other.
Kind = Literal["reported", "forecast", "estimate", "derived", "calculated"]
# How a vague figure was stated ("approach 1.8 million", "near 1.9 million"): shown before the value.
Qualifier = Literal["about", "approaching", "near", "nearly", "up to", "at least", "more than", "less than"]
Format = Literal["compact", "integer", "decimal", "percent", "year", "text"]
# A publication date may be known only to the month or year: "2023-12" or "2023".
PartialDate = Annotated[str, StringConstraints(strict=True, pattern=r"^([1-9]\d{3}|0[1-9]\d{2}|00[1-9]\d|000[1-9])(-(0[1-9]|1[0-2]))?$")]
PublishedDate = Union[dt.date, PartialDate]
Operation = Literal["mean", "sum", "difference", "ratio", "growth", "rate", "convert",
                    "at", "percent_change", "point_change", "share", "index", "abs", "negate",
                    "change_series", "percent_change_series", "share_series", "rolling_mean",
                    "min", "max", "min_period", "max_period", "yearly"]
Aggregate = Literal["sum", "mean", "min", "max", "first", "last", "count"]
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
    exchange_rates: tuple[StrictStr, ...] = ()  # ids of sourced rate facts, unit like usd_per_eur


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
    of: StrictStr | tuple[StrictStr, ...] | None = None
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
    agg: Aggregate | None = None         # yearly: how each year's periods are combined (mean, sum, ...)

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
    where: FrozenDict[StrictStr, Cell | tuple[Cell, ...]] = EMPTY  # column: value (or any of a list)
    from_: StrictStr | StrictInt | None = None   # written `from:`: the first period included
    to: StrictStr | StrictInt | None = None
    agg: Aggregate | None = None
    by: StrictStr | None = None                 # the time column: the fact is a series over it


@dataclass(frozen=True)
class Fact:
    """One sourced figure or statement, typed or derived."""

    __pydantic_config__ = FORBID_EXTRA
    id: StrictStr
    label: StrictStr
    source: StrictStr | None = None
    sources: tuple[StrictStr, ...] = ()   # more sources, e.g. a compilation and its original
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
class BriefingMeta:
    """A briefing's front matter."""

    __pydantic_config__ = FORBID_EXTRA
    title: StrictStr
    date: dt.date
    summary: StrictStr = ""
    updated: dt.date | None = None
    tags: tuple[StrictStr, ...] = ()
    hero_chart: StrictStr | None = None
    key_numbers: tuple[StrictStr, ...] = ()
    draft: bool = False


@dataclass(frozen=True)
class Briefing:
    """A briefing: front matter, Markdown body and where it was written."""

    slug: str
    meta: BriefingMeta
    body: str
    body_line: int
    origin: Location
    meta_lines: FrozenDict[tuple, int] = EMPTY  # front-matter location → line, for errors


@dataclass(frozen=True)
class GlossaryTerm:
    """A term from ``content/glossary.yaml``, explained where a briefing first uses it."""

    __pydantic_config__ = FORBID_EXTRA
    term: StrictStr
    definition: StrictStr
    abbreviation: StrictStr | None = None
    aliases: tuple[StrictStr, ...] = ()
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
    sources: FrozenDict[str, Source]
    facts: FrozenDict[str, Fact]
    checks: FrozenDict[str, Check]
    charts: FrozenDict[str, Chart]
    briefings: tuple[Briefing, ...]
    glossary: tuple[GlossaryTerm, ...] = ()
    tables: FrozenDict[str, Table] = EMPTY   # datasets, loaded

    def __post_init__(self) -> None:
        # Read-only whoever builds it: load_content hands in frozen tables already, a test may give dicts.
        for name in ("sources", "facts", "checks", "charts", "tables"):
            if type(getattr(self, name)) is not FrozenDict:
                object.__setattr__(self, name, FrozenDict(getattr(self, name)))
        if type(self.briefings) is not tuple:
            object.__setattr__(self, "briefings", tuple(self.briefings))
