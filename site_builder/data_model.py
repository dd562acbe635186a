"""The model of data files: a dataset declared in ``content/datasets.yaml``, its columns, and its
rows as loaded from ``content/data/`` (where a fact reads its value, ``model.DataRef``, is part of the fact).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import StrictStr

from .frozen import FrozenDict
from .model import FORBID_EXTRA, NOWHERE, Cell, Location

ColumnType = Literal["year", "quarter", "month", "date", "number", "category", "text"]
Scale = Literal["thousands", "millions", "billions"]
SCALES = {"thousands": 1_000, "millions": 1_000_000, "billions": 1_000_000_000}


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
    columns: FrozenDict[StrictStr, Column]
    source: StrictStr | None = None
    sources: tuple[StrictStr, ...] = ()
    time: StrictStr | None = None               # the time column
    key: tuple[StrictStr, ...] = ()   # columns no two rows may share (e.g. [month])
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
