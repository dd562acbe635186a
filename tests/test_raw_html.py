"""Raw HTML that can run script in a briefing body is an error at its line, unless site.yaml says
``allow_raw_html: true``; other raw HTML passes through either way."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.content.raw_html import active_content, runs_script

BRIEFING = "content/briefings/widget-outlook.md"
PAGE = "briefings/widget-outlook/index.html"
FRONT_MATTER = """---
title: Widget outlook
summary: Widget sales fell and are forecast to recover.
date: 2024-03-15
tags: [widgets, forecast]
hero_chart: outlook
key_numbers: [forecast.2030, imports]
---
Sales were {{ fact("sales.2021") }} in 2021.

"""
SNIPPET_LINE = 11  # the first line after FRONT_MATTER

RUNS_SCRIPT = {
    "script": '<script>alert(1)</script>',
    "script-mixed-case": '<ScRiPt src="/static/x.js"></sCrIpT>',
    "script-in-svg": '<svg><script>alert(1)</script></svg>',
    "onclick": '<p onclick="alert(1)">click</p>',
    "onerror-img": '<img src="/x.png" onerror="alert(1)">',
    "onload-svg-uppercase": '<svg ONLOAD="alert(1)"></svg>',
    "onmouseover-unquoted": '<span onmouseover=alert(1)>x</span>',
    "javascript-href": '<a href="javascript:alert(1)">x</a>',
    "javascript-entities": '<a href="jav&#x61;script&colon;alert(1)">x</a>',
    "javascript-tab-and-case": '<a href="  JaVa\tScRiPt:alert(1)">x</a>',
    "vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "data-html": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "data-html-base64": '<a href="DATA:text/html;base64,PHNjcmlwdD4=">x</a>',
    "formaction": '<button formaction="javascript:alert(1)">x</button>',
    "markdown-link": '[click](javascript:alert(1))',
    "markdown-link-entities": '[click](jav&#x61;script:alert(1))',
    "markdown-reference": '[x]: javascript:alert(1)\n\n[click][x]',
    "iframe": '<iframe src="/other.html"></iframe>',
    "iframe-srcdoc": '<IFRAME srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></IFRAME>',
    "object": '<object data="/static/x.swf"></object>',
    "embed": '<embed src="/static/x.swf">',
    "form": '<form action="/steal"><input name="q"></form>',
    "frameset": '<frameset><frame src="/x.html"></frameset>',
}
HARMLESS = {
    "emphasis": '<em>really</em> and <strong>so</strong>',
    "local-link": '<a href="../other/">another briefing</a>',
    "outbound-link": '<a href="https://example.org/report">the report</a>',
    "markdown-link": '[the report](https://example.org/report)',
    "a-word-about-script": 'The word javascript: is only text here, as is onclick="x".',
    "details": '<details><summary>More</summary>Hidden text.</details>',
}


def project_with(tmp_path: Path, mini_site, snippet: str, allow: bool = False) -> Path:
    """A copy of the built mini site whose briefing body ends with ``snippet`` (at line SNIPPET_LINE)."""
    root = tmp_path / "project"
    shutil.copytree(mini_site.root, root, symlinks=True)
    (root / BRIEFING).write_text(FRONT_MATTER + snippet + "\n", encoding="utf-8")
    if allow:
        with (root / "content/site.yaml").open("a", encoding="utf-8") as site:
            site.write("allow_raw_html: true\n")
    return root


@pytest.mark.parametrize("snippet", RUNS_SCRIPT.values(), ids=RUNS_SCRIPT.keys())
def test_raw_html_that_can_run_script_is_found_at_its_line(snippet: str):
    body = "First paragraph.\n\nSecond line.\n" + snippet + "\n"
    found = active_content(body)
    assert found and found[0][0] == 4, found
    assert all("allow_raw_html" in message for _, message in found)


@pytest.mark.parametrize("snippet", HARMLESS.values(), ids=HARMLESS.keys())
def test_other_raw_html_and_markdown_pass(snippet: str):
    assert active_content("Text.\n\n" + snippet + "\n") == ()


@pytest.mark.parametrize("url, runs", [
    ("javascript:alert(1)", True), (" \njavascript:x", True), ("JAVASCRIPT:x", True), ("java\nscript:x", True),
    ("&#106;avascript:x", True), ("vbscript:x", True), ("data:text/html,x", True), ("data:image/svg+xml,x", True),
    ("data:image/png;base64,iVBOR", False), ("https://example.org/javascript:x", False), ("/js/x.js", False),
    ("#javascript:", False), ("mailto:someone@example.org", False),
])
def test_which_urls_run_script(url: str, runs: bool):
    assert runs_script(url) is runs


@pytest.mark.parametrize("name", ["script", "onerror-img", "javascript-entities", "markdown-link", "iframe",
                                  "object", "embed", "form", "script-in-svg", "vbscript"])
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_body_that_can_run_script_fails_at_its_line_and_leaves_the_site(tmp_path, mini_site, capsys, files_of,
                                                                          name, command):
    root = project_with(tmp_path, mini_site, RUNS_SCRIPT[name])
    before = files_of(root / "_site")

    code = main([command, "--quiet", "--root", str(root)] if command == "build" else [command, "--root", str(root)])

    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    assert err.splitlines()[0].startswith(f"{BRIEFING}:{SNIPPET_LINE}: "), err
    assert "allow_raw_html: true" in err
    assert files_of(root / "_site") == before


@pytest.mark.parametrize("name, selector", [
    ("script", "script"), ("onclick", "p[onclick]"), ("javascript-href", 'a[href^="javascript:"]'),
    ("iframe", "iframe"), ("form", "form input"),
])
def test_with_allow_raw_html_it_passes_through_to_the_page(tmp_path, mini_site, capsys, html_of, name, selector):
    root = project_with(tmp_path, mini_site, RUNS_SCRIPT[name], allow=True)

    code = main(["build", "--quiet", "--root", str(root)])

    assert code == 0, capsys.readouterr().err
    body = html_of(root / "_site" / PAGE).select_one(".briefing__body")
    assert body.select_one(selector) is not None, body


def test_harmless_raw_html_passes_without_allow_raw_html(tmp_path, mini_site, capsys, html_of):
    root = project_with(tmp_path, mini_site, "\n\n".join(HARMLESS.values()))

    code = main(["build", "--quiet", "--root", str(root)])

    assert code == 0, capsys.readouterr().err
    body = html_of(root / "_site" / PAGE).select_one(".briefing__body")
    assert body.select_one('a[href="https://example.org/report"]') and body.select_one("details summary")


def test_allow_raw_html_must_be_true_or_false(tmp_path, mini_site, capsys):
    root = project_with(tmp_path, mini_site, "Text.")
    with (root / "content/site.yaml").open("a", encoding="utf-8") as site:
        site.write("allow_raw_html: sometimes\n")

    assert main(["build", "--quiet", "--root", str(root)]) == 1
    assert capsys.readouterr().err.startswith("content/site.yaml:7: allow_raw_html")
