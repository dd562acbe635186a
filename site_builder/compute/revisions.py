"""A changelog of data edits: the revisions readers see, and the manifest of every fact.

The revisions come from the committed history of the facts (``history.py``: git,
else ``content/revisions.yaml``), shown with each fact's current label and
format, so a briefing can tell readers "Updated <date>: X revised from A to B"
and every checkout of the same commit tells them the same. Every build writes
``data/facts.json`` into the output: each fact's value as shown, and those
revisions, a machine-readable copy of every fact. The terminal also reports what
changed since the last build into the same folder (``new_revisions``).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace

from .facts import FactBook
from ..content.history import ValueChange
from .resolved import ResolvedFact

MANIFEST_PATH = "data/facts.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Revision:
    """One fact's value changing between two builds."""

    fact: str
    label: str
    before: str
    after: str
    date: str  # ISO date of the build that saw the change


@dataclass(frozen=True)
class FactRow:
    """A fact as the manifest records it: its value as shown, and its entry, one line of JSON."""

    fact: ResolvedFact
    display: str
    line: str
    value_key: str = ""  # the value and unit alone, so that a change of format is not taken for a revision


def fact_rows(book: FactBook, previous: Mapping[str, FactRow] | None = None,
              changed: set[str] | None = None) -> Mapping[str, FactRow]:
    """Every fact's row, by id in id order; a fact resolved to the same object as in ``previous`` keeps its row.

    ``changed``, when given, holds the ids of every fact not resolved to the same object as when ``previous``
    was made (``values.changed_keys``): only their rows are looked at.
    """
    kept = previous or {}
    if changed is not None and previous is not None and len(previous) == len(book.facts) \
            and all(fid in previous for fid in changed):  # the same ids: their order is the same
        if not changed:
            return previous
        rows = dict(previous)
        for fid in changed:
            rows[fid] = _row(fid, book.facts[fid])
        return rows
    rows = {}
    for fid, fact in sorted(book.facts.items()):
        row = kept.get(fid)
        rows[fid] = row if row is not None and row.fact is fact else _row(fid, fact)
    return rows


def _row(fid: str, fact: ResolvedFact) -> FactRow:
    display = fact.formatted()
    entry = {"label": fact.fact.label, "display": display, "unit": fact.unit, "kind": fact.kind,
             "value": fact.value.isoformat() if isinstance(fact.value, dt.date) else fact.value,
             "period": fact.fact.period, "sources": list(fact.sources)}
    line = _json_line(entry)
    return FactRow(fact, display, f"  {json.dumps(fid, ensure_ascii=False)}: {line}",
                   value_key(json.loads(line)["value"], fact.unit))


def value_key(value: object, unit: str | None) -> str:
    """A fact's value and unit as one text, equal for equal figures (1450000 and 1450000.0 are one figure)."""
    return json.dumps([_integral(value), unit], sort_keys=True)


def _integral(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):  # a list of texts: a tuple in the model, a list in the history
        return [_integral(v) for v in value]
    return value


def manifest_displays(manifest: bytes) -> tuple[dict[str, tuple[str, str]], list[Revision]]:
    """Each fact's shown value and ``value_key`` as a manifest records them, and its revisions (empty when it
    cannot be read)."""
    try:
        data = json.loads(manifest)
        facts = {fid: (str(entry["display"]), value_key(entry.get("value"), entry.get("unit")))
                 for fid, entry in data["facts"].items()}
        history = [Revision(**entry) for entry in data.get("revisions", [])]
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}, []
    return facts, history


def new_revisions(previous: dict[str, tuple[str, str]], rows: dict[str, FactRow], date: dt.date) -> list[Revision]:
    """A revision for every fact whose value, and so its shown value, differs from ``previous``.

    ``previous`` holds (shown value, ``value_key``) by fact id. Facts new since then are not revisions, and
    neither is a change of format, precision or label alone: the figure itself must have changed.
    """
    return [Revision(fid, row.fact.fact.label, previous[fid][0], row.display, date.isoformat())
            for fid, row in rows.items()
            if fid in previous and previous[fid][0] != row.display and previous[fid][1] != row.value_key]


def revisions_from(changes: tuple[ValueChange, ...], book: FactBook) -> list[Revision]:
    """The revisions readers see for these value changes, oldest first, one per fact per day.

    A change is shown with the fact's current label and format; changes to facts
    that no longer exist, or that are now derived, and changes too small to show
    (1,400,000 to 1,400,001 both read "1.4 million") are left out. A series is
    revised where a period's value changed ("2017: 21.93 million to 2017: 22.41
    million"); a period added or dropped (a new month of data) is no revision.
    """
    history: list[Revision] = []
    for change in changes:
        fact = book.facts.get(change.fact)
        if fact is None or fact.fact.derive is not None:
            continue
        old, new = _changed_periods(change.before[0], change.after[0])
        before, after = _shown(fact, (old, change.before[1])), _shown(fact, (new, change.after[1]))
        if before != after:
            history = updated_history(history, [Revision(change.fact, fact.fact.label, before, after,
                                                         change.date.isoformat())])
    return history


def _changed_periods(before: object, after: object) -> tuple[object, object]:
    """Two values of a fact; of two series, only the periods both have and that differ (maybe none)."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return before, after
    changed = [k for k in after if k in before and before[k] != after[k]]
    return {k: before[k] for k in changed}, {k: after[k] for k in changed}


def _shown(fact: ResolvedFact, key: tuple) -> str:
    value, unit = key  # no unit written: the fact's own (a changelog entry need not repeat it)
    try:
        return replace(fact, value=value, unit=unit if unit is not None else fact.unit).formatted()
    except (TypeError, ValueError, KeyError, AttributeError):
        return str(value)  # an old value of a type the fact no longer has


def updated_history(history: list[Revision], revised: list[Revision]) -> list[Revision]:
    """``history`` with this build's revisions added, keeping one revision per fact per day.

    Editing a number several times in a day (as one does while ``briefing serve``
    rebuilds on every save) is one revision, from the value the day started with
    to the latest; an edit that restores that value leaves no revision at all.
    """
    merged = list(history)
    for rev in revised:
        same_day = next((i for i in range(len(merged) - 1, -1, -1)
                         if merged[i].fact == rev.fact and merged[i].date == rev.date), None)
        if same_day is None:
            merged.append(rev)
            continue
        first = merged.pop(same_day)
        if first.before != rev.after:
            merged.append(Revision(rev.fact, rev.label, first.before, rev.after, rev.date))
    return merged


def manifest_bytes(rows: dict[str, FactRow], history: list[Revision]) -> bytes:
    """The manifest to write with this build: every fact (``fact_rows``), and the full revision history."""
    # One fact and one revision a line: as easy to diff as indented JSON, and made by json's C encoder
    # (``indent=`` switches to the pure-Python one: half a second at 1,000 briefings).
    facts = ",\n".join(row.line for row in rows.values())
    revisions = ",\n".join(f"  {_json_line(asdict(r))}" for r in history)
    return (f'{{\n "facts": {{\n{facts}\n }},\n "revisions": [\n{revisions}\n ],\n "version": {MANIFEST_VERSION}\n}}\n'
            .encode())


def _json_line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def revisions_for(fact_ids: tuple[str, ...], history: list[Revision]) -> list[Revision]:
    """The revisions of the given facts, newest first."""
    wanted = set(fact_ids)
    return sorted((r for r in history if r.fact in wanted), key=lambda r: (r.date, r.fact), reverse=True)
