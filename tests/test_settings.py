"""Settings resolved once: the base URL's rule (site.yaml and --base-url), the cname warning, the build date."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_project, parse_html

from site_builder.commands.build_command import build_site
from site_builder.compute.project import load_content
from site_builder.content.folders import Project
from site_builder.model import SiteConfig
from site_builder.settings import (
    LOCAL_BASE, NO_DATE, base_url_problem, cname_problem, normalised_base_url, resolve_settings, stamped_date,
)

MINI = Path(__file__).parent / "fixtures" / "mini"  # its site.yaml is valid
HOSTILE = [
    "notaurl",
    "javascript:alert(1)//",
    "data:text/html,<script>alert(1)</script>",
    "https://example.github.io//evil.example/",
    "https://example.github.io\\evil.example/",
    "https://example.github.io/a b/",
    "https://example.github.io/\t/",
    "https://example.github.io/\x00/",
    "ftp://example.org/",
    "https://user:secret@example.github.io/",
    "https:///path/",
    "https://[::1/",
    "https://example.org:99999/",
    "https://example.org/?q=1",
    "//example.org/",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_base_urls_are_refused(url):
    assert base_url_problem(url)


@pytest.mark.parametrize("url", ["/", "https://user.github.io/repo/", "http://localhost:8000/", "https://EXAMPLE.org"])
def test_usual_base_urls_are_accepted(url):
    assert base_url_problem(url) is None


def test_base_url_gains_its_trailing_slash_once():
    assert normalised_base_url("https://u.github.io/r") == "https://u.github.io/r/"
    assert resolve_settings(SiteConfig(title="t", base_url="https://u.github.io/r"), None, {}).base_url == \
        "https://u.github.io/r/"
    assert resolve_settings(SiteConfig(title="t"), None, {}).base_url == LOCAL_BASE


@pytest.mark.parametrize("url, path, absolute", [
    ("/", "/", False), ("https://u.github.io/repo", "/repo/", True), ("https://example.org/", "/", True),
    ("http://localhost:8000/a/b/", "/a/b/", True),
])
def test_the_base_path_and_whether_links_are_absolute_are_settings(url, path, absolute):
    settings = resolve_settings(SiteConfig(title="t"), url, {})
    assert (settings.base_path, settings.absolute) == (path, absolute)


def test_command_line_base_url_wins_over_site_yaml():
    site = SiteConfig(title="t", base_url="https://u.github.io/r/")
    assert resolve_settings(site, "https://example.org", {}).base_url == "https://example.org/"


def test_build_date_comes_from_source_date_epoch_else_today():
    stamped = resolve_settings(SiteConfig(title="t"), None, {"SOURCE_DATE_EPOCH": "1748736000"})
    assert stamped.stamped == stamped.today == dt.date(2025, 6, 1)
    unstamped = resolve_settings(SiteConfig(title="t"), None, {"SOURCE_DATE_EPOCH": "soon"})
    assert unstamped.stamped is None and unstamped.today == dt.datetime.now(dt.timezone.utc).date()
    assert stamped_date({}) is None


def test_the_build_date_is_the_stamped_date_else_the_newest_briefings():
    content = load_content(Project.at(MINI))  # one briefing, dated 2024-03-15
    unstamped = resolve_settings(content.site, None, {}, content.briefings)
    assert unstamped.build_date == dt.date(2024, 3, 15) and unstamped.stamped is None
    stamped = resolve_settings(content.site, None, {"SOURCE_DATE_EPOCH": "1748736000"}, content.briefings)
    assert stamped.build_date == dt.date(2025, 6, 1)
    assert resolve_settings(content.site, None, {}).build_date == NO_DATE  # no briefings, no stamp


@pytest.mark.parametrize("epoch, updated, shown", [
    (None, None, "2024-03-15"),               # the briefing's date, not today's
    (None, "2024-05-02", "2024-05-02"),       # ...or its update
    ("1748736000", "2024-05-02", "2025-06-01"),  # SOURCE_DATE_EPOCH over both
])
def test_pages_are_dated_by_the_settings_build_date(tmp_path, monkeypatch, chart_cache, epoch, updated, shown):
    root = copy_project(tmp_path / "site", cache=chart_cache)
    base = root / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "</footer>", '<p class="built">{{ build_date.isoformat() }}</p></footer>', 1), encoding="utf-8")
    if updated:
        briefing = root / "content" / "briefings" / "widget-outlook.md"
        briefing.write_text(briefing.read_text(encoding="utf-8").replace(
            "date: 2024-03-15\n", f"date: 2024-03-15\nupdated: {updated}\n", 1), encoding="utf-8")
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH")
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    project = Project.at(root)
    build_site(project)
    for page in ("index.html", "briefings/widget-outlook/index.html"):
        assert parse_html(project.out / page).select_one("footer .built").get_text() == shown


def test_cname_disagreeing_with_the_host_is_named():
    site = SiteConfig(title="t", base_url="https://u.github.io/r/", cname="briefings.example.org")
    assert "briefings.example.org" in cname_problem(site, "https://u.github.io/r/")
    assert cname_problem(site, "https://briefings.example.org/") is None
    assert cname_problem(SiteConfig(title="t"), "https://u.github.io/r/") is None


def _project(tmp_path: Path, base_url: str, extra: str = "", cache: Path | None = None) -> Path:
    root = copy_project(tmp_path / "site", cache=cache)
    site_yaml = root / "content" / "site.yaml"
    lines = [f"base_url: {base_url}" if line.startswith("base_url:") else line
             for line in site_yaml.read_text(encoding="utf-8").splitlines()]
    site_yaml.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return root


def _briefing(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "site_builder", *args], capture_output=True, text=True)


def _base_url_line(root: Path) -> int:
    lines = (root / "content" / "site.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith("base_url:"))


@pytest.mark.parametrize("url", ["notaurl", "'javascript:alert(1)//'", "https://example.github.io//evil.example/",
                                 "ftp://example.org/"])
def test_a_bad_base_url_in_site_yaml_is_a_located_error(tmp_path, url):
    root = _project(tmp_path, url)
    done = _briefing("build", "--root", str(root))
    assert done.returncode == 1
    assert f"content/site.yaml:{_base_url_line(root)}: base_url" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "_site").exists()


@pytest.mark.parametrize("url", [u for u in HOSTILE if "\x00" not in u])  # argv cannot hold NUL
def test_a_bad_base_url_on_the_command_line_is_a_usage_error(tmp_path, url):
    done = _briefing("build", "--root", str(MINI), "--out", str(tmp_path / "out"), "--base-url", url)
    assert done.returncode == 2
    assert "--base-url" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_cname_for_another_host_warns_at_its_line(tmp_path, chart_cache):
    root = _project(tmp_path, "https://user.github.io/repo/", "cname: briefings.example.org\n", chart_cache)
    done = _briefing("build", "--root", str(root))
    assert done.returncode == 0, done.stderr
    line = len((root / "content" / "site.yaml").read_text(encoding="utf-8").splitlines())
    assert f"content/site.yaml:{line}: warning: cname 'briefings.example.org' disagrees" in done.stderr
