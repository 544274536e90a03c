"""One JSON call to a remote source (a vendor API), with what every real-source provider needs around it:
a timeout inside the agent's budget, the in-call retry ladder on 429/5xx (Retry-After honoured when it fits the
budget, else exponential backoff), a daily quota counted across workers (``RemoteQuota``), and one error type
per outcome so the provider can decide: ``Unavailable`` (timeout, 5xx after the ladder: the agent's own retry
ladder takes over), ``QuotaExhausted`` (use the offline source), ``Malformed`` (no signal, reason logged).

The vendor's base URL is an operator setting, not user input, so this is not the site fetcher's SSRF-checked
path; it speaks HTTP(S) to exactly the host configured.
"""

from __future__ import annotations

import http.client
import json
import logging
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.db import IntegrityError, transaction
from django.db.models import F

from gtmos.core import clock

from ... import conf
from ...models import RemoteQuota
from ..base import ProviderError, remaining

logger = logging.getLogger("enrichment.remote")


class Unavailable(ProviderError):
    """Timeout, refused connection, or 429/5xx past the in-call ladder: retried later by the agent's ladder."""


class QuotaExhausted(Exception):
    """Our daily quota for the source is used, or the vendor says the plan is spent."""


class Malformed(Exception):
    """The source answered, but not in its documented format."""


@dataclass(frozen=True)
class Response:
    status: int
    body: object  # parsed JSON


def quota_take(source: str, limit: int) -> None:
    """Count one call against today's quota of ``source``, atomically across workers."""
    today = clock.today()
    try:
        with transaction.atomic():
            RemoteQuota.objects.get_or_create(source=source, day=today)
    except IntegrityError:
        pass  # another worker created today's row first
    taken = RemoteQuota.objects.filter(source=source, day=today, used__lt=limit, exhausted=False).update(
        used=F("used") + 1
    )
    if not taken:
        raise QuotaExhausted(f"{source}: daily quota of {limit} calls used")


def quota_spent(source: str) -> None:
    """The vendor said the plan is spent: no more calls to it today."""
    RemoteQuota.objects.update_or_create(source=source, day=clock.today(), defaults={"exhausted": True})


def call(
    source: str,
    method: str,
    url: str,
    *,
    deadline: float,
    params: dict | None = None,
    body: dict | None = None,
    headers: dict | None = None,
    quota_statuses: tuple[int, ...] = (402,),
    quota_codes: tuple[str, ...] = (),
) -> Response:
    """``method url`` with JSON in and out; raises Unavailable / QuotaExhausted / Malformed as above. A 4xx other
    than 429 and the quota statuses is returned as is (404 "not found" is an answer, not a failure)."""
    if not url:
        raise QuotaExhausted(f"{source}: no URL configured")  # unconfigured: the offline source serves
    quota_take(source, conf.get("SWARM_REMOTE_DAILY_QUOTA"))
    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
    retries, wait = conf.get("SWARM_REMOTE_RETRIES"), conf.get("SWARM_REMOTE_BACKOFF_MS") / 1000
    for attempt in range(retries + 1):
        status, payload, retry_after = _once(method, url, body, headers or {}, deadline)
        if status in quota_statuses or (status == 429 and _code(payload) in quota_codes):
            quota_spent(source)
            raise QuotaExhausted(f"{source}: the vendor says the quota is spent ({status} {_code(payload)})")
        if status == 429 or status >= 500:
            pause = retry_after if retry_after is not None else wait * (2**attempt)
            if attempt == retries or pause >= remaining(deadline) - 0.05:
                raise Unavailable(f"{source}: HTTP {status} after {attempt + 1} attempt(s)")
            logger.info("remote %s: HTTP %s, retrying in %.2fs", source, status, pause)
            time.sleep(pause)
            continue
        return Response(status, payload)
    raise Unavailable(f"{source}: no answer")  # pragma: no cover — the loop returns or raises


def _code(payload) -> str:
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict):
            return str(error.get("code") or error.get("type") or "")
        return str(payload.get("code") or "")
    return ""


def _once(method: str, url: str, body: dict | None, headers: dict, deadline: float):
    parts = urlsplit(url)
    timeout = min(conf.get("SWARM_REMOTE_TIMEOUT_MS") / 1000, remaining(deadline))
    if timeout <= 0:
        raise Unavailable("budget spent before the call")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    kwargs = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
    conn = cls(parts.hostname, port, timeout=timeout, **kwargs)
    data = json.dumps(body).encode() if body is not None else None
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request(
            method,
            path,
            body=data,
            headers={
                "Accept": "application/json",
                "User-Agent": "GTMOS-Enrichment/1.0",
                **({"Content-Type": "application/json"} if data is not None else {}),
                **headers,
            },
        )
        response = conn.getresponse()
        raw = response.read(2_000_000)
        retry_after = response.getheader("Retry-After")
    except TimeoutError:
        raise Unavailable(f"timed out after {timeout:.2f}s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise Unavailable(f"connection failed: {exc.__class__.__name__}") from None
    finally:
        conn.close()
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        if response.status >= 500 or response.status == 429:
            payload = None  # an HTML error page from a proxy: the status decides
        else:
            raise Malformed(f"HTTP {response.status}: the body is not JSON") from None
    try:
        pause = float(retry_after) if retry_after is not None else None
    except ValueError:
        pause = None
    return response.status, payload, pause
