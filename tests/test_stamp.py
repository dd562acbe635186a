"""stamp.py through build_site: a rebuild with nothing changed is skipped; a change to an input or the output runs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.commands.build_command import build_site
from site_builder.errors import BuildError, BuildErrors
from site_builder.compute.project import Project
from site_builder.incremental import stamp
from site_builder.incremental.cache import Store

from conftest import parse_html

BRIEFING = "briefings/widget-outlook/index.html"


def stamp_path(project: Project) -> Path:
    store = Store(project.cache)
    return store.path("builds", store.key("builds", str(project.out)))


def file_times(out: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def built(make_project, monkeypatch) -> Project:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    project = make_project()
    first = build_site(project)
    assert not first.up_to_date and first.changed
    return project


def test_a_rebuild_with_nothing_changed_is_skipped_and_repeats_the_warnings(built):
    before = file_times(built.out)
    forced = build_site(built, force=True)
    again = build_site(built)
    assert again.up_to_date and again.changed == () and again.charts_rendered == 0
    assert (again.pages, again.charts, again.files) == (forced.pages, forced.charts, forced.files)
    assert (again.pages, again.charts) == (1, 2)
    assert again.warnings == forced.warnings and "check 'forecast-2030'" in again.warnings[0].message
    assert file_times(built.out) == before  # not a file touched


def test_force_builds_anyway_and_rewrites_nothing_that_is_the_same(built):
    result = build_site(built, force=True)
    assert not result.up_to_date and result.changed == ()


def _edit(project: Project, rel: str, old: str, new: str) -> None:
    path = project.root / rel
    assert old in path.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("rel, old, new, changed", [
    ("content/facts/widgets.yaml", "value: 1400000", "value: 1450000", BRIEFING),
    ("templates/base.html", "</footer>", "<p>Stamped footer</p></footer>", "index.html"),
    ("static/style.css", "body", "body ", "static/style.css"),
])
def test_an_edited_input_runs_the_build(built, rel, old, new, changed):
    _edit(built, rel, old, new)
    result = build_site(built)
    assert not result.up_to_date and changed in result.changed
    assert build_site(built).up_to_date  # and the build after it is skipped again


def test_an_edited_fact_is_on_the_page_after_the_next_build(built):
    _edit(built, "content/facts/widgets.yaml", "value: 1400000", "value: 1450000")
    build_site(built)
    assert "1.45 million" in parse_html(built.out / BRIEFING).get_text()


def test_a_new_input_file_runs_the_build(built):
    (built.root / "static" / "extra.txt").write_text("new\n", encoding="utf-8")
    result = build_site(built)
    assert not result.up_to_date and "static/extra.txt" in result.changed


def test_a_file_in_a_linked_folder_is_an_input_too(built):
    shared = built.root / "shared" / "facts"  # inside the project: the loader refuses files outside it
    shared.parent.mkdir()
    (built.root / "content/facts").rename(shared)
    (built.root / "content/facts").symlink_to(shared, target_is_directory=True)
    (shared / "loop").symlink_to(shared, target_is_directory=True)  # a link loop must not hang the check
    build_site(built)
    assert build_site(built).up_to_date
    facts = shared / "widgets.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("value: 1400000", "value: 1450000"), encoding="utf-8")
    assert not build_site(built).up_to_date
    assert "1.45 million" in parse_html(built.out / BRIEFING).get_text()


@pytest.mark.parametrize("damage", ["edit", "delete"])
def test_an_output_folder_changed_by_hand_is_built_again(built, damage):
    page = built.out / BRIEFING
    original = page.read_bytes()
    if damage == "edit":
        page.write_bytes(original.replace(b"1.4 million", b"9.9 million"))
    else:
        page.unlink()
    result = build_site(built)
    assert not result.up_to_date
    assert page.read_bytes() == original


def test_a_file_added_to_the_output_folder_is_not_removed_but_refused(built):
    (built.out / "stray.html").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match=r"did not write \(stray.html\)"):
        build_site(built)
    assert (built.out / "stray.html").read_text(encoding="utf-8") == "mine"
    (built.out / "stray.html").unlink()
    assert build_site(built).up_to_date  # the folder is again as the last build left it


def test_another_base_url_or_build_date_runs_the_build(built, monkeypatch):
    result = build_site(built, "https://other.example/site/")
    assert not result.up_to_date
    assert parse_html(built.out / BRIEFING).select_one("link[rel=canonical]")["href"].startswith(
        "https://other.example/site/")
    assert build_site(built, "https://other.example/site/").up_to_date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764115200")  # a day later
    assert not build_site(built, "https://other.example/site/").up_to_date


def test_each_output_folder_has_its_own_stamp(built, tmp_path):
    elsewhere = Project.at(built.root, tmp_path / "elsewhere")
    assert not build_site(elsewhere).up_to_date
    assert build_site(elsewhere).up_to_date and build_site(built).up_to_date
    assert stamp_path(elsewhere) != stamp_path(built)


@pytest.mark.parametrize("stamp_text", ["{not json", "[]", '{"version": 1}', ""])
def test_an_unreadable_stamp_only_means_building_again(built, stamp_text):
    stamp_path(built).write_bytes(stamp_path(built).read_bytes()[:32] + stamp_text.encode())
    assert not build_site(built).up_to_date
    assert json.loads(stamp_path(built).read_bytes()[32:])["pages"] == 1
    assert build_site(built).up_to_date


def test_a_failed_build_keeps_the_site_and_its_stamp(built):
    before = file_times(built.out)
    facts = built.root / "content/facts/widgets.yaml"
    good = facts.read_text(encoding="utf-8")
    facts.write_text(good.replace("value: 1400000", "value: [1400000"), encoding="utf-8")
    with pytest.raises(BuildErrors):
        build_site(built)
    facts.write_text(good, encoding="utf-8")  # back as it was: the site on disk is still its build
    assert build_site(built).up_to_date
    assert file_times(built.out) == before


def _reads(monkeypatch) -> list[Path]:
    """The input files the stamp check reads from now on."""
    read: list[Path] = []
    real = stamp.read_regular
    monkeypatch.setattr(stamp, "read_regular", lambda path, limit: read.append(path) or real(path, limit))
    return read


@pytest.fixture
def settled_files(built, monkeypatch) -> Project:
    """A built project whose input files all count as older than a timestamp tick (as on a real site)."""
    monkeypatch.setattr(stamp, "RACY_NS", -10**12)  # "now" is a thousand seconds on: no file is racy
    build_site(built, force=True)
    return built


def test_a_file_whose_stat_is_unchanged_is_not_read_again(settled_files, monkeypatch):
    read = _reads(monkeypatch)
    assert build_site(settled_files).up_to_date
    assert read == []


def test_an_edit_of_the_same_size_with_its_old_mtime_put_back_is_seen(settled_files, monkeypatch):
    facts = settled_files.root / "content/facts/widgets.yaml"
    before = facts.stat()
    _edit(settled_files, "content/facts/widgets.yaml", "value: 1400000", "value: 1450000")
    os.utime(facts, ns=(before.st_atime_ns, before.st_mtime_ns))  # size and mtime as they were
    after = facts.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ctime_ns != before.st_ctime_ns  # what utime cannot put back
    read = _reads(monkeypatch)
    assert not build_site(settled_files).up_to_date
    assert facts in read
    assert "1.45 million" in parse_html(settled_files.out / BRIEFING).get_text()


def test_a_touched_file_is_read_once_and_then_vouched_for_again(settled_files, monkeypatch):
    css = settled_files.root / "static/style.css"
    os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 10**9))
    read = _reads(monkeypatch)
    assert build_site(settled_files).up_to_date  # same bytes: nothing to build
    assert read == [css]
    assert build_site(settled_files).up_to_date and read == [css]  # the stamp now knows its new stat


def test_a_file_changed_within_a_timestamp_tick_of_being_read_is_read_again(built, monkeypatch):
    # Files written just now might change again within their timestamp tick and keep every stat field
    # (racy git): such a file is not vouched for by its stat, however its stat compares.
    facts = built.root / "content/facts/widgets.yaml"
    fresh = stamp.input_digest(built, None)
    record = fresh.files["content/facts/widgets.yaml"]
    assert record[-1] is False
    forged = {"content/facts/widgets.yaml": record[:-2] + ["1 not-its-digest", True]}
    assert stamp.input_digest(built, None, forged).digest != fresh.digest  # a trusted record is believed...
    forged["content/facts/widgets.yaml"][-1] = False
    assert stamp.input_digest(built, None, forged).digest == fresh.digest  # ...an untrusted one is not
    read = _reads(monkeypatch)
    assert build_site(built).up_to_date and facts in read  # so the skip reads it again


def test_the_stamp_written_after_a_build_reads_racy_files_again_once_they_settled(built, monkeypatch):
    _edit(built, "content/facts/widgets.yaml", "value: 1400000", "value: 1450000")
    monkeypatch.setattr(stamp, "RACY_NS", 10**15)  # nothing has settled when the build reads its inputs...
    inputs = stamp.input_digest(built, None)
    assert not any(record[-1] for record in inputs.files.values())
    monkeypatch.setattr(stamp, "RACY_NS", -10**12)  # ...and everything has when the stamp is written
    kept = stamp.settled(built, inputs)
    assert set(kept) == set(inputs.files) and all(record[-1] is True for record in kept.values())
    assert kept["content/facts/widgets.yaml"][-2] == inputs.files["content/facts/widgets.yaml"][-2]


def test_a_build_with_nothing_to_do_imports_none_of_the_stages(built):
    # `briefing build` with nothing to do is Python's start-up, the stamp check and nothing else: no stage,
    # and none of the libraries they use, is imported (each costs tens of milliseconds a run).
    script = ("import sys; from site_builder.cli import main; code = main(['build', '-q', '--root', sys.argv[1]]); "
              "print(code, ' '.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script, str(built.root)], capture_output=True, text=True,
                          env=os.environ | {"SOURCE_DATE_EPOCH": "1764028800"}, check=True)
    code, modules = done.stdout.split(" ", 1)
    assert code == "0" and done.stderr == ""
    loaded = set(modules.split())
    assert {"site_builder.cli", "site_builder.incremental.stamp"} <= loaded  # it did run the check
    heavy = {"jinja2", "markdown", "pydantic", "babel", "altair", "yaml", "vl_convert", "markupsafe", "numpy"}
    assert {name.split(".")[0] for name in loaded} & heavy == set()
    stages = {name for name in loaded if name.startswith(("site_builder.compute", "site_builder.render"))}
    assert stages == set() and "site_builder.build" not in loaded


def test_a_file_name_that_is_not_utf8_is_an_input_like_any_other(built):
    odd = os.path.join(os.fsencode(built.root / "content"), b"notes-\xff.txt")  # Linux allows any bytes but / and NUL
    try:
        with open(odd, "wb") as notes:
            notes.write(b"first")
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    assert not build_site(built).up_to_date  # a new input (the build does not read notes): no traceback
    assert build_site(built).up_to_date
    with open(odd, "wb") as notes:
        notes.write(b"other")
    assert not build_site(built).up_to_date
