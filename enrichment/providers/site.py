"""The company site, read once per domain and shared by every agent that needs it (single flight).

Two sources behind one interface: ``HttpSiteSource`` (the safe fetch) and ``ArchiveSiteSource`` (saved pages
in a local directory, ``<domain>.html`` — the offline path used by the demo, the tests and the benchmark).
Whichever is configured, the first agent to ask for a domain claims its SiteSnapshot row and reads the site;
the others wait for that row (bounded by their own deadline) instead of fetching again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from gtmos.core import clock

from ..fetch import FetchError, fetch, limits_from_settings
from ..models import SiteSnapshot
from .base import BudgetExceeded, ProviderError, remaining

TEXT_CAP = 200_000
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
        self._size = 0

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
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


def parse_page(domain: str, final_url: str, html: str) -> SiteDoc:
    parser = _PageParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 — html.parser raises odd errors on hostile markup; keep what we have
        pass
    return SiteDoc(domain=domain, final_url=final_url, title=parser.title, text=" ".join(parser.text)[:TEXT_CAP],
                   structured=parser.jsonld, meta=parser.meta)


class ArchiveSiteSource:
    """Offline: saved pages, ``<dir>/<domain>.html``. Missing page = the domain has no site."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def read(self, domain: str, *, deadline: float) -> SiteDoc | None:
        path = self.directory / f"{domain}.html"
        if not path.is_file():
            return None
        html = path.read_bytes()[: settings.SWARM_FETCH_MAX_BYTES].decode("utf-8", errors="replace")
        return parse_page(domain, f"https://{domain}/", html)


class HttpSiteSource:
    """Online: https://domain/, then http://domain/, through the safe fetch."""

    def read(self, domain: str, *, deadline: float) -> SiteDoc | None:
        if connection.in_atomic_block is False:
            connection.close()  # never hold a database connection across a slow site
        last: FetchError | None = None
        for url in (f"https://{domain}/", f"http://{domain}/"):
            try:
                result = fetch(url, limits=limits_from_settings(), deadline=deadline)
            except FetchError as exc:
                last = exc
                if exc.kind in ("timeout", "blocked_address", "dns"):
                    break  # the other scheme won't do better
                continue
            return parse_page(domain, result.final_url, result.text())
        raise last or FetchError("broken", "no response")


def site_source():
    if settings.SWARM_SITE_SOURCE == "http":
        return HttpSiteSource()
    return ArchiveSiteSource(settings.SWARM_SITE_ARCHIVE_DIR)


def _doc(snap: SiteSnapshot) -> SiteDoc | None:
    if snap.status != SiteSnapshot.Status.OK:
        return None
    return SiteDoc(domain=snap.domain, final_url=snap.final_url, title=snap.title, text=snap.text,
                   structured=snap.structured, meta=snap.meta)


def site_for(domain: str, *, deadline: float, source=None) -> SiteDoc | None:
    """The site of ``domain``, read at most once per freshness window across every agent and worker."""
    source = source or site_source()
    fresh_after = clock.now() - timedelta(hours=settings.SWARM_SITE_TTL_HOURS)
    stale_claim = clock.now() - timedelta(milliseconds=settings.SWARM_FETCH_TIMEOUT_MS * 2)
    cached = SiteSnapshot.objects.filter(domain=domain, status=SiteSnapshot.Status.OK, fetched_at__gte=fresh_after).first()
    if cached is not None:
        return _doc(cached)  # the common case once one agent has read the site: one query
    try:
        with transaction.atomic():
            snap = SiteSnapshot.objects.create(domain=domain, fetched_at=clock.now())
        claimed = True
    except IntegrityError:
        snap = SiteSnapshot.objects.get(domain=domain)
        claimed = False
        # A failed read is retried after a minute (the retry ladder must not be answered from a cached error).
        failed_fresh_after = clock.now() - timedelta(seconds=60)
        if snap.status == SiteSnapshot.Status.OK and snap.fetched_at < fresh_after or \
                snap.status == SiteSnapshot.Status.FAILED and snap.fetched_at < failed_fresh_after or \
                snap.status == SiteSnapshot.Status.FETCHING and snap.fetched_at < stale_claim:
            # Stale copy, or a claimant that died mid-fetch: take the claim over, conditionally.
            claimed = bool(SiteSnapshot.objects.filter(pk=snap.pk, fetched_at=snap.fetched_at).update(
                status=SiteSnapshot.Status.FETCHING, fetched_at=clock.now()))
    if not claimed:
        while snap.status == SiteSnapshot.Status.FETCHING:
            if remaining(deadline) <= 0:
                raise BudgetExceeded("waited for another agent's fetch of the site")
            time.sleep(min(POLL_S, max(remaining(deadline), 0)))
            snap = SiteSnapshot.objects.get(pk=snap.pk)
        if snap.status == SiteSnapshot.Status.FAILED and snap.error != NO_SITE:
            raise ProviderError(f"site read failed: {snap.error}")
        return _doc(snap)
    try:
        doc = source.read(domain, deadline=deadline)
    except (FetchError, BudgetExceeded) as exc:
        SiteSnapshot.objects.filter(pk=snap.pk).update(status=SiteSnapshot.Status.FAILED, error=str(exc)[:300],
                                                       fetched_at=clock.now())
        if isinstance(exc, FetchError):
            raise ProviderError(f"site fetch failed: {exc}") from exc
        raise
    if doc is None:
        SiteSnapshot.objects.filter(pk=snap.pk).update(status=SiteSnapshot.Status.FAILED, error=NO_SITE,
                                                       fetched_at=clock.now())
        return None
    SiteSnapshot.objects.filter(pk=snap.pk).update(
        status=SiteSnapshot.Status.OK, final_url=doc.final_url[:500], title=doc.title, text=doc.text,
        structured=doc.structured, meta=doc.meta, error="", fetched_at=clock.now())
    return doc
