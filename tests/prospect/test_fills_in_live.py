"""Issue 17 item 12 / issue 19 item 5: "the 2 async agents can resolve after the user is already in the workspace
(pipeline fills in live)" — the board AND the header, the question and the profile chips update without a
reload, with a visible "still looking…" state, and the polling stops once the run has settled."""

import re

import pytest

from enrichment.enums import SYNC_AGENTS, AgentId
from enrichment.models import EnrichmentRun, Pursuit
from enrichment.services.runs import run_deadline_enforce
from onboarding.models import SessionState as S
from tests.swarm_support import run_agents

from .conftest import capture, confirm_as, session_of

pytestmark = pytest.mark.django_db


def fragment(client, url):
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def polls(html: str) -> bool:
    return bool(re.search(r'<div id="live"[^>]*hx-trigger="every \d+ms"', html))


def in_the_workspace_before_the_swarm_is_done(client):
    """The prospect reaches the workspace while domain_site (HQ, website) is past its deadline and both async
    agents have not reported yet — the seed's "can resolve after the user is already in the workspace"."""
    capture(client)
    session = session_of(client)
    late = {AgentId.DOMAIN_SITE}
    run_agents(session.lead, agents=[a for a in SYNC_AGENTS if a not in late])
    run_deadline_enforce(run_id=EnrichmentRun.objects.get(lead=session.lead).pk)  # S2 → S3 as partial
    session.refresh_from_db()
    assert session.state == S.S3_CONFIRM
    session = confirm_as(client, session, role="estimator")
    assert session.state == S.S5_VALUE
    return session


def test_the_header_question_chips_and_board_fill_in_and_polling_stops(client, swarm_on, datasets):
    session = in_the_workspace_before_the_swarm_is_done(client)
    url = f"/start/s/{session.pk}/workspace/"
    page = client.get(url).content.decode()
    assert polls(page) and "Still looking…" in page
    assert "0</strong> projects found" in page and "Based in" not in page

    before = fragment(client, url)
    assert polls(before) and "Still looking…" in before
    assert '<header class="ws-head" id="ws-head" hx-swap-oob="true">' in before  # the header rides along
    assert '<div id="q-head" hx-swap-oob="true">' in before and "or name it here" in before
    assert "Hq" not in before and "HQ" not in before.split('id="ws-head"')[1].split("</header>")[0]

    run_agents(session.lead)  # the late sync agent and both async agents report
    found = Pursuit.objects.filter(lead=session.lead).count()
    assert found > 0

    after = fragment(client, url)
    head = after.split('id="ws-head"')[1].split("</header>")[0]
    assert f"{found}</strong> project{'s' if found != 1 else ''} found" in head
    assert "HQ" in head and "Austin" in head  # a chip from the late agent, without a reload
    assert "or name another one" in after.split('id="q-head"')[1]  # the question follows the board
    assert "Scope this one" in after
    assert not polls(after) and "Still looking…" not in after  # settled: the fragment no longer carries the trigger


def test_every_surface_polls_its_own_url_while_filling(client, swarm_on, datasets):
    session = in_the_workspace_before_the_swarm_is_done(client)
    for slug in ("analytics", "network", "field-ops"):
        url = f"/start/s/{session.pk}/workspace/{slug}/"
        html = fragment(client, url)
        assert polls(html) and f'hx-get="{url}"' in html and "Still looking…" in html
    run_agents(session.lead)
    for slug in ("analytics", "network", "field-ops"):
        assert not polls(fragment(client, f"/start/s/{session.pk}/workspace/{slug}/"))


def test_an_agent_waiting_on_the_retry_ladder_keeps_a_slow_poll_and_says_so(client, swarm_on, datasets, settings):
    from enrichment.enums import JobStatus
    from enrichment.models import AgentJob

    session = in_the_workspace_before_the_swarm_is_done(client)
    run_agents(session.lead)
    job = AgentJob.objects.get(run__lead=session.lead, agent=AgentId.NETWORK_SEEDER)
    AgentJob.objects.filter(pk=job.pk).update(status=JobStatus.RETRY_WAIT)
    html = fragment(client, f"/start/s/{session.pk}/workspace/")
    assert f'hx-trigger="every {settings.PROSPECT_RETRY_POLL_MS}ms"' in html
    assert "we'll try it again shortly" in html
    AgentJob.objects.filter(pk=job.pk).update(status=JobStatus.ABANDONED)
    assert not polls(fragment(client, f"/start/s/{session.pk}/workspace/"))
