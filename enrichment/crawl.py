"""The crawl of one company site: robots.txt, the homepage, then the few pages where companies state facts.

A company puts its name on the homepage but its headcount on /about, its address on /contact and its trades
on /services. So per domain we read robots.txt (RFC 9309: 4xx means no rules, an unreachable robots.txt means
stay out), the homepage, and up to ``max_pages - 1`` same-site pages picked by link text and path (about,
company, team, contact, services, projects, locations; the sitemap named in robots.txt when the homepage links
to nothing, as JS-only sites do), fetched concurrently inside the caller's deadline. Every request goes
through a ``Transport``: ``HttpTransport`` is the safe fetch (SSRF checks and pinning on every hop, its own DNS
timeout, size cap), ``ArchiveTransport`` serves saved sites from a directory the same way, so the demo, the
calibration corpus and production all take exactly this path.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from .fetch import FetchError, FetchLimits, FetchResult, fetch

ROBOTS_AGENT = "GTMOS-Enrichment"
# Link text or path words → how much a page is worth reading (the facts the agents need live there).
PAGE_KINDS = (
    (
        "about",
        5,
        (
            "about",
            "company",
            "who we are",
            "who-we-are",
            "our story",
            "our-story",
            "history",
            "team",
            "leadership",
            "people",
        ),
    ),
    ("contact", 4, ("contact", "locations", "location", "offices", "office", "find us", "get in touch")),
    (
        "services",
        3,
        (
            "services",
            "service",
            "capabilities",
            "what we do",
            "what-we-do",
            "expertise",
            "trades",
            "markets",
            "sectors",
            "solutions",
        ),
    ),
    ("projects", 2, ("projects", "portfolio", "our work", "our-work", "case studies", "experience")),
)
SKIP_EXT = re.compile(r"\.(?:pdf|jpe?g|png|gif|svg|webp|zip|docx?|xlsx?|mp4|mov|css|js|ico|xml)$", re.IGNORECASE)
_SITEMAP_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>", re.IGNORECASE)


class Transport(Protocol):
    def get(self, url: str, *, deadline: float, accept: tuple[str, ...]) -> FetchResult: ...


class HttpTransport:
    """The safe fetch, at most ``per_host`` requests to one host at once across this process's threads (a
    polite crawler does not open 120 connections to a small contractor's shared host during a burst)."""

    _slots: dict[str, threading.BoundedSemaphore] = {}
    _lock = threading.Lock()

    def __init__(self, limits: FetchLimits, per_host: int = 4):
        self.limits, self.per_host = limits, per_host

    def _slot(self, url: str) -> threading.BoundedSemaphore:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        with self._lock:
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(self.per_host)
            return self._slots[host]

    def get(self, url: str, *, deadline: float, accept: tuple[str, ...]) -> FetchResult:
        slot = self._slot(url)
        if not slot.acquire(timeout=max(deadline - time.monotonic(), 0)):
            raise FetchError("timeout", "waited for a free connection to the host")
        try:
            return fetch(url, limits=self.limits, deadline=deadline, accept=accept)
        finally:
            slot.release()


class ArchiveTransport:
    """Saved sites: ``<dir>/<domain>/`` holds ``index.html``, ``about.html`` (or ``about/index.html``),
    ``robots.txt``, ``sitemap.xml``; anything missing answers 404, as a server would."""

    TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain", ".xml": "application/xml"}

    def __init__(self, directory: str | Path, max_bytes: int = 1_000_000):
        self.directory, self.max_bytes = Path(directory), max_bytes

    def get(self, url: str, *, deadline: float, accept: tuple[str, ...]) -> FetchResult:
        parts = urlsplit(url)
        root = (self.directory / (parts.hostname or "")).resolve()
        path = parts.path.strip("/")
        candidates = (
            [root / "index.html"] if not path else [root / path, root / f"{path}.html", root / path / "index.html"]
        )
        for candidate in candidates:
            candidate = candidate.resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                content_type = self.TYPES.get(candidate.suffix, "application/octet-stream")
                if not any(kind in content_type for kind in accept):
                    raise FetchError("content_type", content_type)
                body = candidate.read_bytes()
                return FetchResult(
                    url=url,
                    final_url=url,
                    status=200,
                    content_type=content_type,
                    body=body[: self.max_bytes],
                    truncated=len(body) > self.max_bytes,
                    redirects=(),
                )
        raise FetchError("http_error", "404")


@dataclass(frozen=True)
class Page:
    url: str
    kind: str  # home | about | contact | services | projects | other
    html: str


@dataclass
class Crawl:
    pages: list[Page] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why): robots, a timeout, a 404…
    robots_blocked: bool = False


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href") or None
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join(" ".join(self._text).split())))
            self._href = None


def links_of(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 — hostile markup: keep the links found so far
        pass
    return parser.links


def _same_site(url: str, home: str) -> bool:
    a, b = urlsplit(url), urlsplit(home)
    return (
        a.scheme in ("http", "https")
        and (a.hostname or "").removeprefix("www.") == (b.hostname or "").removeprefix("www.")
        and a.port == b.port
    )


def _kind(url: str, text: str) -> tuple[str, int]:
    path = urlsplit(url).path.lower()
    words = f"{text.lower()} {path.replace('/', ' ')}"
    for kind, weight, keys in PAGE_KINDS:
        for rank, key in enumerate(keys):
            if key in words:
                # Earlier keys are the section's usual name ("about" over "team"); a shorter path is its top page.
                return kind, weight * 100 - 10 * min(rank, 9) - path.rstrip("/").count("/")
    return "other", 0


def choose(links: list[tuple[str, str]], home: str, cap: int, seen: set[str]) -> list[tuple[str, str]]:
    """Up to ``cap`` (url, kind) worth reading: one of each kind first (about, contact, services, projects),
    then the next best; same site only, no files, each URL once."""
    scored: dict[str, tuple[int, str]] = {}
    for href, text in links:
        url = urldefrag(urljoin(home, href.strip()))[0]
        if (
            not _same_site(url, home)
            or SKIP_EXT.search(urlsplit(url).path)
            or url in seen
            or urlsplit(url).path in ("", "/")
        ):
            continue
        kind, score = _kind(url, text)
        if score > scored.get(url, (-1, ""))[0]:
            scored[url] = (score, kind)
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))
    picked, kinds = [], set()
    for url, (score, kind) in ranked:  # the best page of each kind first
        if kind != "other" and kind not in kinds and len(picked) < cap:
            picked.append((url, kind))
            kinds.add(kind)
    for url, (score, kind) in ranked:
        if len(picked) >= cap:
            break
        if score > 0 and (url, kind) not in picked:
            picked.append((url, kind))
    return picked


def _robots(transport: Transport, base: str, deadline: float) -> RobotFileParser:
    parser = RobotFileParser()
    try:
        result = transport.get(urljoin(base, "/robots.txt"), deadline=deadline, accept=("text/plain",))
    except FetchError as exc:
        if exc.kind == "http_error" and str(exc).split(": ", 1)[-1].startswith("4"):
            parser.allow_all = True  # no robots.txt: no rules
            return parser
        if exc.kind == "content_type":
            parser.allow_all = True  # an HTML "not found" page served with 200: no rules either
            return parser
        raise
    parser.parse(result.text().splitlines())
    return parser


def crawl(domain: str, transport: Transport, *, deadline: float, max_pages: int = 6, concurrency: int = 4) -> Crawl:
    """The pages of ``domain`` worth reading (homepage first), within ``deadline`` and ``max_pages``.

    Raises ``FetchError`` when the site cannot be read at all (no scheme answers, robots.txt unreachable, the
    homepage fails); a subpage that fails or runs out of time is skipped with its reason."""
    last: FetchError | None = None
    for scheme in ("https", "http"):
        base = f"{scheme}://{domain}/"
        try:
            robots = _robots(transport, base, deadline)
        except FetchError as exc:
            last = exc
            if exc.kind in ("timeout", "blocked_address", "dns", "dns_timeout"):
                break  # the other scheme won't do better
            continue
        result = Crawl()
        if not robots.can_fetch(ROBOTS_AGENT, base):
            result.robots_blocked = True
            result.skipped.append((base, "robots.txt"))
            return result
        try:
            home = transport.get(base, deadline=deadline, accept=("html",))
        except FetchError as exc:
            last = exc
            if exc.kind in ("timeout", "blocked_address", "dns", "dns_timeout"):
                break
            continue
        result.pages.append(Page(home.final_url, "home", home.text()))
        home_url = home.final_url
        seen = {base, home_url}
        links = links_of(result.pages[0].html)
        if len(choose(links, home_url, max_pages - 1, seen)) < 2:
            links += _sitemap_links(transport, robots, home_url, deadline)
        wanted = []
        for url, kind in choose(links, home_url, max_pages - 1, seen):
            if robots.can_fetch(ROBOTS_AGENT, url):
                wanted.append((url, kind))
            else:
                result.skipped.append((url, "robots.txt"))
        _fetch_all(transport, wanted, result, deadline, concurrency)
        return result
    raise last or FetchError("broken", "no response")


def _sitemap_links(transport: Transport, robots: RobotFileParser, home: str, deadline: float) -> list[tuple[str, str]]:
    """A JS-only homepage links to nothing a parser can see; the sitemap still names its pages."""
    maps = (robots.site_maps() or [])[:1] or [urljoin(home, "/sitemap.xml")]
    try:
        body = transport.get(maps[0], deadline=deadline, accept=("xml",)).text()
    except FetchError:
        return []
    return [(loc, "") for loc in _SITEMAP_LOC.findall(body)[:200]]


def _fetch_all(
    transport: Transport, wanted: list[tuple[str, str]], result: Crawl, deadline: float, concurrency: int
) -> None:
    if not wanted:
        return
    pool = ThreadPoolExecutor(max_workers=max(1, min(len(wanted), concurrency)), thread_name_prefix="crawl")
    try:
        futures = {
            pool.submit(transport.get, url, deadline=deadline, accept=("html",)): (url, kind) for url, kind in wanted
        }
        done, pending = wait(futures, timeout=max(deadline - time.monotonic(), 0))
        pages = []
        for future in done:
            url, kind = futures[future]
            try:
                page = future.result()
            except FetchError as exc:
                result.skipped.append((url, exc.kind))
                continue
            pages.append(Page(page.final_url, kind, page.text()))
        for future in pending:
            result.skipped.append((futures[future][0], "timeout"))
        order = {url: i for i, (url, _) in enumerate(wanted)}
        result.pages += sorted(pages, key=lambda p: order.get(p.url, len(order)))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
