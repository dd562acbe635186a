"""render/templates.py: every template a page loads is recorded as it loads, with its source's version."""
from __future__ import annotations

import dataclasses
import os

import pytest
from jinja2 import UndefinedError
from jinja2.sandbox import SecurityError

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


@dataclasses.dataclass(frozen=True)
class Entry:
    label: str
    _hidden: str = "secret"

    @property
    def shout(self) -> str:
        return self.label.upper()

    def describe(self) -> str:
        return f"entry {self.label}"


@pytest.mark.parametrize("expression, shown", [
    ("entry.label", "a &lt;b&gt;"), ("entry.shout", "A &lt;B&gt;"), ("entry.describe()", "entry a &lt;b&gt;"),
    ("entry.missing is undefined", "True"), ("entry['label']", "a &lt;b&gt;"),
])
def test_fields_of_the_model_s_dataclasses_read_as_the_sandbox_reads_them(tmp_path, expression, shown):
    # Reading them skips the sandbox's checks, which allow any name without a leading "_" on such objects.
    site = site_templates(write_templates(tmp_path, {"page.html": "{{ " + expression + " }}"}))
    assert site.env.get_template("page.html").render(entry=Entry("a <b>")) == shown


@pytest.mark.parametrize("expression", [
    "entry._hidden", "entry.__class__", "entry.__dict__", "entry.__dataclass_fields__", "entry.describe.__func__",
    "entry.describe.__self__", "entry.describe.__globals__", "entry.__init__.__globals__", "entry.__class__.mro()",
    "entry.__class__.__subclasses__()", "entry.shout.format.__globals__",
])
def test_the_sandbox_still_refuses_python_internals_reached_through_a_dataclass(tmp_path, expression):
    site = site_templates(write_templates(tmp_path, {"page.html": "{{ " + expression + " }}"}))
    with pytest.raises((SecurityError, UndefinedError), match="unsafe|no attribute"):
        site.env.get_template("page.html").render(entry=Entry("a <b>"))
