"""The white-glove deal in the CRM (DESIGN.md: the Opportunity is opened at W5, not W10, so the pre-close
trigger can fire on it). The opportunity climbs the stage ladder as the W-steps happen; its deal health is
the MEDDPICC scorecard's; the MAP is written by the selling team from the deal before close."""

from __future__ import annotations

from django.db.models import F, OuterRef, Q, Subquery

from gtmos.audit.services import event_record
from gtmos.crm.models import Account, Contact, Employee, Opportunity, Role, Segment, Stage
from gtmos.crm.services import opportunity_close_won, opportunity_set_stage
from gtmos.crm.signals import opportunity_updated

from ..models import Deal, MutualActionPlan
from ..models.deal import MEDDPICC_LABELS, WhiteGloveSettings
from ..models.session import SessionState as S
from .meddpicc import meddpicc_health

SEGMENT_OF_BAND = {
    "micro": Segment.SMB,
    "small": Segment.SMB,
    "mid": Segment.MM,
    "large": Segment.ENTERPRISE,
    "enterprise": Segment.ENTERPRISE,
}
# The track is a floor: a white-glove deal is at least mid-market, wg_enterprise is Enterprise.
SEGMENT_OF_TRACK = {"wg_mid": Segment.MM, "wg_enterprise": Segment.ENTERPRISE}
SEGMENT_RANK = {Segment.SMB: 0, Segment.MM: 1, Segment.ENTERPRISE: 2}

# Where each W-step sits on the CRM stage ladder. W9 (seat) is the proposal; sending the contract inside W9
# is negotiation; W10 is closed won.
STAGE_OF_STATE = {
    S.W5_BATTLEPACK: Stage.PROSPECTING,
    S.W6_OUTREACH: Stage.PROSPECTING,
    S.W7_DISCOVERY: Stage.DISCOVERY,
    S.W8_DEMO: Stage.DEMO,
    S.W9_SEAT: Stage.PROPOSAL,
    S.W10_CLOSED_WON: Stage.CLOSED_WON,
}


def segment_for(*, size_band: str, track: str, current: str | None = None) -> str:
    """Segment from the size band, never below what the track implies (nor below the account's current)."""
    candidates = [SEGMENT_OF_BAND.get(size_band, Segment.SMB), SEGMENT_OF_TRACK.get(track, Segment.MM)]
    if current:
        candidates.append(current)
    return max(candidates, key=lambda s: SEGMENT_RANK.get(s, 0))


def rep_pick(*, role: str, territory_keys: list[str], field: str) -> Employee | None:
    """DESIGN.md: assigned at route.decided by territory, round robin within it — the active rep of the role in
    the prospect's territory whose last white-glove deal is oldest (never assigned comes first). No rep in the
    territory: round robin over all reps of the role."""
    reps = Employee.objects.filter(role=role, is_active=True)
    keys = [k.strip() for k in territory_keys if k and k.strip()]
    if keys:
        q = Q()
        for key in keys:
            q |= Q(territory__iexact=key)
        if reps.filter(q).exists():
            reps = reps.filter(q)
    last = Deal.objects.filter(**{field: OuterRef("pk")}).order_by("-created_at").values("created_at")[:1]
    return reps.annotate(last_deal=Subquery(last)).order_by(F("last_deal").asc(nulls_first=True), "pk").first()


def account_for(*, deal: Deal, company: str, domain: str, region: str, segment: str, ae: Employee | None) -> Account:
    """The prospect's CRM account: the Org it already became (expansion), an account with its domain, or a new
    (not yet customer) account."""
    session = deal.session
    account = session.org or (Account.objects.filter(domain=domain).order_by("pk").first() if domain else None)
    if account is None:
        account = Account.objects.create(
            external_id=f"wg:{domain or session.lead_id}"[:64],
            name=company[:200] or "Unnamed prospect",
            domain=domain,
            segment=segment,
            region=region[:100],
            owner=ae,
        )
        return account
    updates = {}
    if SEGMENT_RANK.get(segment, 0) > SEGMENT_RANK.get(account.segment, 0):
        updates["segment"] = segment
    if account.owner_id is None and ae is not None:
        updates["owner"] = ae
    if updates:
        Account.objects.filter(pk=account.pk).update(**updates)
        account.refresh_from_db()
    return account


def opportunity_open(*, deal: Deal, account: Account, acv, expansion: bool) -> Opportunity:
    """Entering W5 opens the Opportunity: segment from the size band (on the account), ACV estimate, owner AE,
    the SDR, an expected close date. Idempotent (one per deal)."""
    import datetime as dt

    from gtmos.core import clock

    config = WhiteGloveSettings.load()
    opportunity, created = Opportunity.objects.get_or_create(
        external_id=f"wg:{deal.session.lead_id}",  # one white-glove deal per lead (its session)
        defaults={
            "account": account,
            "name": f"{account.name} — white-glove"[:200],
            "type": Opportunity.Type.EXPANSION if expansion else Opportunity.Type.NEW,
            "stage": Stage.PROSPECTING,
            "stage_changed_at": clock.now(),
            "acv": acv,
            "owner": deal.ae_owner,
            "sdr": deal.sdr,
            "close_date": clock.today() + dt.timedelta(days=config.expected_cycle_days),
        },
    )
    if created:
        event_record(
            type="opportunity.created",
            subject=opportunity,
            actor_type="system",
            actor_label="white-glove W5",
            payload={
                "stage": opportunity.stage,
                "type": opportunity.type,
                "deal_id": str(deal.pk),
                "segment": account.segment,
                "acv": str(acv),
            },
            idempotency_key=f"opportunity.created:wg:{deal.pk}",
        )
    return opportunity


def opportunity_follow(*, deal: Deal, state: str, actor=None) -> None:
    """Move the opportunity up the ladder to the W-step's stage (never down: a deal already at negotiation
    stays there)."""
    stage = STAGE_OF_STATE.get(state)
    opportunity = deal.opportunity
    if stage is None or opportunity is None:
        return
    opportunity.refresh_from_db(fields=["stage"])
    if Stage.rank(stage) <= Stage.rank(opportunity.stage) or opportunity.is_closed:
        return
    if stage == Stage.CLOSED_WON:
        opportunity_close_won(opportunity=opportunity, actor=actor, actor_label="white-glove W10")
    else:
        opportunity_set_stage(opportunity=opportunity, stage=stage, actor=actor, actor_label="white-glove")


def deal_health_sync(*, deal: Deal) -> int:
    """Deal health from the MEDDPICC scorecard onto the opportunity. A change is announced (opportunity_updated)
    so the pre-close trigger re-evaluates — it fires at most once per deal (one plan per opportunity)."""
    config = WhiteGloveSettings.load()
    score = meddpicc_health(deal.meddpicc, amber_weight=float(config.amber_health_weight))
    if deal.opportunity_id is None:
        return score
    flags = [
        f"MEDDPICC {MEDDPICC_LABELS[c].lower()} unconfirmed"
        for c in ("champion", "economic_buyer")
        if not deal.meddpicc_confirmed(c)
    ]
    changed = (
        Opportunity.objects.filter(pk=deal.opportunity_id)
        .exclude(deal_health_score=score, deal_risk_flags=flags)
        .update(deal_health_score=score, deal_risk_flags=flags)
    )
    if changed:
        opportunity = Opportunity.objects.select_related("account").get(pk=deal.opportunity_id)
        deal.opportunity = opportunity
        if not opportunity.is_closed:
            opportunity_updated.send(sender=Opportunity, opportunity=opportunity)
    return score


# --- the MAP the selling team writes from the deal ------------------------------------------------------------


def technical_win_text(deal: Deal) -> str:
    win = deal.technical_win or {}
    lines = []
    takeoff = deal.takeoff or {}
    if takeoff:
        lines.append(
            f'Pre-run takeoff on their real pursuit "{takeoff.get("pursuit_name", "")}" '
            f"({takeoff.get('trade_label', '')}, {len(takeoff.get('lines', []))} scope lines; "
            f"{'offline estimate' if takeoff.get('offline') else takeoff.get('provider', '')})."
        )
    if win.get("demoed"):
        lines.append("Demoed: " + win["demoed"])
    if win.get("validated"):
        lines.append("Technically validated: " + win["validated"])
    if win.get("objections"):
        lines.append("Unresolved objections: " + win["objections"])
    return "\n".join(lines)


def commitments_text(deal: Deal) -> str:
    return "\n".join(f"- {c['text']} ({c.get('on', '')}, {c.get('by', '')})" for c in deal.commitments or [])


STAKEHOLDER_ROLE = {
    Contact.BuyingRole.ECONOMIC_BUYER: "executive_sponsor",
    Contact.BuyingRole.TECHNICAL_BUYER: "technical_setup",
    Contact.BuyingRole.CHAMPION: "training",
    Contact.BuyingRole.END_USER: "training",
}


def stakeholder_map(account: Account) -> list[dict]:
    return [
        {
            "contact_id": c.pk,
            "role": "executive_sponsor"
            if c.is_executive_sponsor
            else STAKEHOLDER_ROLE.get(c.buying_role, "stakeholder"),
        }
        for c in account.contacts.order_by("-is_executive_sponsor", "pk")[:20]
    ]


def deal_map_sync(*, deal: Deal) -> MutualActionPlan | None:
    """The MAP (seed 000: created by the selling team during the deal, inherited at close) from the battle pack:
    technical win details, the selling team's commitments, the customer stakeholder map. Written until
    post-sales signs off; after that the MAP belongs to the sign-off."""
    if deal.opportunity_id is None:
        return None
    opportunity = deal.opportunity
    values = {
        "technical_win_details": technical_win_text(deal),
        "selling_team_commitments": commitments_text(deal),
        "customer_stakeholder_map": stakeholder_map(opportunity.account),
    }
    map_ = MutualActionPlan.objects.filter(opportunity=opportunity).first()
    if map_ is None:
        map_ = MutualActionPlan.objects.create(opportunity=opportunity, account=opportunity.account, **values)
        event_record(
            type="onboarding.map_created",
            subject=map_,
            account_id=opportunity.account_id,
            payload={"opportunity_id": opportunity.pk, "from": "white-glove deal"},
            idempotency_key=f"onboarding.map_created:{opportunity.pk}",
        )
        return map_
    if map_.postsales_signoff_status != "pending" or map_.ttv_locked_at:
        return map_
    MutualActionPlan.objects.filter(pk=map_.pk).update(**values)
    map_.refresh_from_db()
    return map_


def contact_upsert(
    *, account: Account, name: str, title: str = "", email: str = "", buying_role: str = "", sponsor: bool = False
) -> Contact:
    contact = account.contacts.filter(name__iexact=name.strip()).first()
    if contact is None:
        return Contact.objects.create(
            account=account,
            name=name.strip()[:200],
            title=title[:200],
            email=email,
            buying_role=buying_role or Contact.BuyingRole.OTHER,
            is_executive_sponsor=sponsor,
        )
    fields = {}
    if buying_role:
        fields["buying_role"] = buying_role
    if sponsor:
        fields["is_executive_sponsor"] = True
    if title and not contact.title:
        fields["title"] = title[:200]
    if fields:
        Contact.objects.filter(pk=contact.pk).update(**fields)
        contact.refresh_from_db()
    return contact


def csm_assign(*, account: Account) -> Employee | None:
    """A closing white-glove deal needs a CSM for onboarding: the account's, else round robin over active CSMs
    (the one whose newest account assignment is oldest)."""
    if account.csm_id is not None:
        return account.csm
    last = Account.objects.filter(csm=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    csm = (
        Employee.objects.filter(role=Role.CSM, is_active=True)
        .annotate(last=Subquery(last))
        .order_by(F("last").asc(nulls_first=True), "pk")
        .first()
    )
    if csm is not None:
        Account.objects.filter(pk=account.pk).update(csm=csm)
        account.csm = csm
    return csm
