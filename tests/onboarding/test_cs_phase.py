"""Issue 16 item 11 — seed 003: the customer-success phase ("30-day check-in scheduled", "Renewal/expansion
review initiated") is a workflow: tasks are completed by their owner and remind them; the handoff is
"Acknowledged by: {CS owner}" — the named owner or someone up their chain, nobody else."""

import datetime as dt

import pytest

from gtmos.audit.models import Notification
from gtmos.core import clock
from onboarding.models import SuccessTask
from onboarding.services import handoff
from onboarding.services.daily import onboarding_daily

from .test_handoff_and_concurrency import handoff_fields

pytestmark = pytest.mark.postgres


@pytest.fixture
def record(world):
    plan = world.close(world.deal())
    return handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world))  # CS owner: the AM


def test_only_the_cs_owner_or_their_chain_acknowledges(world, record):
    with pytest.raises(handoff.HandoffError, match="CS owner"):
        handoff.handoff_acknowledge(handoff=record, by=world.other_csm)
    with pytest.raises(handoff.HandoffError, match="CS owner"):
        handoff.handoff_acknowledge(handoff=record, by=world.csm)  # the filer, but not the owner
    handoff.handoff_acknowledge(handoff=record, by=world.manager)  # the AM's manager
    record.refresh_from_db()
    assert record.acknowledged_by == world.manager


def test_the_owner_completes_a_success_task_with_a_note(client, world, record):
    task = SuccessTask.objects.get(handoff=record, kind="check_in_30")
    with pytest.raises(handoff.HandoffError):
        handoff.success_task_complete(task=task, by=world.other_csm, note="done")
    client.force_login(world.am.user)
    client.post(f"/onboarding/success-tasks/{task.pk}/complete/", {"note": "Check-in held; QBR booked"})
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == world.am and task.note == "Check-in held; QBR booked"
    page = client.get(f"/onboarding/handoffs/{record.pk}/").content.decode()
    assert "Check-in held; QBR booked" in page


def test_success_tasks_remind_their_owner_when_due_and_when_overdue_once_each(world, record):
    rule = "onboarding.success_task_due"
    clock.advance(days=26)
    onboarding_daily()
    assert not Notification.objects.filter(rule=rule).exists()
    clock.advance(days=1)  # 3 days before the due date
    onboarding_daily()
    onboarding_daily()
    assert Notification.objects.filter(rule=rule, recipient=world.am.user).count() == 2  # both tasks
    clock.advance(days=4)  # overdue
    onboarding_daily()
    assert Notification.objects.filter(rule="onboarding.success_task_overdue", recipient=world.am.user).count() == 2
    task = SuccessTask.objects.filter(handoff=record).first()
    handoff.success_task_complete(task=task, by=world.am, note="done")
    clock.advance(days=1)
    onboarding_daily()
    assert Notification.objects.filter(rule="onboarding.success_task_overdue").count() == 2
    assert task.due_date == record.filed_at.date() + dt.timedelta(days=30)


def test_only_the_cs_owner_sees_the_acknowledge_button(client, world, record):
    client.force_login(world.csm.user)  # the filer, not the owner
    assert "Acknowledge handoff" not in client.get(f"/onboarding/handoffs/{record.pk}/").content.decode()
    client.force_login(world.am.user)
    assert "Acknowledge handoff" in client.get(f"/onboarding/handoffs/{record.pk}/").content.decode()
