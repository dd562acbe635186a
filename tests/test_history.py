"""The facts' history from what is committed: git (a clean clone shows the same notes), else content/revisions.yaml."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import parse_html, replace_in_file, snapshot
from site_builder.commands.build_command import build_site
from site_builder.incremental.cache import Store
from site_builder.errors import BuildErrors
from site_builder.content.history import ValueChange, read_history
from site_builder.compute.project import Project

PAGE = "briefings/widget-outlook/index.html"
FACTS = "content/facts/widgets.yaml"
NOTE = "Updated November 26, 2025 : Forecast widget sales, 2030 revised from 1.4 million to 1.45 million."
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(root: Path, *args: str, when: str = "2025-11-25T12:00:00+00:00") -> str:
    """Run git in ``root`` as a fixed author at a fixed time."""
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "HOME": str(root), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org",
                           "-c", "init.defaultBranch=main", *args], cwd=root, env=env, check=True,
                          capture_output=True, text=True).stdout


def commit_all(root: Path, message: str, when: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, when=when)


def notes(project: Project) -> list[str]:
    """The revision notes a reader sees on the widget briefing."""
    return [li.get_text(" ", strip=True) for li in parse_html(project.out / PAGE).select("ul.revisions li")]


@pytest.fixture
def repo(make_project) -> Project:
    """The mini project under git: the facts committed, then the 2030 forecast edited in a second commit."""
    project = make_project()
    (project.root / ".gitignore").write_text("_site/\n.briefing-cache/\n")
    git(project.root, "init", "-q")
    commit_all(project.root, "Facts", "2025-11-25T12:00:00+00:00")
    replace_in_file(project, FACTS, "value: 1400000", "value: 1450000")
    commit_all(project.root, "Ministry revised its forecast", "2025-11-26T09:30:00+00:00")
    return project


def clean_clone(repo: Project, dest: Path, chart_cache: Path) -> Project:
    """A fresh clone of ``repo``: no _site/, no history cache (only the drawn charts, to save time)."""
    subprocess.run(["git", "clone", "-q", str(repo.root), str(dest)], check=True, capture_output=True)
    shutil.copytree(chart_cache / "charts", dest / ".briefing-cache" / "charts")
    return Project.at(dest)


def test_a_clean_clone_with_no_site_shows_the_revision_dated_by_its_commit(repo, tmp_path, chart_cache):
    clone = clean_clone(repo, tmp_path / "clone", chart_cache)
    assert not clone.out.exists()
    build_site(clone)
    assert notes(clone) == [NOTE]


def test_deleting_the_site_keeps_the_history_and_two_clones_of_one_commit_build_the_same(repo, tmp_path,
                                                                                       chart_cache):
    build_site(repo)
    assert notes(repo) == [NOTE]
    shutil.rmtree(repo.out)
    build_site(repo)
    assert notes(repo) == [NOTE]
    first, second = (clean_clone(repo, tmp_path / name, chart_cache) for name in ("ci", "laptop"))
    build_site(first)
    build_site(second)
    assert snapshot(first.out) == snapshot(second.out)
    assert snapshot(first.out)["data/facts.json"] == snapshot(repo.out)["data/facts.json"]


def test_a_label_or_format_change_alone_is_not_a_revision(repo):
    replace_in_file(repo, FACTS, "label: Forecast widget sales, 2030", "label: Widget sales forecast, 2030")
    commit_all(repo.root, "Relabel", "2025-11-27T09:00:00+00:00")
    replace_in_file(repo, FACTS, "value: 1450000", "value: 1450000.0\n    format: compact")
    commit_all(repo.root, "Format", "2025-11-28T09:00:00+00:00")
    build_site(repo)
    assert notes(repo) == [NOTE.replace("Forecast widget sales, 2030", "Widget sales forecast, 2030")]


def test_an_uncommitted_edit_is_not_yet_a_revision_and_committing_it_rebuilds(repo):
    build_site(repo)
    replace_in_file(repo, FACTS, "value: 1450000", "value: 1500000")
    result = build_site(repo)
    assert [(r.before, r.after) for r in result.revised] == [("1.45 million", "1.5 million")]  # the terminal says
    assert notes(repo) == [NOTE]
    commit_all(repo.root, "Again", "2025-11-29T09:00:00+00:00")
    result = build_site(repo)
    assert not result.up_to_date
    assert notes(repo)[0] == ("Updated November 29, 2025 : Forecast widget sales, 2030 revised from "
                              "1.45 million to 1.5 million.")


def test_each_version_of_a_facts_file_is_read_from_git_once(repo, monkeypatch):
    first = read_history(repo.root, repo.content, Store(repo.cache))
    assert first.origin == "git"
    assert first.changes == (ValueChange("forecast.2030", (1400000, None), (1450000, None), dt.date(2025, 11, 26)),)
    monkeypatch.setattr("site_builder.content.history_blobs.BlobStore._cat", lambda self, blobs: pytest.fail(f"read {blobs}"))
    assert read_history(repo.root, repo.content, Store(repo.cache)) == first


def test_without_git_the_committed_changelog_is_the_history(make_project):
    project = make_project()
    (project.content / "revisions.yaml").write_text(
        "revisions:\n  - fact: forecast.2030\n    date: 2025-11-26\n    from: 1400000\n    to: 1450000\n")
    build_site(project)
    assert notes(project) == [NOTE]


def test_a_changelog_entry_that_is_not_a_revision_names_its_line(make_project):
    project = make_project()
    (project.content / "revisions.yaml").write_text(
        "revisions:\n  - fact: forecast.2030\n    date: 2025-11-26\n    from: 1400000\n"
        "  - fact: forecast.2030\n    date: yesterday\n    from: 1\n    to: 2\n")
    with pytest.raises(BuildErrors) as caught:
        build_site(project)
    assert [(p.path, p.line) for p in caught.value.problems] == [("content/revisions.yaml", 2),
                                                                   ("content/revisions.yaml", 5)]


# --- a fact read from a data file is revised when its cells are (issue 14) ----------------------

DATA_PAGE = "briefings/from-data/index.html"
IOWA = "content/data/iowa-electricity.csv"
STOCKS = "content/data/stocks.csv"


def data_notes(project: Project) -> list[str]:
    return [li.get_text(" ", strip=True) for li in parse_html(project.out / DATA_PAGE).select("ul.revisions li")]


@pytest.fixture
def data_repo(make_project) -> Project:
    """The data fixture under git, committed once."""
    project = make_project(fixture="data", warm=False)
    (project.root / ".gitignore").write_text("_site/\n.briefing-cache/\n")
    git(project.root, "init", "-q")
    commit_all(project.root, "Data", "2025-11-25T12:00:00+00:00")
    return project


def test_an_edited_cell_of_a_data_file_is_a_revision_of_the_facts_that_read_it(data_repo):
    replace_in_file(data_repo, IOWA, "2017-01-01,Renewables,21933\n", "2017-01-01,Renewables,22410\n")
    commit_all(data_repo.root, "EIA revised 2017", "2025-11-26T09:30:00+00:00")
    build_site(data_repo)
    assert data_notes(data_repo) == [
        "Updated November 26, 2025 : Iowa electricity from renewables, 2017 revised from 21.93 million to 22.41 million.",
        "Updated November 26, 2025 : Iowa electricity from renewables revised from 2017: 21.93 million "
        "to 2017: 22.41 million.",  # a series: the periods that changed
        "Updated November 26, 2025 : Iowa electricity from all sources revised from 2017: 56.5 million "
        "to 2017: 57.0 million."]  # a sum over the rows of each year, to the precision it is published with
    # The same figure written another way, a cell no fact reads (IBM's price) and a new year of data are no revision.
    replace_in_file(data_repo, IOWA, "2017-01-01,Renewables,22410\n", "2017-01-01,Renewables,22410.0\n2018-01-01,Renewables,23000\n")
    ibm = next(line for line in (data_repo.root / STOCKS).read_text().splitlines() if line.startswith("IBM,"))
    replace_in_file(data_repo, STOCKS, ibm + "\n", ibm.rsplit(",", 1)[0] + ",1.23\n")
    commit_all(data_repo.root, "Reformat", "2025-11-27T09:30:00+00:00")
    build_site(data_repo)
    notes = data_notes(data_repo)
    assert not any("November 27" in n for n in notes), notes
    assert [n for n in notes if n.startswith("Updated November 26")] and all("2025" in n for n in notes)


def test_a_data_change_before_the_fact_existed_is_not_its_revision_and_history_is_read_once(data_repo, monkeypatch):
    facts = data_repo.root / "content/facts/iowa.yaml"
    text = facts.read_text()
    entry = text[text.index("  - id: iowa.wind_2017"):text.index("  - id: iowa.total_2017")]
    facts.write_text(text.replace(entry, ""))
    briefing = data_repo.root / "content/briefings/from-data.md"
    body = briefing.read_text()
    briefing.write_text(body.replace(", iowa.wind_2017", "").replace(' ({{ fact("iowa.wind_2017") }})', ""))
    commit_all(data_repo.root, "Without the 2017 figure", "2025-11-26T09:00:00+00:00")
    replace_in_file(data_repo, IOWA, "2017-01-01,Renewables,21933\n", "2017-01-01,Renewables,22410\n")
    commit_all(data_repo.root, "EIA revised 2017", "2025-11-27T09:00:00+00:00")
    facts.write_text(text)
    briefing.write_text(body)
    commit_all(data_repo.root, "The 2017 figure", "2025-11-28T09:00:00+00:00")
    build_site(data_repo)
    notes = data_notes(data_repo)
    assert not any("renewables, 2017 revised" in n for n in notes), notes
    assert any(n.startswith("Updated November 27, 2025 : Iowa electricity from all sources revised") for n in notes)
    first = build_site(data_repo, force=True)
    monkeypatch.setattr("site_builder.content.history_blobs.BlobStore._cat", lambda self, blobs: pytest.fail(f"read {blobs}"))
    (data_repo.root / "content/briefings/from-data.md").write_text(body + "\nOne more line.\n")
    build_site(data_repo)  # a new build reads every version's figures from the store, no blob from git
    assert data_notes(data_repo) == notes and first.pages


def test_a_version_of_a_data_file_over_the_size_limit_is_never_read_from_git(data_repo, monkeypatch):
    from site_builder.content.history import DataFile
    replace_in_file(data_repo, IOWA, "2017-01-01,Renewables,21933\n", "2017-01-01,Renewables,22410\n")
    commit_all(data_repo.root, "EIA revised 2017", "2025-11-26T09:30:00+00:00")
    size = (data_repo.root / IOWA).stat().st_size
    monkeypatch.setattr("site_builder.content.history_blobs.MAX_DATA_BYTES", size - 1)  # both versions are "too large"
    never = DataFile(data_repo.root / IOWA, "declared", lambda raw: pytest.fail(f"read {len(raw)} bytes"))
    history = read_history(data_repo.root, data_repo.content, Store(data_repo.cache), (never,))
    assert history.origin == "git" and history.changes == ()
    monkeypatch.setattr("site_builder.content.history_blobs.MAX_DATA_BYTES", size)
    read = DataFile(data_repo.root / IOWA, "declared again", lambda raw: {"iowa.wind_2017": raw.count(b"22410")})
    history = read_history(data_repo.root, data_repo.content, Store(data_repo.cache), (read,))
    assert history.changes == (ValueChange("iowa.wind_2017", (0, None), (1, None), dt.date(2025, 11, 26)),)
