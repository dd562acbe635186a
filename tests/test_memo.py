"""memo.py and build.SiteBuilder: a rebuild that reuses what an edit did not reach writes what a full build writes."""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time

import pytest

from site_builder.build import SiteBuilder
from site_builder.commands.build_command import build_site
from site_builder.errors import BuildErrors
from site_builder.incremental import texts
from site_builder.compute.project import Project

from conftest import REPO, replace_in_file as edit

FACTS = "content/facts/widgets.yaml"


@pytest.mark.parametrize("new_builder_each_time", [False, True], ids=["serve", "new-process"])
def test_incremental_builds_write_what_full_builds_write(make_project, files_of, monkeypatch, new_builder_each_time):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    incremental, full = make_project("incremental"), make_project("full")
    builder = SiteBuilder(incremental, serving=True)
    steps = [
        lambda p: None,
        lambda p: edit(p, FACTS, "value: 700000", "value: 750000"),
        lambda p: (p.root / "content/facts/totals.yaml").write_text(  # derived from facts in another file
            "facts:\n  - id: total\n    label: Total\n    derive: {op: sum, of: [sales.2021, sales.2022]}\n"),
        lambda p: edit(p, FACTS, "value: 1500000", "value: 1600000"),  # derived facts and a check follow
        lambda p: edit(p, FACTS, "value: 1\n", "value: 1.0\n"),  # equal to 1, printed differently
        lambda p: edit(p, FACTS, "tolerance: 0.02", "tolerance: 0.5"),
        lambda p: (p.root / "content/facts/totals.yaml").write_text(  # a new check on facts the page shows
            (p.root / "content/facts/totals.yaml").read_text() + "checks:\n  - id: sum-check\n    stated: sales.2023"
            "\n    derived: total\n    tolerance: 0.01\n    title: Sales do not add up\n"),
        lambda p: edit(p, "content/charts/widgets.yaml", "title: ", "title: Renamed "),
        lambda p: edit(p, FACTS, "facts:", "facts: ["),  # a failed build changes nothing ...
        lambda p: edit(p, FACTS, "facts: [", "facts:"),  # ... and the next one builds from where it was
        lambda p: edit(p, "content/briefings/widget-outlook.md", "## Do the numbers", "## Do these numbers"),
        lambda p: edit(p, "content/site.yaml", "title: Mini Briefings", "title: Tiny Briefings"),
        lambda p: edit(p, "templates/partials/fact.html", 'class="fact', 'class="figure fact'),
        lambda p: _note_in_fact(p, "nb"),  # a new partial, included by a partial
        lambda p: _note_in_fact(p, "see"),
        lambda p: (p.root / "templates/partials/note.html").unlink(),  # included "ignore missing"
        lambda p: None,  # everything reused
    ]
    for step in steps:
        step(incremental)
        step(full)
        if new_builder_each_time:
            builder = SiteBuilder(incremental, serving=True)  # what it reuses comes from disk, as in a new process
        try:
            builder.build()
        except BuildErrors:
            with pytest.raises(BuildErrors):
                build_site(full, force=True)
        else:
            build_site(full, force=True)
        assert files_of(incremental.out) == files_of(full.out)


def _set(project: Project, rel: str, pattern: str, replacement: str) -> None:
    """Replace the first match of ``pattern`` (a regular expression, which must match) in a project file."""
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
    assert count == 1, (rel, pattern)
    path.write_text(new, encoding="utf-8")


def _note_in_fact(project: Project, text: str) -> None:
    """partials/fact.html includes partials/note.html (if there is one), which now says ``text``."""
    fact = project.root / "templates/partials/fact.html"
    include = '{% include "partials/note.html" ignore missing %}'
    if include not in fact.read_text(encoding="utf-8"):
        fact.write_text(fact.read_text(encoding="utf-8").replace("</a>", include + "</a>"), encoding="utf-8")
    (project.root / "templates/partials/note.html").write_text(f"<small>{text}</small>", encoding="utf-8")


PLANT = "content/facts/plant.yaml"
OPENS = "content/briefings/plant-opens.md"
LIBRARY_EDITS = {  # name → edit(project, random number generator); each keeps the project valid
    "a number": lambda p, r: _set(p, PLANT, r"value: 180$|value: \d+(?=\n    unit: km)", f"value: {r.randint(1, 999)}"),
    "a date": lambda p, r: _set(p, PLANT, r"value: 2020-05-\d\d", f"value: 2020-05-{r.randint(10, 28)}"),
    "an event date": lambda p, r: _set(p, PLANT, r'event_date: "2020-\d\d"', f'event_date: "2020-{r.randint(10, 12)}"'),
    "an exchange rate": lambda p, r: _set(p, PLANT, r"value: 0\.0\d+", f"value: 0.0{r.randint(10, 99)}"),
    "a label": lambda p, r: _set(p, PLANT, r"label: Workers at the plant.*", f"label: Workers at the plant {r.randint(1, 9)}"),
    "a tag": lambda p, r: _set(p, OPENS, r"^tags: .*", f"tags: [widgets, {r.choice(['Plants', 'closures', 'other', 'new'])}]"),
    "key numbers": lambda p, r: _set(p, OPENS, r"^key_numbers: .*",
                                     f"key_numbers: [{r.choice(['plant.investment', 'plant.workers'])}, plant.distance]"),
    "a glossary definition": lambda p, r: _set(p, "content/glossary.yaml", r"definition: A small.*",
                                               f"definition: A small device, version {r.randint(1, 9)}."),
    "a source title": lambda p, r: _set(p, "content/sources.yaml", r"title: The widget plant.*",
                                        f"title: The widget plant, edition {r.randint(1, 9)}"),
    "a glossary entry": lambda p, r: _set(p, "content/glossary.yaml", r"term: Plant Regist\w*",
                                          f"term: Plant Regist{r.choice(['ry', 'er', 'ries'])}"),
    "a source's publisher": lambda p, r: _set(p, "content/sources.yaml", r"publisher: Central Bank.*",
                                              f"publisher: Central Bank {r.choice(['', 'of Widgets', 'Two'])}"),
    "a source's address": lambda p, r: _set(p, "content/sources.yaml", r"url: https://example.org/plant.*",
                                            f"url: https://example.org/plant{r.randint(1, 9)}"),
    # partials/library.html is imported by briefing.html, index.html and tag.html, and is rendered by none itself:
    "an included template": lambda p, r: _set(p, "templates/partials/library.html", r'<h2 id="related-title">[^<]*',
                                              f'<h2 id="related-title">{r.choice(["Related", "Read next", "See also"])}'),
    "the site title": lambda p, r: _set(p, "content/site.yaml", r"^title: .*", f"title: Library {r.randint(1, 9)}"),
    "a body": lambda p, r: _set(p, OPENS, r"Every widget counts\..*", f"Every widget counts. {r.randint(1, 9)}"),
    "a template": lambda p, r: _set(p, "templates/partials/fact.html", r'class="fact[^"]*"',
                                    f'class="fact{r.choice(["", " figure", " number"])}"'),
    # partials/note.html is included by partials/fact.html only, which no page template names:
    "a partial's partial": lambda p, r: _note_in_fact(p, r.choice(["note", "nb", "see"])),
    "no partial's partial": lambda p, r: (p.root / "templates/partials/note.html").unlink(missing_ok=True),
    "an imported macro": lambda p, r: _set(p, "templates/partials/macros.html", r"^<cite[^>]*>",
                                           f'<cite class="{r.choice(["a", "b", "c"])}">'),
    "a new briefing": lambda p, r: (p.root / "content/briefings/extra.md").write_text(
        f"---\ntitle: Extra {r.randint(1, 9)}\ndate: 2023-03-0{r.randint(1, 9)}\ntags: [widgets]\n---\n"
        f"Workers: {{{{ fact(\"plant.workers\") }}}}.\n", encoding="utf-8"),
    "no briefing extra": lambda p, r: (p.root / "content/briefings/extra.md").unlink(missing_ok=True),
}


@pytest.mark.parametrize("seed", [1, 2, 3, "every kind"])
def test_random_edits_rebuilt_in_one_process_give_what_a_full_build_gives(make_project, files_of, monkeypatch, seed):
    _random_edits(make_project, files_of, monkeypatch, seed)


def test_random_edits_with_texts_kept_by_their_stat_give_what_a_full_build_gives(make_project, files_of, monkeypatch):
    # Files unchanged for 30 ms (3 s in use) are trusted by their stat, so that the rebuilds take every text
    # but the edited file's from memory (texts.py).
    monkeypatch.setattr(texts, "RACY_NS", 30_000_000)
    read = []
    read_text = texts.read_text
    monkeypatch.setattr(texts, "read_text", lambda path, display=None: read.append(path) or read_text(path, display))
    _random_edits(make_project, files_of, monkeypatch, "every kind", settle=0.05, reads=read)


def _random_edits(make_project, files_of, monkeypatch, seed, settle: float = 0, reads: list | None = None) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    incremental, full = make_project("incremental", "library"), make_project("full", "library")
    builder = SiteBuilder(incremental, serving=True)
    time.sleep(settle)
    builder.build()
    rng = random.Random(seed)
    # "every kind": each kind of edit once, in a random order
    every_kind = rng.sample(sorted(LIBRARY_EDITS), len(LIBRARY_EDITS)) if seed == "every kind" else None
    for step in range(len(every_kind) if every_kind else 12):
        name = every_kind[step] if every_kind else rng.choice(sorted(LIBRARY_EDITS))
        state = rng.getstate()
        for project in (incremental, full):
            rng.setstate(state)  # the same edit in both
            LIBRARY_EDITS[name](project, rng)
        time.sleep(settle)
        read_before = len(reads) if reads is not None else 0
        builder.build()
        if reads is not None:
            assert len(reads) - read_before <= 2, f"after editing {name}: read {reads[read_before:]}"
        build_site(full, force=True)
        assert files_of(incremental.out) == files_of(full.out), f"after editing {name}"


DATA_EDITS = [  # a content table (a dataset's CSV and its definition), then back
    ("content/data/stocks.csv", "MSFT,Jan 1 2000,39.81", "MSFT,Jan 1 2000,41.5"),
    ("content/datasets.yaml", "title: Monthly closing prices", "title: Closing prices"),
    ("content/data/stocks.csv", "MSFT,Jan 1 2000,41.5", "MSFT,Jan 1 2000,39.81"),
    ("content/datasets.yaml", "title: Closing prices", "title: Monthly closing prices"),
]


@pytest.mark.parametrize("new_builder_each_time", [False, True], ids=["serve", "new-process"])
def test_edits_of_a_content_table_rebuild_what_a_full_build_gives(make_project, files_of, monkeypatch,
                                                                  new_builder_each_time):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    incremental, full = make_project("incremental", "data"), make_project("full", "data")
    builder = SiteBuilder(incremental, serving=True)
    builder.build()
    for rel, old, new in DATA_EDITS:
        for project in (incremental, full):
            edit(project, rel, old, new)
        if new_builder_each_time:
            builder = SiteBuilder(incremental, serving=True)
        builder.build()
        build_site(full, force=True)
        assert files_of(incremental.out) == files_of(full.out), f"after editing {rel}"


NEW_PROCESS_BUILD = """
import json, sys
from site_builder.build import SiteBuilder
from site_builder.compute.project import Project
builder = SiteBuilder(Project.at(sys.argv[1]))
builder.build()
print(json.dumps(sorted(builder.rendered)))
"""
PAGE = "briefings/widget-outlook/index.html"


def _marks(project: Project) -> list[str]:
    html = (project.out / PAGE).read_text(encoding="utf-8")
    return re.findall(r'<span class="mark">([^<]*)</span>', html)


def test_a_partial_included_only_by_a_partial_is_recorded_and_its_edit_rebuilds_the_page(make_project, monkeypatch):
    """No list names the templates a briefing page reads: one included from partials/fact.html, which the
    renderer fills each fact with, is recorded as it loads, in this process and for a build in a new one."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    project = make_project("indirect")
    templates = project.root / "templates"
    (templates / "partials/mark.html").write_text('<span class="mark">one</span>', encoding="utf-8")
    fact = templates / "partials/fact.html"
    fact.write_text(fact.read_text(encoding="utf-8").replace("</a>", '{% include "partials/mark.html" %}</a>'),
                    encoding="utf-8")
    builder = SiteBuilder(project, serving=True)  # as briefing serve keeps it
    builder.build()
    assert _marks(project) == ["one"] * 6  # the six facts of the body
    builder.build()
    assert PAGE not in builder.rendered

    (templates / "partials/mark.html").write_text('<span class="mark">two</span>', encoding="utf-8")
    builder.build()
    assert builder.rendered == (PAGE,) and _marks(project) == ["two"] * 6

    (templates / "partials/mark.html").write_text('<span class="mark">three</span>', encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", NEW_PROCESS_BUILD, str(project.root)], capture_output=True,
                          text=True, check=True, env=os.environ | {"PYTHONPATH": str(REPO)})
    assert json.loads(done.stdout) == [PAGE] and _marks(project) == ["three"] * 6


def test_an_unchanged_figure_is_checked_again_when_its_readers_units_change(make_project, files_of, monkeypatch):
    # A fact that is the very object a build checked passes again, unless it converts otherwise now: a new
    # exchange rate makes the unchanged investment (5 billion rubles) too large to show, as a full build says.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    incremental, full = make_project("incremental", "library"), make_project("full", "library")
    for project in (incremental, full):  # the rate in a file of its own, so that the investment stays the same object
        plant = (project.root / PLANT).read_text(encoding="utf-8")
        start = plant.index("  - id: fx.usd_per_rub")
        (project.root / PLANT).write_text(plant[:start], encoding="utf-8")
        (project.root / "content/facts/fx.yaml").write_text("facts:\n" + plant[start:], encoding="utf-8")
    builder = SiteBuilder(incremental, serving=True)
    builder.build()
    rate = r"value: (0\.011|1\.0e\+300|0\.012)$"
    for project in (incremental, full):
        _set(project, "content/facts/fx.yaml", rate, "value: 1.0e+300")
    with pytest.raises(BuildErrors) as served:
        builder.build()
    with pytest.raises(BuildErrors) as built:
        build_site(full, force=True)
    assert served.value.problems == built.value.problems
    assert any("plant.investment" in p.message and "too large to show" in p.message for p in served.value.problems)
    for project in (incremental, full):
        _set(project, "content/facts/fx.yaml", rate, "value: 0.012")
    builder.build()
    build_site(full, force=True)
    assert files_of(incremental.out) == files_of(full.out)


def test_a_text_encoded_by_the_last_build_gives_the_same_bytes_object_until_a_build_does_not_use_it():
    from site_builder.incremental.memo import EncodedTexts

    encoded = EncodedTexts()
    svg = "<svg>–</svg>" * 3
    first = encoded(svg)
    assert first == svg.encode()
    encoded.next_build()
    assert encoded(svg) is first  # a kept chart's SVG: no encoding, and written files compare by identity
    equal = "".join(["<svg>–</svg>"] * 3)  # equal text, another object: encoded as itself
    assert encoded(equal) == first and encoded(equal) is not first
    encoded.next_build()
    encoded.next_build()  # a build that did not encode it
    assert encoded(svg) is not first and encoded(svg) == first
