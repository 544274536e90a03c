"""Leads: capture, the email of a cold lead, consent, and deletion of personal data (consent / retention)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from gtmos.audit.models import Event
from gtmos.audit.services import event_record
from gtmos.core import clock
from routing.enums import WARMTH_RANK, Warmth

from .. import catalog
from ..models import Lead, SiteSnapshot
from ..providers.domains import email_domain


class LeadError(Exception):
    pass


def lead_capture(
    *,
    source: str,
    idempotency_key: str,
    warmth: str = Warmth.COLD,
    email: str | None = None,
    name: str = "",
    title: str = "",
    consent_inbox: bool = False,
    consent_marketing: bool = False,
) -> tuple[Lead, bool]:
    """Create the Lead for a capture, once per idempotency key (a double submit is one Lead).
    Reusing a key with a different email is an error, not a silent overwrite."""
    email = (email or "").strip().lower() or None
    existing = Lead.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if email and existing.email and existing.email != email:
            raise LeadError("idempotency key reused with a different email")
        return existing, False
    now = clock.now()
    lead = Lead(
        source=source,
        idempotency_key=idempotency_key,
        warmth=warmth,
        email=email,
        name=name[:200],
        title=title[:200],
        identity_known=WARMTH_RANK.get(warmth, 0) >= WARMTH_RANK[Warmth.WARM],
        consent_inbox=consent_inbox,
        consent_inbox_at=now if consent_inbox else None,
        consent_marketing=consent_marketing,
        captured_at=now,
    )
    try:
        with transaction.atomic():
            lead.save(force_insert=True)
    except IntegrityError:
        return Lead.objects.get(idempotency_key=idempotency_key), False
    return lead, True


def lead_set_email(*, lead: Lead, email: str) -> Lead:
    """email.submitted on a cold lead. The same email again is a replay; a different one after enrichment
    started is refused (the run was for the first)."""
    email = email.strip().lower()
    if not email_domain(email):
        raise LeadError("email: enter an email address with a real domain")
    if lead.email == email:
        return lead
    if lead.email and hasattr(lead, "run"):
        raise LeadError("email: enrichment already started for another address")
    Lead.objects.filter(pk=lead.pk).update(email=email)
    lead.email = email
    return lead


def lead_set_inbox_consent(
    *,
    lead: Lead,
    granted: bool,
    text_version: str | None = None,
    actor=None,
    via: str = "",
    session_id=None,
) -> Lead:
    """Inbox access (bid-invite seeding) is explicit opt-in, and can be withdrawn at any time.

    Each change is one ``lead.consent_changed`` Event: who (the prospect's lead and session, the signed-in user
    if any — never the address: the Event log outlives a deletion), when, and the consent text version and
    fingerprint they were shown. A grant must name the current text (``text_version``; a page opened before the
    wording changed is refused). A withdrawal removes the network entries read from the invites, under the
    lead's row lock — the same lock an agent report takes (FOR SHARE) before writing bid-invite entries, so a
    seeder attempt that started while consent stood cannot add them back afterwards. A grant re-runs the
    network_seeder (after commit) so the invites are read now, not at the next run that never comes. Setting
    the state it already has records nothing (a double submit is one audit row)."""
    from ..consent import INBOX_CONSENT_VERSION, inbox_consent_digest
    from ..enums import NetworkSource
    from ..models import NetworkLink

    version = INBOX_CONSENT_VERSION if text_version is None else text_version
    if granted and version != INBOX_CONSENT_VERSION:
        raise LeadError("consent: the consent text has changed since you opened it; read it again and confirm")
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        if current.consent_inbox == granted:
            return current
        now = clock.now()
        current.consent_inbox = granted
        current.consent_inbox_at = now if granted else None
        current.consent_inbox_version = version if granted else ""
        current.save(update_fields=["consent_inbox", "consent_inbox_at", "consent_inbox_version"])
        removed = 0
        if not granted:
            removed, _ = NetworkLink.objects.filter(lead=current, source=NetworkSource.BID_INVITE).delete()
            from ..hooks import network_withdrawn

            # Layers above copied the network (a white-glove battle-pack dossier): they forget it in this
            # transaction, so the withdrawal and the scrub commit together.
            network_withdrawn.send(sender=Lead, lead=current, source=NetworkSource.BID_INVITE)
        user = actor if getattr(actor, "is_authenticated", False) else None
        event_record(
            type=catalog.LEAD_CONSENT_CHANGED,
            subject=current,
            actor=user,
            actor_type=Event.Actor.USER,
            actor_label="prospect" if user is None else "",
            occurred_at=now,
            payload={
                "lead_id": str(current.pk),
                "session_id": str(session_id) if session_id else None,
                "consent": "inbox",
                "inbox": granted,
                "action": "granted" if granted else "withdrawn",
                "text_version": version,
                "text_sha256": inbox_consent_digest() if version == INBOX_CONSENT_VERSION else "",
                "via": via,
                "network_links_removed": removed,
            },
        )
        if granted:
            from gtmos.core.commit import after_commit

            from . import runs

            # After commit, never failing the request: the grant is saved and audited already; a reseed that
            # fails costs a warning (the next run, or the next grant, reads the invites).
            after_commit(runs.network_reseed, lead_id=current.pk)
    lead.consent_inbox, lead.consent_inbox_at = current.consent_inbox, current.consent_inbox_at
    lead.consent_inbox_version = current.consent_inbox_version
    return lead


@transaction.atomic
def lead_delete(*, lead: Lead, reason: str = "requested") -> dict:
    """Delete a Lead's personal data before it converts: the Lead row and everything hanging off it (run,
    signals, profile, pursuits, network, its session and route decisions) and the cached site of its domain
    unless another lead shares it. The Event log keeps its PII-free rows plus one ``lead.deleted``."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.converted_at is not None:
        raise LeadError("the lead became an Org; its data is the customer's now (delete through the account)")
    domain = email_domain(lead.email or "")
    lead_id = str(lead.pk)
    # Rows of other apps that name this person (an invite's address) are scrubbed by their own pre_delete
    # receivers: enrichment knows nothing of them.
    _, counts = lead.delete()
    if domain and not Lead.objects.filter(email__iendswith=f"@{domain}").exists():
        SiteSnapshot.objects.filter(domain=domain).delete()
    event_record(
        type=catalog.LEAD_DELETED,
        subject=None,
        idempotency_key=catalog.key(lead_id, "any", "deleted"),
        payload={
            "lead_id": lead_id,
            "reason": reason,
            "rows": {k.split(".")[-1].lower(): v for k, v in sorted(counts.items())},
        },
    )
    return counts


def leads_retention_purge(*, now: datetime | None = None, days: int) -> int:
    """Unconverted leads older than the retention window lose their personal data (DESIGN.md: 180 days)."""
    cutoff = (now or clock.now()) - timedelta(days=days)
    purged = 0
    for lead in Lead.objects.filter(converted_at__isnull=True, captured_at__lt=cutoff).only("pk")[:1000]:
        try:
            lead_delete(lead=lead, reason="retention")
            purged += 1
        except (Lead.DoesNotExist, LeadError):
            continue
    return purged
