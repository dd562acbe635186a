"""Every page carries the Content-Security-Policy of render/csp.py, first in its head, and needs nothing
inline that the policy would block. tests/browser/test_csp.py checks the policy in Chromium."""
from __future__ import annotations

import re

import pytest

from site_builder.commands.build_command import build_site
from site_builder.errors import BuildErrors

from conftest import replace_in_file

POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
          "media-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
          "object-src 'none'")


def test_every_page_carries_the_policy_before_anything_it_loads(mini_site, html_of):
    pages = sorted(mini_site.out.rglob("*.html"))
    assert len(pages) > 5
    for path in pages:
        head = html_of(path).head
        first = head.find_all("meta")[:2]
        assert first[0].get("charset") == "utf-8", path
        assert first[1].get("http-equiv") == "Content-Security-Policy", path
        assert first[1]["content"] == POLICY, path


def test_pages_need_no_inline_script_or_style_that_the_policy_would_block(mini_site, html_of):
    for path in sorted(mini_site.out.rglob("*.html")):
        page = html_of(path)
        for script in page.find_all("script"):
            assert script.get("src") or script.get("type") == "application/json", (path, str(script)[:80])
        assert page.find_all("style") == [], path
        styled = [tag.name for tag in page.find_all(style=True)]
        assert styled == [], (path, styled)
        handlers = [name for tag in page.find_all(True) for name in tag.attrs if name.startswith("on")]
        assert handlers == [], path


def test_with_allow_raw_html_inline_script_and_style_may_run_but_no_other_origin(make_project, html_of):
    project = make_project()
    with (project.root / "content/site.yaml").open("a", encoding="utf-8") as site:
        site.write("allow_raw_html: true\n")
    build_site(project)
    policy = html_of(project.out / "index.html").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    directives = dict(d.split(" ", 1) for d in policy["content"].split("; "))
    assert directives["script-src"] == "'self' 'unsafe-inline'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["default-src"] == "'none'" and directives["connect-src"] == "'self'"


def test_a_base_template_without_the_policy_is_an_error_at_its_first_line(make_project):
    project = make_project()
    replace_in_file(project, "templates/base.html",
                    '<meta http-equiv="Content-Security-Policy" content="{{ site|content_security_policy }}">\n', "")
    with pytest.raises(BuildErrors) as raised:
        build_site(project)
    [problem] = raised.value.problems
    assert (problem.path, problem.line) == ("templates/base.html", 1)
    assert re.match(r"\S+\.html and \d+ other pages: no Content-Security-Policy", problem.message), problem.message
    assert not project.out.exists()


def test_html_copied_from_static_needs_no_policy_but_is_still_checked_for_requests(make_project):
    project = make_project()
    (project.root / "static/google1234.html").write_text("google-site-verification: google1234.html\n")
    build_site(project)
    assert (project.out / "static/google1234.html").is_file()
    (project.root / "static/google1234.html").write_text('<img src="https://tracker.example/p.gif" alt="">\n')
    with pytest.raises(BuildErrors) as raised:
        build_site(project)
    [problem] = raised.value.problems
    assert (problem.path, problem.line) == ("static/google1234.html", 1)
    assert "loads 'https://tracker.example/p.gif'" in problem.message
