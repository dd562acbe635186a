"""parallel.py: charts, cards and bodies drawn in a process pool give the same site as without one."""
from __future__ import annotations

import datetime as dt
import functools
import os
import subprocess
import sys

import pytest

from site_builder.compute import drafting, parallel
from site_builder.build import draft_files
from site_builder.commands.build_command import build_site
from site_builder.content.loader import load_markdown
from site_builder.content.validate import validate_briefing
from site_builder.errors import BuildError, ErrorCollector
from site_builder.model import Briefing, BriefingMeta, Location
from site_builder.render.bodies import draft_body
from site_builder.render.briefing import BodyDrafts
from site_builder.content.folders import Project

from conftest import REPO, SOURCE_DATE_EPOCH, snapshot


def in_process(function, items, chunksize=1, shared=False, each=None):
    """A stand-in for ``pool_map`` that does the work here, so tests can count it cheaply."""
    results = [function(item) for item in items]
    for index, result in enumerate(results):
        if each is not None:
            each(index, result)
    return results


@pytest.fixture
def pool_for_everything(monkeypatch):
    """Use the pool even for the mini site's two charts and one body."""
    monkeypatch.setattr(parallel, "MIN_CHARTS", 1)
    monkeypatch.setattr(parallel, "MIN_BODIES", 1)
    monkeypatch.setenv("BRIEFING_WORKERS", "2")


def test_a_site_built_with_worker_processes_is_byte_identical_to_one_built_without(
        make_project, pool_for_everything, monkeypatch):
    calls = []
    real_pool_map = parallel.pool_map

    def recording_pool_map(function, items, chunksize=1, shared=False, each=None):
        results = real_pool_map(function, items, chunksize, shared, each)
        name = function.args[0].__name__ if isinstance(function, functools.partial) else function.__name__
        calls.append((name, len(items), results is not None and all(r is not None for r in results)))
        return results

    def not_here(briefing):
        raise AssertionError("drafted in the main process")

    monkeypatch.setattr(parallel, "pool_map", recording_pool_map)
    pooled = make_project("pooled", warm=False)
    with monkeypatch.context() as patched:  # the body is drafted by the workers started ahead, from its file
        patched.setattr("site_builder.render.bodies.draft_body", not_here)
        result = build_site(pooled)
    assert sorted(calls) == [("_draw_chart", 2, True), ("draw_card", 1, True)]
    assert result.charts_rendered == 2

    monkeypatch.setenv("BRIEFING_WORKERS", "1")
    serial = make_project("serial", warm=False)
    assert build_site(serial).charts_rendered == 2
    assert len(calls) == 2  # one worker: no pool
    assert snapshot(pooled.out) == snapshot(serial.out)


def test_a_cold_build_drafts_its_bodies_in_workers_started_ahead(make_project, pool_for_everything, monkeypatch):
    pools = []

    class CountedPool(parallel.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.work: list[str] = []
            pools.append(self)

        def map(self, function, *iterables, **kwargs):
            self.work.append(getattr(function, "args", [function])[0].__name__)
            return super().map(function, *iterables, **kwargs)

        def submit(self, function, *args, **kwargs):
            name = getattr(function, "func", function).__name__
            if name != "_process_chunk":  # how map submits its chunks: counted as the map
                self.work.append(name)
            return super().submit(function, *args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", CountedPool)
    project = make_project("ahead", warm=False)
    assert build_site(project).charts_rendered == 2
    # The first pool, started before the content was loaded, drafted the bodies from their files while it
    # loaded (no map of drafts after), then drew the charts and the cards; fresh workers read the pages.
    assert [pool.work for pool in pools] == [["warm_up_drafting", "warm_up_drafting", "draft_files",
                                              "_draw_chart", "draw_card"], ["read_pages"]]
    assert list((project.cache / "bodies").glob("*"))
    build_site(project, force=True)  # every body drafted already, every chart drawn: no workers started
    assert len(pools) == 2


def test_the_workers_that_drew_charts_and_cards_are_gone_before_the_pages_are_rendered(
        make_project, pool_for_everything, monkeypatch):
    from site_builder.render import site as site_module

    drew: set[int] = set()  # the pids of the workers that drew the charts

    class PoolThatDrew(parallel.ProcessPoolExecutor):
        def map(self, function, *iterables, **kwargs):
            results = list(super().map(function, *iterables, **kwargs))
            if function is parallel._draw_chart:
                drew.update(self._processes)
            return iter(results)

    alive_at_pages = []
    real_page = site_module.SiteRenderer._briefing_page

    def briefing_page(self, plan):
        alive_at_pages.append({pid for pid in drew if os.path.exists(f"/proc/{pid}")})
        return real_page(self, plan)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", PoolThatDrew)
    monkeypatch.setattr(site_module.SiteRenderer, "_briefing_page", briefing_page)
    project = make_project("stopped", warm=False)
    result = build_site(project)
    assert result.charts_rendered == 2 and drew and alive_at_pages == [set()]
    assert (project.out / "charts" / "outlook.card.png").read_bytes().startswith(b"\x89PNG")


def test_workers_forked_from_a_fresh_process_build_the_same_site_as_no_workers(make_project, monkeypatch):
    # A fresh process has no threads and no vl-convert yet: its workers are forked, not spawned.
    forked = make_project("forked", warm=False)
    script = ("from site_builder.compute import parallel; parallel.MIN_BODIES = parallel.MIN_CHARTS = 1; "
              "from site_builder.commands.build_command import build_site; from site_builder.compute.project import Project; "
              "method = parallel.start_context().get_start_method(); "
              f"result = build_site(Project.at({str(forked.root)!r})); print(method, result.charts_rendered)")
    env = {**os.environ, "BRIEFING_WORKERS": "2", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
           "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=forked.root, env=env, timeout=300).stdout.split()
    assert out == ["fork", "2"]
    monkeypatch.setenv("BRIEFING_WORKERS", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    serial = make_project("serial", warm=False)
    build_site(serial)
    assert snapshot(forked.out) == snapshot(serial.out)


def test_workers_are_spawned_once_vl_convert_or_a_thread_could_be_copied_broken(monkeypatch):
    import vl_convert  # noqa: F401 - loaded by any build that drew a chart in this process
    assert parallel.start_context().get_start_method() == "spawn"


def test_when_the_pool_cannot_run_the_build_does_the_work_itself(make_project, pool_for_everything, monkeypatch):
    monkeypatch.setattr(parallel, "pool_map", lambda function, items, chunksize=1, shared=False, each=None: None)
    broken = make_project("broken", warm=False)
    assert build_site(broken).charts_rendered == 2
    monkeypatch.setenv("BRIEFING_WORKERS", "1")
    serial = make_project("serial", warm=False)
    build_site(serial)
    assert snapshot(broken.out) == snapshot(serial.out)


def test_pool_map_hands_each_result_over_in_order_as_it_arrives(monkeypatch):
    monkeypatch.setenv("BRIEFING_WORKERS", "2")
    seen = []
    assert parallel.pool_map(abs, [-3, 1, -2], each=lambda index, result: seen.append((index, result))) == [3, 1, 2]
    assert seen == [(0, 3), (1, 1), (2, 2)]


def test_pool_map_gives_up_quietly_when_workers_cannot_start(monkeypatch):
    def no_processes(*args, **kwargs):
        raise OSError("no processes here")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_processes)
    assert parallel.pool_map(str, [1, 2, 3]) is None


def test_pieces_that_fail_in_a_worker_are_left_for_the_build(make_project, pool_for_everything, monkeypatch):
    monkeypatch.setattr(parallel, "pool_map", in_process)
    monkeypatch.setattr(parallel, "draw_chart", lambda *args: 1 / 0)
    project = make_project(warm=False)
    result = build_site(project)  # the build draws both charts itself
    assert result.charts_rendered == 2
    assert (project.out / "charts" / "outlook.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")


@pytest.mark.parametrize("setting, expected", [("1", 1), ("3", 3), ("", None), ("zero", None), ("0", None)])
def test_worker_count_follows_briefing_workers(monkeypatch, setting, expected):
    monkeypatch.setenv("BRIEFING_WORKERS", setting)
    count = parallel.worker_count()
    assert count == expected if expected else count >= 1


def briefing(slug: str, body: str) -> Briefing:
    return Briefing(slug, BriefingMeta(title=slug, date=dt.date(2024, 1, 1)), body, 5,
                    Location(f"content/briefings/{slug}.md", 1))


def test_drafts_are_made_once_and_forgotten_with_their_briefing(pool_for_everything, monkeypatch):
    monkeypatch.setattr(parallel, "pool_map", in_process)
    one, two = briefing("one", "Some *text*.\n"), briefing("two", 'A {{ chart("c") }} here.\n')
    drafts = BodyDrafts()
    drafting.draft_bodies([one, two], drafts, draft_body)
    assert drafts.missing([one, two]) == []
    assert drafts.draft_of(two).calls == (("chart", "c", ()),)
    assert "<em>text</em>" in drafts.draft_of(one).html
    assert drafts.missing([two]) == []
    assert drafts.missing([one]) == [one]  # forgotten when the last site no longer had it


def test_a_build_with_every_chart_cached_does_not_import_altair(make_project):
    project = make_project()  # its chart cache is warm
    script = ("import sys; from site_builder.commands.build_command import build_site; from site_builder.compute.project import Project; "
              f"result = build_site(Project.at({str(project.root)!r})); "
              "print(result.charts_rendered, 'altair' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=REPO).stdout.split()
    assert out == ["0", "False"]


def test_the_benchmark_runs_on_a_tiny_site(tmp_path):
    """``make bench`` itself: a two-briefing run without competitors prints every figure it promises."""
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench.py"), "--briefings", "2", "--charts", "1",
                          "--competitors", "none", "--no-default-site",
                          "--memory-briefings", "0"],
                         capture_output=True, text=True, check=True, cwd=tmp_path, timeout=300).stdout
    for figure in ("cold build", "no-op rebuild", "one fact edited", "peak memory", "output:", "one page",
                   "vega-embed.js"):
        assert figure in out
    assert not list(tmp_path.iterdir())  # everything was built in a temporary folder


def test_a_rebuild_takes_body_drafts_from_disk_and_runs_no_markdown(make_project, monkeypatch):
    project = make_project()
    build_site(project)
    first = snapshot(project.out)
    assert list((project.cache / "bodies").glob("*"))

    def no_markdown(briefing):
        raise AssertionError("drafted again")

    monkeypatch.setattr("site_builder.render.site.draft_body", no_markdown)
    monkeypatch.setattr("site_builder.render.bodies.draft_body", no_markdown)
    build_site(project)
    assert snapshot(project.out) == first


def test_an_edited_body_is_drafted_again(make_project):
    project = make_project()
    build_site(project)
    page = project.root / "content" / "briefings" / "widget-outlook.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA *new* closing line.\n", encoding="utf-8")
    build_site(project)
    assert "<em>new</em> closing line" in (project.out / "briefings" / "widget-outlook" / "index.html").read_text()


@pytest.mark.parametrize("body, line", [("Some *text* with {{ fact(\"a\") }}.\r\n\r\n## Why it matters\n", 0),
                                        ("Line one\n{{ fact(\"a\" }}\n", 1)])
def test_a_body_drafted_ahead_from_its_file_is_the_loaded_briefing_s_draft(tmp_path, body, line):
    # Workers started ahead read each briefing file themselves: what they draft is taken for a loaded briefing's
    # draft only under its key, so the file must read as the loader reads it, and errors must point at the
    # same line.
    path = tmp_path / "content" / "briefings" / "one.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(f"---\ntitle: One\ndate: 2024-01-01\n---\n{body}".encode())
    project = Project.at(tmp_path)
    loaded = validate_briefing(load_markdown(path, project.display(path)), ErrorCollector())
    [(key, made)] = draft_files(None, [(loaded.origin.path, str(path))])
    assert key == (loaded.origin.path, loaded.body_line, loaded.body) == (loaded.origin.path, 5, loaded.body)
    if line:
        with pytest.raises(BuildError) as caught:
            draft_body(loaded)
        assert made == caught.value.problem and made.line == loaded.body_line + line
    else:
        assert made == draft_body(loaded) and '<section class="callout' in made.html


def test_bodies_drafted_ahead_skip_what_the_store_holds(make_project, pool_for_everything):
    project = make_project("stored", warm=False)
    build_site(project)
    path = project.root / "content" / "briefings" / "widget-outlook.md"
    name = str(project.display(path))
    assert draft_files(str(project.cache), [(name, str(path))]) == []  # drafted by the first build
    assert len(draft_files(None, [(name, str(path))])) == 1


def test_briefing_pages_are_read_by_the_workers_started_ahead(make_project, pool_for_everything, monkeypatch):
    # The search text, glossary use and requests to other sites of each briefing page are read from its final
    # bytes by the workers that drafted the bodies; the main process reads only the other files.
    from site_builder.render import read_ahead, third_party
    from site_builder.incremental import kept
    main = os.getpid()

    def in_workers_only(function):
        def read(*args):
            page = args[-1]
            briefing = b'class="briefing__body"' in (page if isinstance(page, bytes) else page.encode())
            assert not (briefing and os.getpid() == main), "a briefing page read in the main process"
            return function(*args)
        return read

    with monkeypatch.context() as patched:
        for module in (read_ahead, kept):
            patched.setattr(module, "read_page", in_workers_only(module.read_page))
        for module in (read_ahead, third_party):
            patched.setattr(module, "file_loads", in_workers_only(module.file_loads))
        pooled = make_project("pooled", warm=False)
        build_site(pooled)
    monkeypatch.setenv("BRIEFING_WORKERS", "1")
    serial = make_project("serial", warm=False)
    build_site(serial)
    assert snapshot(pooled.out) == snapshot(serial.out)
    assert '"widget outlook"' in (pooled.out / "search" / "search-index.js").read_text().lower()


def test_the_workers_started_ahead_stand_back_for_the_build_s_own_process(monkeypatch):
    # The build's own process is the critical path; the workers started ahead take the CPU it leaves.
    monkeypatch.setenv("BRIEFING_WORKERS", "2")
    with parallel.workers_started_ahead(True, int):
        niceness = parallel.submit_ahead(os.nice, 0).result(timeout=60)
    assert niceness == min(os.nice(0) + parallel.WORKER_NICENESS, 19)


def test_without_workers_started_ahead_the_briefing_files_are_not_listed(monkeypatch):
    # A rebuild (briefing serve) or a small site drafts nothing ahead: listing its briefings would be wasted work.
    listed = []
    drafting.draft_files_ahead(lambda: listed.append("listed") or [("a", "a.md")], in_process)
    assert listed == []
    with parallel.workers_started_ahead(True, int):
        with monkeypatch.context() as patched:
            patched.setattr(parallel.started_ahead().pool, "submit", lambda *args: listed.append("drafted"))
            drafting.draft_files_ahead(lambda: listed.append("listed") or [("a", "a.md")], in_process)
    assert listed == ["listed", "drafted"]



def test_the_workers_stop_once_they_have_read_the_pages_before_the_library_pages_are_made(
        make_project, pool_for_everything, monkeypatch):
    # The library pages and the written site are where the build's own memory peaks: no worker is beside it.
    from site_builder.render import site as site_module

    pools = []

    class Counted(parallel.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(self)

    alive_at_library = []
    real_library = site_module.SiteRenderer._library_files

    def library_files(self, pages):
        alive_at_library.append([pid for pool in pools for pid in (pool._processes or {}) if _running(pid)])
        return real_library(self, pages)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(site_module.SiteRenderer, "_library_files", library_files)
    project = make_project("read", warm=False)
    build_site(project)
    assert pools and alive_at_library == [[]]
    assert "widget" in (project.out / "search/search-index.js").read_text().lower()  # what they read is in the index


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped
    except OSError:
        return False
