"""The dev server's HTTP side: a burst of simultaneous requests is answered, other host names are refused."""
from __future__ import annotations

import http.client
import resource
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder.compute.project import Project
from site_builder.commands.serve_http import DevHTTPServer, ServeStatus, is_own_host

PAGE = b"<!doctype html><html><head><title>Hello</title></head><body><p>hello</p></body></html>"


class FakeSite:
    """What the HTTP server needs of the dev server: a project whose output folder holds one page."""

    def __init__(self, root: Path) -> None:
        self.project = Project.at(root)
        self.project.out.mkdir()
        (self.project.out / "index.html").write_bytes(PAGE)
        self.site_lock = threading.Lock()
        self.status = ServeStatus("site-1")

    def status_updates(self) -> Iterator[ServeStatus | None]:
        """The status once; the stream then ends."""
        yield self.status


@pytest.fixture
def httpd(tmp_path: Path) -> Iterator[DevHTTPServer]:
    """A bound server on a free loopback port, not yet accepting: the test starts it with ``serving``."""
    server = DevHTTPServer(("127.0.0.1", 0), FakeSite(tmp_path))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    server.start = thread.start  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        if thread.ident is not None:  # started
            server.shutdown()
            thread.join(timeout=10)
        server.server_close()


def get(server: DevHTTPServer, path: str = "/", host: str | None = None, method: str = "GET") -> tuple[int, bytes]:
    """Status and body of one request; ``host`` replaces the Host header http.client would send."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        conn.request(method, path, headers={"Host": host} if host is not None else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def raw_request(server: DevHTTPServer, request: bytes) -> bytes:
    """The whole response to ``request`` sent byte for byte on a fresh connection."""
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
        sock.sendall(request)
        return receive_all(sock)


def receive_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# A burst of simultaneous requests -----------------------------------------------------------------

def kernel_queue_limit() -> int:
    """net.core.somaxconn, which caps any listen backlog (a large number where it cannot be read)."""
    try:
        return int(Path("/proc/sys/net/core/somaxconn").read_text())
    except (OSError, ValueError):
        return 1 << 16


def test_a_thousand_simultaneous_requests_are_all_answered(httpd: DevHTTPServer):
    if kernel_queue_limit() < 1000:
        pytest.skip("net.core.somaxconn caps the listen backlog below 1,000 on this machine")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    port, clients = httpd.server_address[1], []
    try:
        # All 1,000 connect before the server accepts any: with the old backlog of 5, the seventh connect
        # waited for the kernel's SYN retry (a second or more) and timed out here.
        for _ in range(1000):
            sock = socket.create_connection(("127.0.0.1", port), timeout=0.5)
            sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            clients.append(sock)
        httpd.start()
        for sock in clients:
            sock.settimeout(60)
        responses = [receive_all(sock) for sock in clients]
    finally:
        for sock in clients:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert [r.split(b"\r\n", 1)[0] for r in responses] == [b"HTTP/1.0 200 OK"] * 1000
    assert all(b"<p>hello</p>" in r for r in responses)


def test_requests_from_many_threads_at_once_are_all_answered(httpd: DevHTTPServer):
    httpd.start()
    statuses: list[int] = []
    barrier = threading.Barrier(200)

    def client() -> None:
        barrier.wait()
        statuses.append(get(httpd)[0])

    threads = [threading.Thread(target=client) for _ in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 200


# DNS rebinding: only our own address -------------------------------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", " localhost:{port} "])
def test_requests_for_our_own_address_are_answered(httpd: DevHTTPServer, host: str):
    httpd.start()
    status, body = get(httpd, host=host.format(port=httpd.server_address[1]))
    assert status == 200 and b"<p>hello</p>" in body


@pytest.mark.parametrize("host", [
    "evil.example", "evil.example:{port}", "localhost.evil.example:{port}", "127.0.0.1.nip.io:{port}",
    "127.0.0.1", "localhost", "127.0.0.1:{other}", "localhost:{other}", "10.0.0.7:{port}", "localhost.:{port}",
    "", "127.0.0.1:{port}@evil.example",
])
@pytest.mark.parametrize("path", ["/", "/index.html", "/__briefing/status", "/__briefing/events"])
def test_requests_for_any_other_host_name_are_refused_with_421(httpd: DevHTTPServer, host: str, path: str):
    httpd.start()
    port = httpd.server_address[1]
    status, body = get(httpd, path, host=host.format(port=port, other=port + 1))
    assert status == 421
    assert b"hello" not in body and b"site-1" not in body


def test_a_head_request_for_another_host_is_refused_too(httpd: DevHTTPServer):
    httpd.start()
    assert get(httpd, host="evil.example", method="HEAD") == (421, b"")


def test_a_request_without_a_host_header_is_refused(httpd: DevHTTPServer):
    httpd.start()
    response = raw_request(httpd, b"GET / HTTP/1.0\r\n\r\n")
    assert response.startswith(b"HTTP/1.0 421 ")
    assert b"hello" not in response


@pytest.mark.parametrize("host, bound, answered", [
    ("127.0.0.1:8000", "127.0.0.1", True),
    ("localhost:8000", "127.0.0.1", True),
    ("[::1]:8000", "::1", True),
    ("localhost:8000", "::1", True),
    ("[::1]:8001", "::1", False),
    ("192.168.1.5:8000", "0.0.0.0", True),  # bound to every interface: any address, never a name
    ("[fe80::1]:8000", "::", True),
    ("rebind.evil.example:8000", "0.0.0.0", False),
    ("192.168.1.5:8000", "127.0.0.1", False),
    ("192.168.1.5:8000", "192.168.1.5", True),
    ("8000", "127.0.0.1", False),
])
def test_which_host_headers_name_this_server(host: str, bound: str, answered: bool):
    assert is_own_host(host, bound, 8000) is answered


def test_two_host_headers_are_refused_even_when_the_first_is_ours(httpd: DevHTTPServer):
    httpd.start()
    port = httpd.server_address[1]
    for hosts in ([f"127.0.0.1:{port}", "evil.example"], ["evil.example", f"127.0.0.1:{port}"]):
        response = raw_request(httpd, b"GET / HTTP/1.1\r\n" + b"".join(b"Host: %s\r\n" % h.encode() for h in hosts)
                               + b"Connection: close\r\n\r\n")
        assert response.startswith(b"HTTP/1.0 421 ") and b"hello" not in response


# Hostile paths and clients -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/" + "a" * 300 + ".html", "/" + "a" * 8000, "/a" * 2500 + "/",
                                  "/%2e%2e/%2e%2e/etc/passwd", "/%252e%252e/etc/passwd", "/index.html%00.txt",
                                  "/..%5c..%5cetc%5cpasswd", "/%2F%2Fevil.example/", "/%ff"])
def test_hostile_paths_get_the_not_found_page(httpd: DevHTTPServer, path: str):
    """A name over the system's limit raised OSError in the handler: a traceback and no answer at all."""
    (httpd.dev.project.out / "404.html").write_bytes(b"<p>not here</p>")
    httpd.start()
    response = raw_request(httpd, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{httpd.server_address[1]}\r\n"
                                  "Connection: close\r\n\r\n".encode())
    assert response.startswith(b"HTTP/1.0 404 ") and b"<p>not here</p>" in response


def test_a_client_that_never_finishes_its_headers_is_let_go_and_blocks_no_one(httpd: DevHTTPServer, monkeypatch):
    from site_builder.commands.serve_http import DevRequestHandler

    assert 0 < DevRequestHandler.timeout <= 60  # None before: such a client held its thread forever
    monkeypatch.setattr(DevRequestHandler, "timeout", 0.5)
    httpd.start()
    port = httpd.server_address[1]
    slow = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(20)]
    try:
        for sock in slow:
            sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode())
        assert get(httpd, host=f"127.0.0.1:{port}")[0] == 200  # answered while the others dangle
        for sock in slow:
            assert b"hello" not in receive_all(sock)  # closed by the server (it waited forever before)
    finally:
        for sock in slow:
            sock.close()
