"""Turn loaded documents into typed model objects, reporting every problem with its line.

Schemas are the dataclasses in :mod:`model`; pydantic checks raw data against
them (``schema``). Each file is validated on its own here; references across files
(a fact's source, a chart's facts) are checked once everything is read
(``references``), so that the compute and render stages can trust what they are given.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from .chart_checks import check_chart
from ..errors import ErrorCollector
from ..frozen import FrozenDict
from .loader import Document, Loc, MarkdownFile
from ..chart_model import Chart
from ..model import Briefing, BriefingMeta, Check, Fact, Location, SiteConfig, Source
from ..periods import PeriodError, parse_period, period_key
from .schema import (
    MAX_NAME_LENGTH, UNION_HINTS, Identified, T, accept_id, dotted, list_items, location_of, refuse_unknown_top_keys,
    unique_ids, validate_object, value_at,
)
from ..settings import base_url_problem

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
_WEB_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
_LOOKS_DATED = re.compile(r"^\d{4}-")

# What reuses a validation whose document is unchanged (``recall.Recall``, handed in by the build):
# ``recall(function, document, errors, key=None)``; without one, every document is validated (``call``).
Recaller = Callable[..., Any]


def call(function: Callable[[Any, ErrorCollector], T], argument: Any, errors: ErrorCollector, key: Any = None) -> T:
    """``function(argument, errors)``: what a ``Recaller`` does when nothing is kept."""
    return function(argument, errors)


def validate_site(doc: Document, errors: ErrorCollector) -> SiteConfig | None:
    """``site.yaml`` as a SiteConfig, or None (with errors recorded)."""
    site = validate_object(SiteConfig, doc, (), errors)
    if site is not None and (problem := base_url_problem(site.base_url)):
        errors.add(doc.path, doc.line_of(("base_url",)), problem)
        return None
    return site


def validate_sources(doc: Document, errors: ErrorCollector) -> FrozenDict[str, Source]:
    """The ``sources:`` list of ``sources.yaml``, keyed by id."""
    sources: dict[str, Source] = {}
    for item, loc in list_items(doc, "sources", errors):
        source = validate_object(Source, doc, loc, errors)
        if source and accept_id(source, sources, doc, loc, errors, "source"):
            if not source.url and not source.note:
                errors.add(doc.path, doc.line_of(loc), f"source {source.id!r}: give a url, or a note saying why there is none")
            if source.url and not _WEB_URL.match(source.url):  # a javascript: or file: link would run or leak
                errors.add(doc.path, doc.line_of(loc + ("url",)), f"source {source.id!r}: url must start with https:// or http://")
            sources[source.id] = source
    return FrozenDict(sources)


def validate_facts(docs: Iterable[Document], errors: ErrorCollector,
                   recall: Recaller | None = None) -> tuple[dict[str, Fact], dict[str, Check]]:
    """Every fact and check in ``content/facts/*.yaml``, keyed by id.

    Each file is validated on its own (by ``recall``, when given: a file parsed
    to the same document as in the last build is not validated again), then
    ids are checked across files.
    """
    files = [(recall or call)(validate_fact_file, doc, errors) for doc in docs]
    facts = unique_ids([item for facts, _ in files for item in facts], errors, "fact")
    checks = unique_ids([item for _, checks in files for item in checks], errors, "check")
    return facts, checks


MAX_PRECISION = 17  # the significant digits a double holds


def validate_fact_file(doc: Document, errors: ErrorCollector) -> tuple[list[Identified[Fact]], list[Identified[Check]]]:
    """The facts and checks of one file in ``content/facts/``, in order, each with the line of its id."""
    facts, checks = [], []
    refuse_unknown_top_keys(doc, {"facts", "checks"}, errors)
    for item, loc in list_items(doc, "facts", errors):
        fact = validate_object(Fact, doc, loc, errors, _derive_from_renamed)
        if fact and _fact_is_whole(fact, doc, loc, errors):
            fact = _with_period_keys(fact, doc, loc, errors)
        if fact:
            facts.append(Identified(fact, doc.line_of(loc + ("id",))))
    for item, loc in list_items(doc, "checks", errors, required=False):
        check = validate_object(Check, doc, loc, errors)
        if check and check.tolerance < 0:  # no difference is ever within it: a check that cannot pass
            errors.add(doc.path, doc.line_of(loc + ("tolerance",)),
                       f"check {check.id!r}: `tolerance` is the relative difference allowed, 0 or more (0.02 is 2%)")
            check = None
        if check:
            checks.append(Identified(check, doc.line_of(loc + ("id",))))
    return facts, checks


def validate_charts(docs: Iterable[Document], errors: ErrorCollector, recall: Recaller | None = None) -> dict[str, Chart]:
    """Every chart in ``content/charts/*.yaml``, keyed by id (each file validated as ``validate_facts`` does)."""
    files = [(recall or call)(validate_chart_file, doc, errors) for doc in docs]
    return unique_ids([item for charts in files for item in charts], errors, "chart")


def validate_chart_file(doc: Document, errors: ErrorCollector) -> list[Identified[Chart]]:
    """The charts of one file in ``content/charts/``, in order, each with the line of its id."""
    charts = []
    refuse_unknown_top_keys(doc, {"charts"}, errors)
    for item, loc in list_items(doc, "charts", errors):
        chart = validate_object(Chart, doc, loc, errors)
        if chart:
            series = tuple(dataclasses.replace(s, origin=location_of(doc, loc + ("series", i)))
                           for i, s in enumerate(chart.series))
            chart = dataclasses.replace(chart, series=series)
            check_chart(chart, lambda where, message: errors.add(doc.path, doc.line_of(loc + where), message))
            charts.append(Identified(chart, doc.line_of(loc + ("id",))))
    return charts


def validate_briefing(md: MarkdownFile, errors: ErrorCollector) -> Briefing | None:
    """A Markdown file as a Briefing, or None (with errors recorded)."""
    slug = md.path.stem
    if not SLUG_PATTERN.match(slug):
        errors.add(md.path, 1, f"file name {md.path.name!r} must be a slug: lowercase letters, digits and '-'")
        return None
    if len(slug) > MAX_NAME_LENGTH:
        errors.add(md.path, 1, f"file name {md.path.name!r} is longer than {MAX_NAME_LENGTH} characters")
        return None
    meta = validate_object(BriefingMeta, md.meta, (), errors)
    if meta is None:
        return None
    for i, tag in enumerate(meta.tags):
        if len(tag) > MAX_NAME_LENGTH or not tag.strip() or any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 for c in tag):
            errors.add(md.path, md.meta.line_of(("tags", i)),
                       f"tags[{i}]: {tag[:40]!r} must be 1 to {MAX_NAME_LENGTH} characters with no control characters")
            return None
    return Briefing(slug=slug, meta=meta, body=md.body, body_line=md.body_line,
                    origin=Location(str(md.path), 1), meta_lines=FrozenDict(md.meta.lines))


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
    if fact.precision is not None and not 1 <= fact.precision <= MAX_PRECISION:  # -3 showed 1,234.5 as "0"
        errors.add(doc.path, doc.line_of(loc + ("precision",)),
                   f"fact {fact.id!r}: `precision` is the significant digits to show, 1 to {MAX_PRECISION}")
        return False
    if fact.qualifier is not None and isinstance(fact.value, (str, tuple, dict, dt.date)):
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


def _range_in_order(fact: Fact, holder, name: str, doc: Document, loc: Loc, errors: ErrorCollector) -> bool:
    """False, with an error at ``to``, when a range of periods ends before it starts."""
    start, end = getattr(holder, "from_", None), getattr(holder, "to", None)
    if start is None or end is None or (name == "derive" and holder.of is None):
        return True
    try:
        if parse_period(end).start >= parse_period(start).start:
            return True
    except PeriodError:
        return True  # reported above
    errors.add(doc.path, doc.line_of(loc + (name, "to")),
               f"fact {fact.id!r}: {name}.to: {end} is before `from` ({start}); write the earlier period in `from`")
    return False


def _with_period_keys(fact: Fact, doc: Document, loc: Loc, errors: ErrorCollector) -> Fact | None:
    """``fact`` with its series keys, ``period`` and ``at``/``from``/``to`` checked as periods; None if one is not real."""
    keys = _series_keys(fact.value, doc, loc, errors) if isinstance(fact.value, dict) else {}
    ok = keys is not None
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
        ok = _range_in_order(fact, holder, name, doc, loc, errors) and ok
    if not ok:
        return None
    return dataclasses.replace(fact, value=FrozenDict(keys)) if isinstance(fact.value, dict) else fact


def _series_keys(series: dict, doc: Document, loc: Loc, errors: ErrorCollector) -> dict | None:
    """``series`` with canonical period keys; None, with errors at the keys, when a key is no period,
    names a period given already (2024 and "2024") or is of another kind than the first (a year among quarters)."""
    raw = value_at(doc.data, loc + ("value",))
    field_name = dotted(loc + ("value",))
    keys: dict = {}
    first: tuple | None = None  # the first key's kind of period, and the key
    ok = True
    for key, number in series.items():
        raw_key = key if key in (raw or {}) else next((k for k in (raw or {}) if str(k) == str(key)), key)
        where = doc.line_of(loc + ("value", raw_key))
        try:
            canonical = period_key(key)
        except PeriodError as exc:
            message = f"series key {exc}" if _LOOKS_DATED.match(str(key)) else UNION_HINTS["value"]
            errors.add(doc.path, where, f"{field_name}: {message}")
            ok = False
            continue
        kind = parse_period(canonical).kind
        first = first or (kind, key)
        if canonical in keys:  # the second would silently replace the first
            errors.add(doc.path, where, f"{field_name}: {key!r} is the same period as an earlier key")
            ok = False
        elif kind != first[0]:
            errors.add(doc.path, where, f"{field_name}: the series mixes periods: {first[1]!r} is a {first[0]}, "
                                        f"{key!r} a {kind}; use one kind of period in a series")
            ok = False
        keys[canonical] = number
    return keys if ok else None


