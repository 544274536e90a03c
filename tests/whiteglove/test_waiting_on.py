"""The home's "White-glove deals waiting on you" (issue 20, page speed): the pipeline's own rows, read cheaply.

``waiting_on`` must give exactly the pipeline's rows whose next action is the person's, in the pipeline's order,
whether it takes its plain read (no step at the pipeline's per-step cap) or falls back to the pipeline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gtmos.core import clock
from onboarding.models import Deal
from onboarding.whiteglove import selectors

from .conftest import quick_deal

pytestmark = pytest.mark.django_db


def _pipeline_rows(user, role):
    data = selectors.pipeline(user=user, role=role)
    return [row for _, rows, _ in data["groups"] for row in rows if row.mine_next or not data["mine"]]


def _same(a, b):
    key = ("company", "slug", "who", "action", "age_days", "stale", "url")
    return [(r.deal.pk, *(getattr(r, k) for k in key)) for r in a] == [
        (r.deal.pk, *(getattr(r, k) for k in key)) for r in b
    ]


def _world():
    deals = [quick_deal(n) for n in range(1, 6)]
    # A reviewed battle pack (the SDR's to send), one in outreach (the SDR's), one in discovery (the AE's).
    Deal.objects.filter(pk=deals[0].pk).update(ae_reviewed_at=clock.now())
    Deal.objects.filter(pk=deals[1].pk).update(stage=Deal.Stage.OUTREACH)
    Deal.objects.filter(pk=deals[2].pk).update(stage=Deal.Stage.DISCOVERY)
    return deals


@pytest.mark.parametrize("who,role", [("sdr", "sdr"), ("ae", "ae"), ("manager", "ae"), ("manager", "sdr")])
def test_waiting_on_gives_the_pipelines_rows(team, who, role):
    _world()
    user = getattr(team, who).user
    rows = selectors.waiting_on(user=user, role=role)
    assert rows and _same(rows, _pipeline_rows(user, role))


def test_a_full_step_falls_back_to_the_pipeline(team, monkeypatch):
    _world()
    monkeypatch.setattr(selectors, "ROWS_PER_STEP", 2)  # the battle-pack step now holds more than its cap
    for role in ("sdr", "ae"):
        user = getattr(team, role).user
        rows = selectors.waiting_on(user=user, role=role)
        assert _same(rows, _pipeline_rows(user, role))


def test_waiting_on_costs_the_same_queries_with_more_deals(team):
    quick_deal(1)
    user = team.sdr.user
    selectors.waiting_on(user=user, role="sdr")  # the settings row exists

    def count():
        with CaptureQueriesContext(connection) as ctx:
            selectors.waiting_on(user=user, role="sdr")
        return len(ctx)

    small = count()
    for n in range(2, 7):
        quick_deal(n)
    assert count() == small
