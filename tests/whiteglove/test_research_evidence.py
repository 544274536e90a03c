"""Issue 17 item 11: white-glove research from evidence (seed 002 W5: "deep swarm → dossier + Sarah pre-takeoff +
drafted outreach + MEDDPICC"; Deal/BattlePack: "meddpicc seeded by research, AE confirms", "preRunTakeoffId —
Sarah, on their real pursuit"; Phase 4: "Enterprise contracting + security-review path").

Each MEDDPICC cell is drawn from evidence — calls on the account, facts on the company's own site, firmographics,
the swarm's profile — and names the rule that produced it; a cell with no evidence is unknown (competition
among them), never a fixed string per size band. The pre-run takeoff is a record the AE opens. Late research
rebuilds the pack and voids the AE's review, with an audit row. The security review is a step the AE starts and
completes when evidence says the buyer requires it, and the contract is not signed before."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from enrichment.models import AgentJob, ProjectRecord, SiteSnapshot
from gtmos.audit.models import Event
from gtmos.crm.models import Account
from onboarding.models import SessionState as S
from onboarding.models import Takeoff
from onboarding.whiteglove import steps
from onboarding.whiteglove.battlepack import WhiteGloveError, battlepack_refresh, battlepack_research_rebuild
from tests.factories import CallFactory
from tests.swarm_support import run_agents

from .conftest import at, deal_of, prospect

pytestmark = pytest.mark.django_db

CALL = (
    "Lee Park, the CFO, signs anything over $50k. The decision goes to a committee of operations and IT after a "
    "pilot. Procurement needs an MSA and a purchase order. Their IT security team sends a security "
    "questionnaire before any contract."
)


def rule(deal, cell) -> str:
    return deal.meddpicc[cell]["rule"]["id"]


def cve_account(team):
    return Account.objects.create(
        external_id="cve", name="CVE Electric", domain="cve-electric.com", segment="ent", owner=team.ae
    )


def test_every_cell_names_its_rule_and_a_cell_without_evidence_is_unknown(team, wg):
    card = wg.meddpicc
    assert all(card[c].get("rule", {}).get("id") for c in card)  # each cell says which rule produced it
    # competition: no call, nothing on their site — unknown, not a red template
    assert card["competition"]["status"] == "red" and card["competition"]["known"] is False
    assert rule(wg, "competition") == "none" and card["competition"]["value"] == ""
    # decision process from the people we know and the firm's headcount, not a string per size band
    assert rule(wg, "decision_process") == "DP2" and card["decision_process"]["status"] == "amber"
    assert "Dana Reyes" in card["decision_process"]["value"] and "900 employees" in card["decision_process"]["value"]
    assert any("firmographics (bonding)" in e for e in card["decision_process"]["evidence"])
    # paper process: only the revenue speaks to it — a guess below the floor, kept as a hint
    assert rule(wg, "paper_process") == "PP3" and card["paper_process"]["status"] == "red"
    assert "$240,000,000" in card["paper_process"]["hint"]
    assert "security review" not in str(card).lower()  # no longer implied by a size band
    assert wg.security_review["required"] is False and wg.security_review["rule"]["id"] == "SR0"
    # the page shows each rule
    ae = Client()
    ae.force_login(team.ae.user)
    page = ae.get(reverse("whiteglove:deal_step", kwargs={"pk": wg.pk, "step": "w5"})).content.decode()
    assert "rule DP2:" in page and "red · unknown" in page and "firmographics (bonding" in page


def test_a_call_on_the_account_fills_the_cells_with_the_customers_words(team, swarm_on, datasets):
    account = cve_account(team)
    CallFactory(
        account=account,
        owner=team.ae,
        call_type="discovery",
        summary=CALL,
        competitor_mentions=["PlanSwift", "Bluebeam"],
        objections=["No SSO yet"],
    )
    CallFactory(account=account, owner=team.ae, competitor_mentions=["PlanSwift"], summary="Follow-up.")
    deal = deal_of(prospect(name="Dana Reyes"))
    card = deal.meddpicc
    assert deal.org_id == account.pk
    assert rule(deal, "economic_buyer") == "E1" and "Lee Park, the CFO, signs" in card["economic_buyer"]["value"]
    assert (
        rule(deal, "decision_process") == "DP1"
        and "committee of operations and IT" in card["decision_process"]["value"]
    )
    assert rule(deal, "paper_process") == "PP1" and "MSA and a purchase order" in card["paper_process"]["value"]
    assert card["paper_process"]["status"] == "amber"
    assert rule(deal, "competition") == "CO1" and card["competition"]["status"] == "amber"
    assert card["competition"]["value"] == "Named on calls: PlanSwift (2), Bluebeam"
    assert rule(deal, "decision_criteria") == "DC1" and "No SSO yet" in card["decision_criteria"]["value"]
    assert all(e.startswith("call 2026-02-01") for e in card["decision_process"]["evidence"])
    # the call asked for a security review: the step is required, with its rule and the quote
    review = deal.security_review
    assert review["required"] and review["status"] == "required" and review["rule"]["id"] == "SR1"
    assert "security questionnaire" in review["evidence"][0]


def test_their_site_is_evidence_for_paper_process_competition_and_security(team, wg):
    snap = SiteSnapshot.objects.get(domain="cve-electric.com")
    snap.pages = [
        *(snap.pages or []),
        {
            "url": "https://cve-electric.com/vendors",
            "kind": "page",
            "title": "Vendors",
            "text": "Vendors must complete our vendor registration and prequalification. Our estimators review "
            "plans in Bluebeam. Software vendors handling project data must pass a SOC 2 security review.",
        },
    ]
    snap.save(update_fields=["pages"])
    steps.battlepack_review(deal=wg, by=team.ae)
    deal = battlepack_refresh(deal=wg, by=team.ae)
    assert rule(deal, "paper_process") == "PP2" and "vendor registration" in deal.meddpicc["paper_process"]["value"]
    assert deal.meddpicc["paper_process"]["evidence"][0].startswith("site: https://cve-electric.com/vendors")
    assert (
        rule(deal, "competition") == "CO2" and deal.meddpicc["competition"]["value"] == "Their site mentions Bluebeam"
    )
    assert deal.security_review["required"] and deal.security_review["rule"]["id"] == "SR2"
    [rebuilt] = Event.objects.filter(type="deal.battlepack_rebuilt", subject_id=str(wg.session.pk))
    assert rebuilt.payload["by"] == "ae" and rebuilt.payload["review_voided"] is True
    assert {"paper_process", "competition"} <= set(rebuilt.payload["changed_cells"])
    assert not steps.reviewed(deal)


def test_the_pre_run_takeoff_is_a_record_the_ae_opens(team, wg):
    record = wg.pre_run_takeoff
    assert isinstance(record, Takeoff) and record.pk == wg.pre_run_takeoff_id
    assert record.pursuit_id == wg.pursuit_id and record.result == wg.takeoff and record.session_id == wg.session_id
    ae, other = Client(), Client()
    ae.force_login(team.ae.user)
    other.force_login(team.other_ae.user)
    url = reverse("whiteglove:deal_takeoff", kwargs={"pk": wg.pk})
    assert url in ae.get(reverse("whiteglove:deal_step", kwargs={"pk": wg.pk, "step": "w5"})).content.decode()
    page = ae.get(url).content.decode()
    assert "Phoenix water plant electrical" in page and str(record.pk) in page and "Offline estimate" in page
    assert other.get(url).status_code == 404  # visible_to: another territory's AE
    # a rebuild with the same research keeps the same record
    deal = battlepack_refresh(deal=wg, by=team.ae)
    assert deal.pre_run_takeoff_id == record.pk and Takeoff.objects.filter(session=wg.session).count() == 1


def test_late_research_rebuilds_the_pack_and_voids_the_review_with_an_audit_row(
    team, wg, django_capture_on_commit_callbacks, celery_eager
):
    steps.battlepack_review(deal=wg, by=team.ae)
    assert steps.reviewed(deal_of(wg.session))
    # project_finder finds a bigger pursuit after W5 began (the async agent lags)
    ProjectRecord.objects.create(
        external_id="bid-late",
        source="public_bid",
        name="Mesa data center power",
        state="AZ",
        city="Mesa",
        trades=["electrical"],
        value=40_000_000,
    )
    job = AgentJob.objects.get(run__lead=wg.session.lead, agent="project_finder")
    AgentJob.objects.filter(pk=job.pk).update(status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        assert run_agents(wg.session.lead, agents=["project_finder"]) == ["succeeded"]
    deal = deal_of(wg.session)
    assert "Mesa data center power" in deal.meddpicc["metrics"]["value"]
    assert deal.pre_run_takeoff.pursuit_name == deal.pursuit.name == "Mesa data center power"
    assert not steps.reviewed(deal)
    with pytest.raises(WhiteGloveError, match="review"):
        steps.outreach_send(deal=deal, by=team.sdr)  # the AE must read the rebuilt pack first
    [rebuilt] = Event.objects.filter(type="deal.battlepack_rebuilt", subject_id=str(wg.session.pk))
    assert rebuilt.actor_type == "agent" and rebuilt.payload["by"] == "research"
    assert rebuilt.payload["because"] == "project_finder" and rebuilt.payload["review_voided"] is True
    assert "metrics" in rebuilt.payload["changed_cells"]
    # research that changes no cell changes nothing (no second rebuild, no second audit row)
    assert battlepack_research_rebuild(deal_id=wg.pk, because="project_finder") == []
    assert Event.objects.filter(type="deal.battlepack_rebuilt", subject_id=str(wg.session.pk)).count() == 1


def test_a_confirmed_cell_survives_a_research_rebuild(team, wg):
    steps.meddpicc_update(deal=wg, by=team.ae, cell="competition", value="Spreadsheets", confirm=True)
    CallFactory(account=wg.org, owner=team.ae, competitor_mentions=["PlanSwift"], summary="Intro.")
    changed = battlepack_research_rebuild(deal_id=wg.pk, because="call")
    deal = deal_of(wg.session)
    assert "competition" not in changed and deal.meddpicc["competition"]["value"] == "Spreadsheets"


def walk_to_seat(team, deal):
    steps.battlepack_review(deal=deal, by=team.ae)
    steps.outreach_send(deal=deal, by=team.sdr)
    deal = steps.meeting_book(deal=deal, by=team.sdr, meeting_at=at(3))
    for cell, value in (("champion", "Dana Reyes, Chief Estimator"), ("economic_buyer", "Lee Park, CFO")):
        steps.meddpicc_update(deal=deal, by=team.ae, cell=cell, value=value, confirm=True)
    steps.deal_qualify(deal=deal, by=team.ae)
    return steps.demo_deliver(deal=deal, by=team.ae, demoed="Takeoff on their pursuit")


def test_a_discovery_call_that_asks_for_a_security_review_makes_it_a_step_before_signature(
    team, wg, django_capture_on_commit_callbacks, celery_eager
):
    with pytest.raises(WhiteGloveError, match="no evidence"):
        steps.security_review_start(deal=wg, by=team.ae)  # nothing says this buyer requires one
    deal = walk_to_seat(team, wg)
    assert deal.session.state == S.W9_SEAT
    with django_capture_on_commit_callbacks(execute=True):  # the call is recorded on the account (the CI feed)
        CallFactory(account=deal.org, owner=team.ae, call_type="discovery", summary=CALL)
    deal = deal_of(wg.session)
    assert deal.security_review["required"] and deal.security_review["status"] == "required"
    assert Event.objects.filter(type="deal.security_review_required", subject_id=str(wg.session.pk)).exists()
    steps.contract_send(deal=deal, by=team.ae)
    with pytest.raises(WhiteGloveError, match="security review"):
        steps.deal_close_won(deal=deal, by=team.ae, seats=30)
    with pytest.raises(PermissionError):
        steps.security_review_start(deal=deal, by=team.sdr)
    ae = Client()
    ae.force_login(team.ae.user)
    w9 = reverse("whiteglove:deal_step", kwargs={"pk": wg.pk, "step": "w9"})
    page = ae.get(w9).content.decode()
    assert "rule SR1: a call asked for a security review" in page and "Start the security review" in page
    ae.post(reverse("whiteglove:deal_action", kwargs={"pk": wg.pk, "action": "security_start"}), {"next": w9})
    assert deal_of(wg.session).security_review["status"] == "in_progress"
    complete = reverse("whiteglove:deal_action", kwargs={"pk": wg.pk, "action": "security_complete"})
    response = ae.post(complete, {"next": w9, "outcome": " "}, follow=True)
    assert "This field is required" in response.content.decode()  # a blank outcome: a field error, not a 500
    ae.post(complete, {"next": w9, "outcome": "Questionnaire returned; approved by their IT on the 12th"})
    review = deal_of(wg.session).security_review
    assert review["status"] == "complete" and review["completed_by"] == team.ae.name
    assert "approved by their IT" in review["outcome"]
    deal = steps.deal_close_won(deal=deal_of(wg.session), by=team.ae, seats=30)
    assert deal.session.state == S.W10_CLOSED_WON
    types = set(Event.objects.filter(subject_id=str(wg.session.pk)).values_list("type", flat=True))
    assert {"deal.security_review_started", "deal.security_review_completed"} <= types


def test_a_deal_from_before_the_rules_keeps_its_review_when_research_changes_nothing(team, wg):
    """Issue 17 review (i17f): cards written before cells named their rule, and security_review={} from before
    migration 0017, are not a change by themselves."""
    from onboarding.models import Deal

    steps.battlepack_review(deal=wg, by=team.ae)
    legacy = {cell: {k: v for k, v in value.items() if k != "rule"} for cell, value in wg.meddpicc.items()}
    Deal.objects.filter(pk=wg.pk).update(meddpicc=legacy, security_review={})
    assert battlepack_research_rebuild(deal_id=wg.pk, because="project_finder") == []
    deal = deal_of(wg.session)
    assert steps.reviewed(deal) and deal.meddpicc == legacy
    assert not Event.objects.filter(type="deal.battlepack_rebuilt", subject_id=str(wg.session.pk)).exists()


def test_the_pre_run_takeoff_is_not_the_prospects_own_takeoff(team, wg):
    """Issue 17 review (i17f): the pre-run takeoff hangs off the deal's session, but the prospect never ran it —
    their pages must not show it as theirs, nor one a rebuild superseded."""
    from onboarding.prospect import selectors

    assert wg.pre_run_takeoff is not None and wg.pre_run_takeoff.session_id == wg.session_id
    assert selectors.session_takeoff(wg.session) is None
    old = wg.pre_run_takeoff_id
    ProjectRecord.objects.create(
        external_id="bid-late", source="public_bid", name="Mesa data center power", state="AZ", city="Mesa",
        trades=["electrical"], value=40_000_000,
    )  # fmt: skip
    job = AgentJob.objects.get(run__lead=wg.session.lead, agent="project_finder")
    AgentJob.objects.filter(pk=job.pk).update(status="pending")
    run_agents(wg.session.lead, agents=["project_finder"])
    deal = battlepack_refresh(deal=wg, by=team.ae)
    assert deal.pre_run_takeoff_id != old  # superseded: the old record stays, still not the prospect's
    assert selectors.session_takeoff(wg.session) is None


def test_an_ingest_upsert_that_changes_no_research_queues_no_rebuild(team, wg, django_capture_on_commit_callbacks):
    """Issue 17 review (i17f): every upsert of a call used to rebuild up to 20 deals in the caller's thread."""
    with django_capture_on_commit_callbacks() as queued:
        call = CallFactory(account=wg.org, owner=team.ae, summary="Intro.", competitor_mentions=["PlanSwift"])
    assert len(queued) == 1  # a new call on the account: one rebuild queued for its one open deal
    with django_capture_on_commit_callbacks() as queued:
        call.sentiment, call.quality_score = 0.4, 80  # the feed re-scores the same call
        call.save()
    assert queued == []
    with django_capture_on_commit_callbacks() as queued:
        call.objections = ["No SSO yet"]
        call.save()
    assert len(queued) == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_call_queues_the_rebuild_on_the_worker_not_in_the_callers_thread(team, wg, celery_worker_process):
    import time

    from onboarding.whiteglove import battlepack

    calls = []
    real = battlepack.battlepack_research_rebuild
    battlepack.battlepack_research_rebuild = lambda **kw: calls.append(kw) or real(**kw)  # the caller's process
    try:
        CallFactory(account=wg.org, owner=team.ae, call_type="discovery", summary=CALL)  # autocommit: on commit now
    finally:
        battlepack.battlepack_research_rebuild = real
    assert calls == []  # the saving thread did not rebuild
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not deal_of(wg.session).security_review.get("required"):
        time.sleep(0.2)
    deal = deal_of(wg.session)
    assert deal.security_review["required"] and rule(deal, "decision_process") != "DP2"  # the worker rebuilt it
    [rebuilt] = Event.objects.filter(type="deal.battlepack_rebuilt", subject_id=str(wg.session.pk))
    assert rebuilt.payload["because"] == "call"


def test_a_deal_from_before_the_record_shows_its_takeoff_from_the_pack(team, wg):
    """Issue 17 review (i17f): deals built before migration 0017 have pre_run_takeoff NULL but deal.takeoff."""
    from onboarding.models import Deal

    Deal.objects.filter(pk=wg.pk).update(pre_run_takeoff=None)
    ae = Client()
    ae.force_login(team.ae.user)
    page = ae.get(reverse("whiteglove:deal_takeoff", kwargs={"pk": wg.pk})).content.decode()
    assert "found no pursuit" not in page
    assert "Phoenix water plant electrical" in page and wg.takeoff["lines"][0]["item"] in page
    assert "Offline estimate" in page
