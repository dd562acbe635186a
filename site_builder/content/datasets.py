"""Data files: tables under ``content/data/`` declared once in ``content/datasets.yaml``, read into Tables.

Each dataset names its file, its sources, license and retrieval date, and types
the columns it uses (a time column, numbers with unit and scale, categories).
Every cell is checked against its column and every problem is reported at its
``file:line`` with the column's name, all at once. CSV is read with the standard
library's ``csv`` module (see README, "Design"), JSON with ``json``, YAML with the
project's safe loader; a file over ``MAX_DATA_BYTES`` is refused before it is read.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import re
import sys
from pathlib import Path

from ..errors import BuildError, BuildErrors, ErrorCollector
from .loader import Document, load_yaml, parse_yaml
from ..data_model import SCALES, Column, Dataset, Table
from ..periods import PeriodError, as_period
from .schema import MAX_NAME_LENGTH, Identified, list_items, refuse_unknown_top_keys, unique_ids, validate_object

DATASETS_FILE = "datasets.yaml"
DATA_FOLDER = "data"
MAX_DATA_BYTES = 50_000_000
FORMATS = (".csv", ".json", ".yaml", ".yml")
TIME_TYPES = frozenset({"year", "quarter", "month", "date"})
MISSING = frozenset({"", "NA", "N/A", "n/a", "null"})
_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d+)?\Z")
_LARGEST = decimal.Decimal(sys.float_info.max)
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*\Z")


def validate_datasets(doc: Document, errors: ErrorCollector) -> dict[str, Dataset]:
    """The ``datasets:`` list of ``datasets.yaml``, keyed by id, each checked on its own."""
    refuse_unknown_top_keys(doc, {"datasets"}, errors)
    found = []
    for _, loc in list_items(doc, "datasets", errors):
        dataset = validate_object(Dataset, doc, loc, errors)
        if dataset and _dataset_is_whole(dataset, doc, loc, errors):
            found.append(Identified(dataset, doc.line_of(loc + ("id",))))
    return unique_ids(found, errors, "dataset")


def _dataset_is_whole(d: Dataset, doc: Document, loc: tuple, errors: ErrorCollector) -> bool:
    before = len(errors.problems)

    def problem(field: tuple, message: str) -> None:
        errors.add(doc.path, doc.line_of(loc + field), f"dataset {d.id!r}: {message}")

    if not _FILE_NAME.match(d.file) or ".." in d.file.split("/"):
        problem(("file",), f"file {d.file!r} must be a path inside content/data/, such as cars.csv")
    elif not d.file.lower().endswith(FORMATS):
        problem(("file",), f"file {d.file!r} must end in {', '.join(FORMATS)}")
    elif any(len(part) > MAX_NAME_LENGTH for part in d.file.split("/")):  # the OS's limit is 255: an OSError
        problem(("file",), f"file {d.file[:40]!r}... has a name longer than {MAX_NAME_LENGTH} characters")
    if not d.source_ids:
        problem((), "needs `source` (or `sources`): where the data was published")
    if not d.columns:
        problem(("columns",), "declare at least one column")
    for name, column in d.columns.items():
        if column.parse and column.type not in TIME_TYPES:
            problem(("columns", name, "parse"), f"column {name!r}: `parse` is for time columns only")
        if (column.unit or column.currency or column.scale) and column.type != "number":
            problem(("columns", name), f"column {name!r}: unit, currency and scale are for number columns")
        if column.unit and column.currency:
            problem(("columns", name), f"column {name!r}: give `currency` or `unit`, not both")
    if d.time is not None and (d.time not in d.columns or d.columns[d.time].type not in TIME_TYPES):
        problem(("time",), f"time column {d.time!r} must be a declared column of type year, quarter, month or date")
    for name in d.key:
        if name not in d.columns:
            problem(("key",), f"key column {name!r} is not declared under `columns`")
    return len(errors.problems) == before


def load_tables(content_dir: Path, datasets: dict[str, Dataset], errors: ErrorCollector,
                display=str) -> dict[str, Table]:
    """Every dataset's file read and typed; unreadable ones are left out, with their problems in ``errors``."""
    tables = {}
    for dataset in datasets.values():
        path = content_dir / DATA_FOLDER / dataset.file
        shown = display(path)
        try:
            records, unit = _records(path, shown, content_dir)
        except BuildError as exc:
            errors.add_error(exc)
            continue
        except BuildErrors as exc:  # several ragged rows of one file: reported with the other files' problems
            errors.problems.extend(exc.problems)
            continue
        table = _typed_table(dataset, shown, records, unit, errors)
        if table is not None:
            tables[dataset.id] = table
    return tables


def _records(path: Path, shown: str, content_dir: Path) -> tuple[list[tuple[int, dict]], str]:
    """The file's records as (line, {column: raw cell}); raises BuildError."""
    if not path.is_file():
        raise BuildError(shown, 1, "data file is missing")
    if not path.resolve().is_relative_to(content_dir.resolve()):
        raise BuildError(shown, 1, "refusing a data file that links outside the content folder")
    size = path.stat().st_size
    if size > MAX_DATA_BYTES:
        raise BuildError(shown, 1, f"data file is {size:,} bytes; the limit is {MAX_DATA_BYTES:,} "
                                   f"(keep only the rows and columns the briefings use)")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _yaml_records(load_yaml(path, shown), shown), "line"
    return _text_records(path.read_bytes(), suffix, shown), "line"


def table_from_bytes(dataset: Dataset, raw: bytes, shown: str) -> Table | None:
    """One version of ``dataset``'s file (say, from the git history), typed by the dataset's declaration as it
    is now; None when that version cannot be read so (too large, unreadable, a cell that does not fit)."""
    if len(raw) > MAX_DATA_BYTES:
        return None
    try:
        if dataset.file.lower().endswith((".yaml", ".yml")):
            records = _yaml_records(parse_yaml(raw.decode("utf-8"), Path(shown)), shown)
        else:
            records = _text_records(raw, "." + dataset.file.rsplit(".", 1)[-1].lower(), shown)
    except (BuildError, BuildErrors, UnicodeDecodeError):
        return None
    return _typed_table(dataset, shown, records, "line", ErrorCollector())


def _text_records(raw: bytes, suffix: str, shown: str) -> list[tuple[int, dict]]:
    """The records of a CSV or JSON file's bytes; raises BuildError (or BuildErrors)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # spreadsheets write a byte-order mark; it is no part of the first column's name
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BuildError(shown, line, f"data file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                      f"save it as UTF-8") from None
    if suffix == ".json":
        return _json_records(text, shown)
    return _csv_records(text, shown)


def _csv_records(text: str, shown: str) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records, header, problems = [], None, ErrorCollector()
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if not row or row == [""]:
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                continue
            if len(row) != len(header):
                problems.add(shown, line, f"row has {len(row)} cells; the header has {len(header)}")
                continue
            records.append((line, dict(zip(header, row))))
    except csv.Error as exc:
        raise BuildError(shown, reader.line_num, f"CSV cannot be read: {exc}") from None
    problems.raise_if_any()
    if header is None:
        raise BuildError(shown, 1, "data file is empty: the first row must name the columns")
    return records


def _json_records(text: str, shown: str) -> list[tuple[int, dict]]:
    # Records one by one, so that each keeps the line it starts on.
    decoder, records = json.JSONDecoder(parse_float=_json_float), []
    i = _skip_space(text, 0)
    if text[i:i + 1] != "[":
        raise BuildError(shown, text.count("\n", 0, i) + 1, "a JSON data file must be a list of records: [{...}, ...]")
    i = _skip_space(text, i + 1)
    while text[i:i + 1] != "]":
        line = text.count("\n", 0, i) + 1
        try:
            record, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise BuildError(shown, exc.lineno, f"JSON cannot be read: {exc.msg}") from None
        if not isinstance(record, dict):
            raise BuildError(shown, line, "each record must be an object: {\"column\": value, ...}")
        records.append((line, record))
        i = _skip_space(text, end)
        if text[i:i + 1] == ",":
            i = _skip_space(text, i + 1)
        elif text[i:i + 1] != "]":
            raise BuildError(shown, text.count("\n", 0, i) + 1, "JSON cannot be read: expected ',' or ']'")
    return records


def _json_float(text: str) -> float | decimal.Decimal:
    # A float would make 1e-400 zero and 1e999 infinite before any cell is checked; as written, _number refuses them.
    value = float(text)
    return value if math.isfinite(value) and (value != 0 or decimal.Decimal(text) == 0) else decimal.Decimal(text)


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _yaml_records(doc: Document, shown: str) -> list[tuple[int, dict]]:
    if not isinstance(doc.data, (list, tuple)):
        raise BuildError(shown, doc.line_of(()), "a YAML data file must be a list of records: - {column: value, ...}")
    records = []
    for i, record in enumerate(doc.data):
        if not isinstance(record, dict):
            raise BuildError(shown, doc.line_of((i,)), "each record must be a mapping: column: value")
        records.append((doc.line_of((i,)), record))
    return records


def _typed_table(dataset: Dataset, shown: str, records: list[tuple[int, dict]], unit: str,
                 errors: ErrorCollector) -> Table | None:
    names = tuple(dataset.columns)
    present = set().union(*(record.keys() for _, record in records)) if records else set()
    missing = [n for n in names if n not in present]
    if missing:
        errors.add(shown, records[0][0] - 1 if records and shown.endswith(".csv") else 1,
                   f"dataset {dataset.id!r}: missing column{'s' if len(missing) > 1 else ''} "
                   f"{', '.join(map(repr, missing))} (the file has {', '.join(map(repr, sorted(present))) or 'none'})")
        return None
    before = len(errors.problems)
    rows, lines, keys = [], [], {}
    for line, record in records:
        row = tuple(_typed_cell(record.get(name), dataset.columns[name], name, shown, line, errors) for name in names)
        key = tuple(row[names.index(k)] for k in dataset.key)
        if dataset.key and None not in key:  # an empty or unreadable key cell is no duplicate of another
            if key in keys:
                shown_key = ", ".join(f"{k} {v}" for k, v in zip(dataset.key, key))
                errors.add(shown, line, f"duplicate key ({shown_key}): also at line {keys[key]}")
            keys.setdefault(key, line)
        rows.append(row)
        lines.append(line)
    if len(errors.problems) != before:
        return None
    return Table(dataset, shown, names, tuple(rows), tuple(lines), unit)


def _typed_cell(raw: object, column: Column, name: str, shown: str, line: int, errors: ErrorCollector):
    if raw is None or (isinstance(raw, str) and raw.strip() in MISSING):
        return None
    try:
        if column.type == "number":
            return _number(raw, column)
        if column.type in TIME_TYPES:
            if column.parse:
                raw = dt.datetime.strptime(str(raw).strip(), column.parse).date()
            return as_period(raw.strip() if isinstance(raw, str) else raw, column.type).key
        if isinstance(raw, (dict, list, tuple, bool)):
            raise ValueError(f"{raw!r} is not a text")
        return str(raw).strip()
    except (ValueError, PeriodError) as exc:
        errors.add(shown, line, f"column {name!r}: {exc}")
        return None


def _number(raw: object, column: Column) -> int | float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, decimal.Decimal)):
        raise ValueError(f"{raw!r} is not a number")
    if isinstance(raw, str):
        text = raw.strip()
        if not _NUMBER.match(text) or not any(c.isdigit() for c in text):
            raise ValueError(f"{raw!r} is not a number")
        raw = decimal.Decimal(text.replace(",", ""))
    else:
        raw = decimal.Decimal(str(raw)) if isinstance(raw, float) else decimal.Decimal(raw)  # int or as written
    if not raw.is_finite():
        raise ValueError(f"{raw} is not a finite number")
    scaled = raw * SCALES.get(column.scale or "", 1)
    if abs(scaled) > _LARGEST:  # float() would make it infinite, and every sum, chart and page after it
        scale = f" {column.scale}" if column.scale else ""
        raise ValueError(f"{raw.normalize():.4g}{scale} is too large to be a usable number")
    if scaled != 0 and float(scaled) == 0:  # 1e-400: a figure that float() would make 0
        raise ValueError(f"{raw.normalize():.4g} is too small to be a usable number: it would be read as 0")
    return int(scaled) if scaled == scaled.to_integral_value() and abs(scaled) < 2 ** 53 else float(scaled)
