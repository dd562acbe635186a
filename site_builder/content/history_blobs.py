"""Git's side of the facts' history: running git, and what each committed version of a file declares.

Every version of a facts file, and what the facts read from every version of a
data file, is read from git once (``git cat-file --batch``) and kept in the
build's store by blob id (and, for data, by how it is declared now), so a long
history costs one ``git log`` per build once it has been read.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BuildError
from .datasets import MAX_DATA_BYTES
from .git import GIT_TIMEOUT_S, run_git
from .loader import Document, parse_yaml

if TYPE_CHECKING:
    from .history import DataFile

KIND = "history"  # the store's entries: what one facts-file blob declares
DATA_KIND = "history-data"  # ...and what the facts read from one data-file blob, as declared now
ValueKey = tuple[Any, Any]  # (value, unit) as written in the facts file
DATE_TAG = "$date"  # how a date value is kept in the JSON cache


class BlobStore:
    """What each facts-file blob declares ({"values": {fact id: (value, unit)}, "data": [ids of facts read from
    data files]}) and what each data-file blob gives its facts, read from git once and kept in the store."""

    def __init__(self, root: Path, store: Any) -> None:
        self.root, self.store = root, store
        self.blobs: dict[str, dict[str, Any]] = {}

    def values_of(self, blobs: list[str]) -> tuple[dict[str, ValueKey], set[str]]:
        """The facts declared by these blobs together: stated values, and the ids of facts read from data."""
        missing = [b for b in blobs if b not in self.blobs and not self._recall(b)]
        for blob, text in (self._cat(missing) if missing else {}).items():
            self.blobs[blob] = _declared_values(text)
            self.store.put_json(KIND, self.store.key(KIND, blob), self.blobs[blob])
        merged: dict[str, ValueKey] = {}
        reading: set[str] = set()
        for blob in blobs:
            merged.update((fid, _from_json(key)) for fid, key in self.blobs[blob]["values"].items())
            reading.update(self.blobs[blob]["data"])
        return merged, reading

    def data_values(self, data_file: DataFile, blob: str) -> dict[str, ValueKey] | None:
        """What the facts read from this version of ``data_file`` ({fact id: (value, None)}), None if unreadable."""
        key = self.store.key(DATA_KIND, blob, data_file.declared)
        found = self.store.get_json(DATA_KIND, key)
        if not isinstance(found, dict) or "values" not in found:
            # A version over the size limit is not read at all (git would hand over the whole gigabyte).
            size = run_git(self.root, "cat-file", "-s", blob)
            small = size is not None and size.strip().isdigit() and int(size) <= MAX_DATA_BYTES
            values = data_file.values_of(self._cat([blob]).get(blob, b"")) if small else None
            found = {"values": None if values is None
                     else {f: _to_json(list(value_key(v, None))) for f, v in values.items()}}
            self.store.put_json(DATA_KIND, key, found)
        if found["values"] is None:
            return None
        return {fid: _from_json(key) for fid, key in found["values"].items()}

    def _recall(self, blob: str) -> bool:
        found = self.store.get_json(KIND, self.store.key(KIND, blob))
        if isinstance(found, dict) and set(found) == {"values", "data"}:
            self.blobs[blob] = found
            return True
        return False

    def _cat(self, blobs: list[str]) -> dict[str, bytes]:
        # One `git cat-file --batch` for every blob not seen before.
        done = subprocess.run(["git", "-C", str(self.root), "cat-file", "--batch"],
                              input=("\n".join(blobs) + "\n").encode(), capture_output=True,
                              timeout=GIT_TIMEOUT_S, check=False)
        data, at, found = done.stdout, 0, {}
        for blob in blobs:
            header_end = data.index(b"\n", at)
            header = data[at:header_end].split()
            size = int(header[2]) if len(header) == 3 else 0
            found[blob] = data[header_end + 1:header_end + 1 + size]
            at = header_end + 1 + size + (1 if size else 0)
        return found


def _declared_values(text: bytes) -> dict[str, Any]:
    """{"values": {fact id: [value, unit]} for every stated fact, "data": [ids of facts read from a data file]} in
    one version of a facts file; nothing if it cannot be read."""
    found: dict[str, Any] = {"values": {}, "data": []}
    try:
        doc: Document = parse_yaml(text.decode("utf-8"), Path("history")) if text else None
    except (BuildError, UnicodeDecodeError):
        return found  # a broken version in the history: its facts are unknown, not changed
    facts = doc.data.get("facts") if doc is not None and isinstance(doc.data, dict) else None
    for fact in facts if isinstance(facts, (list, tuple)) else ():
        if not isinstance(fact, dict) or not isinstance(fact.get("id"), str) or "derive" in fact:
            continue
        if "value" in fact:
            found["values"][fact["id"]] = _to_json(list(value_key(fact["value"], fact.get("unit"))))
        elif "data" in fact:
            found["data"].append(fact["id"])
    return found


def value_key(value: Any, unit: Any) -> ValueKey:
    """A value and unit as they compare across versions: 1400000 and 1400000.0 are one figure."""
    # 1400000 and 1400000.0 are the same figure; a mapping compares as its JSON text would.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _from_json(json.loads(json.dumps([_to_json(value), unit], sort_keys=True)))


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {DATE_TAG: value.isoformat()}
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
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
