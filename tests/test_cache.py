"""cache.py: entries unused for two weeks are removed after a build; entries a build uses are kept."""
from __future__ import annotations

import os
import time

from site_builder.build import build_site
from site_builder.cache import CACHE_FOLDERS, code_digest, prune_cache

DAY = 86400


def age(path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_prune_removes_old_entries_and_stale_temporary_files_only_in_the_cache_folders(tmp_path):
    for folder in ("charts", "cards", "builds"):
        (tmp_path / folder).mkdir()
    old, recent = tmp_path / "charts/old.json", tmp_path / "cards/recent.png"
    stale_tmp, fresh_tmp = tmp_path / "charts/x.json.123.tmp", tmp_path / "charts/y.json.456.tmp"
    record = tmp_path / "builds/stamp.json"  # not a content-addressed entry: never pruned
    for path in (old, recent, stale_tmp, fresh_tmp, record):
        path.write_text("x", encoding="utf-8")
    age(old, 15)
    age(recent, 13)
    age(stale_tmp, 2)
    age(record, 400)
    assert prune_cache(tmp_path) == 2
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "builds/stamp.json", "cards/recent.png", "charts/y.json.456.tmp"]


def test_a_build_keeps_every_entry_it_uses_and_removes_what_no_build_has_used_for_weeks(make_project):
    project = make_project(warm=False)
    build_site(project)
    entries = [p for name in CACHE_FOLDERS for p in (project.cache / name).glob("*") if p.is_file()]
    assert {p.parent.name for p in entries} == {"charts", "cards", "bodies", "readings", "documents", "scans"}
    for path in entries:
        age(path, 30)  # as if the last build were a month ago
    unused = project.cache / "charts" / "0123456789abcdef0123456789abcdef.json"  # e.g. a chart since edited
    unused.write_text("{}", encoding="utf-8")
    age(unused, 30)
    result = build_site(project, force=True)
    assert result.charts_rendered == 0  # everything came from the cache...
    assert all(p.exists() and time.time() - p.stat().st_mtime < DAY for p in entries)  # ...and was marked used
    assert not unused.exists()


def test_code_digest_is_the_hash_of_the_named_modules_source_in_order():
    import hashlib
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "site_builder"
    charts, feeds = (package / "charts.py").read_bytes(), (package / "feeds.py").read_bytes()
    assert code_digest("charts.py") == hashlib.sha256(charts).hexdigest()
    assert code_digest("charts.py", "feeds.py") == hashlib.sha256(charts + feeds).hexdigest()
    assert code_digest("feeds.py", "charts.py") != code_digest("charts.py", "feeds.py")
