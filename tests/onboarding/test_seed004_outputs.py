"""Issue 16 item 12 — seed 004's output formats: "Escalation procedures" (per kind: trigger, route, timing,
follow-up, beside the resolution-time figures, from the RevOps settings) and "Onboarding checklists"."""

import csv
import io

import pytest

from onboarding.models import Escalation, OnboardingSettings

pytestmark = pytest.mark.postgres


def test_escalation_procedures_follow_the_revops_settings(client, world):
    world.close(world.deal())
    client.force_login(world.slm.user)
    page = client.get("/onboarding/escalations/").content.decode()
    assert "Escalation procedures" in page and "Trigger" in page and "Follow-up" in page
    for kind in Escalation.Kind:
        assert kind.label in page
    assert "2 consecutive outreaches" in page
    settings = OnboardingSettings.load()
    settings.unresponsive_alert_after = 3
    settings.save()
    assert "3 consecutive outreaches" in client.get("/onboarding/escalations/").content.decode()


def test_the_onboarding_checklist_exports_as_csv(client, world):
    plan = world.close(world.deal())
    client.force_login(world.csm.user)
    response = client.get(f"/onboarding/plans/{plan.pk}/checklist.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Milestone", "Name", "Owner", "Target date"]
    assert [r[0] for r in rows[1:]] == ["M1", "M2", "M3", "M4", "M5", "M6", "M7"]
    client.force_login(world.other_csm.user)
    assert client.get(f"/onboarding/plans/{plan.pk}/checklist.csv").status_code == 404


def test_the_onboarding_checklist_is_a_printable_page(client, world):
    from gtmos.core import clock
    from onboarding.services import training
    from tests.factories import ContactFactory

    plan = world.close(world.deal())
    ada = ContactFactory(account=world.account, name="Ada Admin")
    training.training_schedule(
        plan=plan,
        by=world.csm,
        title="Admin training",
        audience="admin",
        scheduled_for=clock.now(),
        invitee_ids=[ada.pk],
    )
    client.force_login(world.csm.user)
    plan_page = client.get(f"/onboarding/plans/{plan.pk}/").content.decode()
    assert f"/onboarding/plans/{plan.pk}/checklist/" in plan_page
    page = client.get(f"/onboarding/plans/{plan.pk}/checklist/").content.decode()
    assert "Onboarding checklist: Acme Corp" in page
    for code in ("M1", "M2", "M3", "M4", "M5", "M6", "M7"):
        assert f">{code} " in page
    assert "Training schedule" in page and "Admin training" in page and "Ada Admin" in page
    assert "no-print" in page  # the crumbs and hints stay off paper (shell.css @media print)
    client.force_login(world.other_csm.user)
    assert client.get(f"/onboarding/plans/{plan.pk}/checklist/").status_code == 404
