"""The HTTP side of ``briefing serve``: which file a request names, how it is sent, and the reload script.

Only files under the output folder are ever read: a request path is decoded
once, any ``.`` or ``..`` segment, backslash or NUL is refused, and the path is
resolved (following symlinks) and must still be inside the folder. Folders are
never listed. HTML responses, and only they, get the live-reload script; the
files on disk are left exactly as the build wrote them. A request whose Host
header is not this server's own address (``127.0.0.1:PORT``, ``localhost:PORT``)
is refused with 421, so a page on another site cannot reach this one through a
name that it re-points at 127.0.0.1 (DNS rebinding).
"""
from __future__ import annotations

import ipaddress
from html import escape as html_escape
import json
import mimetypes
import socket
import socketserver
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Protocol
from urllib.parse import unquote

from ..content.folders import Project

EVENTS_PATH, STATUS_PATH, RELOAD_PATH = "/__briefing/events", "/__briefing/status", "/__briefing/reload.js"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".json": "application/json", ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml",
    ".xml": "application/xml", ".txt": "text/plain; charset=utf-8", ".png": "image/png", ".ico": "image/x-icon",
}
NOT_FOUND_PAGE = b"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title></head>" \
                 b"<body><h1>Not found</h1></body></html>\n"
# A file, not an inline script: the pages' Content-Security-Policy runs only scripts from their own origin.
RELOAD_SCRIPT = b"""// Added to pages by briefing serve; not part of the built site.
(function () {
  "use strict";
  var script = document.currentScript, overlay = null;
  var loaded = script && script.getAttribute("data-site");
  function show(errors) {
    if (overlay) { overlay.remove(); overlay = null; }
    if (!errors.length) return;
    overlay = document.createElement("div");
    overlay.id = "briefing-error-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(24,24,27,.94);color:#fafafa;font:15px/1.5 system-ui,sans-serif";
    var title = document.createElement("p"), list = document.createElement("pre");
    var close = document.createElement("button");
    title.textContent = "The build failed; this is the last good version. " +
      "Fix the content and save: the page reloads by itself.";
    list.textContent = errors.join("\\n");
    list.style.cssText = "white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;color:#fca5a5";
    close.textContent = "Dismiss";
    close.onclick = function () { overlay.remove(); overlay = null; };
    overlay.append(title, list, close);
    document.body.appendChild(overlay);
  }
  if (!window.EventSource || !script) return;
  var events = new EventSource(script.getAttribute("data-events"));
  events.addEventListener("status", function (event) {
    var status = JSON.parse(event.data);
    if (status.site !== loaded) { events.close(); location.reload(); return; }
    show(status.errors);
  });
})();
"""
RELOAD_TAG = '<script src="%s" data-site="%s" data-events="%s"></script>\n'


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
    try:
        target = root.joinpath(*[part for part in parts if part]).resolve()  # resolve() follows symlinks
        target.is_dir()  # a name over the system's limit raises here, not when the caller asks
    except OSError:  # 'File name too long': a traceback on the console and no answer at all, before
        return None
    return target if target.is_relative_to(root) else None


def content_type(path: Path) -> str:
    """The Content-Type header for a served file."""
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def with_reload_script(html: bytes, site: str) -> bytes:
    """``html`` with the live-reload script added before ``</body>`` (or at the end)."""
    script = (RELOAD_TAG % (RELOAD_PATH, html_escape(site), EVENTS_PATH)).encode()
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


def is_own_host(host: str, bound: str, port: int) -> bool:
    """True when a request's Host header names this server: ``localhost`` or the bound address, with its port.

    A server bound to every interface (``0.0.0.0``, ``::``) also answers any IP address with its port:
    DNS rebinding needs a name, never a bare address.
    """
    name, colon, given_port = host.strip().lower().rpartition(":")
    if not colon or given_port != str(port):
        return False
    if name in ("localhost", "127.0.0.1", "[::1]", f"[{bound}]" if ":" in bound else bound):
        return True
    try:
        if not ipaddress.ip_address(bound).is_unspecified:
            return False
        ipaddress.ip_address(name.strip("[]"))  # a name, not an address: ValueError
    except ValueError:
        return False
    return True


class SiteHolder(Protocol):
    """What the HTTP side needs of the dev server."""

    project: Project
    site_lock: threading.Lock  # held while a new site is swapped in

    @property
    def status(self) -> ServeStatus: ...

    def status_updates(self) -> Iterator[ServeStatus | None]: ...


class DevHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server for one dev server's site, on an IPv4 or IPv6 address."""

    daemon_threads = True
    # The kernel queues this many connections not yet accepted (capped by net.core.somaxconn); with the
    # default of 5, a burst of requests (a page with many charts, a link checker) had most of them refused.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], dev: SiteHolder) -> None:
        self.dev = dev
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, DevRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can hang without a network.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # browsers hang up all the time
            super().handle_error(request, client_address)


class DevRequestHandler(BaseHTTPRequestHandler):
    """GET and HEAD for files under the output folder, plus the status and its event stream."""

    server: DevHTTPServer
    server_version = "briefing-serve"
    # Seconds a connection may wait for the client: one that never finishes its headers, or keeps a
    # connection open and idle, holds a thread only this long (the event stream writes more often).
    timeout = 30

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Serve a file, the event stream or the status."""
        if not self._host_is_ours():
            return
        path = self.path.split("?", 1)[0]
        if path == EVENTS_PATH:
            self._events()
        elif path == STATUS_PATH:
            self._send(HTTPStatus.OK, "application/json", self.server.dev.status.to_json().encode())
        elif path == RELOAD_PATH:
            self._send(HTTPStatus.OK, CONTENT_TYPES[".js"], RELOAD_SCRIPT)
        else:
            self._file()

    def do_HEAD(self) -> None:  # noqa: N802
        """Like GET, without the body."""
        if self._host_is_ours():
            self._file(head=True)

    def _host_is_ours(self) -> bool:
        hosts = self.headers.get_all("Host") or []  # two: ours first, another after, for whoever reads the last
        if len(hosts) == 1 and is_own_host(hosts[0], *self.server.server_address[:2]):
            return True
        # 421 Misdirected Request: the request was meant for some other server name.
        self.close_connection = True
        self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                   b"briefing serve answers only requests for its own address (127.0.0.1 or localhost)\n",
                   self.command == "HEAD")
        return False

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
