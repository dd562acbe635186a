"""A raw mapping checked against a model class, every problem reported at its file and line.

What every table's validation shares (``validate`` for site, sources, facts and charts;
``datasets`` and ``glossary`` for theirs): pydantic checks the raw data against the
dataclasses of :mod:`model`, and its errors are turned into ``path:line: message`` with
plain-words hints; lists and sections are walked with their locations; ids are checked
and kept unique.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from ..errors import ErrorCollector
from ..frozen import FrozenDict
from .loader import Document, Loc
from ..model import Location

T = TypeVar("T")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*\Z")
# Ids, slugs and tags become file and folder names: long ones would fail at write time ("File name too long").
MAX_NAME_LENGTH = 80
_UNION_TAG = re.compile(r"^(int|float|str|bool|date|datetime|none|(list|dict|literal|union)\[.*|[A-Z]\w*)\Z")
UNION_HINTS = {
    "value": "must be a number, a text, a date, a list of texts, or a series {period: number}",
    "period": "must be a year or a text such as \"2024-Q1\", \"2024-03\" or \"2023-01/2023-11\"",
    "at": "must be a period: 2024, \"2024-Q1\", \"2024-03\" or 2024-03-05",
    "factor": "must be a number or a fact id",
    "of": "must be a fact id or a list of fact ids",
    "x": "must be a year or a text",
    "tolerance": "must be a number: the relative difference allowed, e.g. 0.02",
}


@dataclass(frozen=True)
class Identified(Generic[T]):
    """A validated item with the line of its ``id:``, where a duplicate id is reported."""

    item: T
    id_line: int


def unique_ids(items: list[Identified[T]], errors: ErrorCollector, what: str) -> FrozenDict[str, T]:
    """``items`` keyed by id, the first of each id kept; a later one is an error at its ``id:`` line."""
    unique: dict[str, T] = {}
    for found in items:
        item = found.item
        if item.id in unique:
            errors.add(item.origin.path, found.id_line,
                       f"duplicate {what} id {item.id!r} (first defined at {unique[item.id].origin})")
        else:
            unique[item.id] = item
    return FrozenDict(unique)


def validate_object(cls: type[T], doc: Document, loc: Loc, errors: ErrorCollector,
                    prepare: Callable[[object], object] = lambda raw: raw) -> T | None:
    """The mapping at ``loc`` in ``doc`` (after ``prepare``) as a ``cls``, its ``origin`` set; None with errors recorded."""
    raw = prepare(value_at(doc.data, loc))
    if not isinstance(raw, dict):
        errors.add(doc.path, doc.line_of(loc), f"{dotted(loc) or 'document'}: expected a mapping of fields")
        return None
    if "origin" in raw:
        errors.add(doc.path, doc.line_of(loc + ("origin",)), f"{dotted(loc + ('origin',))}: unknown field")
        return None
    try:
        obj = _adapter(cls).validate_python(raw)
    except ValidationError as exc:
        _record_validation_errors(exc, raw, doc, loc, errors)
        return None
    if hasattr(obj, "id") and not ID_PATTERN.match(obj.id):
        errors.add(doc.path, doc.line_of(loc + ("id",)),
                   f"{dotted(loc + ('id',))}: {obj.id!r} is not a valid id (lowercase letters, digits, '.', '_', '-')")
        return None
    if hasattr(obj, "id") and len(obj.id) > MAX_NAME_LENGTH:
        errors.add(doc.path, doc.line_of(loc + ("id",)),
                   f"{dotted(loc + ('id',))}: {obj.id[:40]!r}... is longer than {MAX_NAME_LENGTH} characters")
        return None
    if any(f.name == "origin" for f in dataclasses.fields(obj)):
        obj = dataclasses.replace(obj, origin=location_of(doc, loc))
    return obj


@functools.cache
def _adapter(cls: type) -> TypeAdapter:
    # Building a TypeAdapter compiles the schema (milliseconds each); one per model class is enough.
    return TypeAdapter(cls)


def _record_validation_errors(exc: ValidationError, raw: dict, doc: Document, loc: Loc, errors: ErrorCollector) -> None:
    seen: set[Loc] = set()
    for err in exc.errors():
        field_loc, union = _real_loc(raw, err["loc"], err["type"] == "missing")
        if any(field_loc[:i] in seen for i in range(1, len(field_loc) + 1)):
            continue  # one message per field: a union's hint already covers its members' errors
        seen.add(field_loc)
        full = loc + field_loc
        value = value_at(raw, field_loc)
        if err["type"] == "unexpected_keyword_argument":
            message = "unknown field"
        elif err["type"] == "missing":
            message = "missing required field"
        elif isinstance(value, (dt.date, dt.datetime)) and "str" in err["type"] + err["msg"].lower():
            message = f"YAML reads {value} as a date; quote it if you meant text"
        elif err["type"] == "tuple_type":  # the model keeps lists as tuples; YAML writes them as lists
            message = "input should be a valid list"
        elif union and field_loc and field_loc[-1] in UNION_HINTS:
            message = UNION_HINTS[field_loc[-1]]
        else:
            message = err["msg"][0].lower() + err["msg"][1:]
            if value is not None and err["type"] != "missing" and not isinstance(value, (dict, list, tuple)):
                message += f" (got {value!r})"
        errors.add(doc.path, doc.line_of(full), f"{dotted(full)}: {message}")


def _real_loc(raw: Any, loc: tuple, missing: bool = False) -> tuple[Loc, bool]:
    """Drop pydantic's union-member tags from ``loc``, keeping only real keys and indexes.

    For a ``missing`` field, the last part is the field's name even when it reads like a tag (``date``).
    """
    real: list[str | int] = []
    node, union = raw, False
    for i, part in enumerate(loc):
        part = "from" if part == "from_" else part
        if isinstance(node, dict) and part in node or isinstance(node, (list, tuple)) and isinstance(part, int) and part < len(node):
            node = node[part]
            real.append(part)
        elif isinstance(part, str) and _UNION_TAG.match(part) and not (missing and i == len(loc) - 1):
            union = True
        else:  # a missing or unknown field: it has no line of its own
            real.append(part)
            break
    return tuple(real), union


def list_items(doc: Document, key: str, errors: ErrorCollector, required: bool = True):
    """Each item of the top-level ``key:`` list with its location; a missing (when ``required``) or malformed list is an error."""
    data = doc.data
    if not isinstance(data, dict):
        if required:  # an optional list would only repeat the same complaint
            errors.add(doc.path, doc.line_of(()), f"expected a mapping with a `{key}:` list")
        return
    if key not in data:
        if required:
            errors.add(doc.path, doc.line_of(()), f"missing `{key}:` list")
        return
    items = data[key]
    if not isinstance(items, (list, tuple)):
        errors.add(doc.path, doc.line_of((key,)), f"{key}: expected a list")
        return
    for i, item in enumerate(items):
        yield item, (key, i)


def refuse_unknown_top_keys(doc: Document, allowed: set[str], errors: ErrorCollector) -> None:
    """Record an error for every top-level section of ``doc`` not in ``allowed``."""
    if isinstance(doc.data, dict):
        for key in doc.data:
            if key not in allowed:
                errors.add(doc.path, doc.line_of((key,)), f"{key}: unknown section (expected {', '.join(sorted(allowed))})")


def accept_id(obj: Any, seen: dict, doc: Document, loc: Loc, errors: ErrorCollector, what: str) -> bool:
    """True when ``obj.id`` is not in ``seen``; otherwise a duplicate-id error at its line."""
    if obj.id in seen:
        first = seen[obj.id].origin
        errors.add(doc.path, doc.line_of(loc + ("id",)), f"duplicate {what} id {obj.id!r} (first defined at {first})")
        return False
    return True


def location_of(doc: Document, loc: Loc) -> Location:
    """The file and line of ``loc`` in ``doc``."""
    return Location(str(doc.path), doc.line_of(loc))


def value_at(data: Any, loc: Loc) -> Any:
    """The value at ``loc`` (keys and indexes) in ``data``, or None where there is none."""
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def dotted(loc: Loc) -> str:
    """``loc`` as readers write it: ``facts[2].derive.of``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
