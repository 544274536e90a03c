"""Issue 17 item 5: each persona's first surface is a page of its own, seeded from what the swarm found
(seed 002 G4: "estimator:jobs, owner_exec:analytics, pm:network, field:field_ops"; "field → Field Ops, not
chat"; DESIGN.md: an owner on the self-serve track bids, so lands on jobs)."""

import pytest
from django.test import Client

from enrichment.models import NetworkLink, Pursuit

from .conftest import confirm_as, walk_to_workspace

pytestmark = pytest.mark.django_db


def landing(client, session):
    page = client.get(f"/start/s/{session.pk}/workspace/")
    assert page.status_code == 200
    return page


@pytest.mark.parametrize(
    ("role", "surface", "marker"),
    [
        ("estimator", "jobs", b'aria-label="Pursuits board"'),
        ("pm", "network", b'id="network-title"'),
        ("field", "field_ops", b'id="fieldops-title"'),
        ("owner_exec", "jobs", b'aria-label="Pursuits board"'),  # self-serve owner: jobs (DESIGN.md)
    ],
)
def test_each_persona_lands_on_its_own_surface(client, swarm_on, datasets, role, surface, marker):
    session = walk_to_workspace(client, role=role)
    assert session.route.primary_surface == surface
    page = landing(client, session)
    assert f'data-surface="{surface}"'.encode() in page.content
    assert marker in page.content
    others = {b'aria-label="Pursuits board"', b'id="network-title"', b'id="fieldops-title"', b'id="analytics-title"'}
    assert not any(m in page.content for m in others - {marker})  # one surface, not the same board for everyone


def test_owner_exec_off_the_self_serve_track_lands_on_analytics(client, swarm_on, datasets):
    """G4: owner_exec → analytics (the self-serve exception aside). A white-glove owner waits for a specialist
    and meanwhile sees the analytics of the pipeline found — read-only, nothing of the self-serve loop."""
    from enrichment.models import Lead
    from onboarding.models import SessionState as S
    from onboarding.prospect.links import warm_link_path
    from onboarding.services import session as flow
    from tests.swarm_support import run_agents

    warm = flow.session_start(
        source="outbound", warmth="warmest", email="ceo@bigbuild.com", name="Pat Big", title="CEO", idempotency_key="wg"
    )
    run_agents(warm.lead)
    client.get(warm_link_path(Lead.objects.get(pk=warm.lead_id)))
    warm.refresh_from_db()
    if warm.state == S.S3_CONFIRM:  # something below θ is asked, even of a warm lead
        warm = confirm_as(client, warm, role="owner_exec")
    page = client.get(f"/start/s/{warm.pk}/", follow=True)
    assert warm.state in (S.W5_BATTLEPACK, S.W6_OUTREACH), warm.state
    assert warm.route.persona == "owner_exec" and warm.route.primary_surface == "analytics"
    assert b"A specialist will set you up" in page.content
    assert b'data-surface="analytics"' in page.content and b"Your pipeline, as we found it" in page.content
    assert b"Scope this one" not in page.content and b"Watch</button>" not in page.content
    assert Client().get(f"/start/s/{warm.pk}/specialist/").status_code == 404


def test_analytics_adds_up_the_pipeline_the_swarm_found(client, swarm_on, datasets):
    session = walk_to_workspace(client, role="owner_exec")
    pursuits = list(Pursuit.objects.filter(lead=session.lead))
    assert pursuits, "the sample company has public projects"
    Pursuit.objects.create(lead=session.lead, name="Unpriced permit", source="permit")  # no value: counted, not summed
    page = client.get(f"/start/s/{session.pk}/workspace/analytics/")
    assert page.status_code == 200
    data = page.context["analytics"]
    assert data.found == len(pursuits) + 1
    assert data.value == int(sum(p.value or 0 for p in pursuits))
    assert data.valued == sum(1 for p in pursuits if p.value is not None)
    assert sum(n for _, n, _ in data.by_status) == data.found and sum(v for _, _, v in data.by_source) == data.value
    assert f"${data.value:,}".encode() in page.content
    titles = [lever.title for lever in data.levers]
    assert "Bid the closest fits first" in titles and "Bid with the companies you know" in titles
    strong = sum(1 for p in pursuits if p.match_score >= 0.7)
    assert f"{strong} of {data.found}" in [lever.figure for lever in data.levers]


def test_network_lists_gcs_and_subs_strongest_first(client, swarm_on, datasets):
    session = walk_to_workspace(client, role="pm")
    NetworkLink.objects.filter(lead=session.lead).delete()
    NetworkLink.objects.bulk_create(
        [
            NetworkLink(lead=session.lead, company="Turner Build", relation="gc", source="crm", strength=2),
            NetworkLink(lead=session.lead, company="Hensel Works", relation="gc", source="crm", strength=5),
            NetworkLink(lead=session.lead, company="Ace Drywall", relation="sub", source="crm", trade="drywall"),
        ]
    )
    page = landing(client, session)
    network = page.context["network"]
    assert [n.company for n in network.gcs] == ["Hensel Works", "Turner Build"]
    assert [n.company for n in network.subs] == ["Ace Drywall"] and network.total == 3
    assert b"General contractors" in page.content and b"Ace Drywall" in page.content


def test_field_ops_is_a_checklist_read_from_the_sessions_records(client, swarm_on, datasets):
    session = walk_to_workspace(client, role="field")
    page = landing(client, session)
    steps = {s.title: s.done for s in page.context["field_ops"].steps}
    assert steps["Pick your first jobsite"] is False and steps["Bring your crew"] is False
    assert b"Chat" not in page.content.split(b'class="surface field-ops"')[1]  # field → Field Ops, not chat
    pursuit = Pursuit.objects.filter(lead=session.lead).exclude(location="").first()
    client.post(f"/start/s/{session.pk}/question/", {"pursuit": str(pursuit.pk)})
    client.post(f"/start/s/{session.pk}/team/", {"email": "crew@squiresconstruction.com", "role": "field"})
    client.post(f"/start/s/{session.pk}/takeoff/")
    session.refresh_from_db()
    page = client.get(f"/start/s/{session.pk}/workspace/field-ops/")
    steps = {s.title: s for s in page.context["field_ops"].steps}
    assert steps["Pick your first jobsite"].done and pursuit.name in steps["Pick your first jobsite"].detail
    assert steps["Get the quantities your crew installs"].done and steps["Bring your crew"].done
    assert page.context["field_ops"].done >= 3


def test_surfaces_have_empty_states(client, swarm_on, datasets):
    session = walk_to_workspace(client, role="owner_exec")
    Pursuit.objects.filter(lead=session.lead).delete()
    NetworkLink.objects.filter(lead=session.lead).delete()
    assert b"no pipeline to add up" in client.get(f"/start/s/{session.pk}/workspace/analytics/").content
    assert b"We didn't find the GCs and subs" in client.get(f"/start/s/{session.pk}/workspace/network/").content
    assert b"No jobsites found near you yet" in client.get(f"/start/s/{session.pk}/workspace/field-ops/").content


def test_every_surface_is_reachable_from_the_workspace_and_only_by_its_prospect(client, swarm_on, datasets):
    session = walk_to_workspace(client, role="estimator")
    page = landing(client, session)
    for slug in ("jobs", "analytics", "network", "field-ops"):
        url = f"/start/s/{session.pk}/workspace/{slug}/"
        assert f'href="{url}"'.encode() in page.content
        assert client.get(url).status_code == 200
        assert Client().get(url).status_code == 404  # another browser: the session id alone opens nothing
    assert client.get(f"/start/s/{session.pk}/workspace/sarah/").status_code == 404
    assert b'aria-current="page"' in client.get(f"/start/s/{session.pk}/workspace/network/").content
