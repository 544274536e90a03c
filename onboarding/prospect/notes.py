"""The workspace's company note (DESIGN.md: "the workspace shows the Profile's context as an editable company
note"; seed 002 maps Company Brain's ``context_notes`` to "auto pre-fill from enrichment").

Before S8 there is no Org: the prospect's edits are kept on the session (``CompanyNote``) and become the Org's
``context_notes`` at activation, as the Lead's pursuits move to the Org. From S8 on, the Org's note is the one
edited, and every member of the Org reads the same note."""

from __future__ import annotations

from django.db import transaction

from enrichment import catalog
from enrichment.models import Profile
from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.crm.models import Account
from routing.enums import ProfileField as F
from routing.models import RouterSettings

from ..models import CompanyNote, OnboardingSession


def company_note_prefill(profile: Profile | None, *, theta: float | None = None) -> str:
    """The note as enrichment would write it: only fields held at ≥ θ (a wrong pre-fill is worse than a blank)."""
    from .selectors import _chip_text

    if profile is None:
        return ""
    theta = float(RouterSettings.load().theta) if theta is None else theta
    confidence = profile.confidence or {}

    def known(name: str):
        value = getattr(profile, {F.REVENUE: "revenue_est", F.ACV: "acv_est"}.get(name, name), None)
        return value if value not in (None, "", [], {}) and confidence.get(name, 0) >= theta else None

    lines = []
    company, org_type, trade = known(F.COMPANY), known(F.ORG_TYPE), known(F.TRADE)
    kind = _chip_text(F.ORG_TYPE, org_type) if org_type else ""
    if kind and trade and org_type == "sub_contractor":
        kind = f"{kind} ({_chip_text(F.TRADE, trade)})"
    if company or kind:
        lines.append(" — ".join(part for part in (company, kind) if part) + ".")
    if known(F.HQ):
        lines.append(f"Based in {profile.hq}.")
    if known(F.SERVICE_AREA):
        lines.append(f"Works in {'; '.join(profile.service_area)}.")
    if known(F.SECTORS):
        lines.append(f"Sectors: {_chip_text(F.SECTORS, profile.sectors)}.")
    if known(F.WEBSITE):
        lines.append(f"Website: {profile.website}")
    return "\n".join(lines)


def company_note_for(session: OnboardingSession, profile: Profile | None = None) -> tuple[str, bool]:
    """The note shown in the workspace and whether someone edited it (else it is the Profile's pre-fill).
    One query (two before S8 when nothing was saved yet)."""
    if session.org_id:
        text = Account.objects.filter(pk=session.org_id).values_list("context_notes", flat=True).first() or ""
        return text, True
    draft = CompanyNote.objects.filter(session_id=session.pk).only("text").first()
    if draft is not None:
        return draft.text, True
    return company_note_prefill(
        profile if profile is not None else Profile.objects.filter(lead_id=session.lead_id).first()
    ), False


def company_note_save(*, session: OnboardingSession, text: str, actor=None) -> str:
    """Save the company note: to the Org once the session is one (S8+), else to the session's draft, which S8
    carries to the Org. company_note.saved records where and how long, never the text (it may name people)."""
    text = text.strip()
    with transaction.atomic():
        current = (
            OnboardingSession.objects.select_for_update().only("pk", "org_id", "lead_id", "state").get(pk=session.pk)
        )
        if current.org_id:
            Account.objects.filter(pk=current.org_id).update(context_notes=text, updated_at=clock.now())
            saved_to = "org"
        else:
            CompanyNote.objects.update_or_create(session=current, defaults={"text": text, "edited_at": clock.now()})
            saved_to = "draft"
        event_record(
            type=catalog.COMPANY_NOTE_SAVED,
            subject=current,
            actor=actor,
            actor_type="user",
            account_id=current.org_id,
            payload={"session_id": str(current.pk), "saved_to": saved_to, "chars": len(text), "state": current.state},
        )
    return text


def company_note_at_activation(*, session: OnboardingSession) -> str:
    """S8: the Org's first ``context_notes`` — the note the prospect saved, else the Profile's pre-fill."""
    text, _ = company_note_for(session)
    return text
