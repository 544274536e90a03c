"""Pre-close (auto, manual, gate) and post-close (fresh start, draft carried forward)."""

import datetime as dt

import pytest

from gtmos.audit.models import Event, ExceptionLog, Notification
from gtmos.core import clock
from gtmos.crm.models import Account, Opportunity
from gtmos.crm.services import opportunity_set_stage, opportunity_upsert
from onboarding.models import MutualActionPlan, OnboardingPlan
from onboarding.services import preclose
from onboarding.services.map_signoff import map_update

from .conftest import START


def test_auto_fires_once_when_health_crosses_70_at_proposal(world):
    opp = world.deal(health=65, acv="150000")
    assert not OnboardingPlan.objects.exists()
    kwargs = dict(
        external_id=opp.external_id,
        account_external_id=world.account.external_id,
        name=opp.name,
        stage="proposal",
        acv=opp.acv,
        owner_email=world.ae.email,
    )
    opportunity_upsert(**kwargs, deal_health_score=72)
    opportunity_upsert(**kwargs, deal_health_score=75)  # still ≥ 70: no second plan
    plan = OnboardingPlan.objects.get()
    assert plan.status == "draft" and plan.preboarded and plan.preboard_reason.startswith("Auto")
    assert Event.objects.filter(type="onboarding.plan_drafted").count() == 1


def test_auto_fires_on_reaching_proposal(world):
    opp = world.deal(stage="discovery", health=85, segment="ent")
    assert preclose.preclose_evaluate(opportunity=opp) is None
    opportunity_set_stage(opportunity=opp, stage="proposal")
    assert OnboardingPlan.objects.filter(opportunity=opp).exists()


def test_ineligible_deal_never_auto_fires(world):
    opp = world.deal(acv="40000", sam="100000", health=95, segment="mm")
    opportunity_set_stage(opportunity=opp, stage="negotiation")
    assert not OnboardingPlan.objects.exists()


@pytest.mark.parametrize(
    "gate", [{"segment": "ent"}, {"acv": "100000"}, {"lines": ("CORE", "IMPL")}, {"sam": "500000"}]
)
def test_each_gate_path_auto_fires(world, gate):
    opp = world.deal(**{"segment": "mm", "acv": "40000", "health": 80, **gate})
    assert preclose.preclose_evaluate(opportunity=opp) is not None


def test_am_or_csm_can_start_regardless_of_gate_but_not_an_ae(world):
    opp = world.deal(acv="10000", sam="10000", health=20, segment="smb", stage="discovery")
    with pytest.raises(PermissionError):
        preclose.preboarding_start(opportunity=opp, by=world.ae)
    plan = preclose.preboarding_start(opportunity=opp, by=world.csm)
    assert plan.preboard_reason.startswith("Manual")
    assert preclose.preboarding_start(opportunity=opp, by=world.am).pk == plan.pk  # idempotent


def test_outputs_draft_plan_brief_resource_flag_and_postsales_alert(world):
    opp = world.deal(segment="ent", lines=("CORE", "API"))
    plan = preclose.preboarding_start(opportunity=opp, by=world.am)
    assert [m.code for m in plan.milestones.order_by("code")] == ["M1", "M2", "M3", "M4", "M5", "M6", "M7"]
    assert plan.milestones.get(code="M3").evidence_required
    assert plan.milestones.get(code="M4").target_date == START + dt.timedelta(days=30)  # Enterprise: 90-day TTV
    brief = plan.kickoff_brief
    assert brief["technical_objections"][0]["text"] == "SSO requirement"
    assert brief["promised"] == ["deliver admin training in week 2"]
    assert any(s["executive_sponsor"] for s in brief["stakeholders"])
    assert "dashboards" in brief["demoed"]
    flag = ExceptionLog.objects.get(exception_type="resource_flag")
    assert "Enterprise" in flag.reason and "API" in flag.reason
    assert Notification.objects.filter(recipient=world.am.user, rule="onboarding.resource_flag").exists()
    assert Notification.objects.filter(recipient=world.post_sales.user, rule="onboarding.postsales_risk_alert").exists()
    assert Account.objects.get(pk=world.account.pk).onboarding_status == "pre_close"
    # The MAP is pre-filled from the deal: commitments from call next steps.
    assert "deliver admin training in week 2" in plan.map.selling_team_commitments


def test_no_resource_flag_when_services_are_on_the_quote(world):
    opp = world.deal(segment="ent", lines=("CORE", "API", "IMPL"))
    preclose.preboarding_start(opportunity=opp, by=world.am)
    assert not ExceptionLog.objects.filter(exception_type="resource_flag").exists()


@pytest.mark.parametrize(("segment", "days"), [("smb", 30), ("mm", 60), ("ent", 90)])
def test_post_close_starts_fresh_with_segment_ttv_default(world, segment, days):
    opp = world.deal(segment=segment, acv="5000", sam="5000", health=10, stage="negotiation")
    assert not OnboardingPlan.objects.exists()
    plan = world.close(opp)
    assert plan.status == "active" and not plan.preboarded
    assert plan.map.ttv_target_days == days
    assert plan.milestones.get(code="M7").target_date == START + dt.timedelta(days=days)
    account = Account.objects.get(pk=world.account.pk)
    assert (account.onboarding_status, account.onboarding_start_date, account.ttv_target_days) == (
        "active",
        START,
        days,
    )
    assert plan.log_entries.count() == 1  # the log runs from day one


def test_preboarded_draft_is_carried_forward_at_close(world):
    opp = world.deal()
    draft = preclose.preboarding_start(opportunity=opp, by=world.am)
    map_update(
        map_=draft.map,
        by=world.ae,
        technical_win_details="SSO validated in POC",
        selling_team_commitments="Admin training in week 2",
        customer_stakeholder_map=[],
        selected_value_events=[{"value_event_id": world.value_event.pk, "target_date": "2026-04-11"}],
    )
    plan = world.close(opp)
    assert plan.pk == draft.pk and plan.status == "active" and plan.preboarded
    assert plan.map.technical_win_details == "SSO validated in POC"
    assert plan.map.ttv_target_days == 40  # earliest selected value event (04-11) − contract start (03-02)
    assert MutualActionPlan.objects.count() == 1


def test_closing_twice_changes_nothing(world):
    opp = world.deal()
    plan = world.close(opp)
    world.close(Opportunity.objects.get(pk=opp.pk))
    from onboarding.services.postclose import onboarding_start_on_close

    onboarding_start_on_close(opportunity=Opportunity.objects.get(pk=opp.pk))
    assert OnboardingPlan.objects.count() == 1 and plan.log_entries.count() == 1
    assert Event.objects.filter(type="onboarding.activated").count() == 1
    assert clock.today() == START


def test_revops_settings_change_is_audited(client, world):
    from onboarding.models import OnboardingSettings

    world.revops = world.cro  # any superuser edits config in the admin
    admin_user = world.cro.user
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    settings_row = OnboardingSettings.load()
    data = {f.name: getattr(settings_row, f.name) for f in settings_row._meta.fields if f.name != "id"}
    data.update(preclose_health_threshold=75, complexity_keywords='["integration"]')
    response = client.post(f"/admin/onboarding/onboardingsettings/{settings_row.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OnboardingSettings.load().preclose_health_threshold == 75
    event = Event.objects.get(type="config.changed")
    assert event.payload["changes"]["preclose_health_threshold"] == {"from": "70", "to": "75"}


def test_a_ttv_target_typed_on_the_map_survives_close(world):
    opp = world.deal()
    draft = preclose.preboarding_start(opportunity=opp, by=world.am)
    assert draft.map.ttv_target_days == 90
    map_update(
        map_=draft.map,
        by=world.ae,
        technical_win_details="",
        selling_team_commitments="",
        customer_stakeholder_map=[],
        ttv_target_days=75,
        selected_value_events=[{"value_event_id": world.value_event.pk, "target_date": "2026-04-11"}],
    )
    plan = world.close(opp)
    assert plan.map.ttv_target_days == 75 and plan.map.ttv_target_manual


def test_value_event_dates_derive_the_target_before_close(world):
    opp = world.deal()
    draft = preclose.preboarding_start(opportunity=opp, by=world.am)
    map_update(
        map_=draft.map,
        by=world.ae,
        technical_win_details="",
        selling_team_commitments="",
        customer_stakeholder_map=[],
        ttv_target_days=90,  # the form posts back the shown value
        selected_value_events=[{"value_event_id": world.value_event.pk, "target_date": "2026-04-01"}],
    )
    assert MutualActionPlan.objects.get(pk=draft.map_id).ttv_target_days == 30  # 04-01 − expected close 03-02


def test_daily_backstop_catches_a_recent_deal_the_signal_missed(world):
    opp = world.deal(health=50, segment="ent")
    Opportunity.objects.filter(pk=opp.pk).update(deal_health_score=80, updated_at=clock.now())  # no signal sent
    assert preclose.preclose_scan() == 1
    assert preclose.preclose_scan() == 0
    stale = world.deal(health=50, segment="ent")
    Opportunity.objects.filter(pk=stale.pk).update(deal_health_score=80, updated_at=clock.now())
    clock.advance(days=3)
    assert preclose.preclose_scan() == 0  # older changes were evaluated when they happened


def test_m1_goes_to_the_least_loaded_implementation_engineer_on_the_sow_track(world):
    from gtmos.crm.models import ImplementationSOW
    from tests.factories import EmployeeFactory

    second = EmployeeFactory(role="impl_engineer", user__username="impl2")

    def sow_plan():
        opp = world.deal(segment="ent")
        ImplementationSOW.objects.create(account=world.account, opportunity=opp, hours=80)
        return preclose.preboarding_start(opportunity=opp, by=world.am)

    for owner in (world.impl, world.impl, second):  # open M1s: impl 2, second 1
        sow_plan().milestones.filter(code="M1").update(owner=owner)
    plan = sow_plan()
    m1 = plan.milestones.get(code="M1")
    assert plan.implementation_track and m1.owner_role == "impl_engineer" and m1.owner == second
