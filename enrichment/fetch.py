"""The safe HTTP fetch of a company site (domain_site's HTTP path).

A prospect types an email; we fetch the domain's site. That URL is attacker-controlled, so the fetch:
- resolves the host once and connects to that address (no DNS rebinding between check and connect), and
  refuses private, loopback, link-local, reserved and multicast addresses — unless ``host:port`` is on the
  test-only allowlist (``SWARM_FETCH_ALLOWLIST``, empty outside tests);
- follows at most ``max_redirects`` redirects, checking every hop the same way, http/https only;
- keeps to one overall deadline (connect, headers and every read), so a slow-drip server cannot hold a
  worker, and reads at most ``max_bytes`` (asks for no compression, so no decompression bombs);
- accepts only HTML, and reports every failure as one ``FetchError`` with a kind the caller can log.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

USER_AGENT = "GTMOS-Enrichment/1.0 (company profile; contact: privacy@gtmos.local)"
REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass(frozen=True)
class FetchLimits:
    total_s: float = 3.0
    connect_s: float = 1.0
    max_bytes: int = 1_000_000
    max_redirects: int = 3
    allowlist: frozenset[str] = field(default_factory=frozenset)  # "host:port" reachable even if private


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    truncated: bool
    redirects: tuple[str, ...]

    def text(self) -> str:
        charset = "utf-8"
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def limits_from_settings() -> FetchLimits:
    from django.conf import settings

    return FetchLimits(
        total_s=settings.SWARM_FETCH_TIMEOUT_MS / 1000, connect_s=settings.SWARM_FETCH_CONNECT_TIMEOUT_MS / 1000,
        max_bytes=settings.SWARM_FETCH_MAX_BYTES, max_redirects=settings.SWARM_FETCH_MAX_REDIRECTS,
        allowlist=frozenset(settings.SWARM_FETCH_ALLOWLIST),
    )


def _public(ip: ipaddress._BaseAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int, limits: FetchLimits) -> str:
    """One address for ``host`` that we may connect to; every address must be public unless allowlisted."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", str(exc)) from None
    addresses = []
    for family, *_rest, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            addresses.append(sockaddr[0])
    if not addresses:
        raise FetchError("dns", "no address")
    if f"{host}:{port}" in limits.allowlist:
        return addresses[0]
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            raise FetchError("blocked_address", address) from None
        if not _public(ip):
            raise FetchError("blocked_address", f"{host} resolves to a non-public address")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _left(end: float) -> float:
    left = end - time.monotonic()
    if left <= 0:
        raise FetchError("timeout", "deadline passed")
    return left


def fetch(url: str, *, limits: FetchLimits | None = None, deadline: float | None = None) -> FetchResult:
    limits = limits or FetchLimits()
    end = time.monotonic() + limits.total_s
    if deadline is not None:
        end = min(end, deadline)
    first, hops = url, []
    for _ in range(limits.max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError("bad_scheme", parts.scheme or "none")
        if parts.username or parts.password or not parts.hostname:
            raise FetchError("bad_url", "credentials or no host")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError("bad_url", "port") from None
        host = parts.hostname
        address = _resolve(host, port, limits)
        cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        conn = cls(host, port, address=address, timeout=min(limits.connect_s, _left(end)))
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={
                "User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                "Accept-Encoding": "identity", "Connection": "close",
            })
            sock = conn.sock  # getresponse() hands the socket to the response when the server closes
            sock.settimeout(_left(end))
            response = conn.getresponse()
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError("broken", "redirect without Location")
                hops.append(url)
                url = urljoin(url, location)
                continue
            if response.status >= 400:
                raise FetchError("http_error", str(response.status))
            content_type = response.getheader("Content-Type", "") or ""
            if "html" not in content_type.lower():
                raise FetchError("not_html", content_type.split(";")[0] or "no content type")
            body, truncated = _read_capped(sock, response, end, limits.max_bytes)
            return FetchResult(url=first, final_url=url, status=response.status, content_type=content_type,
                               body=body, truncated=truncated, redirects=tuple(hops))
        except FetchError:
            raise
        except (TimeoutError, socket.timeout):
            raise FetchError("timeout", "read timed out") from None
        except ssl.SSLError as exc:
            raise FetchError("tls", exc.__class__.__name__) from None
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise FetchError("broken", exc.__class__.__name__) from None
        finally:
            conn.close()
    raise FetchError("too_many_redirects", f"more than {limits.max_redirects}")


def _read_capped(sock, response, end: float, max_bytes: int) -> tuple[bytes, bool]:
    chunks, size = [], 0
    while size <= max_bytes:
        sock.settimeout(_left(end))
        chunk = response.read1(min(65536, max_bytes + 1 - size)) if hasattr(response, "read1") else \
            response.read(min(65536, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:max_bytes], True
