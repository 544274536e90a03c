"""RevOps owns the weights and thresholds: edited in admin, validated, audited, and used by the next run."""

import pytest
from django.contrib.admin.sites import site
from django.forms.models import model_to_dict

from gtmos.audit.models import Event
from gtmos.health.measures import measure_weights
from gtmos.health.models import CustomerHealthLog, HealthSettings
from gtmos.health.services.daily import health_daily
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres


def _post(client, **changes):
    settings = HealthSettings.load()
    data = {k: v for k, v in model_to_dict(settings).items() if k != "id"}
    data["ticket_penalties"] = '{"urgent": 30, "high": 15, "normal": 5, "low": 2}'
    data.update(changes)
    return client.post("/admin/health/healthsettings/1/change/", data)


def test_weights_that_do_not_add_up_to_100_are_refused(client, book):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = _post(client, weight_engagement=40)
    assert response.status_code == 200 and "must add up to 100" in response.content.decode()
    assert HealthSettings.load().weight_engagement == 30


def test_a_weight_change_is_audited_and_the_next_run_uses_it(client, book):
    from gtmos.health.models import SurveyResponse

    account = book.healthy(book.customer("Mixed Co"))
    SurveyResponse.objects.filter(account=account).update(score=0)  # a detractor: satisfaction is weak
    health_daily()
    before = CustomerHealthLog.objects.get(account=account)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert (
        _post(client, weight_engagement=50, weight_adoption=20, weight_satisfaction=20, weight_growth=10).status_code
        == 302
    )
    event = Event.objects.get(type="config.changed")
    assert event.payload["changes"]["weight_engagement"] == {"from": "30", "to": "50"}
    assert site._registry[HealthSettings]
    health_daily()
    after = CustomerHealthLog.objects.get(account=account)
    # The same measures, re-weighted: the score is their mean under the new component weights.
    assert after.measures == before.measures and after.score != before.score
    weights = measure_weights({"engagement": 50, "adoption": 20, "satisfaction": 20, "growth": 10})
    have = {code: s for code, s in after.measures.items() if s is not None}
    assert after.score == round(sum(weights[c] * s for c, s in have.items()) / sum(weights[c] for c in have))
