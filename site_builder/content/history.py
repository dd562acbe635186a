"""The history of the facts' values, read from what is committed: git, else ``content/revisions.yaml``.

A revision is a stated fact's value (or unit) changing between two commits of
``content/facts/``, dated by the commit that changed it. Reading it from git
rather than from the last build's output means that a clean checkout (GitHub
Actions, a new laptop, a deleted ``_site/``) shows readers the same notes as the
machine that made the edits: the same commit gives the same notes anywhere.

Speed on long histories: one ``git log`` lists, for every commit along the
first-parent line that touched ``content/facts/``, the blob of each facts file it
changed; each blob is read and parsed once, ever, and what it declares is kept in
``.briefing-cache/history.json`` by blob id. A change of label, format or note
alone is not a revision: only ``value`` and ``unit`` are compared.

Where there is no git (a tarball, a folder not under version control), the
committed changelog ``content/revisions.yaml`` is the history instead.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BuildError, ErrorCollector
from .loader import Document, load_yaml, parse_yaml

CHANGELOG = "revisions.yaml"  # under content/
FACTS_FOLDER = "facts"
GIT_TIMEOUT_S = 60
KIND = "history"  # the store's entries: what one facts-file blob declares
ValueKey = tuple[Any, Any]  # (value, unit) as written in the facts file
DATE_TAG = "$date"  # how a date value is kept in the JSON cache


@dataclass(frozen=True)
class ValueChange:
    """A stated fact's value changing: from ``before`` to ``after`` (each ``(value, unit)``) on ``date``."""

    fact: str
    before: ValueKey
    after: ValueKey
    date: dt.date


@dataclass(frozen=True)
class FactHistory:
    """The value changes of a project's facts, oldest first, and where they were read from."""

    changes: tuple[ValueChange, ...]
    origin: str  # "git", "content/revisions.yaml" or "none"


def read_history(root: Path, content: Path, store: Any) -> FactHistory:
    """The value changes recorded for the project at ``root``: its git history, else its changelog file.

    ``store`` (the build's ``cache.Store``, handed in) keeps what each facts-file blob declares.
    """
    log = _git_log(root, content / FACTS_FOLDER)
    if log is not None:
        return FactHistory(tuple(_changes_in(log, root, store)), "git")
    changelog = content / CHANGELOG
    if changelog.is_file():
        return FactHistory(read_changelog(changelog, changelog.relative_to(root).as_posix()),
                           changelog.relative_to(root).as_posix())
    return FactHistory((), "none")


def history_key(root: Path, content: Path) -> str:
    """What decides ``read_history``'s answer besides the working files: the last commit of the facts folder."""
    done = _git(root, "log", "-1", "--first-parent", "--format=%H", "--", str(content / FACTS_FOLDER))
    return done.strip() if done is not None else "no git"


def read_changelog(path: Path, display: str) -> tuple[ValueChange, ...]:
    """The value changes listed in a changelog file; a BuildError for each entry that is not one."""
    doc = load_yaml(path, display)
    errors = ErrorCollector()
    entries = doc.data.get("revisions") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        raise BuildError(display, doc.line_of(()), "expected `revisions:` followed by a list of entries")
    changes = []
    for i, entry in enumerate(entries):
        where = doc.line_of(("revisions", i))
        if not isinstance(entry, dict) or set(entry) - {"fact", "date", "from", "to", "unit"} \
                or not {"fact", "date", "from", "to"} <= set(entry):
            errors.add(display, where, f"revisions[{i}]: needs fact, date, from and to (and may give unit)")
            continue
        if not isinstance(entry["date"], dt.date) or not isinstance(entry["fact"], str):
            errors.add(display, where, f"revisions[{i}]: fact must be an id and date a date (YYYY-MM-DD)")
            continue
        unit = entry.get("unit")
        changes.append(ValueChange(entry["fact"], _key(entry["from"], unit), _key(entry["to"], unit), entry["date"]))
    errors.raise_if_any()
    return tuple(sorted(changes, key=lambda c: c.date))


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _git_log(root: Path, facts: Path) -> list[tuple[dt.date, list[tuple[str, str]]]] | None:
    """Each commit that changed the facts folder, oldest first: its date and (path, new blob) per file changed."""
    if _git(root, "rev-parse", "--verify", "--quiet", "HEAD") is None:
        return None  # not a repository, or one with no commit yet
    # The first-parent line, each merge compared with its first parent: applying the changes in order
    # gives the folder as it was after each commit.
    out = _git(root, "log", "--reverse", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--raw",
               "--no-abbrev", "-z", "--format=%x01%ct", "--", str(facts))
    if out is None:
        return None
    commits = []
    for record in out.split("\x01")[1:]:
        fields = record.split("\x00")
        when = dt.datetime.fromtimestamp(int(fields[0].strip()), dt.timezone.utc).date()
        files = []
        for meta, path in zip(fields[1::2], fields[2::2]):
            parts = meta.strip().split(" ")  # ":100644 100644 <old blob> <new blob> M"
            if len(parts) >= 4 and path.endswith(".yaml"):
                files.append((path, parts[3]))
        commits.append((when, files))
    return commits


def _changes_in(log: list[tuple[dt.date, list[tuple[str, str]]]], root: Path, kept: Any) -> list[ValueChange]:
    store = _BlobStore(root, kept)
    blobs: dict[str, str] = {}  # path → blob of the facts file as of the commit being read
    before: dict[str, ValueKey] = {}
    changes = []
    for when, files in log:
        for path, blob in files:
            if set(blob) == {"0"}:
                blobs.pop(path, None)  # deleted
            else:
                blobs[path] = blob
        after = store.values_of(sorted(blobs.values()))
        changes += [ValueChange(fid, before[fid], key, when)
                    for fid, key in sorted(after.items()) if fid in before and before[fid] != key]
        before = after
    return changes


class _BlobStore:
    """What each facts-file blob declares ({fact id: (value, unit)}), read from git once and kept in the store."""

    def __init__(self, root: Path, store: Any) -> None:
        self.root, self.store = root, store
        self.blobs: dict[str, dict[str, Any]] = {}

    def values_of(self, blobs: list[str]) -> dict[str, ValueKey]:
        """The facts declared by these blobs together."""
        missing = [b for b in blobs if b not in self.blobs and not self._recall(b)]
        if missing:
            self._read(missing)
        merged: dict[str, ValueKey] = {}
        for blob in blobs:
            merged.update((fid, _from_json(key)) for fid, key in self.blobs[blob].items())
        return merged

    def _recall(self, blob: str) -> bool:
        found = self.store.get_json(KIND, self.store.key(KIND, blob))
        if isinstance(found, dict):
            self.blobs[blob] = found
        return isinstance(found, dict)

    def _read(self, blobs: list[str]) -> None:
        # One `git cat-file --batch` for every blob not seen before.
        done = subprocess.run(["git", "-C", str(self.root), "cat-file", "--batch"],
                              input=("\n".join(blobs) + "\n").encode(), capture_output=True,
                              timeout=GIT_TIMEOUT_S, check=False)
        data, at = done.stdout, 0
        for blob in blobs:
            header_end = data.index(b"\n", at)
            header = data[at:header_end].split()
            size = int(header[2]) if len(header) == 3 else 0
            self.blobs[blob] = _declared_values(data[header_end + 1:header_end + 1 + size]) if size else {}
            self.store.put_json(KIND, self.store.key(KIND, blob), self.blobs[blob])
            at = header_end + 1 + size + (1 if size else 0)


def _declared_values(text: bytes) -> dict[str, Any]:
    """{fact id: [value, unit]} for every stated fact in one version of a facts file; {} if it cannot be read."""
    try:
        doc: Document = parse_yaml(text.decode("utf-8"), Path("history"))
    except (BuildError, UnicodeDecodeError):
        return {}  # a broken version in the history: its facts are unknown, not changed
    facts = doc.data.get("facts") if isinstance(doc.data, dict) else None
    found = {}
    for fact in facts if isinstance(facts, list) else ():
        if isinstance(fact, dict) and isinstance(fact.get("id"), str) and "value" in fact and "derive" not in fact:
            found[fact["id"]] = _to_json(list(_key(fact["value"], fact.get("unit"))))
    return found


def _key(value: Any, unit: Any) -> ValueKey:
    # 1400000 and 1400000.0 are the same figure; a mapping compares as its JSON text would.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _from_json(json.loads(json.dumps([_to_json(value), unit], sort_keys=True)))


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {DATE_TAG: value.isoformat()}
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {DATE_TAG}:
            return dt.date.fromisoformat(value[DATE_TAG])
        return {int(k) if k.isdigit() else k: _from_json(v) for k, v in value.items()}  # years are keys
    if isinstance(value, list):
        return tuple(_from_json(v) for v in value)
    return value
