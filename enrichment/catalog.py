"""Seed 002's event catalog and its idempotency keys.

Keys (DESIGN.md): a run-level transition is keyed (lead, stage); each event and agent attempt is keyed
(lead, stage, type or agent, attempt), so one stage can emit many events and a replay emits none.
Payloads carry ids, field names, confidences and outcomes — never an email, a name or a company's name.
"""

LEAD_CAPTURED = "lead.captured"
LEAD_IDENTIFIED = "lead.identified"
EMAIL_SUBMITTED = "email.submitted"
ENRICHMENT_REQUESTED = "enrichment.requested"
AGENT_COMPLETED = "enrichment.agent.completed"
FIELD_RESOLVED = "profile.field_resolved"
ENRICHMENT_COMPLETE = "enrichment.complete"
ENRICHMENT_PARTIAL = "enrichment.partial"
ENRICHMENT_FAILED = "enrichment.failed"
CONFIRMED = "onboarding.confirmed"
ROLE_CAPTURED = "onboarding.role_captured"
ROUTE_DECIDED = "route.decided"
VALUE_REVEALED = "value.revealed"
NEXT_QUESTION_ASKED = "next_question.asked"
TAKEOFF_COMPLETED = "takeoff.completed"
TEAM_INVITED = "team.invited"
TRIAL_STARTED = "trial.started"
CARD_CAPTURED = "card.captured"
ACCOUNT_ACTIVATED = "account.activated"
BATTLEPACK_READY = "deal.battlepack_ready"
OUTREACH_SENT = "outreach.sent"
MEETING_BOOKED = "meeting.booked"
MEDDPICC_QUALIFIED = "meddpicc.qualified"
DEMO_DELIVERED = "demo.delivered"
DEAL_CLOSED_WON = "deal.closed_won"
DEAL_CLOSED_LOST = "deal.closed_lost"
EXPANSION_DETECTED = "expansion.detected"
SESSION_ABANDONED = "session.abandoned"
SESSION_HANDED_OFF = "session.handed_off"
# Not in the seed's catalog, needed by its cross-cutting rules: the flow dropped to the classic form with
# flags off or the kill switch on, and a lead's personal data deleted (consent / retention).
SESSION_FALLBACK = "session.fallback"
LEAD_DELETED = "lead.deleted"
# Inbox access granted or withdrawn by the prospect: who, when, and which consent text version they were shown.
LEAD_CONSENT_CHANGED = "lead.consent_changed"
# The prospect changed a confirm chip (a wrong pre-fill): which fields, never their values.
PROFILE_CORRECTED = "onboarding.corrected"
# The prospect saved the workspace's company note (Company Brain): where it went (draft or Org), its length — no text.
COMPANY_NOTE_SAVED = "company_note.saved"

RUN_STATUS_EVENT = {"complete": ENRICHMENT_COMPLETE, "partial": ENRICHMENT_PARTIAL, "failed": ENRICHMENT_FAILED}


def key(lead_id, stage: str, *parts) -> str:
    return ":".join(["lead", str(lead_id), stage, *(str(p) for p in parts)])
