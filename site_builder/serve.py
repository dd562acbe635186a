"""``briefing serve``: build, serve the output folder on loopback, rebuild on every change, reload open pages.

The server only ever reads files under the output folder. Pages reload
themselves through server-sent events: every HTML response gets a small script
that listens on ``/__briefing/events`` and reloads when a new site is written,
or shows the build errors over the page when the content is broken (the last
good site stays served meanwhile). The script is added to responses only; the
site on disk is exactly what ``briefing build`` writes.
"""
from __future__ import annotations

import ipaddress
import json
import mimetypes
import secrets
import socket
import socketserver
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator, TextIO
from urllib.parse import unquote

from .build import SiteBuilder
from .errors import BuildError, BuildErrors
from .output import check_output_folder
from .progress import BuildProgress, progress_for
from .project import Project

EVENTS_PATH, STATUS_PATH = "/__briefing/events", "/__briefing/status"
WATCHED = ("content", "templates", "static")
DEBOUNCE_MS, STEP_MS, KEEPALIVE_S = 800, 50, 15
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".json": "application/json", ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml",
    ".xml": "application/xml", ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".ico": "image/x-icon",
}
NOT_FOUND_PAGE = b"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head>" \
                 b"<body><h1>Not found</h1></body></html>\n"
RELOAD_SCRIPT = """<script>/* added by briefing serve; not part of the built site */
(function () {
  "use strict";
  var loaded = __SITE__, overlay = null;
  function show(errors) {
    if (overlay) { overlay.remove(); overlay = null; }
    if (!errors.length) return;
    overlay = document.createElement("div");
    overlay.id = "briefing-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(24,24,27,.94);color:#fafafa;font:15px/1.5 system-ui,sans-serif";
    var title = document.createElement("p"), list = document.createElement("pre"), close = document.createElement("button");
    title.textContent = "The build failed; this is the last good version. Fix the content and save: the page reloads by itself.";
    list.textContent = errors.join("\\n");
    list.style.cssText = "white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;color:#fca5a5";
    close.textContent = "Dismiss";
    close.onclick = function () { overlay.remove(); overlay = null; };
    overlay.append(title, list, close);
    document.body.appendChild(overlay);
  }
  if (!window.EventSource) return;
  var events = new EventSource("__EVENTS__");
  events.addEventListener("status", function (event) {
    var status = JSON.parse(event.data);
    if (status.site !== loaded) { events.close(); location.reload(); return; }
    show(status.errors);
  });
})();
</script>
"""


@dataclass(frozen=True)
class ServeStatus:
    """What the browser is told: which site is served (a new value means reload) and the current build errors."""

    site: str
    errors: tuple[str, ...] = ()

    def to_json(self) -> str:
        """The status as the JSON that ``/__briefing/status`` and the event stream send."""
        return json.dumps({"site": self.site, "ok": not self.errors, "errors": list(self.errors)})


def resolve_request_path(out: Path, url_path: str) -> Path | None:
    """The file or folder under ``out`` that a request path names; None when it is unsafe or points outside."""
    path = url_path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if decoded.startswith("//") or "\\" in decoded or "\x00" in decoded:
        return None
    parts = decoded.split("/")[1:]
    if any(part in (".", "..") for part in parts):
        return None
    root = out.resolve()
    target = root.joinpath(*[part for part in parts if part]).resolve()  # resolve() follows symlinks
    return target if target.is_relative_to(root) else None


def content_type(path: Path) -> str:
    """The Content-Type header for a served file."""
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def with_reload_script(html: bytes, site: str) -> bytes:
    """``html`` with the live-reload script added before ``</body>`` (or at the end)."""
    script = RELOAD_SCRIPT.replace("__SITE__", json.dumps(site)).replace("__EVENTS__", EVENTS_PATH).encode()
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


def is_loopback(host: str) -> bool:
    """True for addresses that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class DevServer:
    """The development server: build, serve on ``host:port``, watch and rebuild; ``start()`` then ``stop()``."""

    def __init__(self, project: Project, host: str = "127.0.0.1", port: int = 0, base_url: str | None = None,
                 quiet: bool = False, progress: BuildProgress | None = None,
                 stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.project, self.host, self.port, self.quiet = project, host, port, quiet
        self.stdout, self.stderr = stdout or sys.stdout, stderr or sys.stderr
        # Served from the root of this server: "/" keeps the 404 page's root-relative links local.
        self.builder = SiteBuilder(project, base_url or "/", progress)
        self.site_lock = threading.Lock()  # held while the new site is swapped in, and while a file is read
        self._build_lock = threading.Lock()
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._token, self._generation = secrets.token_hex(4), 0
        self._status = ServeStatus(self._site_id())
        self._warnings: list[str] = []
        self._streams = 0
        self._serving = False
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._notify = None

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
            self._httpd = _HTTPServer((self.host, self.port), _Handler, self)
            self.port = self._httpd.server_address[1]
            self._notify = self._start_watching()  # before the build: an edit made during it is not lost
            status = self.rebuild()
            self._spawn(self._httpd.serve_forever, 0.05)
            self._serving = True
            if self._notify is not None:
                self._spawn(self._watch)
        except BaseException:
            self.stop()
            raise
        return status

    def stop(self) -> None:
        """Stop serving and watching; returns once the threads have ended."""
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
                return self._failed([str(p) for p in problems])
            except Exception as exc:  # noqa: BLE001 - a bug in a build must not stop the server
                traceback.print_exc(file=self.stderr)
                return self._failed([f"internal error: {type(exc).__name__}: {exc}"])
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

    def _failed(self, errors: list[str]) -> ServeStatus:
        self._complain("\n".join(errors) + f"\nbriefing: {len(errors)} error(s); still serving the last good site")
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
        thread = threading.Thread(target=target, args=args, name=f"briefing-serve-{self.port}-{target.__name__}", daemon=True)
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
            raw = self._notify.watch(DEBOUNCE_MS, STEP_MS, 0, self._stopping)
            if isinstance(raw, str):  # "stop", "signal" or "timeout"
                continue
            if any(self._filter(Change(change), path) for change, path in raw):
                self.rebuild()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, dev: DevServer) -> None:
        self.dev = dev
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can hang without a network.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # browsers hang up all the time
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "briefing-serve"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Serve a file, the event stream or the status."""
        path = self.path.split("?", 1)[0]
        if path == EVENTS_PATH:
            self._events()
        elif path == STATUS_PATH:
            self._send(HTTPStatus.OK, "application/json", self.server.dev.status.to_json().encode())
        else:
            self._file()

    def do_HEAD(self) -> None:  # noqa: N802
        """Like GET, without the body."""
        self._file(head=True)

    def _file(self, head: bool = False) -> None:
        dev = self.server.dev
        with dev.site_lock:
            target = resolve_request_path(dev.project.out, self.path)
            if target is not None and target.is_dir():
                if not self.path.split("?", 1)[0].endswith("/"):
                    self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                    self.send_header("Location", self.path.split("?", 1)[0] + "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                target = target / "index.html"
            status, data = HTTPStatus.OK, _read(target)
            if data is None:
                target = resolve_request_path(dev.project.out, "/404.html")
                status, data = HTTPStatus.NOT_FOUND, _read(target) or NOT_FOUND_PAGE
            kind = content_type(target) if target else "text/html; charset=utf-8"
            site = dev.status.site
        if kind.startswith("text/html"):
            data = with_reload_script(data, site)
        self._send(status, kind, data, head)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        updates = self.server.dev.status_updates()
        try:
            for status in updates:
                message = f"event: status\ndata: {status.to_json()}\n\n" if status else ": keepalive\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (ConnectionError, TimeoutError):
            pass
        finally:
            updates.close()

    def _send(self, status: HTTPStatus, kind: str, data: bytes, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the overridden signature
        """Requests are not logged: build messages are what matter here."""


def _read(path: Path | None) -> bytes | None:
    try:
        return path.read_bytes() if path is not None and path.is_file() else None
    except OSError:
        return None


def serve(project: Project, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          base_url: str | None = None, quiet: bool = False) -> int:
    """Run the development server until Ctrl+C; returns the exit code."""
    if not is_loopback(host):
        print(f"briefing: warning: serving on {host}, which other machines may reach; "
              "the dev server is meant for 127.0.0.1", file=sys.stderr)
    server = DevServer(project, host, port, base_url, quiet, progress_for(sys.stderr, quiet))
    try:
        server.start()
    except OSError as exc:
        server.stop()
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
