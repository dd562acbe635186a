"""Facts read from datasets: one cell, an aggregate over filtered rows, or a column over time.

Each value keeps its provenance: the dataset's file, the lines of the rows it was
read from, and the column. Readers are told in plain words what was read
("Average of Miles_per_Gallon over 29 rows of content/data/cars.json where Origin is USA").
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from ..content.datasets import DATA_FOLDER, table_from_bytes
from ..content.history import DataFile
from ..errors import BuildError
from ..data_model import Dataset, Table
from ..model import Content, DataRef, Fact
from ..periods import PeriodError, as_period, parse_period, sorted_keys

AGGREGATE_WORDS = {"sum": "Sum", "mean": "Average", "min": "Lowest", "max": "Highest",
                   "first": "First", "last": "Last", "count": "Number"}


@dataclass(frozen=True)
class DataReading:
    """What a fact read from its dataset: the value, its unit, how, and the file lines it came from."""

    value: object
    unit: str | None
    how: str
    path: str
    lines: tuple[int, ...]


def read_data_fact(fact: Fact, tables: dict[str, Table]) -> DataReading:
    """The value of ``fact`` (which has ``data``) from its table; raises BuildError at the fact's line."""
    ref = fact.data
    assert ref is not None

    def fail(message: str) -> BuildError:
        return BuildError(fact.origin.path, fact.origin.line, f"fact {fact.id!r}: data: {message}")

    table = tables.get(ref.dataset)
    if table is None:
        raise fail(f"unknown dataset {ref.dataset!r}")
    problem = data_ref_problem(ref, table)
    if problem:
        raise fail(problem)
    rows = _matching_rows(ref, table, fail)
    col = table.column(ref.column)
    unit = table.dataset.columns[ref.column].value_unit
    where = _where_words(ref)
    if ref.by:
        return _series(ref, table, rows, col, unit, where, fail)
    cells = [(line, row[col]) for line, row in rows if row[col] is not None]
    if ref.agg is None:
        if len(rows) != 1:
            lines = ", ".join(str(line) for line, _ in rows[:5]) + (", ..." if len(rows) > 5 else "")
            raise fail(f"{len(rows)} rows match{where}" + (f" (lines {lines})" if rows else "")
                       + "; narrow `where` to one row, or give `agg` (sum, mean, min, max, first, last, count)")
        line, row = rows[0]
        if row[col] is None:
            raise fail(f"the cell in column {ref.column!r} at {table.path}:{line} is empty")
        return DataReading(row[col], unit, f"Read from {table.path}, line {line}, column {ref.column}", table.path, (line,))
    if ref.agg == "count":
        return DataReading(len(cells), None, f"Number of rows of {table.path} with a value in {ref.column}{where}",
                           table.path, tuple(line for line, _ in cells))
    if not cells:
        raise fail(f"no row with a value in column {ref.column!r}{where}")
    value = _aggregate(ref.agg, [v for _, v in cells], fail)
    how = f"{AGGREGATE_WORDS[ref.agg]} of {ref.column} over {len(cells)} rows of {table.path}{where}"
    return DataReading(value, unit, how, table.path, tuple(line for line, _ in cells))


def data_ref_problem(ref: DataRef, table: Table) -> str | None:
    """What is wrong with ``ref`` for ``table`` (an unknown column, ``by`` on no time column), or None."""
    columns = table.dataset.columns
    for name in (ref.column, *ref.where):
        if name not in columns:
            return f"dataset {ref.dataset!r} has no column {name!r} (declared: {', '.join(columns)})"
    if columns[ref.column].type != "number" and ref.agg != "count":
        return f"column {ref.column!r} is a {columns[ref.column].type} column, not a number"
    if ref.by and ref.by != table.dataset.time:
        return f"`by` must be the dataset's time column ({table.dataset.time!r})"
    if (ref.from_ is not None or ref.to is not None) and not table.dataset.time:
        return f"`from`/`to` need a time column: dataset {ref.dataset!r} declares no `time`"
    return None


def _matching_rows(ref: DataRef, table: Table, fail) -> list[tuple[int, tuple]]:
    columns = table.dataset.columns
    tests = []
    for name, wanted in ref.where.items():
        options = wanted if isinstance(wanted, tuple) else (wanted,)
        kind = columns[name].type
        try:
            keys = {as_period(o, kind).key if kind in ("year", "quarter", "month", "date") else str(o) for o in options}
        except PeriodError as exc:
            raise fail(f"where {name}: {exc}") from None
        tests.append((table.column(name), keys))
    low = high = None
    try:
        if ref.from_ is not None:
            low = parse_period(ref.from_).start
        if ref.to is not None:
            high = parse_period(ref.to).start
    except PeriodError as exc:
        raise fail(str(exc)) from None
    time = table.column(table.dataset.time) if table.dataset.time else None
    rows = []
    for line, row in zip(table.lines, table.rows):
        if not all(row[i] in keys for i, keys in tests):
            continue
        if (low or high) and row[time] is not None:
            start = parse_period(row[time]).start
            if (low and start < low) or (high and start > high):
                continue
        rows.append((line, row))
    return rows


def _series(ref: DataRef, table: Table, rows, col: int, unit: str | None, where: str, fail) -> DataReading:
    time = table.column(ref.by)
    groups: dict[object, list[tuple[int, object]]] = {}
    for line, row in rows:
        if row[time] is not None and row[col] is not None:
            groups.setdefault(row[time], []).append((line, row[col]))
    if not groups:
        raise fail(f"no row with a value in column {ref.column!r}{where}")
    series = {}
    for key in sorted_keys(groups):
        cells = groups[key]
        if len(cells) > 1 and ref.agg is None:
            raise fail(f"{len(cells)} rows for {ref.by} {key} (lines {', '.join(str(l) for l, _ in cells[:5])}); "
                       f"narrow `where`, or give `agg` (e.g. mean or sum) to combine them")
        series[key] = len(cells) if ref.agg == "count" else _aggregate(ref.agg or "first", [v for _, v in cells], fail)
    combined = f"{AGGREGATE_WORDS[ref.agg].lower()} of " if ref.agg else ""
    how = f"{ref.column} by {ref.by} ({combined}{len(rows)} rows of {table.path}{where})"
    return DataReading(series, None if ref.agg == "count" else unit, how, table.path,
                       tuple(line for cells in groups.values() for line, _ in cells))


def _aggregate(agg: str, values: list, fail) -> float | int:
    if agg == "sum":
        try:
            total = math.fsum(values)
        except OverflowError:  # fsum raises where + would give infinity
            total = math.inf
        if not math.isfinite(total):
            raise fail(f"the sum of {len(values)} values is too large to be a usable number")
        return int(total) if all(isinstance(v, int) for v in values) else total
    if agg == "mean":
        return mean(values)
    if agg == "min":
        return min(values)
    if agg == "max":
        return max(values)
    if agg == "first":
        return values[0]
    if agg == "last":
        return values[-1]
    raise fail(f"unknown aggregate {agg!r}")  # pragma: no cover - the schema allows only the ones above


def _where_words(ref: DataRef) -> str:
    parts = [f"{name} is {' or '.join(map(str, v)) if isinstance(v, tuple) else v}" for name, v in ref.where.items()]
    if ref.from_ is not None or ref.to is not None:
        parts.append(f"{ref.by or 'time'} from {ref.from_ if ref.from_ is not None else 'the start'} "
                     f"to {ref.to if ref.to is not None else 'the end'}")
    return f" where {' and '.join(parts)}" if parts else ""


def check_data_refs(content: Content, errors, unreadable: bool = False) -> None:
    """Record each fact whose ``data`` names an unknown dataset or column (unless its datasets could not be read)."""
    for fact in content.facts.values():
        if fact.data is None:
            continue
        table = content.tables.get(fact.data.dataset)
        if table is None:
            if not unreadable:
                errors.add(fact.origin.path, fact.origin.line, f"fact {fact.id!r}: data: unknown dataset {fact.data.dataset!r}")
            continue
        problem = data_ref_problem(fact.data, table)
        if problem:
            errors.add(fact.origin.path, fact.origin.line, f"fact {fact.id!r}: data: {problem}")


def data_files(content: Content, content_dir: Path) -> tuple[DataFile, ...]:
    """Each loaded dataset's file with what its facts read from any version of it: for the revision history."""
    found = []
    for dataset_id, table in sorted(content.tables.items()):
        facts = tuple(f for _, f in sorted(content.facts.items())
                      if f.data is not None and f.data.dataset == dataset_id)
        if facts:
            declared = repr((table.dataset.file, table.dataset.time, table.dataset.key, table.dataset.columns,
                             [(f.id, f.data) for f in facts]))
            found.append(DataFile(content_dir / DATA_FOLDER / table.dataset.file, declared,
                                  functools.partial(_values_read, table.dataset, facts, table.path)))
    return tuple(found)


def _values_read(dataset: Dataset, facts: tuple[Fact, ...], shown: str, raw: bytes) -> dict[str, object] | None:
    """{fact id: value} that ``facts`` read from this version of ``dataset``'s file; None if it cannot be read."""
    table = table_from_bytes(dataset, raw, shown)
    if table is None:
        return None
    values = {}
    for fact in facts:
        try:
            values[fact.id] = read_data_fact(fact, {dataset.id: table}).value
        except BuildError:
            continue  # the fact could not be read from this version (its row was not there yet): no figure to compare
    return values
