"""render/templates.py: every template a page loads is recorded as it loads, with its source's version."""
from __future__ import annotations

import os

from site_builder.render.bodies import render_template
from site_builder.render.templates import site_templates


def write_templates(root, files: dict[str, str]):
    templates = root / "templates"
    (templates / "partials").mkdir(parents=True)
    for name, text in files.items():
        (templates / name).write_text(text, encoding="utf-8")
    return templates


TEMPLATES = {
    "base.html": "<main>{% block main %}{% endblock %}</main>",
    "page.html": "{% extends 'base.html' %}{% import 'partials/macros.html' as m %}"
                 "{% block main %}{{ m.shout(title) }}{% include 'partials/inner.html' %}{% endblock %}",
    "partials/macros.html": "{% macro shout(text) %}{{ text|upper }}{% endmacro %}",
    "partials/inner.html": "{% include 'partials/innermost.html' %}{% include 'partials/gone.html' ignore missing %}",
    "partials/innermost.html": "{{ footer }}",
    "other.html": "{{ unrelated }}",
}


def test_a_recording_holds_every_template_loaded_extended_imported_or_included_at_any_depth(tmp_path):
    folder = write_templates(tmp_path, TEMPLATES)
    templates = site_templates(folder)
    for _ in range(2):  # the second time from Jinja's cache of compiled templates: recorded all the same
        with templates.recording() as read:
            assert render_template(templates.env, "page.html", folder, tmp_path, title="hi", footer="end") \
                == "<main>HIend</main>"
        assert read == {"page.html", "base.html", "partials/macros.html", "partials/inner.html",
                        "partials/innermost.html", "partials/gone.html"}  # the missing one too: it may appear
    assert templates.version("partials/gone.html") is None and templates.version("other.html")
    names = templates.names_read(tuple(sorted(read)))
    assert names >= {"title", "footer"} and "unrelated" not in names


def test_recordings_nest_and_a_page_kept_from_before_counts_its_templates(tmp_path):
    folder = write_templates(tmp_path, TEMPLATES)
    templates = site_templates(folder)
    with templates.recording() as outer:
        with templates.recording() as inner:
            render_template(templates.env, "other.html", folder, tmp_path, unrelated=1)
        templates.note(["page.html"])
    assert inner == {"other.html"} and outer == {"other.html", "page.html"}
    assert templates.env.recordings == []


def test_an_edit_within_the_same_clock_tick_is_seen_at_the_next_build(tmp_path):
    folder = write_templates(tmp_path, TEMPLATES)
    templates = site_templates(folder)
    assert render_template(templates.env, "other.html", folder, tmp_path, unrelated=1) == "1"
    before = templates.version("other.html")
    path = folder / "other.html"
    stat = path.stat()
    path.write_text("[{{ unrelated }}]", encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # Jinja sees the same modification time
    templates.start_build()
    assert templates.version("other.html") != before
    assert render_template(templates.env, "other.html", folder, tmp_path, unrelated=1) == "[1]"
