"""The MAP: selling-team edits, post-sales sign-off (accept / reject / escalate), the SLM override,
TTV changes after sign-off, and the comp hold gate (ExceptionLog ``map_signoff_hold``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from gtmos.audit.models import ExceptionLog
from gtmos.audit.services import (
    event_record,
    events_bulk_create,
    exception_open,
    exception_release,
    notification_create,
    notifications_bulk_create,
)
from gtmos.comp.services import payouts_release_for
from gtmos.core import clock
from gtmos.crm.models import Employee, Role, Stage

from ..models import Escalation, MutualActionPlan, OnboardingSettings, TTVChangeRequest
from ..models.plan import SignoffStatus
from .alerts import escalation_fire, notify, slm_of, users_of

HOLD = "map_signoff_hold"


class SignoffError(Exception):
    pass


def _locked(map_: MutualActionPlan) -> MutualActionPlan:
    return (
        MutualActionPlan.objects.select_for_update(of=("self",))
        .select_related("opportunity__owner", "account")
        .get(pk=map_.pk)
    )


SELLING_TEAM = (Role.AE, Role.SE)
MAP_EDITORS = (*SELLING_TEAM, Role.AM, Role.CSM)
SIGNED = ("selected_value_events", "technical_win_details", "selling_team_commitments")


@transaction.atomic
def map_update(
    *,
    map_: MutualActionPlan,
    by: Employee,
    selected_value_events: list[dict],
    technical_win_details: str,
    selling_team_commitments: str,
    customer_stakeholder_map: list[dict],
    implementation_sow=None,
    ttv_target_days: int | None = None,
) -> MutualActionPlan:
    """The selling team (AE, SE) writes the MAP during the deal; the AM and CSM enrich the stakeholder map and,
    at kickoff before sign-off, adjust the TTV target. Sign-off locks what was signed: the value events, their
    dates, the technical win, the commitments and the TTV target change only through an SLM-approved request."""
    if by.role not in MAP_EDITORS:
        raise PermissionError("the MAP is written by the selling team; the AM and CSM enrich it")
    map_ = _locked(map_)
    wanted = {
        "selected_value_events": selected_value_events,
        "technical_win_details": technical_win_details,
        "selling_team_commitments": selling_team_commitments,
    }
    changed = [f for f in SIGNED if _normal(wanted[f]) != _normal(getattr(map_, f))]
    if changed and map_.signed_off:
        raise SignoffError(
            f"{changed[0]}: locked by post-sales sign-off — changes need SLM approval (request a change)"
        )
    if changed and by.role not in SELLING_TEAM:
        raise PermissionError(f"{changed[0]}: written by the selling team (AE / SE), not the {by.get_role_display()}")
    if ttv_target_days is not None and ttv_target_days != map_.ttv_target_days and map_.ttv_locked_at:
        raise SignoffError("ttv_target_days: the TTV target is locked by sign-off; request an SLM-approved change")
    map_.selected_value_events = selected_value_events
    map_.technical_win_details = technical_win_details
    map_.selling_team_commitments = selling_team_commitments
    map_.customer_stakeholder_map = customer_stakeholder_map
    if implementation_sow is not None or by.role in SELLING_TEAM:
        map_.implementation_sow = implementation_sow
    if ttv_target_days is not None and ttv_target_days != map_.ttv_target_days:
        map_.ttv_target_days, map_.ttv_target_manual = ttv_target_days, True
    elif not map_.ttv_target_manual and not map_.ttv_locked_at:
        _derive_ttv_target(map_)
    map_.save()
    event_record(
        type="onboarding.map_updated",
        subject=map_,
        account_id=map_.account_id,
        actor=by.user,
        payload={"value_events": len(selected_value_events), "ttv_target_days": map_.ttv_target_days},
    )
    return map_


@transaction.atomic
def map_change_after_signoff(
    *,
    map_: MutualActionPlan,
    by: Employee,
    selected_value_events: list[dict],
    customer_stakeholder_map: list[dict],
    reason: str,
) -> TTVChangeRequest | None:
    """After sign-off the stakeholder map stays editable; changed value events or dates become a request the
    SLM approves on its own page. Returns the request, or None when only the stakeholder map changed."""
    if by.role not in MAP_EDITORS:
        raise PermissionError("the MAP is written by the selling team; the AM and CSM enrich it")
    map_ = _locked(map_)
    if _normal(customer_stakeholder_map) != _normal(map_.customer_stakeholder_map):
        MutualActionPlan.objects.filter(pk=map_.pk).update(customer_stakeholder_map=customer_stakeholder_map)
    if _normal(selected_value_events) == _normal(map_.selected_value_events):
        return None
    return ttv_change_request(map_=map_, by=by, reason=reason, requested_value_events=selected_value_events)


def _normal(value):
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return sorted(tuple(sorted((k, str(v)) for k, v in e.items())) for e in value or [])


def _derive_ttv_target(map_: MutualActionPlan) -> None:
    """Earliest selected value event − contract start (the expected close date before close)."""
    from .postclose import ttv_target_for

    plan = getattr(map_, "plan", None)
    start = (plan.contract_start_date if plan else None) or map_.opportunity.close_date
    if start is not None:
        segment_default = OnboardingSettings.load().ttv_default(map_.account.segment)
        map_.ttv_target_days = ttv_target_for(map_=map_, start=start, segment_default=segment_default)


def _require_role(employee: Employee, *roles: str) -> None:
    if employee.role not in roles:
        raise PermissionError(f"this action needs one of: {', '.join(roles)}")


@transaction.atomic
def map_accept(*, map_: MutualActionPlan, by: Employee, risk_notes: str = "") -> MutualActionPlan:
    """Post-sales accepts with documented risk notes: locks the TTV target and lifts the comp hold."""
    _require_role(by, Role.POST_SALES)
    map_ = _locked(map_)
    if map_.postsales_signoff_status == SignoffStatus.REJECTED:
        raise SignoffError("status: this MAP was rejected — the deal proceeds only with an SLM override")
    map_.accept(by=by, risk_notes=risk_notes)
    map_.comp_hold_active = False
    map_.save()
    _release_hold(map_=map_, by=by, reason="MAP sign-off accepted by post-sales")
    Escalation.objects.filter(
        plan__map=map_,
        kind__in=[Escalation.Kind.MAP_REJECTED, Escalation.Kind.TARGETS_UNREALISTIC],
        resolved_at__isnull=True,
    ).update(resolved_at=clock.now(), resolution="MAP accepted by post-sales")
    _lock_account_ttv(map_)
    event_record(
        type="postsales.accepted",
        subject=map_,
        account_id=map_.account_id,
        actor=by.user,
        payload={"risk_notes": bool(risk_notes)},
    )
    return map_


@transaction.atomic
def map_reject(*, map_: MutualActionPlan, by: Employee, reason: str) -> MutualActionPlan:
    """Post-sales rejects (a reason is required): comp hold at once, SLM notified, deal proceeds only
    with an SLM override."""
    _require_role(by, Role.POST_SALES)
    if not reason.strip():
        raise SignoffError("rejection_reason: a rejection needs a reason")
    map_ = _locked(map_)
    map_.reject(by=by, reason=reason.strip())
    map_.comp_hold_active = True
    map_.save()
    hold_open(map_=map_, reason=f"Post-sales rejected the handoff: {reason.strip().rstrip('.')}")
    plan = getattr(map_, "plan", None)
    if plan is not None:
        escalation_fire(
            plan=plan,
            kind=Escalation.Kind.MAP_REJECTED,
            key=f"map_rejected:{map_.pk}",
            recipients=users_of(slm_of(plan)),
            title=f"MAP rejected: {map_.opportunity.name}",
            body=f"Post-sales ({by.name}) rejected the handoff: {reason.strip().rstrip('.')}. The deal proceeds "
            "only with your override.",
            details={"reason": reason.strip()},
        )
    event_record(
        type="postsales.rejected", subject=map_, account_id=map_.account_id, actor=by.user, payload={"map_id": map_.pk}
    )
    return map_


@transaction.atomic
def map_escalate_targets(*, map_: MutualActionPlan, by: Employee, note: str) -> MutualActionPlan:
    """Post-sales escalates unrealistic targets to the SLM before signing."""
    _require_role(by, Role.POST_SALES)
    if not note.strip():
        raise SignoffError("note: say which targets are unrealistic and why")
    map_ = _locked(map_)
    if map_.postsales_signoff_status != SignoffStatus.PENDING:
        raise SignoffError("status: targets can be escalated only before sign-off")
    map_.targets_escalated_at, map_.targets_escalation_note = clock.now(), note.strip()
    map_.save(update_fields=["targets_escalated_at", "targets_escalation_note", "updated_at"])
    plan = getattr(map_, "plan", None)
    if plan is not None:
        escalation_fire(
            plan=plan,
            kind=Escalation.Kind.TARGETS_UNREALISTIC,
            key=f"targets_unrealistic:{map_.pk}:{map_.targets_escalated_at:%Y%m%d%H%M%S}",
            recipients=users_of(slm_of(plan)),
            title=f"Unrealistic MAP targets: {map_.opportunity.name}",
            body=f"{by.name}: {note.strip()}",
            details={"note": note.strip()},
        )
    return map_


@transaction.atomic
def map_slm_override(*, map_: MutualActionPlan, slm: Employee, note: str) -> MutualActionPlan:
    """The SLM approves proceeding despite the rejection; recorded with the SLM's name; lifts the hold."""
    _require_role(slm, Role.SLM)
    if not note.strip():
        raise SignoffError("note: record why the deal proceeds despite the rejection")
    map_ = _locked(map_)
    map_.override(slm=slm, note=note.strip())
    map_.comp_hold_active = False
    map_.save()
    _release_hold(map_=map_, by=slm, reason=f"SLM override by {slm.name}")
    Escalation.objects.filter(plan__map=map_, kind=Escalation.Kind.MAP_REJECTED, resolved_at__isnull=True).update(
        resolved_at=clock.now(), resolution=f"SLM override by {slm.name}"[:120]
    )
    _lock_account_ttv(map_)
    event_record(
        type="postsales.slm_override",
        subject=map_,
        account_id=map_.account_id,
        actor=slm.user,
        payload={"slm": slm.name},
    )
    return map_


def _lock_account_ttv(map_: MutualActionPlan) -> None:
    type(map_.account).objects.filter(pk=map_.account_id).update(ttv_target_days=map_.ttv_target_days)


def hold_open(*, map_: MutualActionPlan, reason: str) -> ExceptionLog:
    """Write the ``map_signoff_hold`` and notify the SLM at once (the comp run places payouts on hold)."""
    opportunity = map_.opportunity
    entry, opened = exception_open(
        exception_type=HOLD,
        opportunity=opportunity,
        employee=opportunity.owner,
        reason=reason,
        details={"map_id": map_.pk},
    )
    if opened:
        plan = getattr(map_, "plan", None)
        slm = slm_of(plan) if plan is not None else (opportunity.owner.slm if opportunity.owner else None)
        for user in users_of(slm):
            notification_create(
                recipient=user,
                rule=HOLD,
                title=f"Comp hold: {opportunity.name}",
                body=f"{reason}. The rep's ACV commission and usage realization payouts are held "
                "until MAP sign-off is recorded.",
                link=reverse("onboarding:review_detail", args=[map_.pk]),
                dedupe_key=f"hold:{entry.pk}",
            )
    return entry


def _release_hold(*, map_: MutualActionPlan, by: Employee, reason: str) -> None:
    """The hold lifts when sign-off is recorded: the exception and the held payouts, in this transaction."""
    for entry in ExceptionLog.objects.filter(
        exception_type=HOLD, opportunity=map_.opportunity_id, status=ExceptionLog.Status.ACTIVE
    ):
        exception_release(entry=entry, released_by=by.user, reason=reason)
    payouts_release_for(opportunity_id=map_.opportunity_id)


@transaction.atomic
def map_signoff_scan(*, today: dt.date | None = None) -> int:
    """Daily: sign-off still missing past the window after close → ``map_signoff_hold`` (once) and the SLM
    notified. The window counts from the close (the order signal), whatever the contract start, and applies
    to every closed deal with a MAP — also one whose onboarding the CSM already closed.
    A fixed number of queries: candidates, one bulk insert each for holds, events, notices."""
    today = today or clock.today()
    window = OnboardingSettings.load().map_signoff_window_days
    cutoff = today - dt.timedelta(days=window)
    rows = list(
        MutualActionPlan.objects.filter(
            opportunity__stage=Stage.CLOSED_WON,
            opportunity__closed_at__date__lt=cutoff,
            comp_hold_active=False,
            slm_override=False,
        )
        .exclude(postsales_signoff_status=SignoffStatus.ACCEPTED)
        .values_list(
            "pk",
            "opportunity_id",
            "account_id",
            "opportunity__owner_id",
            "opportunity__name",
            "opportunity__owner__slm__user_id",
            "plan__csm__slm__user_id",
        )
    )
    if not rows:
        return 0
    reason = f"MAP sign-off missing {window} days after close"
    now = clock.now()
    ExceptionLog.objects.bulk_create(
        [
            ExceptionLog(
                exception_type=HOLD,
                opportunity_id=opp,
                account_id=acct,
                employee_id=owner,
                reason=reason,
                details={"map_id": pk},
                opened_at=now,
            )
            for pk, opp, acct, owner, *_ in rows
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )  # the partial unique index keeps one active hold per deal
    MutualActionPlan.objects.filter(pk__in=[r[0] for r in rows]).update(comp_hold_active=True)
    holds = dict(
        ExceptionLog.objects.filter(
            exception_type=HOLD, status=ExceptionLog.Status.ACTIVE, opportunity_id__in=[r[1] for r in rows]
        ).values_list("opportunity_id", "pk")
    )
    events_bulk_create(
        [
            {
                "type": "exception.opened",
                "subject_type": "audit.exceptionlog",
                "subject_id": str(holds[opp]),
                "account_id": acct,
                "payload": {"exception_type": HOLD, "exception_id": holds[opp]},
                "idempotency_key": f"exception.opened:{holds[opp]}",
            }
            for _, opp, acct, *_ in rows
            if opp in holds
        ]
    )
    notifications_bulk_create(
        [
            {
                "recipient_id": slm_user or csm_slm_user,
                "rule": HOLD,
                "title": f"Comp hold: {name}",
                "body": f"{reason}. The rep's ACV commission and usage realization payouts are held until MAP sign-off "
                "is recorded.",
                "link": reverse("onboarding:review_detail", args=[pk]),
                "dedupe_key": f"hold:{holds[opp]}:{slm_user or csm_slm_user}",
            }
            for pk, opp, _, _, name, slm_user, csm_slm_user in rows
            if (slm_user or csm_slm_user) and opp in holds
        ]
    )
    return len(rows)


@transaction.atomic
def ttv_change_request(
    *,
    map_: MutualActionPlan,
    by: Employee,
    reason: str,
    requested_days: int | None = None,
    requested_value_events: list[dict] | None = None,
) -> TTVChangeRequest:
    """Ask the SLM to change what was signed: the TTV target, or the value events and their target dates
    (the TTV target then follows the new earliest date unless a number of days is given)."""
    if not map_.ttv_locked_at:
        raise SignoffError("ttv_target_days: not locked yet — edit the MAP directly before sign-off")
    if not reason.strip():
        raise SignoffError("reason: say why the signed plan must change")
    if requested_value_events is not None:
        if _normal(requested_value_events) == _normal(map_.selected_value_events):
            raise SignoffError("selected_value_events: nothing changed from what was signed")
        plan = getattr(map_, "plan", None)
        if requested_days is None and plan is not None and plan.contract_start_date:
            from .postclose import ttv_target_for_events

            requested_days = ttv_target_for_events(
                events=requested_value_events,
                start=plan.contract_start_date,
                segment=map_.account.segment,
                segment_default=OnboardingSettings.load().ttv_default(map_.account.segment),
            )
        requested_days = requested_days or map_.ttv_target_days
    if requested_days is None or requested_days < 1:
        raise SignoffError("requested_days: give a positive number of days and a reason")
    request = TTVChangeRequest.objects.create(
        map=map_,
        requested_by=by,
        current_days=map_.ttv_target_days or 0,
        requested_days=requested_days,
        current_value_events=map_.selected_value_events if requested_value_events is not None else None,
        requested_value_events=requested_value_events,
        reason=reason.strip(),
    )
    plan = getattr(map_, "plan", None)
    slm = slm_of(plan) if plan is not None else None
    what = "value events and dates" if requested_value_events is not None else "TTV"
    notify(
        recipients=users_of(slm),
        rule="onboarding.ttv_change_request",
        title=f"Signed MAP change needs your approval: {map_.opportunity.name}",
        body=f"{by.name} asks to change the {what} ({map_.ttv_target_days} → {requested_days} days): {reason.strip()}",
        link=reverse("onboarding:ttv_request", args=[request.pk]),
        key=f"ttv_request:{request.pk}",
    )
    return request


@transaction.atomic
def ttv_change_decide(*, request: TTVChangeRequest, slm: Employee, approve: bool) -> TTVChangeRequest:
    """The SLM approves or rejects a change to the signed MAP; approval applies it and re-dates open milestones."""
    _require_role(slm, Role.SLM)
    request = TTVChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != TTVChangeRequest.Status.PENDING:
        raise SignoffError("status: this request was already decided")
    request.status = TTVChangeRequest.Status.APPROVED if approve else TTVChangeRequest.Status.REJECTED
    request.decided_by, request.decided_at = slm, clock.now()
    request.save()
    if approve:
        map_ = request.map
        changes = {"ttv_target_days": request.requested_days}
        if request.requested_value_events is not None:
            changes["selected_value_events"] = request.requested_value_events
        MutualActionPlan.objects.filter(pk=map_.pk).update(**changes)
        type(map_.account).objects.filter(pk=map_.account_id).update(ttv_target_days=request.requested_days)
        plan = getattr(map_, "plan", None)
        if plan is not None and plan.contract_start_date:
            from .postclose import reschedule

            reschedule(plan=plan, start=plan.contract_start_date, ttv_target=request.requested_days)
    event_record(
        type="onboarding.ttv_change_decided",
        subject=request.map,
        account_id=request.map.account_id,
        actor=slm.user,
        payload={
            "approved": approve,
            "days": request.requested_days,
            "value_events": request.requested_value_events is not None,
        },
    )
    return request
