"""M7 close + seed 003 handoff; races on real PostgreSQL threads; beat tasks run twice."""

import threading

import pytest
from django.db import connection
from django_fsm import ConcurrentTransition

from gtmos.audit.models import Notification
from gtmos.comp.tasks import comp_hold_daily
from gtmos.core import clock
from gtmos.crm.models import Account
from onboarding.models import CSHandoff, MilestoneItem, OnboardingLog, OnboardingPlan, SuccessTask
from onboarding.services import handoff, milestones
from onboarding.tasks import onboarding_daily

from .conftest import World


def handoff_fields(world, **kw):
    return {
        "delivery_date": clock.today(),
        "findings_document": "/docs/acme-findings.pdf",
        "key_outcomes": "1. SSO live 2. 3 workflows 3. exec dashboard",
        "satisfaction_signal": "CSAT 9/10",
        "relationship_warmth": "strong",
        "warmth_assessed_by": world.am,
        "expansion_signals": "EMEA team",
        "referral_potential": True,
        "referral_basis": "Champion offered a reference call",
        "agreed_follow_up": "QBR in 60 days",
        **kw,
    }


@pytest.fixture
def plan(world):
    return world.close(world.deal())


def test_only_a_csm_closes_onboarding_and_the_handoff_is_filed(world, plan):
    with pytest.raises(handoff.HandoffError):
        handoff.onboarding_close(plan=plan, by=world.am, handoff=handoff_fields(world))
    with pytest.raises(handoff.HandoffError, match="warmth"):
        handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world, warmth_assessed_by=world.csm))
    clock.advance(days=80)
    record = handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world))
    plan.refresh_from_db()
    assert plan.status == "complete" and MilestoneItem.objects.get(plan=plan, code="M7").is_done
    account = Account.objects.get(pk=plan.account_id)
    assert account.onboarding_status == "complete" and account.onboarding_complete_date == clock.today()
    close = OnboardingLog.objects.get(plan=plan, entry_type="close")
    assert close.onboarding_status == "complete" and not close.in_onboarding
    assert (record.filed_by, record.cs_owner, record.relationship_warmth, record.referral_potential) == (
        world.csm,
        world.am,
        "strong",
        True,
    )
    assert sorted(SuccessTask.objects.values_list("kind", flat=True)) == ["check_in_30", "renewal_expansion_review"]
    assert SuccessTask.objects.get(kind="check_in_30").due_date == clock.today() + __import__("datetime").timedelta(
        days=30
    )
    assert Notification.objects.filter(recipient=world.am.user, rule="onboarding.handoff_filed").exists()
    with pytest.raises(handoff.HandoffError, match="not active"):
        handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world))


def test_handoff_acknowledged_once_and_filer_may_acknowledge(world, plan):
    record = handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world, cs_owner=world.csm))
    handoff.handoff_acknowledge(handoff=record, by=world.csm)
    first = CSHandoff.objects.get(pk=record.pk).acknowledged_at
    handoff.handoff_acknowledge(handoff=record, by=world.am)
    record.refresh_from_db()
    assert record.acknowledged_by == world.csm and record.acknowledged_at == first


def test_concurrent_transition_mixin_refuses_a_stale_write(world, plan):
    first = MilestoneItem.objects.get(plan=plan, code="M1")
    stale = MilestoneItem.objects.get(plan=plan, code="M1")
    first.complete(on=clock.today())
    first.save()
    stale.complete(on=clock.today())
    with pytest.raises(ConcurrentTransition):
        stale.save()


def test_beat_tasks_run_twice_leave_the_same_state(world, plan):
    from onboarding.services.map_signoff import map_reject

    map_reject(map_=plan.map, by=world.post_sales, reason="Scope")
    clock.advance(days=40)
    onboarding_daily()
    comp_hold_daily()

    def state():
        return (
            list(MilestoneItem.objects.order_by("pk").values_list("status", "flagged_at")),
            OnboardingLog.objects.count(),
            Notification.objects.count(),
            sorted(plan.opportunity.payouts.values_list("status", flat=True)),
        )

    before = state()
    assert onboarding_daily()["escalations"] == {}
    assert comp_hold_daily() == {"held": 0, "released": 0}
    assert state() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_the_same_milestone_give_one_winner():
    world = World()
    plan = world.close(world.deal())
    item_id = MilestoneItem.objects.get(plan=plan, code="M2").pk
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            milestones.milestone_complete(item=MilestoneItem.objects.get(pk=item_id), by=world.csm.user)
            outcomes.append("won")
        except milestones.MilestoneError as exc:
            outcomes.append(f"lost: {exc}")
        except ConcurrentTransition:
            outcomes.append("lost: concurrent")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["lost", "won"]
    assert OnboardingLog.objects.filter(plan=plan, milestone_id="M2").count() == 1
    assert MilestoneItem.objects.get(pk=item_id).is_done
    assert OnboardingPlan.objects.get(pk=plan.pk).status == "active"
