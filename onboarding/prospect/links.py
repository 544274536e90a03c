"""Personalized (warm) links: identity carried in a signed, expiring, tamper-evident token.

The token is Django's signing (HMAC with SECRET_KEY and a purpose salt) over the lead id and the moment it
was issued. Age is measured on the injectable clock, so expiry is testable without sleeping. A changed byte
fails the signature; an old link fails the age check; neither says which lead it was for.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from enrichment.models import Lead
from gtmos.core import clock

SALT = "gtmos.prospect.warm-link"


class LinkInvalid(Exception):
    """Tampered, truncated, or for a lead that no longer exists."""


class LinkExpired(LinkInvalid):
    """Genuine, but older than PROSPECT_WARM_LINK_MAX_AGE_DAYS."""


def warm_link_token(lead: Lead) -> str:
    return signing.dumps({"l": str(lead.pk), "t": int(clock.now().timestamp())}, salt=SALT, compress=True)


def warm_link_path(lead: Lead) -> str:
    return reverse("prospect:warm", args=[warm_link_token(lead)])


def warm_link_lead(token: str) -> Lead:
    """The lead a link was issued for; LinkExpired / LinkInvalid otherwise."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise LinkInvalid("bad signature") from exc
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        raise LinkInvalid("malformed")
    age = clock.now().timestamp() - data["t"]
    if age > timedelta(days=settings.PROSPECT_WARM_LINK_MAX_AGE_DAYS).total_seconds() or age < -300:
        raise LinkExpired("expired")
    lead = Lead.objects.filter(pk=data.get("l")).first()
    if lead is None:
        raise LinkInvalid("no such lead")
    return lead
