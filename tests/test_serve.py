"""``briefing serve``: serving the output folder safely, live reload, error overlay, incremental rebuilds."""
from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from site_builder.compute import stage as compute
from site_builder.build import SiteBuilder
from site_builder.commands.build_command import build_site
from site_builder.cli import make_parser
from site_builder.compute.project import Project
from site_builder.commands.serve import DevServer, ServeStatus, is_loopback, serve
from site_builder.errors import BuildError

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests/fixtures/mini/content"
PAGE = "briefings/widget-outlook/index.html"
FACTS = "content/facts/widgets.yaml"
SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"


def wait_until(condition: Callable[[], object], timeout: float = 10.0) -> object:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            assert value, f"gave up after {timeout}s"
            return value
        time.sleep(0.05)


def edit(project: Project, rel: str, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) by ``new`` in one of the project's files."""
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def raw_get(server: DevServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send ``path`` exactly as given (no client-side normalisation); returns status, headers and body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def fetch(server: DevServer, path: str) -> tuple[int, BeautifulSoup]:
    """A served page through urllib, parsed; 404 pages too."""
    try:
        with urllib.request.urlopen(server.url + path, timeout=10) as response:
            return response.status, BeautifulSoup(response.read(), "html.parser")
    except urllib.error.HTTPError as exc:
        return exc.code, BeautifulSoup(exc.read(), "html.parser")


def shown_value(server: DevServer, fact_id: str) -> str:
    """The text of the first reference to ``fact_id`` in the served briefing's body."""
    status, page = fetch(server, PAGE)
    assert status == 200
    return page.select_one(f'.briefing__body a.fact[data-fact="{fact_id}"]').get_text()


def served_status(server: DevServer) -> dict:
    """What ``/__briefing/status`` says."""
    status, headers, body = raw_get(server, "/__briefing/status")
    assert status == 200 and headers["Content-Type"] == "application/json"
    return json.loads(body)


class EventStream:
    """A client of ``/__briefing/events``, reading one server-sent event at a time."""

    def __init__(self, server: DevServer) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        self.conn.request("GET", "/__briefing/events")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self) -> tuple[str, dict]:
        """The next event's name and data (keep-alive comments are skipped)."""
        name, data = "", ""
        while True:
            line = self.response.fp.readline().decode()
            assert line, "the stream ended"
            if line.startswith("event:"):
                name = line.partition(":")[2].strip()
            elif line.startswith("data:"):
                data += line.partition(":")[2].strip()
            elif line == "\n" and data:
                return name, json.loads(data)

    def until(self, wanted: Callable[[dict], bool]) -> dict:
        """The data of the first status event that is ``wanted`` (an editor's save can take two writes)."""
        while not wanted(status := self.next()[1]):
            pass
        return status

    def close(self) -> None:
        """Hang up."""
        self.conn.close()


@pytest.fixture
def project(make_project) -> Project:
    """A fresh mini project with a secret file beside its output folder."""
    project = make_project()
    (project.root / "secret.txt").write_text(SECRET)
    return project


def running(project: Project) -> Iterator[DevServer]:
    """The dev server on a free loopback port, watching ``project``, until the generator is closed."""
    dev = DevServer(project, port=0, quiet=True, stdout=io.StringIO(), stderr=io.StringIO())
    dev.start()
    try:
        yield dev
    finally:
        dev.stop()


@pytest.fixture
def server(project: Project) -> Iterator[DevServer]:
    """The dev server for this test's own project, which the test may change."""
    yield from running(project)


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory, chart_cache: Path) -> Iterator[DevServer]:
    """One dev server for the tests that only read (requests for files, content types, traversal)."""
    root = tmp_path_factory.mktemp("serve-shared")
    shutil.copytree(FIXTURE, root / "content")
    shutil.copytree(chart_cache, root / ".briefing-cache", copy_function=os.link)
    (root / "secret.txt").write_text(SECRET)
    yield from running(Project.at(root))


# Serving -----------------------------------------------------------------------------------------

def test_serves_the_built_pages_on_loopback(shared_server: DevServer):
    assert shared_server.url.startswith("http://127.0.0.1:")
    status, index = fetch(shared_server, "")
    assert status == 200
    assert index.h1.get_text() == "Mini Briefings"
    status, page = fetch(shared_server, PAGE)
    assert page.h1.get_text() == "Widget outlook"
    assert shown_value(shared_server, "imports") == "992,200"


def test_the_reload_script_is_in_served_html_but_not_in_the_files_on_disk(shared_server: DevServer):
    on_disk = (shared_server.project.out / PAGE).read_bytes()
    status, headers, served = raw_get(shared_server, "/" + PAGE)
    [script] = BeautifulSoup(served, "html.parser").find_all("script", src="/__briefing/reload.js")
    assert script["data-events"] == "/__briefing/events" and script["data-site"]
    status, headers, reload_js = raw_get(shared_server, "/__briefing/reload.js")  # a file: the pages' CSP runs no
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")  # inline script
    assert b"new EventSource(" in reload_js
    assert b"__briefing" not in on_disk
    for path in shared_server.project.out.rglob("*.html"):
        assert b"__briefing" not in path.read_bytes(), path
    assert len(served) > len(on_disk) and served.startswith(on_disk[: on_disk.rfind(b"</body>")])


@pytest.mark.parametrize("path, content_type", [
    ("/static/style.css", "text/css; charset=utf-8"),
    ("/static/briefing.js", "text/javascript; charset=utf-8"),
    ("/charts/outlook.svg", "image/svg+xml"),
    ("/charts/outlook.csv", "text/csv; charset=utf-8"),
    ("/charts/outlook.vl.json", "application/json"),
    ("/data/facts.json", "application/json"),
    ("/index.html", "text/html; charset=utf-8"),
])
def test_files_are_served_as_they_are_with_their_content_type(shared_server: DevServer, path, content_type):
    status, headers, body = raw_get(shared_server, path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    if not content_type.startswith("text/html"):
        assert body == (shared_server.project.out / path.lstrip("/")).read_bytes()


def test_head_sends_the_headers_without_the_body(shared_server: DevServer):
    status, headers, body = raw_get(shared_server, "/static/style.css", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == (shared_server.project.out / "static/style.css").stat().st_size


def test_a_folder_serves_its_index_and_is_never_listed(shared_server: DevServer):
    status, headers, _ = raw_get(shared_server, "/briefings/widget-outlook")
    assert status == 301 and headers["Location"] == "/briefings/widget-outlook/"
    status, page = fetch(shared_server, "briefings/widget-outlook/")
    assert status == 200 and page.h1.get_text() == "Widget outlook"
    status, page = fetch(shared_server, "briefings/")  # a folder without index.html
    assert status == 404
    assert "widget-outlook" not in page.get_text()


def test_a_miss_gets_the_sites_404_page(shared_server: DevServer):
    status, page = fetch(shared_server, "no/such/page.html")
    assert status == 404
    assert page.h1.get_text() == "Page not found"
    assert page.find("link", rel="stylesheet")["href"] == "/static/style.css"  # served from this server's root


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/static/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/static/..%2f..%2fsecret.txt",
    "/..%5csecret.txt",
    "//etc/passwd",
    "/%2f%2fetc/passwd",
    "/%ff%fe",
])
def test_paths_outside_the_output_folder_are_not_found(shared_server: DevServer, path):
    status, _, body = raw_get(shared_server, path)
    assert status == 404
    assert SECRET.encode() not in body and b"root:" not in body


def test_symlinks_out_of_the_output_folder_are_not_followed(server: DevServer, project: Project):
    (project.out / "leak.txt").symlink_to(project.root / "secret.txt")
    (project.out / "leak").symlink_to(project.root)
    (project.out / "home.html").symlink_to(project.out / "index.html")
    for path in ("/leak.txt", "/leak/secret.txt", "/leak/content/site.yaml"):
        status, _, body = raw_get(server, path)
        assert status == 404, path
        assert SECRET.encode() not in body
    assert raw_get(server, "/home.html")[0] == 200  # a link that stays inside is fine


# Rebuilding and reloading ------------------------------------------------------------------------

def test_an_edited_fact_is_served_after_the_rebuild(server: DevServer, project: Project):
    before = server.status.site
    edit(project, FACTS, "value: 992200", "value: 993300")
    wait_until(lambda: shown_value(server, "imports") == "993,300")
    assert server.status.site != before and server.status.errors == ()


def test_what_a_build_keeps_is_set_aside_from_the_collector_until_the_author_pauses(project: Project, monkeypatch):
    import gc

    from site_builder.commands import serve as serve_module

    monkeypatch.setattr(serve_module, "IDLE_MS", 200)
    collected = []
    monkeypatch.setattr(gc, "collect", lambda *a: collected.append(gc.get_freeze_count()) or 0)
    server = next(generator := running(project))
    try:
        assert gc.get_freeze_count() > 0  # frozen after the first build
        before = server.status.site
        edit(project, FACTS, "value: 992200", "value: 993300")
        wait_until(lambda: server.status.site != before)
        wait_until(lambda: collected and not server._garbage)
        assert collected[0] == 0  # collected with nothing set aside: garbage kept by the freeze is found too
    finally:
        generator.close()
        gc.unfreeze()


@pytest.mark.parametrize("fixture, warmed", [("mini", True), ("library", False)], ids=["charts", "no-charts"])
def test_a_site_with_charts_readies_altair_and_vl_convert_in_the_background(make_project, monkeypatch, fixture, warmed):
    from site_builder.commands import serve as serve_module

    calls = []
    monkeypatch.setattr(serve_module, "warm_up", lambda: calls.append("warm"))
    next(generator := running(make_project(fixture=fixture)))
    try:
        if warmed:
            wait_until(lambda: bool(calls))
        else:
            time.sleep(0.3)  # a thread started with the server would have run by now
        assert calls == (["warm"] if warmed else [])
    finally:
        generator.close()


def test_warming_up_imports_what_the_first_chart_drawn_needs():
    code = "import sys; from site_builder.compute import charts; charts.warm_up(); print('altair' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "True"


def test_open_pages_are_told_to_reload_when_a_new_site_is_written(server: DevServer, project: Project):
    stream = EventStream(server)
    try:
        name, first = stream.next()
        assert name == "status" and first == {"site": server.status.site, "ok": True, "errors": []}
        edit(project, "static/style.css", "}", "} /* edited */")
        second = stream.until(lambda status: status["site"] != first["site"])
        assert second["ok"]
    finally:
        stream.close()


def test_a_content_error_keeps_the_last_good_site_and_is_shown(server: DevServer, project: Project):
    stream = EventStream(server)
    try:
        _, good = stream.next()
        edit(project, FACTS, "    value: 992200", "    value: [992200")
        broken = stream.until(lambda status: not status["ok"])
        assert broken["site"] == good["site"]  # the same site: no reload, an overlay
        assert any(e.startswith(f"{FACTS}:") for e in broken["errors"]), broken["errors"]
        assert not served_status(server)["ok"]
        assert shown_value(server, "imports") == "992,200"  # the last good page is still served

        edit(project, FACTS, "    value: [992200", "    value: 994400")
        fixed = stream.until(lambda status: status["ok"])
        assert fixed["site"] != good["site"]
        assert shown_value(server, "imports") == "994,400"
    finally:
        stream.close()


def test_build_errors_are_printed_in_the_terminal(project: Project):
    out, err = io.StringIO(), io.StringIO()
    dev = DevServer(project, port=0, quiet=True, stdout=out, stderr=err)
    edit(project, FACTS, "source: agency", "source: nobody")
    try:
        status = dev.start()  # a broken site still gets served: the author fixes it while watching
        assert status.errors and raw_get(dev, "/__briefing/status")[0] == 200
    finally:
        dev.stop()
    assert f"{FACTS}:" in err.getvalue() and "nobody" in err.getvalue()
    assert "still serving the last good site" in err.getvalue()
    assert out.getvalue() == ""  # quiet: errors only


def test_strict_serve_shows_warnings_as_errors_and_keeps_the_last_site_without_them(project: Project):
    edit(project, FACTS, "tolerance: 0.02", "tolerance: 0.99")  # the mini site's one warning, gone
    err = io.StringIO()
    dev = DevServer(project, port=0, quiet=True, stdout=io.StringIO(), stderr=err, strict=True)
    try:
        good = dev.start()
        assert good.errors == ()
        status, _, served = raw_get(dev, PAGE)  # the body: headers carry the time (Date), to the second
        stream = EventStream(dev)
        try:
            stream.next()
            edit(project, FACTS, "tolerance: 0.99", "tolerance: 0.02")
            broken = stream.until(lambda status: not status["ok"])
        finally:
            stream.close()
        assert broken["site"] == good.site  # no new site: an overlay over the last good one
        assert [e.split(": warning: ")[0] for e in broken["errors"]] == [f"{FACTS}:56"]
        assert "check 'forecast-2030'" in broken["errors"][0]
        assert raw_get(dev, PAGE)[::2] == (status, served)  # the page as it was, without the failing check
    finally:
        dev.stop()
    assert "briefing: 1 warning(s), failing because of --strict; still serving the last good site" in err.getvalue()


def test_relaxed_serve_publishes_a_site_with_warnings(server: DevServer):
    assert server.status.errors == () and served_status(server)["ok"]


@pytest.mark.parametrize("args, strict", [(["--strict"], True), ([], False)])
def test_the_command_line_hands_strict_to_the_server(project: Project, monkeypatch, capsys, args, strict):
    from site_builder.cli import main
    seen = []

    def refuse(self):
        seen.append(self.builder.strict)
        raise OSError(98, "Address already in use")
    monkeypatch.setattr(DevServer, "start", refuse)
    assert main(["serve", *args, "--root", str(project.root), "--port", "0"]) == 1
    assert seen == [strict]
    assert "Address already in use" in capsys.readouterr().err


def test_stop_closes_the_port_and_ends_every_thread(project: Project):
    dev = DevServer(project, port=0, quiet=True, stdout=io.StringIO(), stderr=io.StringIO())
    dev.start()
    stream = EventStream(dev)
    stream.next()
    dev.stop()
    assert stream.response.fp.readline() == b""  # the open event stream was ended, not left hanging
    stream.close()
    with pytest.raises(OSError):
        raw_get(dev, "/")
    assert not [t for t in threading.enumerate() if t.name.startswith(f"briefing-serve-{dev.port}-")]


# Binding -----------------------------------------------------------------------------------------

def test_the_default_host_is_loopback_only():
    assert make_parser().parse_args(["serve"]).host == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.org")


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_a_non_loopback_host_is_warned_about(project: Project, monkeypatch, capsys, host, warned):
    def refuse(self):
        raise OSError(98, "Address already in use")
    monkeypatch.setattr(DevServer, "start", refuse)
    assert serve(project, host=host, port=8000, quiet=True) == 1
    err = capsys.readouterr().err
    assert ("warning: serving on 0.0.0.0" in err) is warned
    assert f"cannot serve on {host}:8000: Address already in use" in err


# Incremental builds ------------------------------------------------------------------------------

@pytest.fixture
def builder(project: Project) -> SiteBuilder:
    """A SiteBuilder that has built the project once."""
    builder = SiteBuilder(project)
    builder.build()
    return builder


def test_a_no_op_rebuild_renders_and_rewrites_nothing(builder: SiteBuilder, monkeypatch):
    drawn = []
    monkeypatch.setattr(compute, "rendered_chart", lambda chart, *a: drawn.append(chart.id))
    result = builder.build()
    assert result.changed == () and builder.rendered == () and drawn == []


def test_a_static_file_edit_rewrites_only_that_file(builder: SiteBuilder, project: Project):
    edit(project, "static/style.css", "}", "} /* edited */")
    result = builder.build()
    assert result.changed == ("static/style.css",)
    assert builder.rendered == ()
    assert b"/* edited */" in (project.out / "static/style.css").read_bytes()


def test_a_fact_edit_rewrites_its_page_and_the_charts_drawing_it_only(builder: SiteBuilder, project: Project,
                                                                      monkeypatch, files_of):
    unrelated = {rel for rel in files_of(project.out) if rel.endswith(".html") and rel != PAGE}
    unrelated |= {rel for rel in files_of(project.out) if rel.startswith(("static/", "charts/compare."))}
    inodes = {rel: (project.out / rel).stat().st_ino for rel in unrelated}
    drawn = []
    real = compute.rendered_chart
    monkeypatch.setattr(compute, "rendered_chart", lambda chart, *a: drawn.append(chart.id) or real(chart, *a))
    edit(project, FACTS, "value: 1500000", "value: 1600000")  # sales.2021: drawn in "outlook" only
    folder = project.out.stat().st_ino
    result = builder.build()
    assert project.out.stat().st_ino == folder  # updated in place, not copied and swapped
    assert {PAGE, "charts/outlook.svg", "charts/outlook.csv", "charts/outlook.vl.json"} <= set(result.changed)
    assert not set(result.changed) & unrelated
    assert builder.rendered == (PAGE,) and drawn == ["outlook"]
    assert {rel: (project.out / rel).stat().st_ino for rel in unrelated} == inodes  # hard links: not rewritten


def test_a_rebuild_parses_only_the_content_files_that_changed(builder: SiteBuilder, project: Project, monkeypatch):
    from site_builder.incremental import kept

    parsed = []
    real = kept.parse_yaml
    monkeypatch.setattr(kept, "parse_yaml", lambda text, path, *a: parsed.append(str(path)) or real(text, path, *a))
    builder.build()
    assert parsed == []
    edit(project, FACTS, "value: 1500000", "value: 1600000")
    builder.build()
    assert parsed == [FACTS]


def test_a_rebuild_puts_back_an_output_file_changed_behind_it_and_refuses_one_added(builder: SiteBuilder,
                                                                                    project: Project):
    # The output folder is listed by another process while the build goes on (output.check_output_folder_ahead).
    written = (project.out / "index.html").read_bytes()
    (project.out / "index.html").write_bytes(b"edited by hand")
    (project.out / "static/style.css").unlink()
    result = builder.build()
    assert set(result.changed) == {"index.html", "static/style.css"}
    assert (project.out / "index.html").read_bytes() == written
    (project.out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match=r"did not write \(notes.txt\)"):
        builder.build()


def test_a_template_edit_rerenders_the_pages_that_use_it(builder: SiteBuilder, project: Project, files_of):
    edit(project, "templates/404.html", "<h1>Page not found</h1>", "<h1>Nothing here</h1>")
    result = builder.build()
    assert builder.rendered == ("404.html",) and result.changed == ("404.html",)
    edit(project, "templates/partials/fact.html", 'class="fact', 'class="figure fact')
    result = builder.build()
    assert builder.rendered == (PAGE,) and result.changed == (PAGE,)
    edit(project, "templates/base.html", "</footer>", "</footer>\n<!-- edited -->")
    builder.build()
    pages = {rel for rel in files_of(project.out) if rel.endswith(".html")}
    assert {"index.html", PAGE, "sources/index.html", "404.html"} <= pages
    assert set(builder.rendered) == pages  # every page extends base.html


def test_serve_builds_for_its_own_root_and_a_build_afterwards_restores_the_real_site(server: DevServer,
                                                                                     project: Project):
    assert not (project.out / "feed.xml").exists()  # no public base URL while serving
    build_site(project)
    assert (project.out / "feed.xml").exists()


def test_serve_status_is_plain_json():
    status = ServeStatus("abc-1", ("content/x.yaml:3: bad",))
    assert json.loads(status.to_json()) == {"site": "abc-1", "ok": False, "errors": ["content/x.yaml:3: bad"]}

