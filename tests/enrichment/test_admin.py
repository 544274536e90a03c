"""RevOps' admin: the datasets and settings are editable (audited), sessions and runs are read-only, and a
Lead is deleted only through lead_delete."""

import pytest
from django.urls import reverse

from enrichment.models import Lead
from gtmos.audit.models import Event
from onboarding.models import SessionSettings
from onboarding.services import session as svc
from tests.swarm_support import swarm_on  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def revops(client, django_user_model):
    user = django_user_model.objects.create_superuser("revops", "revops@example.test", "pw-123456")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "name",
    [
        "enrichment_lead",
        "enrichment_enrichmentrun",
        "enrichment_firmographic",
        "enrichment_projectrecord",
        "enrichment_bidinvite",
        "onboarding_onboardingsession",
        "onboarding_sessionsettings",
        "routing_tradeconfig",
        "routing_routersettings",
    ],
)
def test_changelists_load(revops, name):
    assert revops.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_session_settings_changes_are_audited(revops):
    settings = SessionSettings.load()
    url = reverse("admin:onboarding_sessionsettings_change", args=[settings.pk])
    response = revops.post(
        url,
        {
            "session_ttl_days": 21,
            "expansion_seats": 25,
            "expansion_acv": 25000,
            "lead_retention_days": 180,
            "trial_days": 21,
        },
    )
    assert response.status_code == 302 and SessionSettings.load().session_ttl_days == 21
    assert Event.objects.get(type="config.changed").payload["changes"]["session_ttl_days"]["to"] == "21"


def test_deleting_a_lead_in_the_admin_goes_through_lead_delete(revops, swarm_on):
    s = svc.session_start(source="search", idempotency_key="adm", email="x@example.com")
    response = revops.post(
        reverse("admin:enrichment_lead_changelist"),
        {"action": "delete_personal_data", "_selected_action": [str(s.lead_id)]},
    )
    assert response.status_code == 302 and not Lead.objects.exists()
    assert Event.objects.filter(type="lead.deleted", payload__reason="admin").exists()
