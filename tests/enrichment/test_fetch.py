"""The safe site fetch against a real HTTP server on 127.0.0.1: slow, huge, redirecting, private-address and
broken sites. Loopback is reachable only through the test allowlist; everything else private is refused."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from enrichment.fetch import FetchError, FetchLimits, fetch

PAGE = b"<html><head><title>Acme Builders</title></head><body>general contractor</body></html>"


class Handler(BaseHTTPRequestHandler):
    hits: dict = {}

    def log_message(self, *args):
        pass

    def _html(self, body: bytes, status=200, content_type="text/html; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        path = self.path
        if path == "/ok" or path == "/":
            return self._html(PAGE)
        if path == "/slow-headers":
            time.sleep(2)
            return self._html(PAGE)
        if path == "/drip":  # headers at once, then one byte every 100 ms: a slow-drip server
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if path == "/huge":
            return self._html(b"<html><body>" + b"a" * 5_000_000 + b"</body></html>")
        if path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{n - 1}" if n > 1 else "/ok")
            self.end_headers()
            return None
        if path == "/to-private":
            self.send_response(301)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
            return None
        if path == "/to-other-port":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.other_port}/ok")
            self.end_headers()
            return None
        if path == "/broken":  # a status line that is not HTTP, then hang up
            self.wfile.write(b"HELLO THIS IS NOT HTTP\r\n\r\n")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if path == "/hangup":
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if path == "/pdf":
            return self._html(b"%PDF-1.4", content_type="application/pdf")
        if path == "/gone":
            return self._html(b"gone", status=500)
        return self._html(b"not found", status=404)


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.other_port = 9  # discard port: not on the allowlist
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()


def limits(srv, **kw):
    return FetchLimits(allowlist=frozenset({f"127.0.0.1:{srv.server_address[1]}"}), **kw)


def url(srv, path):
    return f"http://127.0.0.1:{srv.server_address[1]}{path}"


def test_a_plain_page_is_fetched(server):
    result = fetch(url(server, "/ok"), limits=limits(server))
    assert result.status == 200 and b"Acme Builders" in result.body and not result.truncated
    assert "general contractor" in result.text()


def test_loopback_is_refused_without_the_test_allowlist(server):
    with pytest.raises(FetchError) as err:
        fetch(url(server, "/ok"), limits=FetchLimits())
    assert err.value.kind == "blocked_address"


@pytest.mark.parametrize(
    "target",
    [
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.0.1/",
        "http://[::1]/",
        "http://localhost/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused_before_connecting(target):
    with pytest.raises(FetchError) as err:
        fetch(target, limits=FetchLimits(total_s=1))
    assert err.value.kind == "blocked_address"


def test_slow_headers_time_out_within_the_deadline(server):
    with pytest.raises(FetchError) as err:
        fetch(url(server, "/slow-headers"), limits=limits(server, total_s=0.5))
    assert err.value.kind == "timeout"


def test_a_slow_drip_body_cannot_hold_the_fetch_past_its_deadline(server):
    with pytest.raises(FetchError) as err:
        fetch(url(server, "/drip"), limits=limits(server, total_s=0.6))
    assert err.value.kind == "timeout"


def test_an_outer_deadline_wins_over_a_longer_limit(server):
    with pytest.raises(FetchError) as err:
        fetch(url(server, "/slow-headers"), limits=limits(server, total_s=30), deadline=time.monotonic() + 0.3)
    assert err.value.kind == "timeout"


def test_a_huge_page_is_read_only_up_to_the_cap(server):
    result = fetch(url(server, "/huge"), limits=limits(server, max_bytes=100_000))
    assert result.truncated and len(result.body) == 100_000


def test_redirects_are_followed_up_to_the_limit(server):
    result = fetch(url(server, "/hop/3"), limits=limits(server, max_redirects=3))
    assert result.final_url.endswith("/ok") and len(result.redirects) == 3
    with pytest.raises(FetchError) as err:
        fetch(url(server, "/hop/4"), limits=limits(server, max_redirects=3))
    assert err.value.kind == "too_many_redirects"


def test_a_redirect_to_a_private_address_is_refused(server):
    with pytest.raises(FetchError) as err:
        fetch(url(server, "/to-private"), limits=limits(server))
    assert err.value.kind == "blocked_address"


def test_a_redirect_to_another_loopback_port_is_refused(server):
    with pytest.raises(FetchError) as err:
        fetch(url(server, "/to-other-port"), limits=limits(server))
    assert err.value.kind == "blocked_address"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/broken", "broken"),
        ("/hangup", "broken"),
        ("/pdf", "not_html"),
        ("/gone", "http_error"),
        ("/missing", "http_error"),
    ],
)
def test_broken_sites_fail_with_a_kind(server, path, kind):
    with pytest.raises(FetchError) as err:
        fetch(url(server, path), limits=limits(server))
    assert err.value.kind == kind


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("file:///etc/passwd", "bad_scheme"),
        ("ftp://example.com/", "bad_scheme"),
        ("http://user:pw@example.com/", "bad_url"),
    ],
)
def test_only_plain_http_urls_are_fetched(target, kind):
    with pytest.raises(FetchError) as err:
        fetch(target)
    assert err.value.kind == kind


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_agents_reading_the_same_site_at_once_fetch_it_once(server, settings):
    """Single flight: domain_site and classifier both want the site; the second waits for the first's read."""
    from django.db import connection

    from enrichment.models import SiteSnapshot
    from enrichment.providers.site import HttpSiteSource, site_for

    settings.SWARM_FETCH_ALLOWLIST = [f"127.0.0.1:{server.server_address[1]}"]
    domain = f"127.0.0.1:{server.server_address[1]}"
    Handler.hits.clear()
    barrier, docs = threading.Barrier(4), []

    def agent():
        try:
            barrier.wait()
            docs.append(site_for(domain, deadline=time.monotonic() + 5, source=HttpSiteSource()))
        finally:
            connection.close()

    threads = [threading.Thread(target=agent) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(docs) == 4 and all(d is not None and d.title == "Acme Builders" for d in docs)
    assert Handler.hits.get("/") == 1
    assert SiteSnapshot.objects.get(domain=domain).status == "ok"
