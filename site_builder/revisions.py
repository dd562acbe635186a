"""A changelog of data edits: what each fact was in the last build, and what changed since.

Every build writes ``data/facts.json`` into the output: each fact's value as
shown, and the revisions recorded so far. The next build compares its facts with
that manifest, records a revision for each changed value, and carries the
history forward, so a briefing can tell readers "Updated <date>: X revised from
A to B". The manifest is also a machine-readable copy of every fact.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .facts import FactBook

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


def read_previous_displays(out: Path) -> tuple[dict[str, str], list[Revision]]:
    """The fact values and revisions recorded by the site currently in ``out`` (empty when none or unreadable)."""
    try:
        data = json.loads((out / MANIFEST_PATH).read_text(encoding="utf-8"))
        facts = {fid: str(entry["display"]) for fid, entry in data["facts"].items()}
        history = [Revision(**entry) for entry in data.get("revisions", [])]
    except (OSError, ValueError, KeyError, TypeError):
        return {}, []
    return facts, history


def new_revisions(previous: dict[str, str], book: FactBook, date: dt.date) -> list[Revision]:
    """A revision for every fact whose shown value differs from ``previous`` (facts new since then are not revisions)."""
    found = []
    for fid, fact in sorted(book.facts.items()):
        now = fact.formatted()
        if fid in previous and previous[fid] != now:
            found.append(Revision(fid, fact.fact.label, previous[fid], now, date.isoformat()))
    return found


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


def manifest_bytes(book: FactBook, history: list[Revision]) -> bytes:
    """The manifest to write with this build: every fact, and the full revision history."""
    facts = {
        fid: {"label": f.fact.label, "value": f.value.isoformat() if isinstance(f.value, dt.date) else f.value,
              "display": f.formatted(), "unit": f.unit,
              "kind": f.kind, "period": f.fact.period, "sources": list(f.sources)}
        for fid, f in sorted(book.facts.items())
    }
    # One fact and one revision a line: as easy to diff as indented JSON, and made by json's C encoder
    # (``indent=`` switches to the pure-Python one: half a second at 1,000 briefings).
    rows = ",\n".join(f"  {json.dumps(fid, ensure_ascii=False)}: {_json_line(entry)}" for fid, entry in facts.items())
    revisions = ",\n".join(f"  {_json_line(asdict(r))}" for r in history)
    return (f'{{\n "facts": {{\n{rows}\n }},\n "revisions": [\n{revisions}\n ],\n "version": {MANIFEST_VERSION}\n}}\n'
            .encode())


def _json_line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def revisions_for(fact_ids: tuple[str, ...], history: list[Revision]) -> list[Revision]:
    """The revisions of the given facts, newest first."""
    wanted = set(fact_ids)
    return sorted((r for r in history if r.fact in wanted), key=lambda r: (r.date, r.fact), reverse=True)
