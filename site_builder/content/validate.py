"""Turn loaded documents into typed model objects, reporting every problem with its line.

Schemas are the dataclasses in :mod:`model`; pydantic checks raw data against
them. Cross-references (a fact's source, a chart's facts) are checked here too,
so that the compute and render stages can trust what they are given.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from .chart_checks import check_chart
from ..errors import ErrorCollector
from .loader import Document, Loc, MarkdownFile
from ..model import (
    Briefing, BriefingMeta, Chart, Check, Content, Fact, Location, SiteConfig, Source,
)
from ..settings import base_url_problem
from ..periods import PeriodError, parse_period, period_key

T = TypeVar("T")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*\Z")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
# Ids, slugs and tags become file and folder names: long ones would fail at write time ("File name too long").
MAX_NAME_LENGTH = 80
_WEB_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
_LOOKS_DATED = re.compile(r"^\d{4}-")
_UNION_TAG = re.compile(r"^(int|float|str|bool|date|datetime|none|(list|dict|literal|union)\[.*|[A-Z]\w*)\Z")

_UNION_HINTS = {
    "value": "must be a number, a text, a date, a list of texts, or a series {period: number}",
    "period": "must be a year or a text such as \"2024-Q1\", \"2024-03\" or \"2023-01/2023-11\"",
    "at": "must be a period: 2024, \"2024-Q1\", \"2024-03\" or 2024-03-05",
    "factor": "must be a number or a fact id",
    "of": "must be a fact id or a list of fact ids",
    "x": "must be a year or a text",
    "tolerance": "must be a number: the relative difference allowed, e.g. 0.02",
}
# What reuses a validation whose document is unchanged (``recall.Recall``, handed in by the build):
# ``recall(function, document, errors, key=None)``; without one, every document is validated (``call``).
Recaller = Callable[..., Any]


def call(function: Callable[[Any, ErrorCollector], T], argument: Any, errors: ErrorCollector, key: Any = None) -> T:
    """``function(argument, errors)``: what a ``Recaller`` does when nothing is kept."""
    return function(argument, errors)


def validate_site(doc: Document, errors: ErrorCollector) -> SiteConfig | None:
    """``site.yaml`` as a SiteConfig, or None (with errors recorded)."""
    site = _validate_object(SiteConfig, doc, (), errors)
    if site is not None and (problem := base_url_problem(site.base_url)):
        errors.add(doc.path, doc.line_of(("base_url",)), problem)
        return None
    return site


def validate_sources(doc: Document, errors: ErrorCollector) -> dict[str, Source]:
    """The ``sources:`` list of ``sources.yaml``, keyed by id."""
    sources: dict[str, Source] = {}
    for item, loc in _list_items(doc, "sources", errors):
        source = _validate_object(Source, doc, loc, errors)
        if source and _accept_id(source, sources, doc, loc, errors, "source"):
            if not source.url and not source.note:
                errors.add(doc.path, doc.line_of(loc), f"source {source.id!r}: give a url, or a note saying why there is none")
            if source.url and not _WEB_URL.match(source.url):  # a javascript: or file: link would run or leak
                errors.add(doc.path, doc.line_of(loc + ("url",)), f"source {source.id!r}: url must start with https:// or http://")
            sources[source.id] = source
    return sources


def validate_facts(docs: Iterable[Document], errors: ErrorCollector,
                   recall: Recaller | None = None) -> tuple[dict[str, Fact], dict[str, Check]]:
    """Every fact and check in ``content/facts/*.yaml``, keyed by id.

    Each file is validated on its own (by ``recall``, when given: a file parsed
    to the same document as in the last build is not validated again), then
    ids are checked across files.
    """
    files = [(recall or call)(validate_fact_file, doc, errors) for doc in docs]
    facts = _unique_ids([item for facts, _ in files for item in facts], errors, "fact")
    checks = _unique_ids([item for _, checks in files for item in checks], errors, "check")
    return facts, checks


def validate_fact_file(doc: Document, errors: ErrorCollector) -> tuple[list[Identified[Fact]], list[Identified[Check]]]:
    """The facts and checks of one file in ``content/facts/``, in order, each with the line of its id."""
    facts, checks = [], []
    _refuse_unknown_top_keys(doc, {"facts", "checks"}, errors)
    for item, loc in _list_items(doc, "facts", errors):
        fact = _validate_object(Fact, doc, loc, errors, _derive_from_renamed)
        if fact and _fact_is_whole(fact, doc, loc, errors):
            fact = _with_period_keys(fact, doc, loc, errors)
        if fact:
            facts.append(Identified(fact, doc.line_of(loc + ("id",))))
    for item, loc in _list_items(doc, "checks", errors, required=False):
        check = _validate_object(Check, doc, loc, errors)
        if check:
            checks.append(Identified(check, doc.line_of(loc + ("id",))))
    return facts, checks


def validate_charts(docs: Iterable[Document], errors: ErrorCollector, recall: Recaller | None = None) -> dict[str, Chart]:
    """Every chart in ``content/charts/*.yaml``, keyed by id (each file validated as ``validate_facts`` does)."""
    files = [(recall or call)(validate_chart_file, doc, errors) for doc in docs]
    return _unique_ids([item for charts in files for item in charts], errors, "chart")


def validate_chart_file(doc: Document, errors: ErrorCollector) -> list[Identified[Chart]]:
    """The charts of one file in ``content/charts/``, in order, each with the line of its id."""
    charts = []
    _refuse_unknown_top_keys(doc, {"charts"}, errors)
    for item, loc in _list_items(doc, "charts", errors):
        chart = _validate_object(Chart, doc, loc, errors)
        if chart:
            series = [dataclasses.replace(s, origin=_location(doc, loc + ("series", i)))
                      for i, s in enumerate(chart.series)]
            chart = dataclasses.replace(chart, series=series)
            check_chart(chart, lambda where, message: errors.add(doc.path, doc.line_of(loc + where), message))
            charts.append(Identified(chart, doc.line_of(loc + ("id",))))
    return charts


@dataclass(frozen=True)
class Identified(Generic[T]):
    """A validated item with the line of its ``id:``, where a duplicate id is reported."""

    item: T
    id_line: int


def _unique_ids(items: list[Identified[T]], errors: ErrorCollector, what: str) -> dict[str, T]:
    unique: dict[str, T] = {}
    for found in items:
        item = found.item
        if item.id in unique:
            errors.add(item.origin.path, found.id_line,
                       f"duplicate {what} id {item.id!r} (first defined at {unique[item.id].origin})")
        else:
            unique[item.id] = item
    return unique


def validate_briefing(md: MarkdownFile, errors: ErrorCollector) -> Briefing | None:
    """A Markdown file as a Briefing, or None (with errors recorded)."""
    slug = md.path.stem
    if not SLUG_PATTERN.match(slug):
        errors.add(md.path, 1, f"file name {md.path.name!r} must be a slug: lowercase letters, digits and '-'")
        return None
    if len(slug) > MAX_NAME_LENGTH:
        errors.add(md.path, 1, f"file name {md.path.name!r} is longer than {MAX_NAME_LENGTH} characters")
        return None
    meta = _validate_object(BriefingMeta, md.meta, (), errors)
    if meta is None:
        return None
    for i, tag in enumerate(meta.tags):
        if len(tag) > MAX_NAME_LENGTH or not tag.strip() or any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 for c in tag):
            errors.add(md.path, md.meta.line_of(("tags", i)),
                       f"tags[{i}]: {tag[:40]!r} must be 1 to {MAX_NAME_LENGTH} characters with no control characters")
            return None
    return Briefing(slug=slug, meta=meta, body=md.body, body_line=md.body_line,
                    origin=Location(str(md.path), 1), meta_lines=dict(md.meta.lines))


def cross_check(content: Content, errors: ErrorCollector, unreadable: Iterable[str] = (),
                declared: dict[str, set[str]] | None = None) -> None:
    """Record every reference to a source, fact or chart that does not exist.

    A reference is not reported when it could only fail because of another reported error:
    when a file of its kind ("sources", "facts", "charts") is in ``unreadable``, or when its id
    is in ``declared[kind]`` (written in a file, but invalid there; see ``declared_ids``).
    """
    excused = declared or {}
    tables = {"sources": content.sources, "facts": content.facts, "charts": content.charts}

    def unknown(kind: str, ref: str) -> bool:
        return ref not in tables[kind] and kind not in unreadable and ref not in excused.get(kind, ())

    for fact in content.facts.values():
        where = fact.origin
        for ref in ([fact.source] if fact.source and fact.source != "none" else []) + list(fact.sources):
            if unknown("sources", ref):
                errors.add(where.path, where.line, f"fact {fact.id!r}: unknown source id {ref!r}")
        if fact.source == "none" and not fact.source_note:
            errors.add(where.path, where.line, f"fact {fact.id!r}: `source: none` needs a `source_note` saying why")
        for ref in fact.derive.inputs() if fact.derive else ():
            if unknown("facts", ref):
                errors.add(where.path, where.line, f"fact {fact.id!r}: derive refers to unknown fact {ref!r}")
    for dataset in (table.dataset for table in content.tables.values()):
        for ref in dataset.source_ids:
            if unknown("sources", ref):
                errors.add(dataset.origin.path, dataset.origin.line, f"dataset {dataset.id!r}: unknown source id {ref!r}")
    for check in content.checks.values():
        adjust = check.adjustment
        for ref in check.fact_ids() + ((adjust.to,) if adjust and adjust.to else ()):
            if unknown("facts", ref):
                errors.add(check.origin.path, check.origin.line, f"check {check.id!r}: unknown fact {ref!r}")
    for chart in content.charts.values():
        for series in chart.series:
            for ref in series.fact_ids():
                if unknown("facts", ref):
                    errors.add(series.origin.path, series.origin.line,
                               f"chart {chart.id!r}: series {series.label!r} names missing fact {ref!r}")
        for ref in chart.fact_ids()[len([f for s in chart.series for f in s.fact_ids()]):]:
            if unknown("facts", ref):
                errors.add(chart.origin.path, chart.origin.line, f"chart {chart.id!r} names missing fact {ref!r}")
    for briefing in content.briefings:
        path, lines = briefing.origin.path, briefing.meta_lines
        if briefing.meta.hero_chart and unknown("charts", briefing.meta.hero_chart):
            errors.add(path, lines.get(("hero_chart",), 1), f"hero_chart: unknown chart {briefing.meta.hero_chart!r}")
        for i, ref in enumerate(briefing.meta.key_numbers):
            if unknown("facts", ref):
                errors.add(path, lines.get(("key_numbers", i), 1), f"key_numbers: unknown fact {ref!r}")


def declared_ids(docs: Iterable[Document], key: str) -> set[str]:
    """Every text ``id`` written in the ``key:`` lists of ``docs``, whether or not the item is valid."""
    return {item["id"] for doc in docs if isinstance(doc.data, dict) and isinstance(doc.data.get(key), list)
            for item in doc.data[key] if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _fact_is_whole(fact: Fact, doc: Document, loc: Loc, errors: ErrorCollector) -> bool:
    line = doc.line_of(loc)
    if [fact.value, fact.derive, fact.data].count(None) != 2:
        errors.add(doc.path, line, f"fact {fact.id!r}: give exactly one of `value`, `derive` or `data`")
        return False
    if fact.source is None and not fact.sources and fact.derive is None and fact.data is None:
        errors.add(doc.path, line, f"fact {fact.id!r}: missing `source` (a source id, or `none` with a `source_note`)")
        return False
    if fact.range is not None and not _range_holds(fact):
        errors.add(doc.path, doc.line_of(loc + ("range",)),
                   f"fact {fact.id!r}: `range` must be [low, high] with low < high, and `value` inside it")
        return False
    if fact.qualifier is not None and isinstance(fact.value, (str, list, dict, dt.date)):
        errors.add(doc.path, doc.line_of(loc + ("qualifier",)),
                   f"fact {fact.id!r}: `qualifier` qualifies a number; this value is not one")
        return False
    return True


def _range_holds(fact: Fact) -> bool:
    low, high = fact.range
    value = fact.value
    inside = value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high)
    return low < high and inside


def _derive_from_renamed(raw: object) -> object:
    # `from` is a Python keyword, so the model's field is `from_`. The document itself is left as it is:
    # briefing serve keeps parsed documents between builds.
    for part in ("derive", "data"):
        inner = raw.get(part) if isinstance(raw, dict) else None
        if isinstance(inner, dict) and "from" in inner:
            raw = raw | {part: {("from_" if key == "from" else key): value for key, value in inner.items()}}
    return raw


def _with_period_keys(fact: Fact, doc: Document, loc: Loc, errors: ErrorCollector) -> Fact | None:
    """``fact`` with its series keys, ``period`` and ``at``/``from``/``to`` checked as periods; None if one is not real."""
    ok = True
    keys = {}
    if isinstance(fact.value, dict):
        raw = _get(doc.data, loc + ("value",))
        for key, number in fact.value.items():
            try:
                keys[period_key(key)] = number
            except PeriodError as exc:
                raw_key = next((k for k in (raw or {}) if str(k) == str(key)), key)
                message = f"series key {exc}" if _LOOKS_DATED.match(str(key)) else _UNION_HINTS["value"]
                errors.add(doc.path, doc.line_of(loc + ("value", raw_key)), f"{_dotted(loc + ('value',))}: {message}")
                ok = False
    if isinstance(fact.period, str):
        for part in fact.period.split("/"):
            if _LOOKS_DATED.match(part.strip()):
                try:
                    parse_period(part.strip())
                except PeriodError as exc:
                    errors.add(doc.path, doc.line_of(loc + ("period",)), f"fact {fact.id!r}: period: {exc}")
                    ok = False
    for holder, name in ((fact.derive, "derive"), (fact.data, "data")):
        for field_name in ("at", "from_", "to"):
            value = getattr(holder, field_name, None)
            if value is None or (name == "derive" and field_name != "at" and holder.of is None):
                continue  # `from`/`to` of rate and percent_change between two facts are fact ids
            try:
                parse_period(value)
            except PeriodError as exc:
                shown = "from" if field_name == "from_" else field_name
                errors.add(doc.path, doc.line_of(loc + (name, shown)), f"fact {fact.id!r}: {name}.{shown}: {exc}")
                ok = False
    if not ok:
        return None
    return dataclasses.replace(fact, value=keys) if isinstance(fact.value, dict) else fact


def _validate_object(cls: type[T], doc: Document, loc: Loc, errors: ErrorCollector,
                     prepare: Callable[[object], object] = lambda raw: raw) -> T | None:
    raw = prepare(_get(doc.data, loc))
    if not isinstance(raw, dict):
        errors.add(doc.path, doc.line_of(loc), f"{_dotted(loc) or 'document'}: expected a mapping of fields")
        return None
    if "origin" in raw:
        errors.add(doc.path, doc.line_of(loc + ("origin",)), f"{_dotted(loc + ('origin',))}: unknown field")
        return None
    try:
        obj = _adapter(cls).validate_python(raw)
    except ValidationError as exc:
        _record_validation_errors(exc, raw, doc, loc, errors)
        return None
    if hasattr(obj, "id") and not ID_PATTERN.match(obj.id):
        errors.add(doc.path, doc.line_of(loc + ("id",)),
                   f"{_dotted(loc + ('id',))}: {obj.id!r} is not a valid id (lowercase letters, digits, '.', '_', '-')")
        return None
    if hasattr(obj, "id") and len(obj.id) > MAX_NAME_LENGTH:
        errors.add(doc.path, doc.line_of(loc + ("id",)),
                   f"{_dotted(loc + ('id',))}: {obj.id[:40]!r}... is longer than {MAX_NAME_LENGTH} characters")
        return None
    if any(f.name == "origin" for f in dataclasses.fields(obj)):
        obj = dataclasses.replace(obj, origin=_location(doc, loc))
    return obj


@functools.cache
def _adapter(cls: type) -> TypeAdapter:
    # Building a TypeAdapter compiles the schema (milliseconds each); one per model class is enough.
    return TypeAdapter(cls)


def _record_validation_errors(exc: ValidationError, raw: dict, doc: Document, loc: Loc, errors: ErrorCollector) -> None:
    seen: set[Loc] = set()
    for err in exc.errors():
        field_loc, union = _real_loc(raw, err["loc"])
        if any(field_loc[:i] in seen for i in range(1, len(field_loc) + 1)):
            continue  # one message per field: a union's hint already covers its members' errors
        seen.add(field_loc)
        full = loc + field_loc
        value = _get(raw, field_loc)
        if err["type"] == "unexpected_keyword_argument":
            message = "unknown field"
        elif err["type"] == "missing":
            message = "missing required field"
        elif isinstance(value, (dt.date, dt.datetime)) and "str" in err["type"] + err["msg"].lower():
            message = f"YAML reads {value} as a date; quote it if you meant text"
        elif union and field_loc and field_loc[-1] in _UNION_HINTS:
            message = _UNION_HINTS[field_loc[-1]]
        else:
            message = err["msg"][0].lower() + err["msg"][1:]
            if value is not None and err["type"] != "missing" and not isinstance(value, (dict, list)):
                message += f" (got {value!r})"
        errors.add(doc.path, doc.line_of(full), f"{_dotted(full)}: {message}")


def _real_loc(raw: Any, loc: tuple) -> tuple[Loc, bool]:
    """Drop pydantic's union-member tags from ``loc``, keeping only real keys and indexes."""
    real: list[str | int] = []
    node, union = raw, False
    for part in loc:
        part = "from" if part == "from_" else part
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            real.append(part)
        elif isinstance(part, str) and _UNION_TAG.match(part):
            union = True
        else:  # a missing or unknown field: it has no line of its own
            real.append(part)
            break
    return tuple(real), union


def _list_items(doc: Document, key: str, errors: ErrorCollector, required: bool = True):
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
    if not isinstance(items, list):
        errors.add(doc.path, doc.line_of((key,)), f"{key}: expected a list")
        return
    for i, item in enumerate(items):
        yield item, (key, i)


def _refuse_unknown_top_keys(doc: Document, allowed: set[str], errors: ErrorCollector) -> None:
    if isinstance(doc.data, dict):
        for key in doc.data:
            if key not in allowed:
                errors.add(doc.path, doc.line_of((key,)), f"{key}: unknown section (expected {', '.join(sorted(allowed))})")


def _accept_id(obj: Any, seen: dict, doc: Document, loc: Loc, errors: ErrorCollector, what: str) -> bool:
    if obj.id in seen:
        first = seen[obj.id].origin
        errors.add(doc.path, doc.line_of(loc + ("id",)), f"duplicate {what} id {obj.id!r} (first defined at {first})")
        return False
    return True


def _location(doc: Document, loc: Loc) -> Location:
    return Location(str(doc.path), doc.line_of(loc))


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
