"""The changelog of data edits: manifest, the terminal's revisions between builds, and what readers see.

Where the notes readers see come from (git, content/revisions.yaml) is tested in test_history.py."""
from __future__ import annotations

import dataclasses
import json

from site_builder.commands.build_command import build_site
from site_builder.compute.facts import FactBook
from site_builder.compute.revisions import MANIFEST_PATH, Revision, fact_rows, updated_history
from site_builder.compute.stage import compile_site
from site_builder.frozen import FrozenDict
from site_builder.incremental.cache import Store
from site_builder.incremental.kept import SvgCache

from conftest import parse_html

PAGE = "briefings/widget-outlook/index.html"


def _edit_fact(project, old: str, new: str) -> None:
    path = project.root / "content/facts/widgets.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _revision_notes(project) -> list[str]:
    page = parse_html(project.out / PAGE)
    return [li.get_text(" ", strip=True) for li in page.select("ul.revisions li")]


def test_manifest_lists_every_fact_with_its_displayed_value(make_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")  # 2025-11-25
    project = make_project()
    build_site(project)
    manifest = json.loads((project.out / MANIFEST_PATH).read_text())
    assert manifest["facts"]["forecast.2030"]["display"] == "1.4 million"
    assert manifest["revisions"] == []
    assert _revision_notes(project) == []


def test_an_edited_fact_is_reported_by_the_build_but_readers_see_only_committed_revisions(make_project,
                                                                                          monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")  # 2025-11-25
    project = make_project()
    build_site(project)
    _edit_fact(project, "value: 1400000", "value: 1450000")
    result = build_site(project)
    assert [(r.fact, r.before, r.after) for r in result.revised] == [("forecast.2030", "1.4 million", "1.45 million")]
    # Not in git, no content/revisions.yaml: nothing committed records the change, so readers are not told of it.
    assert _revision_notes(project) == []
    assert build_site(project, force=True).revised == ()


def test_revision_notes_can_be_turned_off(make_project):
    project = make_project()
    (project.root / "content/revisions.yaml").write_text(
        "revisions:\n  - {fact: forecast.2030, date: 2025-11-25, from: 1350000, to: 1400000}\n")
    build_site(project)
    assert len(_revision_notes(project)) == 1
    site_yaml = project.root / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "show_revisions: false\n")
    build_site(project)
    assert _revision_notes(project) == []
    assert json.loads((project.out / MANIFEST_PATH).read_text())["revisions"][0]["after"] == "1.4 million"


def test_several_edits_in_one_day_are_one_revision_and_an_undo_is_none():
    day = "2025-11-25"
    first = updated_history([], [Revision("f", "F", "1", "2", day)])
    second = updated_history(first, [Revision("f", "F", "2", "3", day)])
    assert second == [Revision("f", "F", "1", "3", day)]
    assert updated_history(second, [Revision("f", "F", "3", "1", day)]) == []
    next_day = updated_history(second, [Revision("f", "F", "3", "4", "2025-11-26")])
    assert next_day == [Revision("f", "F", "1", "3", day), Revision("f", "F", "3", "4", "2025-11-26")]


def test_a_change_of_format_alone_is_not_a_revision_of_a_dataset_fact(make_project):
    project = make_project(fixture="data", warm=False)
    build_site(project)
    facts, data = project.root / "content/facts/iowa.yaml", project.root / "content/data/iowa-electricity.csv"
    # The fact's format changes, and the file writes the same figure another way.
    facts.write_text(facts.read_text().replace(
        "where: {source: Renewables, year: 2017}}\n", "where: {source: Renewables, year: 2017}}\n    format: integer\n"))
    data.write_text(data.read_text().replace("2017-01-01,Renewables,21933\n", "2017-01-01,Renewables,21933.0\n"))
    result = build_site(project)
    shown = json.loads((project.out / MANIFEST_PATH).read_text())["facts"]["iowa.wind_2017"]["display"]
    assert shown == "21,933,000"  # the page shows it differently now (it read "21.93 million")...
    assert [r.fact for r in result.revised if r.fact == "iowa.wind_2017"] == []  # ...but it is the same figure
    data.write_text(data.read_text().replace("2017-01-01,Renewables,21933.0\n", "2017-01-01,Renewables,22000\n"))
    revised = [(r.before, r.after) for r in build_site(project).revised if r.fact == "iowa.wind_2017"]
    assert revised == [("21,933,000", "22,000,000")]


def test_a_change_of_format_alone_is_not_a_revision_between_builds(make_project):
    project = make_project()
    build_site(project)
    _edit_fact(project, "value: 1400000", "value: 1400000\n    format: integer")
    assert build_site(project).revised == ()


def test_a_revised_money_series_keeps_its_currency_in_the_note(make_project):
    project = make_project()
    _edit_fact(project, "facts:\n", "facts:\n  - id: price\n    label: Widget price\n    value: {2020: 3.41, 2021: 3.5}\n"
                                    "    unit: usd\n    source: agency\n")
    briefing = project.root / "content/briefings/widget-outlook.md"
    briefing.write_text(briefing.read_text().replace("## Do the numbers", 'Prices: {{ fact("price") }}.\n\n## Do the numbers'))
    (project.root / "content/revisions.yaml").write_text(
        "revisions:\n  - {fact: price, date: 2025-11-25, from: {2020: 3.31, 2021: 3.5}, to: {2020: 3.41, 2021: 3.5}}\n")
    build_site(project)
    [note] = [n for n in _revision_notes(project) if "Widget price" in n]
    assert "2020: $3.31" in note and "2020: $3.41" in note and "3.31 to 3.41" not in note


def test_rows_made_again_for_the_changed_facts_alone_are_the_rows_of_every_fact(make_project):
    project = make_project()
    book = compile_site(project, SvgCache(Store(project.cache))).book
    rows = fact_rows(book)
    edited = dataclasses.replace(book.facts["forecast.2030"], value=1450000)
    new = FactBook(FrozenDict(dict(book.facts) | {"forecast.2030": edited}), book.checks, book.locale)
    again = fact_rows(new, rows, {"forecast.2030"})
    assert list(again.items()) == list(fact_rows(new).items())
    assert '"display": "1.45 million"' in again["forecast.2030"].line
    assert all(again[fid] is rows[fid] for fid in rows if fid != "forecast.2030")
    assert fact_rows(book, rows, set()) is rows
    # A fact added or removed: the ids, and so their order, are made again.
    fewer = FactBook(FrozenDict({k: v for k, v in book.facts.items() if k != "forecast.2030"}), book.checks)
    assert list(fact_rows(fewer, rows, {"forecast.2030"})) == [fid for fid in rows if fid != "forecast.2030"]


def test_briefing_serve_reports_the_edited_fact_once_from_the_rows_made_again(make_project, monkeypatch):
    from site_builder.build import SiteBuilder

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")  # 2025-11-25
    project = make_project()
    builder = SiteBuilder(project)
    assert builder.build().revised == ()
    _edit_fact(project, "value: 1400000", "value: 1450000")
    assert [(r.fact, r.before, r.after) for r in builder.build().revised] == [
        ("forecast.2030", "1.4 million", "1.45 million")]
    assert builder.build().revised == ()
    # A manifest someone else wrote into the output folder is read for what it records.
    manifest = project.out / MANIFEST_PATH
    manifest.write_text(manifest.read_text().replace('"display": "1.45 million"', '"display": "1.3 million"')
                        .replace('"value": 1450000', '"value": 1300000'))
    assert [(r.fact, r.before, r.after) for r in builder.build().revised] == [
        ("forecast.2030", "1.3 million", "1.45 million")]
