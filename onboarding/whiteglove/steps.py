"""The W-step services (seed 002 white-glove flow; DESIGN.md transitions). Each one, in one transaction:
locks the deal, checks who may do it, fires the session transition through the prospect-flow service (FSM
guard + version lock + the catalog event with its idempotency key), mirrors the step on the deal and moves
the CRM opportunity up the stage ladder. A repeated request (double POST, back + resubmit) is quiet.

Who does what: the SDR sends the reviewed outreach and books the meeting (the AE may too); everything that
stakes the AE's credibility — reviewing the pack, confirming MEDDPICC, qualifying, the demo, the contract —
is the deal's AE only. Managers see the deals; they do not act on them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.crm.models import Contact, Employee, Stage
from gtmos.crm.services import opportunity_set_stage

from ..models import Deal, OnboardingPlan
from ..models.deal import MEDDPICC_CELLS, MEDDPICC_LABELS
from ..models.session import SessionState as S
from ..services import session as flow
from .battlepack import SECURITY_COMPLETE, SECURITY_IN_PROGRESS, WhiteGloveError, draft_hash
from .crm import contact_upsert, csm_assign, deal_health_sync, deal_map_sync, opportunity_follow
from .meddpicc import AMBER, GREEN, RED

DEAL_STAGE_OF_STATE = {
    S.W5_BATTLEPACK: Deal.Stage.BATTLEPACK,
    S.W6_OUTREACH: Deal.Stage.OUTREACH,
    S.W7_DISCOVERY: Deal.Stage.DISCOVERY,
    S.W8_DEMO: Deal.Stage.DEMO,
    S.W9_SEAT: Deal.Stage.SEAT,
    S.W10_CLOSED_WON: Deal.Stage.CLOSED_WON,
    S.LOST: Deal.Stage.CLOSED_LOST,
}


def _locked(deal: Deal) -> Deal:
    """Lock the deal row, then read it with its session. Two statements on purpose: a locking read that had to
    wait re-reads only the locked row, and would join the session as it was before the other writer committed."""
    Deal.objects.select_for_update().filter(pk=deal.pk).values_list("pk", flat=True).get()
    return Deal.objects.select_related("session__lead", "opportunity__account", "ae_owner", "sdr").get(pk=deal.pk)


def _require_ae(deal: Deal, by: Employee | None) -> None:
    if by is None or by.pk != deal.ae_owner_id:
        raise PermissionError("only the deal's AE can do this")


def _require_seller(deal: Deal, by: Employee | None) -> None:
    if by is None or by.pk not in (deal.sdr_id, deal.ae_owner_id):
        raise PermissionError("only the deal's SDR or AE can do this")


def _require_state(deal: Deal, *states: str) -> None:
    if deal.session.state not in states:
        raise WhiteGloveError(
            f"the deal is at {deal.session.get_state_display()}, not " + " / ".join(S(s).label for s in states)
        )


def _advance(deal: Deal, fire, by: Employee, **kwargs) -> Deal:
    """Fire the session transition, mirror the W-step on the deal, climb the CRM ladder."""
    try:
        session = fire(session=deal.session, actor=by.user if by else None, **kwargs)
    except flow.SessionError as exc:
        raise WhiteGloveError(str(exc)) from exc
    deal.session = session
    stage = DEAL_STAGE_OF_STATE.get(session.state)
    if stage and stage != deal.stage:
        deal.stage, deal.step_entered_at = stage, clock.now()
        deal.save(update_fields=["stage", "step_entered_at"])
    opportunity_follow(deal=deal, state=session.state, actor=by.user if by else None)
    return deal


def _event(deal: Deal, type_: str, by: Employee | None, **payload) -> None:
    event_record(
        type=type_,
        subject=deal.session,
        actor=by.user if by else None,
        payload={"lead_id": str(deal.session.lead_id), "deal_id": str(deal.pk), **payload},
    )


# --- W5: the AE reviews; nothing goes out before -----------------------------------------------------------


@transaction.atomic
def outreach_edit(*, deal: Deal, by: Employee, subject: str, body: str) -> Deal:
    """Edit the drafted outreach (AE or SDR). Any change voids the AE's review: what goes out is what the AE read."""
    deal = _locked(deal)
    _require_seller(deal, by)
    _require_state(deal, S.W5_BATTLEPACK)
    if not subject.strip() or not body.strip():
        raise WhiteGloveError("body: the outreach needs a subject and a message")
    if (subject, body) == (deal.outreach_subject, deal.drafted_outreach):
        return deal
    if outreach_pending(deal):
        # The reviewed draft is queued on the retry ladder: editing it would void the review of an email that
        # still goes out, and the next send would queue a second one.
        raise WhiteGloveError("body: the outreach is on the retry ladder; it can be edited once it is abandoned")
    deal.outreach_subject, deal.drafted_outreach = subject.strip()[:200], body.strip()
    deal.ae_reviewed_at, deal.ae_reviewed_draft = None, ""
    deal.save(update_fields=["outreach_subject", "drafted_outreach", "ae_reviewed_at", "ae_reviewed_draft"])
    _event(deal, "deal.outreach_edited", by)
    return deal


@transaction.atomic
def battlepack_review(*, deal: Deal, by: Employee) -> Deal:
    """The AE reviewed the battle pack and this exact draft (seed 002: a human stakes credibility on it)."""
    deal = _locked(deal)
    _require_ae(deal, by)
    _require_state(deal, S.W5_BATTLEPACK)
    if deal.battlepack_ready_at is None or not deal.drafted_outreach.strip():
        raise WhiteGloveError("the battle pack is not ready yet")
    digest = draft_hash(deal.outreach_subject, deal.drafted_outreach)
    if deal.ae_reviewed_draft == digest:
        return deal
    deal.ae_reviewed_at, deal.ae_reviewed_draft = clock.now(), digest
    deal.save(update_fields=["ae_reviewed_at", "ae_reviewed_draft"])
    _event(deal, "deal.battlepack_reviewed", by)
    return deal


def reviewed(deal: Deal) -> bool:
    return bool(deal.ae_reviewed_at) and deal.ae_reviewed_draft == draft_hash(
        deal.outreach_subject, deal.drafted_outreach
    )


@transaction.atomic
def outreach_send(*, deal: Deal, by: Employee) -> Deal:
    """The SDR sends the draft the AE reviewed — refused before the review, or if the draft changed since. The
    email goes on the retry ladder and its first attempt runs now; outreach.sent (W5 → W6) only once it went
    out. A failed send leaves the deal at W5 with "send failed, retrying at …" for the AE and SDR."""
    from ..services.outbound import outbound_deliver, outbound_queue

    deal = _locked(deal)
    _require_seller(deal, by)
    if deal.outreach_sent_at is not None:
        return deal  # sent already (a double POST, or two people at once)
    _require_state(deal, S.W5_BATTLEPACK)
    if outreach_pending(deal):
        return deal  # queued or retrying already: one outreach email, whatever its key
    if not reviewed(deal):
        raise WhiteGloveError("the AE has not reviewed this draft: nothing goes out before the AE's review")
    to = deal.session.lead.email
    if not to:
        raise WhiteGloveError("the prospect has no email address")
    sender = deal.sdr if deal.sdr_id else deal.ae_owner
    email = outbound_queue(
        key=outreach_key(deal),
        kind="outreach",
        to=to,
        subject=deal.outreach_subject,
        body=deal.drafted_outreach,
        deal=deal,
        from_email=f"{sender.name} <{sender.email}>" if sender else settings.DEFAULT_FROM_EMAIL,
    )
    _event(deal, "outreach.queued", by, email_id=str(email.pk))
    outbound_deliver(email_id=email.pk)
    return _locked(deal)


def outreach_delivered(*, deal_id) -> Deal | None:
    """The outreach email went out (first try or a later rung): outreach.sent, W5 → W6, once."""
    with transaction.atomic():
        deal = _locked(Deal(pk=deal_id))
        if deal.outreach_sent_at is not None or deal.session.state != S.W5_BATTLEPACK:
            return deal
        deal = _advance(deal, flow.session_send_outreach, deal.sdr or deal.ae_owner)
        deal.outreach_sent_at = clock.now()
        deal.save(update_fields=["outreach_sent_at"])
        return deal


def outreach_retry(*, deal: Deal, by: Employee) -> Deal:
    """The AE's "retry now" once the ladder gave up on the outreach email: one more attempt, at once (the SDR
    already sent it, so the AE — who reviewed it — decides it goes again). A success moves W5 → W6 as any send."""
    from ..services.outbound import outbound_deliver, outbound_retry_now

    with transaction.atomic():
        deal = _locked(deal)
        _require_ae(deal, by)
        if deal.outreach_sent_at is not None:
            return deal
        _require_state(deal, S.W5_BATTLEPACK)
        email = outreach_email(deal)
        if email is None or email.status != "abandoned":
            raise WhiteGloveError("the outreach is not abandoned: the retry ladder is still sending it")
        if not reviewed(deal) or email.key != outreach_key(deal):
            # Seed 002: the AE reviews before anything goes out — what goes again is the draft the AE reviewed.
            raise WhiteGloveError("the AE has not reviewed this email's draft: review the current draft, then send it")
        outbound_retry_now(email=email)
        _event(deal, "outreach.retried", by, email_id=str(email.pk), attempts=email.attempts)
    outbound_deliver(email_id=email.pk)  # its own transaction: a success runs outreach_delivered
    return Deal.objects.select_related("session__lead", "ae_owner", "sdr").get(pk=deal.pk)


def outreach_email(deal: Deal):
    """The deal's latest outreach email (its send status for the W5 page), or None."""
    return deal.emails.filter(kind="outreach").order_by("-created_at").first()


def outreach_key(deal: Deal) -> str:
    """The idempotency key of the outreach email for the draft the AE reviewed."""
    return f"outreach:{deal.pk}:{deal.ae_reviewed_draft}"


def outreach_pending(deal: Deal) -> bool:
    """An outreach email is queued or on the retry ladder (not abandoned): the pack is settled until it ends."""
    email = outreach_email(deal)
    return email is not None and email.status != "abandoned"


# --- W6: the meeting ---------------------------------------------------------------------------------------


@transaction.atomic
def meeting_book(*, deal: Deal, by: Employee, meeting_at: dt.datetime) -> Deal:
    """meeting.booked (W6 → W7): the insight call is on the calendar; the opportunity moves to discovery."""
    deal = _locked(deal)
    _require_seller(deal, by)
    if deal.session.state == S.W7_DISCOVERY and deal.meeting_at is not None:
        return deal
    _require_state(deal, S.W6_OUTREACH)
    deal.meeting_at = meeting_at
    deal.save(update_fields=["meeting_at"])
    return _advance(deal, flow.session_book_meeting, by)


# --- W7: the AE confirms MEDDPICC; qualified needs champion + economic buyer ------------------------------------

BUYING_ROLE_OF_CELL = {"champion": Contact.BuyingRole.CHAMPION, "economic_buyer": Contact.BuyingRole.ECONOMIC_BUYER}
OPEN_STEPS = (S.W5_BATTLEPACK, S.W6_OUTREACH, S.W7_DISCOVERY, S.W8_DEMO, S.W9_SEAT)


@transaction.atomic
def meddpicc_update(
    *, deal: Deal, by: Employee, cell: str, value: str, note: str = "", confirm: bool, title: str = ""
) -> Deal:
    """The AE sets a MEDDPICC cell (what the customer said) and confirms it (green) or leaves it amber. A
    confirmed champion / economic buyer becomes a contact with that buying role (the stakeholder map)."""
    deal = _locked(deal)
    _require_ae(deal, by)
    _require_state(deal, *OPEN_STEPS)
    if cell not in MEDDPICC_CELLS:
        raise WhiteGloveError(f"cell: no MEDDPICC cell {cell!r}")
    value = value.strip()
    if confirm and not value:
        raise WhiteGloveError(f"value: say what the customer confirmed for {MEDDPICC_LABELS[cell].lower()}")
    card = dict(deal.meddpicc)
    current = dict(card.get(cell, {}))
    evidence = list(current.get("evidence", []))
    if note.strip():
        evidence.append(f"{by.name} ({clock.today().isoformat()}): {note.strip()[:300]}")
    current.update(
        {
            "value": value,
            "evidence": evidence,
            "confirmed": confirm,
            "status": GREEN if confirm else AMBER if value else RED,
        }
    )
    if confirm:
        current.update({"confirmed_by": by.name, "confirmed_at": clock.now().isoformat(), "confidence": 1.0})
    card[cell] = current
    deal.meddpicc = card
    deal.save(update_fields=["meddpicc"])
    if confirm and cell in BUYING_ROLE_OF_CELL and deal.opportunity_id:
        contact_upsert(
            account=deal.opportunity.account,
            name=value.split(",")[0],
            title=title,
            buying_role=BUYING_ROLE_OF_CELL[cell],
            sponsor=cell == "economic_buyer",
        )
    _event(deal, "meddpicc.cell_updated", by, cell=cell, status=current["status"])
    deal_health_sync(deal=deal)
    if deal.session.state in (S.W9_SEAT,):
        deal_map_sync(deal=deal)
    return deal


@transaction.atomic
def deal_qualify(*, deal: Deal, by: Employee) -> Deal:
    """meddpicc.qualified (W7 → W8): refused unless champion AND economic buyer are confirmed."""
    deal = _locked(deal)
    _require_ae(deal, by)
    if deal.session.state == S.W8_DEMO:
        return deal
    _require_state(deal, S.W7_DISCOVERY)
    missing = [MEDDPICC_LABELS[c].lower() for c in ("champion", "economic_buyer") if not deal.meddpicc_confirmed(c)]
    if missing:
        raise WhiteGloveError(
            "meddpicc.qualified needs a confirmed champion and economic buyer: confirm the " + " and the ".join(missing)
        )
    return _advance(deal, flow.session_qualify, by)


# --- W8: the demo on their real pursuit -------------------------------------------------------------------------


@transaction.atomic
def demo_deliver(*, deal: Deal, by: Employee, demoed: str, validated: str = "", objections: str = "") -> Deal:
    """demo.delivered (W8 → W9): what was demoed, technically validated and left open becomes the technical win
    on the MAP; the opportunity moves to Proposal, where the pre-close trigger looks at it."""
    deal = _locked(deal)
    _require_ae(deal, by)
    if deal.session.state == S.W9_SEAT and deal.demo_delivered_at is not None:
        return deal
    _require_state(deal, S.W8_DEMO)
    if not demoed.strip():
        raise WhiteGloveError("demoed: say what was demoed")
    deal.technical_win = {
        "demoed": demoed.strip(),
        "validated": validated.strip(),
        "objections": objections.strip(),
        "pursuit": deal.takeoff.get("pursuit_name", "") if deal.takeoff else "",
    }
    deal.demo_delivered_at = clock.now()
    deal.save(update_fields=["technical_win", "demo_delivered_at"])
    # The MAP and the deal health are written before the stage reaches Proposal: the pre-close trigger fires on
    # that stage change and drafts the plan from this MAP.
    _csm_ready(deal)
    deal_map_sync(deal=deal)
    deal_health_sync(deal=deal)
    return _advance(deal, flow.session_deliver_demo, by)


def _csm_ready(deal: Deal) -> None:
    """From Proposal on, the deal has a CSM: the pre-close draft plan (and the cockpit) need one."""
    opportunity = deal.opportunity
    if opportunity is None:
        return
    csm = csm_assign(account=opportunity.account)
    if csm is not None and opportunity.csm_id is None:
        type(opportunity).objects.filter(pk=opportunity.pk).update(csm=csm)
        opportunity.csm = csm
        OnboardingPlan.objects.filter(opportunity=opportunity, csm__isnull=True).update(csm=csm)


# --- commitments (any open step) ------------------------------------------------------------------------------------


@transaction.atomic
def commitment_add(*, deal: Deal, by: Employee, text: str) -> Deal:
    """A promise the selling team made (seed 000: post-sales must know every commitment before taking over)."""
    deal = _locked(deal)
    _require_seller(deal, by)
    _require_state(deal, *OPEN_STEPS)
    text = text.strip()
    if not text:
        raise WhiteGloveError("text: what was promised?")
    if any(c["text"] == text for c in deal.commitments):
        return deal
    deal.commitments = [*deal.commitments, {"text": text[:500], "by": by.name, "on": clock.today().isoformat()}]
    deal.save(update_fields=["commitments"])
    _event(deal, "deal.commitment_logged", by, count=len(deal.commitments))
    if deal.session.state == S.W9_SEAT:
        deal_map_sync(deal=deal)
    return deal


# --- Phase 4: the security-review path (when evidence says the buyer requires one) ------------------------------


@transaction.atomic
def security_review_start(*, deal: Deal, by: Employee) -> Deal:
    """The AE starts the buyer's security review (questionnaire, SOC 2 report, their IT's review). Only when
    the evidence says the buyer requires one (Deal.security_review["required"], with its rule)."""
    deal = _locked(deal)
    _require_ae(deal, by)
    _require_state(deal, *OPEN_STEPS)
    review = dict(deal.security_review or {})
    if review.get("status") in (SECURITY_IN_PROGRESS, SECURITY_COMPLETE):
        return deal
    if not review.get("required"):
        raise WhiteGloveError("no evidence says this buyer requires a security review")
    review.update({"status": SECURITY_IN_PROGRESS, "started_at": clock.now().isoformat(), "started_by": by.name})
    deal.security_review = review
    deal.save(update_fields=["security_review"])
    _event(deal, "deal.security_review_started", by, rule=review.get("rule", {}).get("id", ""))
    return deal


@transaction.atomic
def security_review_complete(*, deal: Deal, by: Employee, outcome: str) -> Deal:
    """The buyer's security team accepted (what they accepted is recorded): the contract can be signed."""
    deal = _locked(deal)
    _require_ae(deal, by)
    _require_state(deal, *OPEN_STEPS)
    review = dict(deal.security_review or {})
    if review.get("status") == SECURITY_COMPLETE:
        return deal
    if review.get("status") != SECURITY_IN_PROGRESS:
        raise WhiteGloveError("start the security review first")
    outcome = outcome.strip()
    if not outcome:
        raise WhiteGloveError("outcome: say what their security team accepted")
    review.update(
        {
            "status": SECURITY_COMPLETE,
            "completed_at": clock.now().isoformat(),
            "completed_by": by.name,
            "outcome": outcome[:500],
        }
    )
    deal.security_review = review
    deal.save(update_fields=["security_review"])
    _event(deal, "deal.security_review_completed", by)
    return deal


def _require_security_review_done(deal: Deal) -> None:
    review = deal.security_review or {}
    if review.get("required") and review.get("status") != SECURITY_COMPLETE:
        raise WhiteGloveError(
            f"the buyer requires a security review ({review.get('rule', {}).get('text', 'evidence')}): "
            "complete it before the contract is signed"
        )


# --- W9: the seat — contract out, contract signed ----------------------------------------------------------------


@transaction.atomic
def contract_send(*, deal: Deal, by: Employee) -> Deal:
    """The annual contract goes to the customer: the opportunity moves to Negotiation (the W-step stays W9)."""
    deal = _locked(deal)
    _require_ae(deal, by)
    _require_state(deal, S.W9_SEAT)
    if deal.contract_sent_at is not None:
        return deal
    deal.contract_sent_at = clock.now()
    deal.save(update_fields=["contract_sent_at"])
    if deal.opportunity_id and Stage.rank(deal.opportunity.stage) < Stage.rank(Stage.NEGOTIATION):
        opportunity_set_stage(
            opportunity=deal.opportunity, stage=Stage.NEGOTIATION, actor=by.user, actor_label="white-glove W9"
        )
    _event(deal, "deal.contract_sent", by)
    return deal


@transaction.atomic
def deal_close_won(*, deal: Deal, by: Employee, seats: int = 0) -> Deal:
    """deal.closed_won (W9 → W10, contract signed): the MAP gets the final technical win, commitments and
    stakeholder map; a CSM is assigned; the opportunity closes won — the order signal that starts onboarding."""
    deal = _locked(deal)
    _require_ae(deal, by)
    if deal.session.state == S.W10_CLOSED_WON:
        return deal
    _require_state(deal, S.W9_SEAT)
    _require_security_review_done(deal)
    deal.contract_signed_at = clock.now()
    deal.seats = max(int(seats or 0), 0)
    deal.save(update_fields=["contract_signed_at", "seats"])
    account = deal.opportunity.account
    _csm_ready(deal)
    if deal.seats:
        type(account).objects.filter(pk=account.pk).update(contracted_seats=deal.seats)
    deal_map_sync(deal=deal)
    deal_health_sync(deal=deal)
    return _advance(deal, flow.session_close_won, by)


@transaction.atomic
def deal_close_lost(*, deal: Deal, by: Employee, reason: str) -> Deal:
    """deal.closed_lost (any open W-step, with a reason): the session is LOST, the opportunity closed lost."""
    deal = _locked(deal)
    _require_ae(deal, by)
    if deal.session.state == S.LOST:
        return deal
    _require_state(deal, *OPEN_STEPS)
    try:
        session = flow.session_close_lost(session=deal.session, reason=reason, actor=by.user)
    except flow.SessionError as exc:
        raise WhiteGloveError(str(exc)) from exc
    deal.session = session
    deal.stage, deal.step_entered_at, deal.lost_reason = Deal.Stage.CLOSED_LOST, clock.now(), reason.strip()[:200]
    deal.save(update_fields=["stage", "step_entered_at", "lost_reason"])
    if deal.opportunity_id and not deal.opportunity.is_closed:
        opportunity_set_stage(
            opportunity=deal.opportunity,
            stage=Stage.CLOSED_LOST,
            lost_reason=reason.strip()[:200],
            actor=by.user,
            actor_label="white-glove",
        )
    return deal
