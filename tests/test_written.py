"""written.py: a build in a new process takes an unchanged page from the output folder instead of rendering it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from site_builder.incremental import cache
from site_builder.build import SiteBuilder
from site_builder.commands.build_command import build_site
from site_builder.incremental.cache import Store
from site_builder.compute.project import Project

from conftest import replace_in_file as edit

PAGE = "briefings/widget-outlook/index.html"
FACTS = "content/facts/widgets.yaml"
RENDERED_BY_A_NEW_PROCESS = """
import json, sys
from site_builder.build import SiteBuilder
from site_builder.compute.project import Project
builder = SiteBuilder(Project.at(sys.argv[1]))
result = builder.build()
print(json.dumps({"rendered": sorted(builder.rendered), "changed": sorted(result.changed)}))
"""




def build_in_new_process(project: Project, hash_seed: str) -> dict:
    env = os.environ | {"PYTHONHASHSEED": hash_seed}  # another order for every set and dict of strings
    done = subprocess.run([sys.executable, "-c", RENDERED_BY_A_NEW_PROCESS, str(project.root)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.fixture
def built(make_project, monkeypatch) -> Project:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    project = make_project()
    build_site(project)
    return project


def test_a_build_in_a_new_process_renders_no_page_that_did_not_change(built):
    first = build_in_new_process(built, "1")
    assert first == {"rendered": [], "changed": []}
    edit(built, FACTS, "value: 1400000", "value: 1450000")  # forecast.2030: shown on the briefing page only
    second = build_in_new_process(built, "2")
    assert second["rendered"] == [PAGE]
    assert PAGE in second["changed"] and "1.45 million" in (built.out / PAGE).read_text(encoding="utf-8")


def test_a_page_changed_in_the_output_folder_is_rendered_again(built):
    page = built.out / PAGE
    original = page.read_bytes()
    page.write_bytes(original.replace(b"1.4 million", b"9.9 million"))
    builder = SiteBuilder(built)
    builder.build()
    assert builder.rendered == (PAGE,) and page.read_bytes() == original


def test_the_record_is_ignored_after_a_change_to_the_code(built, monkeypatch):
    monkeypatch.setattr(cache, "code_version_digest", lambda: b"another version of site_builder".ljust(32))
    builder = SiteBuilder(built)
    builder.build()
    assert PAGE in builder.rendered and "index.html" in builder.rendered


def test_a_damaged_record_only_means_rendering_again(built):
    store = Store(built.cache)
    key = store.key("pages", str(built.out))
    store.path("pages", key).write_bytes(store.path("pages", key).read_bytes()[:32] + b'{"pages": [')
    builder = SiteBuilder(built)
    builder.build()
    assert PAGE in builder.rendered
    assert store.get_json("pages", key)["pages"][PAGE][0]  # recorded again


def test_serve_s_rebuilds_record_what_they_wrote_and_a_new_process_takes_it(built, monkeypatch):
    builder = SiteBuilder(built)
    builder.build()
    puts = []
    put_json = Store.put_json
    monkeypatch.setattr(Store, "put_json", lambda self, kind, key, value: (puts.append(kind), put_json(
        self, kind, key, value))[1])
    builder.build()
    assert "pages" not in puts  # nothing changed: the record is as written, and is not written again
    edit(built, FACTS, "value: 1400000", "value: 1450000")
    builder.build()
    assert puts.count("pages") >= 1
    # The record holds the edited page as the rebuild wrote it (its stat from the build, not looked up):
    # a new process takes every page from the output folder.
    assert build_in_new_process(built, "3") == {"rendered": [], "changed": []}
