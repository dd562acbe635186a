"""cache.py: one store for every kept result, keyed by one code version, each entry authenticated.

A poisoned cache (an entry edited, written without the key, moved to another
key, or made with another machine's key) is never published: the entry reads
as missing and is made again.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from site_builder.incremental import cache, versions
from site_builder.commands.build_command import build_site
from site_builder.incremental.cache import KINDS, Store, key_file, prune_cache, secret_key
from site_builder.compute.project import Project

from conftest import REPO, SOURCE_DATE_EPOCH, copy_project, snapshot

DAY = 86400
SCRIPT = "<script>alert('from the cache')</script>"


def age(path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


# --- the store ---------------------------------------------------------------------------------

def test_an_entry_comes_back_as_stored_and_not_at_all_under_another_key_or_kind(tmp_path):
    store = Store(tmp_path, secret=b"k" * 32)
    key = store.key("charts", "made from this")
    store.put_json("charts", key, {"svg": "<svg/>"})
    assert store.get_json("charts", key) == {"svg": "<svg/>"}
    assert store.key("charts", "made from that") != key and store.key("cards", "made from this") != key
    assert store.key("charts", "ab", "c") != store.key("charts", "a", "bc")  # parts are kept apart
    other = store.key("charts", "other")
    shutil.copyfile(store.path("charts", key), store.path("charts", other))  # a valid entry under another name
    assert store.get("charts", other) is None
    (tmp_path / "cards").mkdir()
    shutil.copyfile(store.path("charts", key), tmp_path / "cards" / key)  # under another kind
    assert store.get("cards", key) is None


@pytest.mark.parametrize("tamper", ["edit the bytes, keep the tag", "no tag at all", "another machine's key",
                                    "empty file", "a folder", "a FIFO", "a sparse gigabyte", "a link to /dev/zero",
                                    "a link to a copy of itself"])
def test_an_entry_that_does_not_verify_reads_as_missing(tmp_path, tamper):
    store = Store(tmp_path, secret=b"k" * 32)
    key = store.key("bodies", "body")
    store.put_json("bodies", key, {"html": "<p>Body</p>"})
    path = store.path("bodies", key)
    raw = path.read_bytes()
    if tamper == "edit the bytes, keep the tag":
        path.write_bytes(raw[:32] + raw[32:].replace(b"<p>Body</p>", SCRIPT.encode()))
    elif tamper == "no tag at all":
        path.write_text(json.dumps({"html": SCRIPT}), encoding="utf-8")
    elif tamper == "another machine's key":
        Store(tmp_path, secret=b"x" * 32).put_json("bodies", key, {"html": SCRIPT})
    elif tamper == "empty file":
        path.write_bytes(b"")
    elif tamper == "a FIFO":  # opening it for reading blocked the build until a writer came: forever
        path.unlink()
        os.mkfifo(path)
    elif tamper == "a sparse gigabyte":  # the valid entry, then a gigabyte of holes: read whole, a memory blow-up
        with open(path, "r+b") as file:
            file.truncate(1 << 30)
    elif tamper == "a link to /dev/zero":
        path.unlink()
        path.symlink_to("/dev/zero")
    elif tamper == "a link to a copy of itself":  # authentic bytes, but the entry is a link to a file elsewhere
        copy = tmp_path / "elsewhere"
        copy.write_bytes(raw)
        path.unlink()
        path.symlink_to(copy)
    else:
        path.unlink()
        path.mkdir()
    tracemalloc.start()
    try:
        assert store.get("bodies", key) is None and store.get_json("bodies", key) is None
        assert tracemalloc.get_traced_memory()[1] < 1 << 20  # nothing of the gigabyte was read
    finally:
        tracemalloc.stop()


def test_an_entry_over_the_size_limit_is_neither_kept_nor_read(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 100)
    store = Store(tmp_path, secret=b"k" * 32)
    small, large = store.key("charts", "small"), store.key("charts", "large")
    store.put("charts", small, b"x" * 100)
    store.put("charts", large, b"x" * 101)
    assert store.get("charts", small) == b"x" * 100
    assert not store.path("charts", large).exists() and store.get("charts", large) is None


def test_the_key_lives_outside_the_project_private_to_the_user(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv(cache.KEY_ENV, raising=False)
    cache._secret_at.cache_clear()
    first = secret_key()
    assert key_file() == tmp_path / "state" / "site_builder" / "cache-key"
    assert stat.S_IMODE(key_file().stat().st_mode) == 0o600 and len(first) == 32
    cache._secret_at.cache_clear()
    assert secret_key() == first  # kept: a later process trusts what this one stored
    key_file().chmod(0o644)  # readable by others: anyone could forge entries with it
    cache._secret_at.cache_clear()
    assert secret_key() != first and secret_key() == secret_key()  # this process's own key instead
    monkeypatch.setenv(cache.KEY_ENV, "a CI secret")
    assert secret_key() == secret_key() != first
    cache._secret_at.cache_clear()


def test_prune_removes_old_entries_and_stale_temporary_files_only_in_the_store_folders(tmp_path):
    for folder in ("charts", "cards", "builds", "mine"):
        (tmp_path / folder).mkdir()
    old, recent = tmp_path / "charts/old", tmp_path / "cards/recent"
    stale_tmp, fresh_tmp = tmp_path / "charts/x.123.tmp", tmp_path / "charts/y.456.tmp"
    old_stamp, not_ours = tmp_path / "builds/stamp", tmp_path / "mine/notes.txt"
    for path in (old, recent, stale_tmp, fresh_tmp, old_stamp, not_ours):
        path.write_text("x", encoding="utf-8")
    age(old, 15)
    age(recent, 13)
    age(stale_tmp, 2)
    age(old_stamp, 400)
    age(not_ours, 400)
    assert prune_cache(tmp_path) == 3
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "cards/recent", "charts/y.456.tmp", "mine/notes.txt"]


def test_a_build_keeps_every_entry_it_uses_and_removes_what_no_build_has_used_for_weeks(make_project):
    project = make_project(warm=False)
    build_site(project)
    entries = [p for name in KINDS for p in (project.cache / name).glob("*") if p.is_file()]
    # history: only for a project under git; scans: only of bodies that need Jinja's parser (these are plain)
    assert {p.parent.name for p in entries} == set(KINDS) - {"history", "scans"}
    for path in entries:
        age(path, 30)  # as if the last build were a month ago
    unused = project.cache / "charts" / "0123456789abcdef0123456789abcdef"  # e.g. a chart since edited
    unused.write_text("{}", encoding="utf-8")
    age(unused, 30)
    result = build_site(project, force=True)
    assert result.charts_rendered == 0  # everything came from the cache...
    assert all(p.exists() and time.time() - p.stat().st_mtime < DAY for p in entries)  # ...and was marked used
    assert not unused.exists()


# --- one code version --------------------------------------------------------------------------

def test_the_code_version_covers_every_module_and_every_library_that_shapes_the_output(tmp_path):
    package = tmp_path / "site_builder"
    shutil.copytree(REPO / "site_builder", package, ignore=shutil.ignore_patterns("__pycache__"))
    assert versions._package_digest(package) == versions._package_digest(REPO / "site_builder")
    for module in ("formatting.py", "compute/units.py", "render/bodies.py", "render/callouts.py", "compute/charts.py"):
        edited = package / module
        edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        assert versions._package_digest.__wrapped__(package) != versions._package_digest(REPO / "site_builder"), module
        edited.write_text(edited.read_text(encoding="utf-8")[: -len("\n# edited\n")], encoding="utf-8")
    found = versions._library_versions()
    for library in ("babel", "markdown", "jinja2", "altair", "vl-convert-python", "pyyaml", "pydantic"):
        assert f"{library} " in found


EDITED_AXIS_LABEL = '''
_original_tick_labels = tick_labels


def tick_labels(*args, **kwargs):
    return [label + " (edited)" for label in _original_tick_labels(*args, **kwargs)]
'''
BUILD = "import sys, site_builder.cli; assert site_builder.__file__.startswith(sys.argv[1]); site_builder.cli.main(['build', '--root', sys.argv[2]])"


def test_editing_the_axis_labels_changes_the_svg_on_the_next_build(tmp_path, chart_cache):
    """The stale-output bug: charts were keyed by charts.py alone, so an edit to another module changed no SVG."""
    code = tmp_path / "code"
    shutil.copytree(REPO / "site_builder", code / "site_builder", ignore=shutil.ignore_patterns("__pycache__"))
    root = copy_project(tmp_path / "project", cache=chart_cache)
    env = os.environ | {"PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONDONTWRITEBYTECODE": "1",
                        "BRIEFING_WORKERS": "1"}

    def build() -> dict[str, bytes]:
        subprocess.run([sys.executable, "-c", BUILD, str(code), str(root)], env=env, check=True, capture_output=True,
                       cwd=tmp_path)
        return snapshot(root / "_site")

    before = build()
    axes = code / "site_builder" / "compute/chart_axes.py"  # the axis labels: what every chart's SVG shows
    axes.write_text(axes.read_text(encoding="utf-8") + EDITED_AXIS_LABEL, encoding="utf-8")
    after = build()
    svgs = [name for name in before if name.startswith("charts/") and name.endswith(".svg")]
    assert svgs and all(before[name] != after[name] for name in svgs)
    assert all(b" (edited)" in after[name] and b" (edited)" not in before[name] for name in svgs)
    root = copy_project(tmp_path / "fresh")  # no cache at all: what the edited code really draws
    after_fresh = build()
    assert {n: after_fresh[n] for n in svgs} == {n: after[n] for n in svgs}


# --- a poisoned cache is never published ------------------------------------------------------

def poison(folder: Path, change) -> int:
    """Apply ``change`` to the JSON of every entry in ``folder``, keeping each entry's tag; returns how many."""
    count = 0
    for path in folder.glob("*"):
        raw = path.read_bytes()
        value = json.loads(raw[32:])
        path.write_bytes(raw[:32] + json.dumps(change(value), ensure_ascii=False).encode())
        count += 1
    return count


def site_files(project: Project) -> dict[str, bytes]:
    return snapshot(project.out)


@pytest.fixture
def built(make_project):
    project = make_project(warm=False)
    build_site(project)
    return project


def rebuilt_elsewhere(project: Project, tmp_path: Path) -> Project:
    """The project built again into a new output folder: every page is rendered from the cache."""
    elsewhere = Project.at(project.root, tmp_path / "elsewhere")
    build_site(elsewhere)
    return elsewhere


@pytest.mark.parametrize("kind, change", [
    ("charts", lambda e: e | {"svg": e["svg"].replace("</svg>", SCRIPT + "</svg>")}),
    ("charts", lambda e: e | {"svg": SCRIPT}),
    ("bodies", lambda e: e | {"html": SCRIPT + e["html"]}),
    ("bodies", lambda e: e | {"html": e["html"].replace("<p>", "<p onclick=\"alert(1)\">", 1)}),
    ("readings", lambda e: e | {"text": SCRIPT}),
])
def test_a_script_placed_in_a_cached_entry_never_reaches_the_site(built, tmp_path, kind, change):
    clean = site_files(built)
    assert poison(built.cache / kind, change)
    elsewhere = rebuilt_elsewhere(built, tmp_path)
    files = site_files(elsewhere)
    assert not [name for name, data in files.items() if b"from the cache" in data or b'onclick="alert' in data]
    assert files == clean


def test_edited_cached_documents_change_no_label(built, tmp_path):
    clean = site_files(built)

    def relabel(entry):
        return json.loads(json.dumps(entry).replace("Widget", "Hacked"))
    assert poison(built.cache / "documents", relabel)
    assert site_files(rebuilt_elsewhere(built, tmp_path)) == clean


def test_a_swapped_social_card_is_drawn_again(make_project, tmp_path):
    project = make_project(warm=False)
    build_site(project, "https://example.org/site/")
    clean = site_files(project)
    for path in (project.cache / "cards").glob("*"):
        path.write_bytes(path.read_bytes()[:32] + b"\x89PNG not the chart")
    elsewhere = Project.at(project.root, tmp_path / "elsewhere")
    build_site(elsewhere, "https://example.org/site/")
    assert site_files(elsewhere) == clean


def test_the_vega_bundle_comes_from_vl_convert_never_from_an_edited_cache(built, tmp_path):
    import vl_convert as vlc

    bundle = vlc.javascript_bundle().encode()
    assert (built.out / "static/vendor/vega-embed.js").read_bytes() == bundle
    for path in (built.cache / "vendor").glob("*"):
        path.write_bytes(path.read_bytes()[:32] + SCRIPT.encode())
    (built.cache / f"vega-embed-{vlc.__version__}.js").write_text(SCRIPT, encoding="utf-8")  # where it used to be
    assert (rebuilt_elsewhere(built, tmp_path).out / "static/vendor/vega-embed.js").read_bytes() == bundle


def test_a_cache_restored_from_elsewhere_is_made_again_not_trusted(built, tmp_path, monkeypatch):
    """A shared CI cache, restored on another machine: its entries were made with another key."""
    clean = site_files(built)
    monkeypatch.setenv(cache.KEY_ENV, "another machine")
    elsewhere = Project.at(built.root, tmp_path / "elsewhere")
    result = build_site(elsewhere)
    assert result.charts_rendered == 2 and site_files(elsewhere) == clean


def test_entries_put_while_writing_behind_are_found_at_once_and_are_on_disk_when_the_block_ends(tmp_path, monkeypatch):
    release = threading.Event()
    real_replace = cache.replace_file

    def held_back(path, data):  # the writer thread waits: the entry is pending meanwhile
        release.wait(10)
        real_replace(path, data)

    monkeypatch.setattr(cache, "replace_file", held_back)
    store = Store(tmp_path, secret=b"k" * 32)
    with store.writing_behind():
        store.put("bodies", "a", b"one")
        store.put("bodies", "a", b"two")  # put again before the first is written: the last one wins
        assert not (tmp_path / "bodies" / "a").exists()
        assert store.get("bodies", "a") == b"two" and store.has("bodies", "a")
        release.set()
    assert (tmp_path / "bodies" / "a").is_file()
    assert Store(tmp_path, secret=b"k" * 32).get("bodies", "a") == b"two"  # as a new process reads it
    store.put("bodies", "b", b"now")  # outside the block: written before put returns
    assert Store(tmp_path, secret=b"k" * 32).get("bodies", "b") == b"now"


def test_entries_waiting_for_the_writer_never_hold_more_than_the_limit(tmp_path, monkeypatch):
    release = threading.Event()
    real_replace = cache.replace_file
    monkeypatch.setattr(cache, "replace_file",
                        lambda path, data: (path.name != "a" or release.wait(10), real_replace(path, data)))
    monkeypatch.setattr(cache, "MAX_PENDING_BYTES", 10)
    store = Store(tmp_path, secret=b"k" * 32)
    with store.writing_behind():
        store.put("bodies", "a", b"12345678")  # waits for the writer, which is held back
        store.put("bodies", "b", b"12345678")  # over the limit: written by the caller itself, now
        assert (tmp_path / "bodies" / "b").is_file() and not (tmp_path / "bodies" / "a").exists()
        release.set()
    assert (tmp_path / "bodies" / "a").is_file()
    assert store._pending_bytes == 0 and not store._pending
