"""Leads: capture, the email of a cold lead, consent, and deletion of personal data (consent / retention)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

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


def lead_set_inbox_consent(*, lead: Lead, granted: bool) -> Lead:
    """Inbox access (bid-invite seeding) is explicit opt-in, and can be withdrawn."""
    lead.consent_inbox, lead.consent_inbox_at = granted, clock.now() if granted else None
    Lead.objects.filter(pk=lead.pk).update(consent_inbox=lead.consent_inbox, consent_inbox_at=lead.consent_inbox_at)
    event_record(type="lead.consent_changed", subject=lead, payload={"inbox": granted})
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
