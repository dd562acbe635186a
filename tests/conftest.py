"""Shared fixtures: tiny site projects in tmp_path, builds, parsed pages and the command line.

Every project is the ``tests/fixtures/<name>/content`` folder plus a copy of the theme's
``templates/`` and ``static/``. Rendering a chart to SVG is the slow step, so one
chart cache is filled once per session and hard-linked into each project (the
cache only ever replaces files, never edits them, so sharing inodes is safe).
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest
from bs4 import BeautifulSoup
from hypothesis import settings as hypothesis_settings

# Property tests draw the same examples on every run, so that the suite is deterministic (a failure found
# once is found every time, in CI too) and nothing is written to a .hypothesis example database.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None)
hypothesis_settings.load_profile("deterministic")

from site_builder.commands.build_command import build_site
from site_builder.model import Briefing, BriefingMeta, Location
from site_builder.content.folders import THEME, Project

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
# 2024-03-15 12:00 UTC: a fixed build date, so that builds are reproducible.
SOURCE_DATE_EPOCH = "1710504000"


def briefing_with_body(body: str, body_line: int = 6) -> Briefing:
    """A briefing whose body is ``body``, starting on line ``body_line`` of ``content/briefings/b.md``."""
    return Briefing(slug="b", meta=BriefingMeta(title="T", date=dt.date(2024, 1, 1)), body=body,
                    body_line=body_line, origin=Location("content/briefings/b.md", 1))


def replace_in_file(project: Project, rel: str, old: str, new: str) -> None:
    """Replace the first ``old`` (which must be there) by ``new`` in one of the project's files."""
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def copy_project(dest: Path, fixture: str = "mini", cache: Path | None = None) -> Path:
    """A project folder at ``dest``: the fixture's content, with the theme copied in as its own templates and
    static files (so that a test may edit them; the copies override the theme's)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURES / fixture / "content", dest / "content")
    for folder in ("templates", "static"):
        shutil.copytree(THEME / folder, dest / folder)
    if cache is not None:
        shutil.copytree(cache, dest / ".briefing-cache", copy_function=os.link)
    return dest


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` as {relative posix path: bytes}."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def parse_html(path: Path) -> BeautifulSoup:
    """A built page, parsed."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def build_fixture(dest: Path, fixture: str = "mini", cache: Path | None = None) -> Project:
    """A copy of ``tests/fixtures/<fixture>`` at ``dest``, built as of ``SOURCE_DATE_EPOCH``."""
    project = Project.at(copy_project(dest, fixture, cache))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        build_site(project)
    return project


def copy_default_project(root: Path) -> Project:
    """The repository's own content, templates and static files copied into ``root``, its drawn charts reused."""
    for folder in ("content", "templates", "static"):
        shutil.copytree(REPO / folder, root / folder)
    if (REPO / ".briefing-cache").is_dir():  # same specs, same SVGs: nothing drawn again
        shutil.copytree(REPO / ".briefing-cache", root / ".briefing-cache")
    return Project.at(root)


@pytest.fixture(autouse=True)
def fixed_build_date(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test builds as of the same date unless it says otherwise."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    return SOURCE_DATE_EPOCH


@pytest.fixture(autouse=True)
def collector_as_found() -> Iterator[None]:
    """A serve builder (``SiteBuilder(serving=True)``) sets what it made aside from the collector; each test
    leaves it collectable again, as ``briefing serve`` does while the author pauses."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def chart_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``.briefing-cache`` filled by one build of the mini fixture, shared by the session."""
    return build_fixture(tmp_path_factory.mktemp("warm-cache") / "mini").root / ".briefing-cache"


@pytest.fixture
def make_project(tmp_path: Path, chart_cache: Path) -> Callable[..., Project]:
    """A factory of fresh projects in ``tmp_path``: ``make_project(name="mini", fixture="mini", warm=True)``."""
    def make(name: str = "mini", fixture: str = "mini", warm: bool = True, out: Path | None = None) -> Project:
        root = copy_project(tmp_path / name, fixture, chart_cache if warm else None)
        return Project.at(root, out)
    return make


@pytest.fixture(scope="session")
def mini_site(tmp_path_factory: pytest.TempPathFactory, chart_cache: Path) -> Project:
    """The mini fixture, built once for the session. Read it; never change it."""
    return build_fixture(tmp_path_factory.mktemp("mini-site") / "mini", cache=chart_cache)


@pytest.fixture(scope="session")
def mini_page(mini_site: Project) -> Callable[[str], BeautifulSoup]:
    """Parse one page of the session's built mini site, by its path in the output."""
    cache: dict[str, BeautifulSoup] = {}

    def page(rel: str) -> BeautifulSoup:
        if rel not in cache:
            cache[rel] = parse_html(mini_site.out / rel)
        return cache[rel]
    return page


@pytest.fixture(scope="session")
def charts_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The chart kinds fixture (tests/fixtures/charts: one chart of every kind, the examples of
    docs/content-format.md), built once for the session. Read it; never change it."""
    return build_fixture(tmp_path_factory.mktemp("charts-site") / "charts", "charts")


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m site_builder ARGS`` in a fresh process, as a user would."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONDONTWRITEBYTECODE": "1"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess]:
    """The ``run_cli`` helper as a fixture."""
    return run_cli


@pytest.fixture
def files_of() -> Callable[[Path], dict[str, bytes]]:
    """The ``snapshot`` helper as a fixture: every file under a folder, as bytes."""
    return snapshot


@pytest.fixture
def html_of() -> Callable[[Path], BeautifulSoup]:
    """The ``parse_html`` helper as a fixture."""
    return parse_html


@pytest.fixture(scope="session")
def library_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``library`` fixture (several briefings, tags, a glossary, dated facts), built once per session."""
    return build_fixture(tmp_path_factory.mktemp("library") / "project", "library").root / "_site"
