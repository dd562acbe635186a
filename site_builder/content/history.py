"""The history of the facts' values, read from what is committed: git, else ``content/revisions.yaml``.

A revision is a stated fact's value (or unit) changing between two commits of
``content/facts/``, dated by the commit that changed it; or the value a fact reads
from a data file changing between two commits of that file (a cell edited, a row
added to an aggregate), the fact then being declared already. Reading it from git
rather than from the last build's output means that a clean checkout (GitHub
Actions, a new laptop, a deleted ``_site/``) shows readers the same notes as the
machine that made the edits: the same commit gives the same notes anywhere.

Speed on long histories: one ``git log`` lists, for every commit along the
first-parent line that touched ``content/facts/``, the blob of each facts file it
changed; each blob is read and parsed once, ever, and what it declares is kept in
``.briefing-cache/history.json`` by blob id. A change of label, format or note
alone is not a revision: only ``value`` and ``unit`` are compared. Each version of
a data file is read as the dataset and its facts are declared now (handed in as
``DataFile``: how to read one version is the compute stage's business), and what
its facts read is kept by blob and declaration, so a cell written another way
(21933 or 21933.0) or a cell no fact reads is no revision.

Where there is no git (a tarball, a folder not under version control), the
committed changelog ``content/revisions.yaml`` is the history instead.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BuildError, ErrorCollector
from .git import FACTS_FOLDER, run_git
from .history_blobs import BlobStore, ValueKey, value_key
from .loader import load_yaml

CHANGELOG = "revisions.yaml"  # under content/


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


@dataclass(frozen=True)
class DataFile:
    """A dataset's file, for its history: where it is, what decides what its facts read, and how to read it."""

    path: Path
    declared: str  # the dataset's and its facts' declarations, as text: what each version is read as
    values_of: Callable[[bytes], dict[str, Any] | None]  # one version's bytes -> {fact id: value}, None if unreadable


def read_history(root: Path, content: Path, store: Any, data_files: tuple[DataFile, ...] = ()) -> FactHistory:
    """The value changes recorded for the project at ``root``: its git history, else its changelog file.

    ``store`` (the build's ``cache.Store``, handed in) keeps what each facts-file blob declares, and what the
    facts read from each version of each of ``data_files``.
    """
    data = _in_repository(root, data_files)
    log = _git_log(root, [content / FACTS_FOLDER, *(f.path for f in data.values())])
    if log is not None:
        return FactHistory(tuple(_changes_in(log, root, store, data)), "git")
    changelog = content / CHANGELOG
    if changelog.is_file():
        return FactHistory(read_changelog(changelog, changelog.relative_to(root).as_posix()),
                           changelog.relative_to(root).as_posix())
    return FactHistory((), "none")


def read_changelog(path: Path, display: str) -> tuple[ValueChange, ...]:
    """The value changes listed in a changelog file; a BuildError for each entry that is not one."""
    doc = load_yaml(path, display)
    errors = ErrorCollector()
    entries = doc.data.get("revisions") if isinstance(doc.data, dict) else None
    if not isinstance(entries, (list, tuple)):
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
        changes.append(ValueChange(entry["fact"], value_key(entry["from"], unit), value_key(entry["to"], unit),
                                   entry["date"]))
    errors.raise_if_any()
    return tuple(sorted(changes, key=lambda c: c.date))


def _in_repository(root: Path, data_files: tuple[DataFile, ...]) -> dict[str, DataFile]:
    """``data_files`` by their paths as git names them (from the top of the repository)."""
    top = run_git(root, "rev-parse", "--show-toplevel") if data_files else None
    if not top:
        return {}
    found = {}
    for data_file in data_files:
        try:
            found[data_file.path.resolve().relative_to(Path(top.strip()).resolve()).as_posix()] = data_file
        except ValueError:
            continue  # outside the repository: no history
    return found


def _git_log(root: Path, paths: list[Path]) -> list[tuple[dt.date, list[tuple[str, str]]]] | None:
    """Each commit that changed the facts folder or a data file, oldest first: its date and (path, new blob) per
    file changed."""
    if run_git(root, "rev-parse", "--verify", "--quiet", "HEAD") is None:
        return None  # not a repository, or one with no commit yet
    # The first-parent line, each merge compared with its first parent: applying the changes in order
    # gives the folder as it was after each commit.
    out = run_git(root, "log", "--reverse", "--first-parent", "--diff-merges=first-parent", "--no-renames", "--raw",
                  "--no-abbrev", "-z", "--format=%x01%ct", "--", *map(str, paths))
    if out is None:
        return None
    commits = []
    for record in out.split("\x01")[1:]:
        fields = record.split("\x00")
        when = dt.datetime.fromtimestamp(int(fields[0].strip()), dt.timezone.utc).date()
        files = []
        for meta, path in zip(fields[1::2], fields[2::2]):
            parts = meta.strip().split(" ")  # ":100644 100644 <old blob> <new blob> M"
            if len(parts) >= 4:
                files.append((path, parts[3]))
        commits.append((when, files))
    return commits


def _changes_in(log: list[tuple[dt.date, list[tuple[str, str]]]], root: Path, kept: Any,
                data: dict[str, DataFile]) -> list[ValueChange]:
    store = BlobStore(root, kept)
    blobs: dict[str, str] = {}  # path → blob of the facts file as of the commit being read
    before: dict[str, ValueKey] = {}
    reading: set[str] = set()  # the facts that read a data file, as of the commit before
    read: dict[str, dict[str, ValueKey]] = {}  # data file path → what its facts read in its latest readable version
    changes = []
    for when, files in log:
        edited = []
        for path, blob in files:
            if path in data:
                edited.append((path, None if set(blob) == {"0"} else blob))
            elif not path.endswith(".yaml"):
                continue
            elif set(blob) == {"0"}:
                blobs.pop(path, None)  # deleted
            else:
                blobs[path] = blob
        after, now_reading = store.values_of(sorted(blobs.values()))
        changes += [ValueChange(fid, before[fid], key, when)
                    for fid, key in sorted(after.items()) if fid in before and before[fid] != key]
        for path, blob in edited:
            values = store.data_values(data[path], blob) if blob else {}
            if values is None:
                continue  # a version that cannot be read as declared now: its figures are unknown, not changed
            old = read.get(path, {})
            changes += [ValueChange(fid, old[fid], key, when) for fid, key in sorted(values.items())
                        if fid in old and fid in reading and old[fid] != key]
            read[path] = values
        before, reading = after, now_reading
    return changes

