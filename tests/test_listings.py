"""listings.py: a folder is listed again only when what stat says of it changed, or when it changed too lately."""
from __future__ import annotations

import os
import time

import pytest

from site_builder.content.folders import Project
from site_builder.errors import BuildError
from site_builder.incremental import listings, texts
from site_builder.incremental.listings import KeptListings


@pytest.fixture
def facts(tmp_path, monkeypatch):
    """A project's facts folder of three files, settled: unchanged for longer than ``RACY_NS`` when listed."""
    monkeypatch.setattr(texts, "RACY_NS", 20_000_000)
    folder = tmp_path / "content" / "facts"
    folder.mkdir(parents=True)
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (folder / name).write_text("facts: []\n", encoding="utf-8")
    time.sleep(0.05)
    return folder


def _counting_listings(monkeypatch) -> list:
    listed = []
    folder_matches = listings.folder_matches
    monkeypatch.setattr(listings, "folder_matches", lambda *args: listed.append(args) or folder_matches(*args))
    return listed


def _settle() -> None:
    time.sleep(0.05)  # past RACY_NS, and past the timestamp tick of the change just made


def test_an_unchanged_folder_gives_the_very_same_paths_without_listing_it_again(facts, monkeypatch):
    listed = _counting_listings(monkeypatch)
    project, kept = Project.at(facts.parent.parent), KeptListings()
    first = project.files_under(facts, "*.yaml", kept.matches)
    kept.next_build()
    again = project.files_under(facts, "*.yaml", kept.matches)
    assert again == first == [facts / "a.yaml", facts / "b.yaml", facts / "c.yaml"]
    assert all(a is b for a, b in zip(again, first)) and len(listed) == 1
    (facts / "b.yaml").write_text("facts: [1]\n", encoding="utf-8")  # an edit in place keeps the names
    assert project.files_under(facts, "*.yaml", kept.matches)[1] is first[1] and len(listed) == 1


@pytest.mark.parametrize("change", ["add", "remove", "rename", "save by rename"])
def test_a_name_added_removed_or_renamed_in_the_folder_is_seen(facts, monkeypatch, change):
    listed = _counting_listings(monkeypatch)
    project, kept = Project.at(facts.parent.parent), KeptListings()
    project.files_under(facts, "*.yaml", kept.matches)
    if change == "add":
        (facts / "d.yaml").write_text("facts: []\n", encoding="utf-8")
    elif change == "remove":
        (facts / "a.yaml").unlink()
    elif change == "rename":
        (facts / "c.yaml").rename(facts / "c.yaml.bak")
    else:  # an editor writes a new file beside the old and renames it over it: a new file, the same names
        (facts / ".b.yaml.swp").write_text("facts: [2]\n", encoding="utf-8")
        (facts / ".b.yaml.swp").replace(facts / "b.yaml")
    expected = sorted(p for p in facts.glob("*.yaml") if p.is_file())
    assert project.files_under(facts, "*.yaml", kept.matches) == expected and len(listed) == 2
    _settle()
    assert project.files_under(facts, "*.yaml", kept.matches) == expected and len(listed) == 3
    assert project.files_under(facts, "*.yaml", kept.matches) == expected and len(listed) == 3


def test_a_folder_changed_just_before_it_was_listed_is_listed_again(tmp_path, monkeypatch):
    # The default RACY_NS (3 s): a folder made now could change again within its timestamp tick.
    listed = _counting_listings(monkeypatch)
    folder = tmp_path / "content" / "charts"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text("charts: []\n", encoding="utf-8")
    project, kept = Project.at(tmp_path), KeptListings()
    first = project.files_under(folder, "*.yaml", kept.matches)
    again = project.files_under(folder, "*.yaml", kept.matches)
    assert again == first and again[0] is not first[0] and len(listed) == 2


def test_a_link_is_followed_again_even_when_the_folder_is_unchanged(facts, tmp_path):
    project, kept = Project.at(tmp_path), KeptListings()
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "d.yaml").write_text("facts: []\n", encoding="utf-8")
    (facts / "d.yaml").symlink_to(shared / "d.yaml")
    _settle()
    assert project.files_under(facts, "*.yaml", kept.matches)[-1] == facts / "d.yaml"
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text("facts: []\n", encoding="utf-8")
    (shared / "d.yaml").unlink()  # what the link leads to changes; the facts folder does not
    (shared / "d.yaml").symlink_to(outside)
    with pytest.raises(BuildError, match="links outside the project"):
        project.files_under(facts, "*.yaml", kept.matches)
    (shared / "d.yaml").unlink()
    (shared / "d.yaml").mkdir()  # a link to a folder is no file
    assert project.files_under(facts, "*.yaml", kept.matches)[-1] == facts / "c.yaml"


def test_a_fifo_is_refused_at_every_build_and_a_folder_gone_has_no_files(facts, tmp_path):
    project, kept = Project.at(tmp_path), KeptListings()
    os.mkfifo(facts / "pipe.yaml")
    _settle()
    for _ in range(2):
        with pytest.raises(BuildError, match="FIFO"):
            project.files_under(facts, "*.yaml", kept.matches)
    for path in facts.iterdir():
        path.unlink()
    facts.rmdir()
    assert project.files_under(facts, "*.yaml", kept.matches) == []


def test_a_folder_that_is_inside_no_more_is_refused(facts, tmp_path):
    # Whether the folder is inside the project is asked at every call: here content/ becomes a link outside.
    project, kept = Project.at(tmp_path), KeptListings()
    assert len(project.files_under(facts, "*.yaml", kept.matches)) == 3
    elsewhere = tmp_path.parent / f"{tmp_path.name}-content"
    (tmp_path / "content").rename(elsewhere)
    (tmp_path / "content").symlink_to(elsewhere)
    with pytest.raises(BuildError, match="links outside the project"):
        project.files_under(facts, "*.yaml", kept.matches)


def test_recursive_patterns_are_listed_every_time(tmp_path, monkeypatch):
    listed = _counting_listings(monkeypatch)
    monkeypatch.setattr(texts, "RACY_NS", -10**12)  # "now" is a thousand seconds on: no folder is racy
    templates = tmp_path / "templates"
    (templates / "partials").mkdir(parents=True)
    for name in ("base.html", "partials/card.html", "zz.html"):
        (templates / name).write_text("x", encoding="utf-8")
    project, kept = Project.at(tmp_path), KeptListings()
    for _ in range(2):
        assert project.files_under(templates, "**/*", kept.matches) == [
            templates / "base.html", templates / "partials" / "card.html", templates / "zz.html"]
    assert len(listed) == 2


def test_a_folder_not_listed_by_the_last_build_is_forgotten(facts, tmp_path, monkeypatch):
    listed = _counting_listings(monkeypatch)
    kept = KeptListings()
    kept.matches(facts, "*.yaml")
    kept.next_build()
    kept.next_build()
    kept.matches(facts, "*.yaml")
    assert len(listed) == 2
