"""``briefing serve``: build, serve the output folder on loopback, rebuild on every change, reload open pages.

A ``DevServer`` builds once, serves the output folder (see :mod:`serve_http`),
and watches ``content/``, ``templates/`` and ``static/``: each change triggers
an incremental rebuild (:class:`build.SiteBuilder`). Open pages follow the
status through server-sent events: a new site makes them reload; a content
error is printed in the terminal and shown over the page, while the last good
site stays served. The site is built for the server's root (base URL ``/``)
unless ``--base-url`` says otherwise.
"""
from __future__ import annotations

import gc
import secrets
import sys
import threading
import time
import traceback
from typing import Callable, Iterator, TextIO

from ..build import SiteBuilder
from ..compute.charts import warm_up
from ..errors import BuildError, BuildErrors, StrictWarnings
from ..output import check_output_folder
from ..progress import BuildProgress, progress_for
from ..content.folders import Project
from .serve_http import DevHTTPServer, ServeStatus, is_loopback

__all__ = ["DevServer", "ServeStatus", "is_loopback", "serve"]

WATCHED = ("content", "templates", "static")
DEBOUNCE_MS, STEP_MS, KEEPALIVE_S = 800, 50, 15
IDLE_MS = 2000  # no change for this long: a moment to collect garbage


class DevServer:
    """The development server: build, serve on ``host:port``, watch and rebuild; ``start()`` then ``stop()``."""

    def __init__(self, project: Project, host: str = "127.0.0.1", port: int = 0, base_url: str | None = None,
                 quiet: bool = False, progress: BuildProgress | None = None,
                 stdout: TextIO | None = None, stderr: TextIO | None = None, strict: bool = False) -> None:
        self.project, self.host, self.port, self.quiet = project, host, port, quiet
        self.stdout, self.stderr = stdout or sys.stdout, stderr or sys.stderr
        # Served from the root of this server: "/" keeps the 404 page's root-relative links local.
        # Strict: a build with warnings fails like one with errors (shown, and the last good site kept).
        self.builder = SiteBuilder(project, base_url or "/", progress, strict=strict, serving=True)
        self.site_lock = threading.Lock()  # held while the new site is swapped in, and while a file is read
        self._build_lock = threading.Lock()
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._token, self._generation = secrets.token_hex(4), 0
        self._status = ServeStatus(self._site_id())
        self._warnings: list[str] = []
        self._streams = 0
        self._serving = False
        self._httpd: DevHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._notify = None  # watchfiles' RustNotify, once watching
        self._garbage = False  # built since garbage was last collected
        self._draws_charts = False  # the last good build had charts
        self._filter: Callable[..., bool] | None = None

    @property
    def url(self) -> str:
        """The address the site is served at."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def status(self) -> ServeStatus:
        """The current status: the served site's id and the last build's errors."""
        with self._changed:
            return self._status

    def start(self) -> ServeStatus:
        """Bind, watch, build once and serve in background threads; returns the first build's status."""
        check_output_folder(self.project.out, self.project.root)
        try:
            self._httpd = DevHTTPServer((self.host, self.port), self)
            self.port = self._httpd.server_address[1]
            self._notify = self._start_watching()  # before the build: an edit made during it is not lost
            status = self.rebuild()
            gc.freeze()  # see _watch
            self._garbage = True
            self._spawn(self._httpd.serve_forever, 0.05)
            if self._draws_charts:
                self._spawn(warm_up)  # the first edit of a number then redraws its chart without waiting
            self._serving = True
            if self._notify is not None:
                self._spawn(self._watch)
        except BaseException:
            self.stop()
            raise
        return status

    def stop(self) -> None:
        """Stop serving and watching; returns once the threads have ended. Stopping twice is harmless."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        if self._serving:
            self._httpd.shutdown()
        if self._httpd is not None:
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        deadline = time.monotonic() + 2
        while self._streams and time.monotonic() < deadline:  # event streams notice the stop within a moment
            time.sleep(0.01)
        if self._notify is not None:
            self._notify.close()

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(self, predicate: Callable[[ServeStatus], bool], timeout: float) -> ServeStatus:
        """Wait until the status satisfies ``predicate`` (or ``timeout`` seconds pass); returns the status."""
        with self._changed:
            self._changed.wait_for(lambda: predicate(self._status), timeout)
            return self._status

    def status_updates(self, keepalive: float = KEEPALIVE_S) -> Iterator[ServeStatus | None]:
        """The current status, then each new one as it comes (None after ``keepalive`` seconds without one),
        until the server stops."""
        seen = None
        with self._changed:
            self._streams += 1
        try:
            while True:
                with self._changed:
                    self._changed.wait_for(lambda: self._status is not seen or self._stopping.is_set(), keepalive)
                    if self._stopping.is_set():
                        return
                    update = None if self._status is seen else self._status
                    seen = self._status
                yield update
        finally:
            with self._changed:
                self._streams -= 1

    def rebuild(self) -> ServeStatus:
        """Build now; on success the new site is served, on failure the errors are shown and the old site stays."""
        with self._build_lock:
            started = time.perf_counter()
            try:
                result = self.builder.build(write_lock=self.site_lock)
            except (BuildErrors, BuildError) as exc:
                problems = exc.problems if isinstance(exc, BuildErrors) else [exc.problem]
                kind = "warning(s), failing because of --strict" if isinstance(exc, StrictWarnings) else "error(s)"
                return self._failed([str(p) for p in problems], kind)
            except Exception as exc:  # noqa: BLE001 - a bug in a build must not stop the server
                traceback.print_exc(file=self.stderr)
                return self._failed([f"internal error: {type(exc).__name__}: {exc}"])
            self._draws_charts = result.charts > 0
            warnings = [f"{w.path}:{w.line}: warning: {w.message}" for w in result.warnings]
            if warnings != self._warnings:
                self._warnings = warnings
                self._complain("\n".join(warnings))
            if result.changed or self._status.errors:
                self._generation += bool(result.changed)
                self._publish(ServeStatus(self._site_id()))
            shown = ", ".join(result.changed[:4]) + (", ..." if len(result.changed) > 4 else "")
            self._say(f"Built in {(time.perf_counter() - started) * 1000:.0f} ms: {len(result.changed)} of "
                      f"{result.files} files changed{': ' + shown if shown else ''}")
            return self._status

    def _failed(self, errors: list[str], kind: str = "error(s)") -> ServeStatus:
        self._complain("\n".join(errors) + f"\nbriefing: {len(errors)} {kind}; still serving the last good site")
        self._publish(ServeStatus(self._site_id(), tuple(errors)))
        return self._status

    def _site_id(self) -> str:
        return f"{self._token}-{self._generation}"

    def _publish(self, status: ServeStatus) -> None:
        with self._changed:
            self._status = status
            self._changed.notify_all()

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stdout, flush=True)

    def _complain(self, text: str) -> None:
        if text:
            print(text, file=self.stderr, flush=True)

    def _spawn(self, target: Callable, *args: object) -> None:
        name = f"briefing-serve-{self.port}-{target.__name__}"
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _start_watching(self):
        from watchfiles import DefaultFilter
        from watchfiles._rust_notify import RustNotify  # watchfiles' documented low-level API

        folders = [str(self.project.root / name) for name in WATCHED if (self.project.root / name).is_dir()]
        self._filter = DefaultFilter()
        # Polling off, recursive, permission errors ignored (an unreadable editor swap folder is no reason to stop).
        return RustNotify(folders, False, False, 300, True, True) if folders else None

    def _watch(self) -> None:
        from watchfiles import Change

        while not self._stopping.is_set():
            raw = self._notify.watch(DEBOUNCE_MS, STEP_MS, IDLE_MS, self._stopping)
            if raw == "timeout" and self._garbage:
                self._collect_garbage()
            if isinstance(raw, str):  # "stop", "signal" or "timeout"
                continue
            if any(self._filter(Change(change), path) for change, path in raw):
                self.rebuild()
                # What the builder keeps between builds is most of the heap. A build pauses the collector
                # (build.collector_paused); between builds it would still walk all of it now and then, a
                # quarter of a second at 1,000 briefings, while pages are served: set it aside until the
                # author pauses.
                gc.freeze()
                self._garbage = True

    def _collect_garbage(self) -> None:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self._garbage = False


def serve(project: Project, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          base_url: str | None = None, quiet: bool = False, strict: bool = False) -> int:
    """Run the development server until Ctrl+C; returns the exit code. ``strict``: warnings fail builds."""
    if not is_loopback(host):
        print(f"briefing: warning: serving on {host}, which other machines may reach; "
              "the dev server is meant for 127.0.0.1", file=sys.stderr)
    server = DevServer(project, host, port, base_url, quiet, progress_for(sys.stderr, quiet), strict=strict)
    try:
        server.start()
    except OSError as exc:
        print(f"briefing: cannot serve on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Serving {server.url} — watching {', '.join(n + '/' for n in WATCHED)}; Ctrl+C to stop", flush=True)
    if open_browser:
        import webbrowser
        webbrowser.open(server.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
