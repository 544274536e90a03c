"""Issue 16 item 9 — seed 004, "Escalation management": "Track resolution times; ensure follow-through".
Each escalation resolves when its condition clears; open ones are nudged again; a report gives the median
resolution time per kind."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from gtmos.audit.models import Notification
from gtmos.core import clock
from onboarding.models import Escalation, MilestoneItem, MutualActionPlan, OnboardingSettings
from onboarding.selectors import escalation_report
from onboarding.services import handoff, milestones
from onboarding.services.escalations import escalation_scan

from .test_handoff_and_concurrency import handoff_fields

pytestmark = pytest.mark.postgres


@pytest.fixture
def plan(world):
    return world.close(world.deal())


def _item(plan, code):
    return MilestoneItem.objects.get(plan=plan, code=code)


def test_completing_m5_resolves_the_exec_sponsor_flag_at_once(world, plan):
    clock.advance(days=45)
    escalation_scan()
    flag = Escalation.objects.get(kind="exec_sponsor")
    assert flag.resolved_at is None
    clock.advance(hours=5)
    milestones.milestone_complete(item=_item(plan, "M5"), by=world.csm.user)
    flag.refresh_from_db()
    assert flag.resolved_at == clock.now()


def test_ttv_completing_resolves_the_ttv_miss(world, plan):
    clock.advance(days=20)
    escalation_scan()
    assert Escalation.objects.filter(kind="ttv_miss", resolved_at__isnull=True).exists()
    milestones.milestone_complete(item=_item(plan, "M4"), by=world.csm.user)
    milestones.milestone_complete(item=_item(plan, "M6"), by=world.csm.user)
    assert not Escalation.objects.filter(kind="ttv_miss", resolved_at__isnull=True).exists()


def test_closing_onboarding_resolves_every_open_escalation(world, plan):
    clock.advance(days=50)
    escalation_scan()
    assert Escalation.objects.filter(plan=plan, resolved_at__isnull=True).count() >= 2
    handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world))
    assert not Escalation.objects.filter(plan=plan, resolved_at__isnull=True).exists()


def test_an_open_escalation_is_nudged_again_every_renudge_interval(world, plan):
    clock.advance(days=20)
    escalation_scan()  # ttv_miss → CSM + AM
    rule = "onboarding.ttv_miss.reminder"
    clock.advance(days=6)
    escalation_scan()
    assert not Notification.objects.filter(rule=rule).exists()
    clock.advance(days=1)  # 7 days open
    escalation_scan()
    escalation_scan()
    assert Notification.objects.filter(rule=rule, recipient=world.csm.user).count() == 1
    clock.advance(days=7)
    escalation_scan()
    assert Notification.objects.filter(rule=rule, recipient=world.csm.user).count() == 2
    settings = OnboardingSettings.load()
    settings.escalation_renudge_days = 0  # RevOps turns reminders off
    settings.save()
    clock.advance(days=7)
    escalation_scan()
    assert Notification.objects.filter(rule=rule, recipient=world.csm.user).count() == 2


def test_the_report_gives_the_median_resolution_time_per_kind(world, plan):
    other = world.close(world.deal())
    now = clock.now()
    for p, hours in ((plan, 10), (other, 30)):
        Escalation.objects.create(
            plan=p,
            kind="exec_sponsor",
            dedupe_key=f"x:{p.pk}",
            fired_at=now,
            resolved_at=now + dt.timedelta(hours=hours),
        )
    Escalation.objects.create(plan=plan, kind="exec_sponsor", dedupe_key="open", fired_at=now)
    rows = {r["kind"]: r for r in escalation_report(user=world.slm.user)["kinds"]}
    assert (rows["exec_sponsor"]["fired"], rows["exec_sponsor"]["resolved"], rows["exec_sponsor"]["open"]) == (3, 2, 1)
    assert rows["exec_sponsor"]["median"] == dt.timedelta(hours=20)


@pytest.mark.django_db(transaction=True)
def test_the_report_page_shows_the_median_per_kind_from_demo_data(client, frozen_clock):
    call_command("seed_demo", "--accounts", "120", "--seed", "3", stdout=io.StringIO())
    resolved = Escalation.objects.filter(resolved_at__isnull=False)
    assert resolved.values("kind").distinct().count() >= 2  # the demo walks its plans through time
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(employee__role="slm"))
    page = client.get("/onboarding/escalations/").content.decode()
    report = {r["kind"]: r for r in escalation_report(user=get_user_model().objects.get(employee__role="slm"))["kinds"]}
    for kind in resolved.values_list("kind", flat=True).distinct():
        assert report[kind]["median"] is not None
        # The kind's row in the page carries its median, as computed from the demo's resolved escalations.
        row = page[page.index(f"{Escalation.Kind(kind).label}</a>") :]
        row = row[: row.index("</tr>")]
        assert f">{report[kind]['median_text']}" in row, (kind, row)
    assert "Median time to resolve" in page
    assert MutualActionPlan.objects.exists()
