"""W5 — the battle pack (seed 002: "deep swarm → dossier + Sarah pre-takeoff + drafted outreach + MEDDPICC",
deal.battlepack_ready). Read from the swarm's outputs (Profile, pursuits, network) — the swarm itself is not
changed. Entering W5 also assigns the AE and SDR and opens the CRM Opportunity."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q

from enrichment import catalog
from enrichment.models import Pursuit
from enrichment.providers.takeoff import takeoff as run_takeoff
from gtmos.audit.models import Event
from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.core.commit import after_commit
from routing.enums import Persona
from routing.models import TradeConfig
from routing.trades import LIBRARY

from ..models import Deal, OnboardingSession, Takeoff
from ..models.deal import WhiteGloveSettings
from ..models.session import SessionState as S
from .crm import account_for, contact_upsert, deal_health_sync, opportunity_open, rep_pick, segment_for
from .evidence import research_evidence
from .meddpicc import meddpicc_seed, security_review_need

# The security-review step's states (Deal.security_review["status"]).
SECURITY_NOT_REQUIRED, SECURITY_REQUIRED = "not_required", "required"
SECURITY_IN_PROGRESS, SECURITY_COMPLETE = "in_progress", "complete"


class WhiteGloveError(Exception):
    pass


def draft_hash(subject: str, body: str) -> str:
    return hashlib.sha256(f"{subject}\n\n{body}".encode()).hexdigest()


def _trade_spec(trade: str):
    if not trade:
        return None
    row = TradeConfig.objects.filter(trade=trade, active=True).first()
    if row is not None:
        return row
    return LIBRARY.get(trade)


def _persona_label(persona: str) -> str:
    return str(Persona(persona).label) if persona in Persona.values else persona


def _territory_keys(profile) -> list[str]:
    if profile is None:
        return []
    keys = [profile.hq or ""]
    if profile.hq and "," in profile.hq:
        keys.append(profile.hq.rsplit(",", 1)[-1].strip())  # "Phoenix, AZ" → "AZ"
    keys += [str(a) for a in (profile.service_area or [])]
    return keys


def _pursuits(session: OnboardingSession) -> list[Pursuit]:
    q = Q(lead_id=session.lead_id)
    if session.org_id:
        q |= Q(org_id=session.org_id)  # an expansion: pursuits moved to the Org at S8
    return list(Pursuit.objects.filter(q).order_by("-match_score", "-value", "name")[:10])


def _history(session: OnboardingSession) -> list[dict]:
    """A handed-off self-serve account keeps its history: the events that brought it here (ids, no PII)."""
    return [
        {"type": e.type, "at": e.occurred_at.isoformat(), "to": e.payload.get("to", "")}
        for e in Event.objects.for_subject(session).order_by("occurred_at", "id")[:50]
    ]


def dossier_build(*, session: OnboardingSession) -> tuple[dict, list[Pursuit]]:
    """Company, size, trade, pursuits, network, people — what the deep swarm found, for the AE."""
    lead = session.lead
    profile = getattr(lead, "profile", None)
    pursuits = _pursuits(session)
    trade = _trade_spec(profile.trade if profile else "")
    people = []
    if lead.email or lead.name:
        people.append(
            {
                "name": lead.name,
                "title": lead.title or (profile.role if profile else ""),
                "persona": profile.persona if profile else "",
                "email": lead.email or "",
                "source": "lead",
            }
        )
    for invite in session.invites.all()[:20]:
        people.append(
            {
                "name": "",
                "title": _persona_label(invite.role),
                "persona": invite.role,
                "email": invite.email,
                "source": "team_invite",
            }
        )
    if session.org_id:
        for contact in session.org.contacts.all()[:20]:
            people.append(
                {
                    "name": contact.name,
                    "title": contact.title,
                    "persona": "",
                    "email": contact.email,
                    "source": "crm_contact",
                }
            )
    dossier = {
        "company": {
            "name": (profile.company if profile else "") or lead.domain,
            "domain": lead.domain,
            "website": profile.website if profile else "",
            "hq": profile.hq if profile else "",
            "org_type": profile.org_type if profile else "",
            "trade": profile.trade if profile else "",
            "trade_label": getattr(trade, "label", "") if trade else "",
            "sectors": list(profile.sectors or []) if profile else [],
            "service_area": list(profile.service_area or []) if profile else [],
        },
        "size": {
            "band": profile.size_band if profile else "",
            "revenue_est": str(profile.revenue_est) if profile and profile.revenue_est is not None else None,
            "acv_est": str(profile.acv_est) if profile and profile.acv_est is not None else None,
        },
        "pursuits": [
            {
                "id": str(p.pk),
                "name": p.name,
                "value": str(p.value) if p.value is not None else None,
                "bid_date": p.bid_date.isoformat() if p.bid_date else None,
                "location": p.location,
                "source": p.source,
                "status": p.status,
                "match_score": p.match_score,
            }
            for p in pursuits
        ],
        "network": [
            {"company": n.company, "relation": n.relation, "trade": n.trade, "source": n.source, "strength": n.strength}
            for n in lead.network.all()[:15]
        ],
        "people": people,
        "confidence": dict(profile.confidence or {}) if profile else {},
        "track": session.track,
        "handed_off": {"from": session.state_before, "reason": session.reason, "at": session.handed_off_at.isoformat()}
        if session.handed_off_at
        else None,
        "history": _history(session),
        "built_at": clock.now().isoformat(),
    }
    return dossier, pursuits


def outreach_draft(*, dossier: dict, takeoff: dict | None, ae_name: str) -> tuple[str, str]:
    """A personalised first touch: their real pursuit, the takeoff we already ran, the trade's money flag."""
    company = dossier["company"]["name"]
    lead = next((p for p in dossier["people"] if p["source"] == "lead"), None)
    first = ((lead or {}).get("name") or "").split(" ")[0] or "there"
    pursuits = dossier["pursuits"]
    if pursuits and takeoff:
        p = pursuits[0]
        line = takeoff["lines"][0] if takeoff.get("lines") else None
        subject = f"{p['name']}: we ran the {takeoff.get('trade_label', '').lower() or 'takeoff'} scope"
        opener = (
            f"{company} is pursuing {p['name']}"
            + (f" in {p['location']}" if p.get("location") else "")
            + (f" (bids {p['bid_date']})" if p.get("bid_date") else "")
            + ". We ran Sarah, our takeoff "
            f"agent, on it ahead of time: {len(takeoff.get('lines', []))} scope lines"
            + (f", starting with {line['quantity']} {line['unit']} of {line['item']}" if line else "")
            + "."
        )
        opener += (
            " It is an estimate from the published project value, not a measured takeoff — the real one "
            "runs on your plans in minutes."
            if takeoff.get("offline")
            else ""
        )
    else:
        subject = f"{company}: your bids, scoped before you open the plans"
        opener = (
            f"Teams like {company} use Sarah, our takeoff agent, to scope bids before an estimator opens the plans."
        )
    body = [f"Hi {first},", "", opener]
    if takeoff and takeoff.get("money_flag"):
        body += [
            "",
            f"The trap we see on jobs like this: {takeoff['money_flag'].rstrip('.')}. Sarah flags it at bid time.",
        ]
    gcs = [n["company"] for n in dossier.get("network", []) if n["relation"] == "gc"][:2]
    if gcs:
        body += ["", f"Several teams bidding for {' and '.join(gcs)} already work this way."]
    body += [
        "",
        "Would 30 minutes next week work to walk your estimators through it on your own bid?",
        "",
        ae_name or "Your account executive",
    ]
    return subject[:200], "\n".join(body)


def _pre_run_takeoff(*, deal: Deal, pursuit: Pursuit | None, trade_value: str, result: dict) -> Takeoff | None:
    """The pre-run takeoff as a record the AE can open (seed 002 BattlePack.preRunTakeoffId: "Sarah, on their
    real pursuit"). A rebuild that takes off the same pursuit with the same result keeps the record."""
    if pursuit is None or not result:
        return None
    current = deal.pre_run_takeoff
    if current is not None and current.pursuit_id == pursuit.pk and current.result == result:
        return current
    return Takeoff.objects.create(
        session=deal.session,
        pursuit=pursuit,
        pursuit_name=pursuit.name[:300],
        trade=trade_value,
        provider=result.get("provider", ""),
        offline=bool(result.get("offline")),
        result=result,
        pre_run=True,
    )


def _security_review(*, current: dict, need: dict) -> dict:
    """The security-review step's state: what the evidence says now, and where the AE has got to. A review the
    AE started or completed stays so (new evidence is recorded beside it); otherwise it follows the evidence."""
    state = dict(current or {})
    state.update({"required": need["required"], "rule": need["rule"], "evidence": need["evidence"]})
    if state.get("status") not in (SECURITY_IN_PROGRESS, SECURITY_COMPLETE):
        state["status"] = SECURITY_REQUIRED if need["required"] else SECURITY_NOT_REQUIRED
    return state


CELL_KEYS = ("value", "status", "hint")


def card_changes(old: dict, new: dict) -> list[str]:
    """The cells whose research reading changed (value, status, hint or the rule that produced it)."""
    changed = []
    for cell, value in new.items():
        before = (old or {}).get(cell, {})
        if any(before.get(k) != value.get(k) for k in CELL_KEYS):
            changed.append(cell)
        elif "rule" in before and (before.get("rule") or {}).get("id") != (value.get("rule") or {}).get("id"):
            # A card written before cells named their rule has none: that alone is not a change (it would void
            # the AE's review of every existing W5 deal on the first research event after deploy).
            changed.append(cell)
    return changed


def _compute(deal: Deal) -> dict:
    """Everything a battle pack holds, from the research as it is now (nothing saved)."""
    session = deal.session
    dossier, pursuits = dossier_build(session=session)
    evidence = research_evidence(domain=session.lead.domain, account_id=deal.org_id)
    dossier["evidence"] = evidence
    profile = getattr(session.lead, "profile", None)
    trade_value = profile.trade if profile else ""
    trade = _trade_spec(trade_value)
    pursuit = pursuits[0] if pursuits else None
    takeoff = run_takeoff(pursuit, trade).as_dict() if pursuit is not None else {}
    subject, body = outreach_draft(
        dossier=dossier, takeoff=takeoff or None, ae_name=deal.ae_owner.name if deal.ae_owner else ""
    )
    config = WhiteGloveSettings.load()
    card = meddpicc_seed(
        dossier=dossier,
        takeoff=takeoff or None,
        trade=trade,
        min_confidence=float(config.amber_min_confidence),
        evidence=evidence,
    )
    for cell, value in (deal.meddpicc or {}).items():
        if value.get("confirmed"):
            card[cell] = value  # what the AE confirmed with the customer outranks research
    return {
        "dossier": dossier,
        "pursuit": pursuit,
        "trade_value": trade_value,
        "takeoff": takeoff,
        "subject": subject,
        "body": body,
        "meddpicc": card,
        "security": _security_review(current=deal.security_review, need=security_review_need(evidence)),
    }


def battlepack_build(*, deal: Deal, computed: dict | None = None) -> Deal:
    """Gather the battle pack: dossier (with the evidence it read), Sarah's pre-run takeoff of their best
    pursuit (through the takeoff provider, kept as a Takeoff record), the drafted outreach, the MEDDPICC seed
    (each cell with its rule) and whether the buyer requires a security review. Rebuilding voids the AE's
    review (the draft may change) and keeps the cells the AE already confirmed. Only before the outreach went
    out."""
    from .steps import outreach_pending

    if deal.outreach_sent_at is not None:
        raise WhiteGloveError("the outreach went out already; the battle pack is history now")
    if outreach_pending(deal):
        raise WhiteGloveError("the outreach is on the retry ladder; the battle pack stays as the AE reviewed it")
    c = computed or _compute(deal)
    deal.dossier, deal.pursuit, deal.takeoff = c["dossier"], c["pursuit"], c["takeoff"]
    deal.pre_run_takeoff = _pre_run_takeoff(
        deal=deal, pursuit=c["pursuit"], trade_value=c["trade_value"], result=c["takeoff"]
    )
    deal.outreach_subject, deal.drafted_outreach, deal.meddpicc = c["subject"], c["body"], c["meddpicc"]
    deal.security_review = c["security"]
    deal.ae_reviewed_at, deal.ae_reviewed_draft = None, ""
    deal.save(
        update_fields=[
            "dossier",
            "pursuit",
            "takeoff",
            "pre_run_takeoff",
            "outreach_subject",
            "drafted_outreach",
            "meddpicc",
            "security_review",
            "ae_reviewed_at",
            "ae_reviewed_draft",
        ]
    )
    return deal


def battlepack_research_rebuild(*, deal_id, because: str) -> list[str] | None:
    """Late research arrived (the async agents, a changed profile, a new call on the account) for a deal still
    at W5: rebuild the pack when it changes a cell, voiding the AE's review, with an audit Event naming the
    cells and what caused it. Research that changes no cell changes nothing. Returns the changed cells (None
    when the deal is not rebuildable)."""
    with transaction.atomic():
        Deal.objects.select_for_update().filter(pk=deal_id).values_list("pk", flat=True).first()
        deal = (
            Deal.objects.select_related("session__lead__profile", "ae_owner", "pre_run_takeoff")
            .filter(pk=deal_id)
            .first()
        )
        if deal is None or deal.battlepack_ready_at is None:
            return None
        from .steps import outreach_pending

        if deal.session.state in LATER_OPEN_STEPS or deal.outreach_sent_at is not None or outreach_pending(deal):
            # The pack is history once the outreach went out — or is queued / retrying: rewriting the draft then
            # would void the review of an email still going out and let a second send queue another; whether
            # the buyer requires a security review is not (a discovery call may be the first to say so).
            return security_review_refresh(deal=deal, because=because)
        if deal.session.state != S.W5_BATTLEPACK:
            return None
        computed = _compute(deal)
        changed = card_changes(deal.meddpicc, computed["meddpicc"])
        if bool(computed["security"].get("required")) != bool((deal.security_review or {}).get("required")):
            changed.append("security_review")
        if not changed:
            return []
        was_reviewed = bool(deal.ae_reviewed_at) and deal.ae_reviewed_draft == draft_hash(
            deal.outreach_subject, deal.drafted_outreach
        )
        deal = battlepack_build(deal=deal, computed=computed)
        deal_health_sync(deal=deal)
        event_record(
            type="deal.battlepack_rebuilt",
            subject=deal.session,
            actor_type="agent",
            actor_label="research",
            payload={
                "deal_id": str(deal.pk),
                "by": "research",
                "because": because,
                "changed_cells": changed,
                "review_voided": was_reviewed,
                "pursuits": len(deal.dossier.get("pursuits", [])),
            },
        )
        return changed


LATER_OPEN_STEPS = (S.W6_OUTREACH, S.W7_DISCOVERY, S.W8_DEMO, S.W9_SEAT)
# The states of a session whose deal late research still reaches: the pack at W5, the security review after it.
OPEN_DEAL_STATES = (S.W5_BATTLEPACK, *LATER_OPEN_STEPS)


def security_review_refresh(*, deal: Deal, because: str) -> list[str]:
    """Past W5: re-read the evidence for the security-review need only (caller holds the deal's lock). A need
    that appears is recorded (the AE can then start the review); one the AE already started stays."""
    evidence = research_evidence(domain=deal.session.lead.domain, account_id=deal.org_id)
    before = deal.security_review or {}
    after = _security_review(current=before, need=security_review_need(evidence))
    if after == before:
        return []
    deal.security_review = after
    deal.save(update_fields=["security_review"])
    if after["required"] != bool(before.get("required")):
        event_record(
            type="deal.security_review_required" if after["required"] else "deal.security_review_not_required",
            subject=deal.session,
            actor_type="agent",
            actor_label="research",
            payload={"deal_id": str(deal.pk), "because": because, "rule": after["rule"]["id"]},
        )
    return ["security_review"]


def research_arrived(*, lead_id=None, account_id=None, because: str) -> int:
    """Queue the research rebuild (after commit, a Celery task per deal) of every open deal the research
    belongs to — the lead's, or those on the account a call was recorded for: the pack at W5, the
    security-review need after it."""
    states = [str(state) for state in OPEN_DEAL_STATES]
    if lead_id is not None:
        # Called from the swarm's hot path (every async agent with results, every settled profile change) where
        # nearly every lead has no white-glove deal: one plain statement, no queryset to build (the enrichment
        # benchmark's worker CPU per lead).
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id FROM {Deal._meta.db_table} d JOIN {OnboardingSession._meta.db_table} s"
                " ON s.id = d.session_id WHERE s.lead_id = %s AND s.state = ANY(%s) LIMIT 20",
                [lead_id, states],
            )
            ids = [row[0] for row in cursor.fetchall()]
    elif account_id is not None:
        ids = list(Deal.objects.filter(session__state__in=states, org_id=account_id).values_list("pk", flat=True)[:20])
    else:
        return 0
    from ..tasks import battlepack_research_rebuild as rebuild_task

    for deal_id in ids:
        # One task per deal on the worker, after commit: the rebuild (the evidence, the takeoff, the card) never
        # runs in the thread that saved the research. A broker that is down costs a warning (the AE still has
        # "Rebuild with latest research"), never the agent's report or the call's ingest.
        after_commit(rebuild_task.delay, deal_id=str(deal_id), because=because)
    return len(ids)


def dossier_network_forget(*, lead_id, source: str) -> int:
    """The prospect withdrew the consent the ``source`` entries of the network were read under (seed 002
    "Consent + PII"): drop them from the dossier of the lead's deals — a direct update, even after the outreach
    went (the rest of the pack is history; what was read under a withdrawn consent is not kept). Returns how
    many deals changed."""
    changed = 0
    for deal in Deal.objects.select_for_update().filter(session__lead_id=lead_id).only("pk", "dossier"):
        network = (deal.dossier or {}).get("network") or []
        kept = [n for n in network if n.get("source") != source]
        if len(kept) != len(network):
            Deal.objects.filter(pk=deal.pk).update(dossier={**deal.dossier, "network": kept})
            changed += 1
    return changed


@transaction.atomic
def whiteglove_enter(*, session: OnboardingSession) -> Deal:
    """Entering W5 (route.decided wg_*, or expansion.detected): the Deal, its AE and SDR (territory, round
    robin), the CRM account + Opportunity, the people as contacts, the battle pack, deal.battlepack_ready.
    Idempotent: a replay returns the deal as it is."""
    deal, _ = Deal.objects.select_for_update().get_or_create(session=session, defaults={"org": session.org})
    if deal.opportunity_id is not None:
        return deal
    session = OnboardingSession.objects.select_related("lead__profile", "org").get(pk=session.pk)
    deal.session = session
    profile = getattr(session.lead, "profile", None)
    keys = _territory_keys(profile)
    existing_owner = session.org.owner if session.org_id and session.org.owner_id else None
    deal.ae_owner = (
        existing_owner
        if existing_owner and existing_owner.role == "ae"
        else rep_pick(role="ae", territory_keys=keys, field="ae_owner")
    )
    deal.sdr = rep_pick(role="sdr", territory_keys=keys, field="sdr")
    config = WhiteGloveSettings.load()
    expansion = session.handed_off_at is not None
    acv = _acv_estimate(session=session, profile=profile, config=config)
    segment = segment_for(
        size_band=profile.size_band if profile else "",
        track=session.track,
        current=session.org.segment if session.org_id else None,
    )
    account = account_for(
        deal=deal,
        company=(profile.company if profile else "") or session.lead.domain,
        domain=session.lead.domain,
        region=profile.hq if profile else "",
        segment=segment,
        ae=deal.ae_owner,
    )
    deal.org = account
    deal.step_entered_at = clock.now()
    deal.save(update_fields=["ae_owner", "sdr", "org", "step_entered_at"])
    deal.opportunity = opportunity_open(deal=deal, account=account, acv=acv, expansion=expansion)
    deal.save(update_fields=["opportunity"])
    lead = session.lead
    if lead.name:
        contact_upsert(
            account=account,
            name=lead.name,
            title=lead.title or (profile.role if profile else ""),
            email=lead.email or "",
        )
    battlepack_build(deal=deal)
    deal_health_sync(deal=deal)
    Deal.objects.filter(pk=deal.pk).update(battlepack_ready_at=clock.now())
    event_record(
        type=catalog.BATTLEPACK_READY,
        subject=session,
        actor_type="agent",
        idempotency_key=catalog.key(session.lead_id, "W5", catalog.BATTLEPACK_READY),
        payload={
            "lead_id": str(session.lead_id),
            "session_id": str(session.pk),
            "deal_id": str(deal.pk),
            "opportunity_id": deal.opportunity_id,
            "ae_id": deal.ae_owner_id,
            "sdr_id": deal.sdr_id,
            "pursuits": len(deal.dossier.get("pursuits", [])),
            "takeoff_provider": deal.takeoff.get("provider", ""),
            "expansion": expansion,
        },
    )
    deal.refresh_from_db()
    return deal


def _acv_estimate(*, session, profile, config) -> Decimal:
    """The size estimator's ACV; for an expansion the ACV it crossed the threshold with; else the track default."""
    if session.handed_off_at is not None:
        crossed = Event.objects.for_subject(session).filter(type=catalog.EXPANSION_DETECTED).first()
        if crossed is not None and Decimal(crossed.payload.get("acv") or 0) > 0:
            return Decimal(crossed.payload["acv"])
    if profile is not None and profile.acv_est:
        return Decimal(profile.acv_est)
    return config.acv_default_enterprise if session.track == "wg_enterprise" else config.acv_default_mid


@transaction.atomic
def battlepack_refresh(*, deal: Deal, by) -> Deal:
    """The AE rebuilds the pack with the latest research (async agents may land after W5 began)."""
    Deal.objects.select_for_update().filter(pk=deal.pk).values_list("pk", flat=True).get()
    deal = Deal.objects.select_related("session__lead__profile", "ae_owner").get(pk=deal.pk)
    if by is None or by.pk != deal.ae_owner_id:
        raise PermissionError("only the deal's AE rebuilds the battle pack")
    was_reviewed = bool(deal.ae_reviewed_at) and deal.ae_reviewed_draft == draft_hash(
        deal.outreach_subject, deal.drafted_outreach
    )
    before = deal.meddpicc
    deal = battlepack_build(deal=deal)
    deal_health_sync(deal=deal)
    event_record(
        type="deal.battlepack_rebuilt",
        subject=deal.session,
        actor=by.user,
        payload={
            "deal_id": str(deal.pk),
            "by": "ae",
            "changed_cells": card_changes(before, deal.meddpicc),
            "review_voided": was_reviewed,
            "pursuits": len(deal.dossier.get("pursuits", [])),
        },
    )
    return deal
