"""Sharing a MAP with the customer by signed, read-only link (issue 20).

- ``map_share_create`` files a MapShareLink and returns its signed token; the URL is /share/map/<token>/.
- ``map_share_open`` checks the token: a tampered one raises ``ShareLinkInvalid``, one older than
  MAP_SHARE_MAX_AGE_DAYS raises ``ShareLinkExpired``, a revoked or unknown link raises ``ShareLinkGone`` (the
  page answers 404, as for any URL that does not exist).
- ``map_share_revoke`` switches a link off for good; a new link can be made at any time.
Each writes an Event row (audit trail: who shared the plan, who revoked it).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F

from gtmos.audit.models import Event
from gtmos.audit.services import event_record
from gtmos.core import clock

from ..models import MapShareLink, MutualActionPlan

SALT = "onboarding.map_share"
# How long a shared link stays valid (days). A sensible default for a customer plan reviewed over a quarter's
# onboarding window; the CSM re-shares after that (recorded for the README).
MAX_AGE_DAYS = getattr(settings, "MAP_SHARE_MAX_AGE_DAYS", 30)
SHARER_ROLES = ("csm", "am", "ae", "se", "manager", "slm")


class ShareLinkError(Exception):
    pass


class ShareLinkInvalid(ShareLinkError):
    """The token was altered or was never ours."""


class ShareLinkExpired(ShareLinkError):
    """The token is genuine but older than MAX_AGE_DAYS."""


class ShareLinkGone(ShareLinkError):
    """Revoked, or the plan no longer exists."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def token_for(link: MapShareLink) -> str:
    return _signer().sign(str(link.pk))


@transaction.atomic
def map_share_create(*, map_: MutualActionPlan, by) -> tuple[MapShareLink, str]:
    """A new read-only link to ``map_`` for the customer's stakeholders."""
    link = MapShareLink.objects.create(map=map_, created_by=by)
    event_record(
        type="onboarding.map_shared",
        actor=by.user if by else None,
        actor_type=Event.Actor.USER,
        subject=map_,
        account_id=map_.account_id,
        payload={"link": str(link.pk), "max_age_days": MAX_AGE_DAYS},
        idempotency_key=f"map_shared:{link.pk}",
    )
    return link, token_for(link)


@transaction.atomic
def map_share_revoke(*, link: MapShareLink, by) -> MapShareLink:
    """Switch the link off; opening it afterwards is a 404. Revoking twice changes nothing."""
    updated = MapShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=clock.now(), revoked_by=by
    )
    if updated:
        event_record(
            type="onboarding.map_share_revoked",
            actor=by.user if by else None,
            actor_type=Event.Actor.USER,
            subject=link.map,
            account_id=link.map.account_id,
            payload={"link": str(link.pk)},
            idempotency_key=f"map_share_revoked:{link.pk}",
        )
    link.refresh_from_db()
    return link


def map_share_open(*, token: str) -> MapShareLink:
    """The live link behind ``token`` (and count the open), or a ShareLinkError saying why not."""
    try:
        link_id = _signer().unsign(token, max_age=MAX_AGE_DAYS * 86400)
    except signing.SignatureExpired:
        raise ShareLinkExpired("this link has expired") from None
    except signing.BadSignature:
        raise ShareLinkInvalid("this link is not valid") from None
    link = (
        MapShareLink.objects.filter(pk=link_id, revoked_at__isnull=True)
        .select_related("map__account", "map__opportunity__owner", "map__plan__csm")
        .first()
    )
    if link is None:
        raise ShareLinkGone("this link was revoked")
    MapShareLink.objects.filter(pk=link.pk).update(opens=F("opens") + 1, last_opened_at=clock.now())
    return link
