"""A local web server for saved company sites (the crawler's tests and ``python -m bench enrichment``).

Serves ``<root>/<host>/…`` for whatever host the request names (``Host`` header, port dropped), the way the
archive transport maps URLs to files, on 127.0.0.1 and a port the OS picks. ``latency_s`` is added before every
response, ``delays`` adds more on given paths (a slow page), ``redirects`` answers given paths with a 302, and ``hits`` counts requests per (host, path), so a
test can say exactly what the crawler asked for. ``aliases`` serves one saved site under many host names (the
benchmark gives every lead its own domain, so every lead is a real crawl).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml"}


class SiteServer:
    def __init__(
        self,
        root: str | Path,
        *,
        latency_s: float = 0.0,
        delays: dict[str, float] | None = None,
        redirects: dict[str, str] | None = None,
        aliases: dict[str, str] | None = None,
    ):
        self.root, self.latency_s, self.delays = Path(root).resolve(), latency_s, dict(delays or {})
        self.redirects, self.aliases = dict(redirects or {}), dict(aliases or {})
        self.hits: Counter = Counter()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.hits[(host, path)] += 1
                time.sleep(server.latency_s + server.delays.get(path, 0.0))
                if path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                found = server.lookup(host, path)
                if found is None:
                    body, content_type, status = b"<html><body>Not found</body></html>", TYPES[".html"], 404
                else:
                    body, content_type, status = found.read_bytes(), TYPES.get(found.suffix, "text/plain"), 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up on a slow page: that is the point of the test

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def lookup(self, host: str, path: str) -> Path | None:
        site = (self.root / self.aliases.get(host, host)).resolve()
        rel = path.strip("/")
        for candidate in (
            [site / "index.html"] if not rel else [site / rel, site / f"{rel}.html", site / rel / "index.html"]
        ):
            candidate = candidate.resolve()
            if candidate.is_relative_to(site) and candidate.is_file():
                return candidate
        return None

    def domains(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def test_hosts(self, domains=None) -> dict[str, str]:
        """``SWARM_FETCH_TEST_HOSTS`` for these domains: each resolves to this server."""
        return {d: f"127.0.0.1:{self.port}" for d in (domains or self.domains())}

    def __enter__(self) -> SiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
