"""The safe HTTP fetch of a company site (domain_site's HTTP path).

A prospect types an email; we fetch the domain's site. That URL is attacker-controlled, so the fetch:
- resolves the host once and connects to that address (no DNS rebinding between check and connect), and
  refuses private, loopback, link-local, reserved and multicast addresses — unless ``host:port`` is on the
  test-only allowlist (``SWARM_FETCH_ALLOWLIST``, empty outside tests);
- follows at most ``max_redirects`` redirects, checking every hop the same way, http/https only;
- keeps to one overall deadline (connect, headers and every read), so a slow-drip server cannot hold a
  worker, and reads at most ``max_bytes`` (asks for no compression, so no decompression bombs);
- resolves names with its own timeout (``dns_s``: ``getaddrinfo`` has none, so a dead resolver would otherwise
  hold a worker for the resolver's own retries);
- accepts only the content types asked for (HTML by default), and reports every failure as one ``FetchError``
  with a kind the caller can log.

``test_hosts`` maps a host name to a loopback ``ip:port`` (as ``curl --resolve`` does) so the crawler can be
exercised on a local server under real domain names; it is empty outside tests and the benchmark, and only
loopback targets are honoured.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

USER_AGENT = "GTMOS-Enrichment/1.0 (company profile; +{contact})"
DEFAULT_CONTACT = "https://gtmos.local/bot"
REDIRECTS = {301, 302, 303, 307, 308}
HTML = ("html",)
# getaddrinfo blocks and cannot be cancelled: it runs on these threads so the caller can stop waiting. A lookup
# that never returns keeps its thread until the resolver gives up; the pool bounds how many can pile up.
_DNS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="fetch-dns")


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
    dns_s: float = 0.5
    user_agent: str = USER_AGENT.format(contact=DEFAULT_CONTACT)
    test_hosts: tuple[tuple[str, str], ...] = ()  # (host, "127.0.0.1:port"): tests and the benchmark only


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

    from . import conf

    return FetchLimits(
        total_s=settings.SWARM_FETCH_TIMEOUT_MS / 1000,
        connect_s=settings.SWARM_FETCH_CONNECT_TIMEOUT_MS / 1000,
        max_bytes=settings.SWARM_FETCH_MAX_BYTES,
        max_redirects=settings.SWARM_FETCH_MAX_REDIRECTS,
        allowlist=frozenset(settings.SWARM_FETCH_ALLOWLIST),
        dns_s=conf.get("SWARM_FETCH_DNS_TIMEOUT_MS") / 1000,
        user_agent=USER_AGENT.format(contact=conf.get("SWARM_CRAWL_CONTACT_URL")),
        test_hosts=tuple(sorted(conf.test_hosts().items())),
    )


def _public(ip: ipaddress._BaseAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _getaddrinfo(host: str, port: int):
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _lookup(host: str, port: int, timeout: float):
    future = _DNS.submit(_getaddrinfo, host, port)
    try:
        return future.result(timeout=max(timeout, 0.001))
    except FutureTimeout:
        future.cancel()
        raise FetchError("dns_timeout", f"{host} did not resolve in {timeout:.2f}s") from None


def _loopback_target(target: str) -> tuple[str, int] | None:
    address, _, port = target.rpartition(":")
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
        return (str(ip), int(port)) if ip.is_loopback else None
    except ValueError:
        return None


def _resolve(host: str, port: int, limits: FetchLimits, end: float | None = None) -> tuple[str, int]:
    """One address (and port) for ``host`` that we may connect to; every address must be public unless
    allowlisted."""
    for name, target in limits.test_hosts:
        if name == host and (pinned := _loopback_target(target)) is not None:
            return pinned
    timeout = limits.dns_s if end is None else min(limits.dns_s, _left(end))
    try:
        infos = _lookup(host, port, timeout)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", str(exc)) from None
    addresses = []
    for family, *_rest, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            addresses.append(sockaddr[0])
    if not addresses:
        raise FetchError("dns", "no address")
    if f"{host}:{port}" in limits.allowlist:
        return addresses[0], port
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            raise FetchError("blocked_address", address) from None
        if not _public(ip):
            raise FetchError("blocked_address", f"{host} resolves to a non-public address")
    return addresses[0], port


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address  # (ip, port) checked by _resolve: the only place this connection may go

    def connect(self):
        self.sock = socket.create_connection(self._address, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection(self._address, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _left(end: float) -> float:
    left = end - time.monotonic()
    if left <= 0:
        raise FetchError("timeout", "deadline passed")
    return left


def fetch(
    url: str, *, limits: FetchLimits | None = None, deadline: float | None = None, accept: tuple[str, ...] = HTML
) -> FetchResult:
    """GET ``url`` safely; ``accept`` lists substrings of the content types wanted (robots.txt: "text/plain")."""
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
        if parts.scheme == "https" and any(name == host for name, _ in limits.test_hosts):
            raise FetchError("tls", "a test host serves plain http")  # the local server speaks no TLS
        address = _resolve(host, port, limits, end)
        cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        conn = cls(host, port, address=address, timeout=min(limits.connect_s, _left(end)))
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request(
                "GET",
                path,
                headers={
                    "User-Agent": limits.user_agent,
                    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
                    "Accept-Encoding": "identity",
                    "Connection": "close",
                },
            )
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
            if not any(kind in content_type.lower() for kind in accept):
                raise FetchError(
                    "not_html" if accept == HTML else "content_type", content_type.split(";")[0] or "no content type"
                )
            body, truncated = _read_capped(sock, response, end, limits.max_bytes)
            return FetchResult(
                url=first,
                final_url=url,
                status=response.status,
                content_type=content_type,
                body=body,
                truncated=truncated,
                redirects=tuple(hops),
            )
        except FetchError:
            raise
        except TimeoutError:
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
        chunk = (
            response.read1(min(65536, max_bytes + 1 - size))
            if hasattr(response, "read1")
            else response.read(min(65536, max_bytes + 1 - size))
        )
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:max_bytes], True
