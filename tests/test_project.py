"""The project folders: the default theme inside the package, and a project's own overrides of it."""
from __future__ import annotations

import os
import shutil

import pytest

from conftest import FIXTURES, parse_html
from site_builder.commands.build_command import build_site
from site_builder.content.folders import THEME, Project
from site_builder.errors import BuildError
from site_builder.commands.scaffold import create_project


def bare_project(tmp_path, chart_cache) -> Project:
    """The mini fixture's content only: no templates/ or static/ of its own."""
    root = tmp_path / "bare"
    shutil.copytree(FIXTURES / "mini" / "content", root / "content")
    shutil.copytree(chart_cache, root / ".briefing-cache")
    return Project.at(root)


def test_the_theme_ships_inside_the_package():
    assert THEME.parent.name == "site_builder"
    assert (THEME / "templates" / "base.html").is_file()
    assert (THEME / "static" / "style.css").is_file()


def test_a_project_with_no_templates_or_static_folder_builds_with_the_theme(tmp_path, chart_cache):
    project = bare_project(tmp_path, chart_cache)
    build_site(project)
    page = parse_html(project.out / "index.html")
    assert page.h1.get_text() == "Mini Briefings"
    assert (project.out / "static" / "style.css").read_bytes() == (THEME / "static" / "style.css").read_bytes()
    assert (project.out / "static" / "briefing.js").is_file()


def test_a_project_template_overrides_the_theme_and_the_rest_still_comes_from_it(tmp_path, chart_cache):
    project = bare_project(tmp_path, chart_cache)
    (project.root / "templates").mkdir()
    (project.root / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost in the briefings</h1>{% endblock %}\n', encoding="utf-8")
    build_site(project)
    missing = parse_html(project.out / "404.html")
    assert missing.h1.get_text() == "Lost in the briefings"
    assert missing.select_one("link[rel=stylesheet]") is not None  # base.html is still the theme's
    assert parse_html(project.out / "index.html").h1.get_text() == "Mini Briefings"


def test_project_static_files_override_the_theme_and_add_to_it_but_the_readme_is_not_published(
        tmp_path, chart_cache):
    project = bare_project(tmp_path, chart_cache)
    static = project.root / "static"
    (static / "img").mkdir(parents=True)
    (static / "style.css").write_text("body { color: teal; }\n", encoding="utf-8")
    (static / "img" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (static / "README.md").write_text("What goes here\n", encoding="utf-8")
    build_site(project)
    assert (project.out / "static" / "style.css").read_text(encoding="utf-8") == "body { color: teal; }\n"
    assert (project.out / "static" / "img" / "logo.svg").is_file()
    assert (project.out / "static" / "briefing.js").read_bytes() == (THEME / "static" / "briefing.js").read_bytes()
    assert not (project.out / "static" / "README.md").exists()


def test_briefing_new_does_not_copy_the_theme(tmp_path):
    root = create_project(tmp_path / "new")
    assert sorted(p.relative_to(root / "templates").as_posix() for p in (root / "templates").rglob("*")) == ["README.md"]
    assert sorted(p.relative_to(root / "static").as_posix() for p in (root / "static").rglob("*")) == ["README.md"]
    build_site(Project.at(root))
    assert (root / "_site" / "static" / "style.css").is_file()
    assert not (root / "_site" / "static" / "README.md").exists()


def test_files_in_one_folder_are_found_as_glob_finds_them(tmp_path):
    # files_under lists one folder with os.scandir for a pattern such as "*.yaml": the same files as
    # sorted(glob), in the same order (hidden names, case, links inside the project), refusing the same ones.
    project = Project.at(tmp_path)
    facts = project.content / "facts"
    (facts / "x.yaml").mkdir(parents=True)  # a folder with the name of a file: not a file
    for name in ("b.yaml", "a.yaml", ".hidden.yaml", "B.yaml", "c.YAML", "d.yml", "a.yaml~"):
        (facts / name).write_text("facts: []\n", encoding="utf-8")
    (facts / "link.yaml").symlink_to(facts / "a.yaml")
    (facts / "broken.yaml").symlink_to(facts / "gone.yaml")
    (facts / "loop.yaml").symlink_to(facts / "loop.yaml")
    found = project.files_under(facts, "*.yaml")
    assert found == [p for p in sorted(facts.glob("*.yaml")) if p.is_file()]
    assert [p.name for p in found] == [".hidden.yaml", "B.yaml", "a.yaml", "b.yaml", "link.yaml"]
    assert project.display(found[0]) == "content/facts/.hidden.yaml"
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text("facts: []\n", encoding="utf-8")
    (facts / "out.yaml").symlink_to(outside)
    with pytest.raises(BuildError, match="links outside the project"):
        project.files_under(facts, "*.yaml")
    (facts / "out.yaml").unlink()
    os.mkfifo(facts / "pipe.yaml")
    with pytest.raises(BuildError, match="FIFO"):
        project.files_under(facts, "*.yaml")
