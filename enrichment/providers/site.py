"""The company site, read once per domain and shared by every agent that needs it (single flight).

Two sources behind one interface, both the crawler of ``enrichment/crawl.py`` (robots.txt, the homepage, its
about/contact/services pages): ``HttpSiteSource`` over the safe fetch (the production default) and
``ArchiveSiteSource`` over saved sites in a local directory (``<domain>/index.html``, ``about.html``, … or a
single ``<domain>.html``) — the offline path of the demo, the tests and the calibration corpus.
Whichever is configured, the first agent to ask for a domain claims its SiteSnapshot row and reads the site;
the others wait for that row (bounded by their own deadline) instead of fetching again.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from gtmos.core import clock

from .. import conf
from ..crawl import ArchiveTransport, Crawl, HttpTransport, crawl
from ..fetch import FetchError, limits_from_settings
from ..models import SiteSnapshot
from .base import BudgetExceeded, ProviderError, remaining

TEXT_CAP = 200_000
PAGE_TEXT_CAP = 60_000
BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "li",
    "ul",
    "ol",
    "td",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "address",
    "blockquote",
    "main",
    "aside",
    "dd",
    "dt",
    "hr",
}
NO_SITE = "no site"  # the domain has no site (or none archived): nothing to retry
POLL_S = 0.05


@dataclass(frozen=True)
class SiteDoc:
    domain: str
    final_url: str
    title: str
    text: str
    structured: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    # Every page read: {"url", "kind", "title", "text"}; the homepage first. ``text`` is all of them joined.
    pages: list = field(default_factory=list)

    def page_texts(self) -> list[tuple[str, str, str]]:
        """(url, kind, text) per page; a single-page doc (older snapshots) is its own one page."""
        if self.pages:
            return [(p["url"], p.get("kind", ""), p["text"]) for p in self.pages]
        return [(self.final_url, "home", self.text)]

    def organizations(self) -> list[dict]:
        """schema.org objects that describe an organization (any @type, @graph flattened)."""
        found = []

        def walk(node):
            if isinstance(node, list):
                for item in node:
                    walk(item)
            elif isinstance(node, dict):
                if "@graph" in node:
                    walk(node["@graph"])
                if "name" in node and ("@type" in node):
                    found.append(node)

        walk(self.structured)
        return found

    def schema_types(self) -> set[str]:
        types = set()
        for org in self.organizations():
            t = org.get("@type")
            for value in t if isinstance(t, list) else [t]:
                if isinstance(value, str):
                    types.add(value)
        return types


class _PageParser(HTMLParser):
    SKIP = {"script", "style", "noscript", "template", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.meta, self.jsonld, self.text = "", {}, [], []
        self._stack: list[str] = []
        self._script_type = ""
        self._buffer: list[str] = []
        self._quotes: list[str] = []
        self._size = 0

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        if tag in BLOCK_TAGS:
            self.text.append("\n")
        if tag == "img" and "logo_alt" not in self.meta:
            alt = " ".join(attrs.get("alt", "").split())
            if alt and "logo" in f"{attrs.get('src', '')} {attrs.get('class', '')} {attrs.get('id', '')} {alt}".lower():
                self.meta["logo_alt"] = alt[:200]
        if tag in ("blockquote", "q") or "testimonial" in attrs.get("class", "").lower():
            self.text.append("\u201c")  # quoted client text is the client's voice: the classifier skips it
            self._quotes.append(tag)
        if tag in ("br", "hr", "img", "input", "link"):
            return
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").lower()
            if key in ("og:site_name", "og:title", "description", "og:description", "application-name"):
                self.meta.setdefault(key, attrs.get("content", "").strip()[:300])
            return
        self._stack.append(tag)
        if tag == "script":
            self._script_type = attrs.get("type", "").lower()
            self._buffer = []

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.text.append("\n")
        if self._quotes and self._quotes[-1] == tag:
            self._quotes.pop()
            self.text.append("\u201d")
        if tag == "script" and self._script_type == "application/ld+json":
            try:
                self.jsonld.append(json.loads("".join(self._buffer)))
            except ValueError:
                pass  # broken JSON-LD is common; the page text still counts
            self._script_type = ""
        while self._stack:
            if self._stack.pop() == tag:
                break

    def handle_data(self, data):
        current = self._stack[-1] if self._stack else ""
        if current == "script":
            if self._script_type == "application/ld+json":
                self._buffer.append(data)
            return
        if current == "title" and not self.title:
            self.title = " ".join(data.split())[:300]
            return
        if any(tag in self.SKIP for tag in self._stack):
            return
        words = " ".join(data.split())
        if words and self._size < TEXT_CAP:
            self.text.append(words)
            self._size += len(words) + 1


def _text(parts: list[str]) -> str:
    """Text nodes joined; a block element's edge becomes a line break, so "Mesa" in one paragraph and "We
    provide" in the next never read as one phrase."""
    text = re.sub(r"[ \t]*\n[\s]*", "\n", " ".join(parts))
    return re.sub(r" {2,}", " ", text).strip()


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 — html.parser raises odd errors on hostile markup; keep what we have
        pass
    return parser


def parse_page(domain: str, final_url: str, html: str) -> SiteDoc:
    parser = _parse(html)
    text = _text(parser.text)[:TEXT_CAP]
    return SiteDoc(
        domain=domain,
        final_url=final_url,
        title=parser.title,
        text=text,
        structured=parser.jsonld,
        meta=parser.meta,
        pages=[{"url": final_url, "kind": "home", "title": parser.title, "text": text}],
    )


def parse_site(domain: str, result: Crawl) -> SiteDoc | None:
    """The crawled pages as one doc: the homepage's title and meta, every page's schema.org objects (each
    tagged with its page, for provenance) and text."""
    if not result.pages:
        return None
    pages, structured, meta = [], [], {}
    for page in result.pages:
        parser = _parse(page.html)
        text = _text(parser.text)[:PAGE_TEXT_CAP]
        pages.append({"url": page.url, "kind": page.kind, "title": parser.title, "text": text})
        for item in parser.jsonld:
            if isinstance(item, dict):
                item = {**item, "_page": page.url}
            structured.append(item)
        for key, value in parser.meta.items():
            meta.setdefault(key, value)
    home = pages[0]
    text = "\n".join(p["text"] for p in pages)[:TEXT_CAP]
    return SiteDoc(
        domain=domain,
        final_url=home["url"],
        title=home["title"],
        text=text,
        structured=structured,
        meta=meta,
        pages=pages,
    )


def _crawl_limits() -> dict:
    return {"max_pages": conf.get("SWARM_CRAWL_MAX_PAGES"), "concurrency": conf.get("SWARM_CRAWL_CONCURRENCY")}


class ArchiveSiteSource:
    """Offline: a saved site, ``<dir>/<domain>/`` (crawled exactly as over HTTP) or one saved page,
    ``<dir>/<domain>.html``. Neither = the domain has no site."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def read(self, domain: str, *, deadline: float) -> SiteDoc | None:
        if (self.directory / domain).is_dir():
            transport = ArchiveTransport(self.directory, settings.SWARM_FETCH_MAX_BYTES)
            return parse_site(domain, crawl(domain, transport, deadline=deadline, **_crawl_limits()))
        path = self.directory / f"{domain}.html"
        if not path.is_file():
            return None
        html = path.read_bytes()[: settings.SWARM_FETCH_MAX_BYTES].decode("utf-8", errors="replace")
        return parse_page(domain, f"https://{domain}/", html)


class HttpSiteSource:
    """Online: the crawler over the safe fetch (https, then http). A site whose robots.txt shuts us out is
    read as no site: we ask the prospect instead."""

    def read(self, domain: str, *, deadline: float) -> SiteDoc | None:
        if connection.in_atomic_block is False:
            connection.close()  # never hold a database connection across a slow site
        limits = _crawl_limits()
        transport = HttpTransport(limits_from_settings(), per_host=limits["concurrency"])
        return parse_site(domain, crawl(domain, transport, deadline=deadline, **limits))


def site_source():
    if settings.SWARM_SITE_SOURCE == "http":
        return HttpSiteSource()
    return ArchiveSiteSource(settings.SWARM_SITE_ARCHIVE_DIR)


def _doc(snap: SiteSnapshot) -> SiteDoc | None:
    if snap.status != SiteSnapshot.Status.OK:
        return None
    return SiteDoc(
        domain=snap.domain,
        final_url=snap.final_url,
        title=snap.title,
        text=snap.text,
        structured=snap.structured,
        meta=snap.meta,
        pages=snap.pages,
    )


# A fresh copy of the site, read by two or three agents of every lead (domain_site, classifier, size_estimator):
# plain SQL, not a queryset and a model instance per agent.
_FRESH_SITE = """
SELECT domain, final_url, title, text, structured, meta, pages FROM enrichment_sitesnapshot
 WHERE domain = %s AND status = %s AND fetched_at >= %s
"""


def _json(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value  # jsonb through a raw cursor: text


def site_for(domain: str, *, deadline: float, source=None) -> SiteDoc | None:
    """The site of ``domain``, read at most once per freshness window across every agent and worker."""
    source = source or site_source()
    fresh_after = clock.now() - timedelta(hours=settings.SWARM_SITE_TTL_HOURS)
    stale_claim = clock.now() - timedelta(milliseconds=settings.SWARM_FETCH_TIMEOUT_MS * 2)
    with connection.cursor() as cursor:
        cursor.execute(_FRESH_SITE, [domain, SiteSnapshot.Status.OK, fresh_after])
        row = cursor.fetchone()
    if row is not None:  # the common case once one agent has read the site: one plain query
        found, final_url, title, text, structured, meta, pages = row
        return SiteDoc(
            domain=found,
            final_url=final_url,
            title=title,
            text=text,
            structured=_json(structured),
            meta=_json(meta),
            pages=_json(pages),
        )
    try:
        with transaction.atomic():
            snap = SiteSnapshot.objects.create(domain=domain, fetched_at=clock.now())
        claimed = True
    except IntegrityError:
        snap = SiteSnapshot.objects.get(domain=domain)
        claimed = False
        # A failed read is retried after a minute (the retry ladder must not be answered from a cached error).
        failed_fresh_after = clock.now() - timedelta(seconds=60)
        if (
            snap.status == SiteSnapshot.Status.OK
            and snap.fetched_at < fresh_after
            or snap.status == SiteSnapshot.Status.FAILED
            and snap.fetched_at < failed_fresh_after
            or snap.status == SiteSnapshot.Status.FETCHING
            and snap.fetched_at < stale_claim
        ):
            # Stale copy, or a claimant that died mid-fetch: take the claim over, conditionally.
            claimed = bool(
                SiteSnapshot.objects.filter(pk=snap.pk, fetched_at=snap.fetched_at).update(
                    status=SiteSnapshot.Status.FETCHING, fetched_at=clock.now()
                )
            )
    if not claimed:
        if snap.status == SiteSnapshot.Status.FETCHING:
            # Another agent of the lead is crawling it (every lead of a burst is a crawl): poll its status with
            # one plain read every POLL_S, and load the row — text, pages, structured data — once it is done,
            # not on every poll.
            status = snap.status
            while status == SiteSnapshot.Status.FETCHING:
                if remaining(deadline) <= 0:
                    raise BudgetExceeded("waited for another agent's fetch of the site")
                time.sleep(min(POLL_S, max(remaining(deadline), 0)))
                with connection.cursor() as cursor:
                    cursor.execute("SELECT status FROM enrichment_sitesnapshot WHERE id = %s", [snap.pk])
                    row = cursor.fetchone()
                status = row[0] if row else None
            snap = SiteSnapshot.objects.get(pk=snap.pk)
        if snap.status == SiteSnapshot.Status.FAILED and snap.error != NO_SITE:
            raise ProviderError(f"site read failed: {snap.error}")
        return _doc(snap)
    try:
        doc = source.read(domain, deadline=deadline)
    except (FetchError, BudgetExceeded) as exc:
        SiteSnapshot.objects.filter(pk=snap.pk).update(
            status=SiteSnapshot.Status.FAILED, error=str(exc)[:300], fetched_at=clock.now()
        )
        if isinstance(exc, FetchError):
            raise ProviderError(f"site fetch failed: {exc}") from exc
        raise
    if doc is None:
        SiteSnapshot.objects.filter(pk=snap.pk).update(
            status=SiteSnapshot.Status.FAILED, error=NO_SITE, fetched_at=clock.now()
        )
        return None
    SiteSnapshot.objects.filter(pk=snap.pk).update(
        status=SiteSnapshot.Status.OK,
        final_url=doc.final_url[:500],
        title=doc.title,
        text=doc.text,
        structured=doc.structured,
        meta=doc.meta,
        pages=doc.pages,
        error="",
        fetched_at=clock.now(),
    )
    return doc
