"""Issue 19 (the 50-lead burst): the white-glove research hooks run on the swarm's hot path, where nearly no
lead has a deal. They must still queue the rebuild for a lead that has one — and look for no deal when the
lead's session cannot have one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrichment import hooks
from enrichment.models import AgentJob, EnrichmentRun, ProjectRecord
from onboarding import tasks
from onboarding.models import OnboardingSession
from onboarding.models import SessionState as S
from onboarding.services import session as flow
from tests.swarm_support import run_agents

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The rebuild tasks queued after commit (their delivery is tested in test_research_evidence)."""
    calls = []
    monkeypatch.setattr(tasks.battlepack_research_rebuild, "delay", lambda **kw: calls.append(kw))
    return calls


def test_a_profile_change_after_w5_reroutes_and_queues_the_deals_rebuild(
    team, wg, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hooks.profile_changed.send(sender=EnrichmentRun, lead=wg.session.lead, fields=["trade", "org_type"], crossed=[])
    assert queued == [{"deal_id": str(wg.pk), "because": "profile: org_type, trade"}]


def test_an_async_agent_with_pursuits_queues_the_rebuild_of_the_leads_open_deal(
    team, wg, queued, django_capture_on_commit_callbacks
):
    ProjectRecord.objects.create(
        external_id="bid-late", source="public_bid", name="Mesa data center power", state="AZ", city="Mesa",
        trades=["electrical"], value=40_000_000,
    )  # fmt: skip
    job = AgentJob.objects.get(run__lead=wg.session.lead, agent="project_finder")
    AgentJob.objects.filter(pk=job.pk).update(status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        assert run_agents(wg.session.lead, agents=["project_finder"]) == ["succeeded"]
    assert queued == [{"deal_id": str(wg.pk), "because": "project_finder"}]


def test_a_profile_change_of_a_lead_not_in_white_glove_looks_for_no_deal(
    team, swarm_on, datasets, queued, django_capture_on_commit_callbacks
):
    s = flow.session_start(source="search", idempotency_key="k:hooks")
    s = flow.session_submit_email(session=s, email="joe@squiresconstruction.com")
    run_agents(s.lead, agents=["domain_site", "classifier", "size_estimator", "role_resolver"])
    assert OnboardingSession.objects.get(pk=s.pk).state == S.S3_CONFIRM  # not routed yet: no deal possible
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        hooks.profile_changed.send(sender=EnrichmentRun, lead=s.lead, fields=["trade"], crossed=[])
    assert len(queries.captured_queries) == 1  # the session (not routed): no reroute, no deal lookup
    assert not [q for q in queries.captured_queries if "onboarding_deal" in q["sql"]]
    assert queued == []
