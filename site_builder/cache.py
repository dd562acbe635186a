"""Housekeeping of ``.briefing-cache/``: entries record when they were last used, and old ones are removed.

Every cache entry (a drawn chart, a social card, a body draft, a body's scan, a
page reading, a parsed document) is a file named by the hash of what it was made from, so an
edit or an upgrade of site_builder leaves the old entry behind. Each cache marks
an entry as used when it reads it (its modification time becomes now), and a
full build removes the entries nobody has used for ``MAX_AGE_DAYS``: the folder
keeps what recent builds, into any output folder, have needed.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from .output import replace_file

CACHE_FOLDERS = ("charts", "cards", "bodies", "readings", "documents", "scans")  # entries are named by content hashes
MAX_AGE_DAYS = 14
TEMPORARY_MAX_AGE_S = 24 * 3600  # a temporary file this old was left by a process that died while writing it


@functools.lru_cache(maxsize=None)
def code_digest(*modules: str) -> str:
    """A digest of the source of these site_builder modules (``"charts.py"``, ...).

    Part of the key of every cache entry the modules make, so that a change to
    the code that made an entry makes it again.
    """
    package = Path(__file__).resolve().parent
    return hashlib.sha256(b"".join((package / name).read_bytes() for name in modules)).hexdigest()


def mark_used(path: Path) -> None:
    """Record that a cache entry was just used (a folder that cannot be written only keeps it from pruning)."""
    try:
        os.utime(path)
    except OSError:
        pass


def read_entry(path: Path) -> Any:
    """The JSON value of the cache entry at ``path``, marked as used; None when missing or unreadable."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # made again by the caller
    mark_used(path)
    return value


def write_entry(path: Path, value: Any) -> None:
    """Store ``value`` as the JSON cache entry at ``path``, whole; a cache that cannot be written only costs time."""
    try:
        replace_file(path, json.dumps(value, ensure_ascii=False))
    except OSError:
        pass


def prune_cache(cache: Path, max_age_days: float = MAX_AGE_DAYS, now: float | None = None) -> int:
    """Remove cache entries unused for ``max_age_days``, and stale temporary files; returns how many went."""
    now = time.time() if now is None else now
    removed = 0
    for name in CACHE_FOLDERS:
        try:
            entries = list(os.scandir(cache / name))
        except OSError:
            continue
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                age = now - entry.stat(follow_symlinks=False).st_mtime
                limit = TEMPORARY_MAX_AGE_S if entry.name.endswith(".tmp") else max_age_days * 86400
                if age > limit:
                    os.unlink(entry.path)
                    removed += 1
            except OSError:
                continue  # gone already (another build pruned it), or not ours to remove
    return removed
