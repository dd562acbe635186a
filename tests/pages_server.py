"""A stand-in for GitHub Pages in tests: a built site served on 127.0.0.1 under a sub-path.

Like GitHub Pages, it serves only under the site's path (``/repo/`` for a project
site) and answers every unknown path with the site's own ``404.html``.
"""
from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` under ``prefix`` only; misses get the site's 404.html with status 404."""

    def __init__(self, *args, prefix: str = "/", **kwargs) -> None:
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(self.prefix):
            return os.path.join(self.directory, "no such file")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve_pages(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve ``folder`` under ``prefix`` on a free loopback port for the block; yields ``http://127.0.0.1:PORT``."""
    handler = functools.partial(PagesHandler, directory=str(folder), prefix=prefix)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
