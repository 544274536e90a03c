"""Onboarding pages: 404 for a user who may not see the record; query counts flat as the book grows."""

import pytest

from onboarding.models import MutualActionPlan
from onboarding.services import handoff, map_signoff, preclose

from .test_handoff_and_concurrency import handoff_fields


def record_urls(world, plan):
    request = map_signoff.ttv_change_request(
        map_=_accepted(world, plan), by=world.csm, requested_days=100, reason="slip"
    )
    return [
        f"/onboarding/preclose/{plan.opportunity_id}/",
        f"/onboarding/review/{plan.map_id}/",
        f"/onboarding/plans/{plan.pk}/",
        f"/onboarding/plans/{plan.pk}/?fragment=board",
        f"/onboarding/plans/{plan.pk}/?fragment=log",
        f"/onboarding/plans/{plan.pk}/close/",
        f"/onboarding/ttv-requests/{request.pk}/",
    ]


def _accepted(world, plan):
    return map_signoff.map_accept(map_=MutualActionPlan.objects.get(pk=plan.map_id), by=world.post_sales)


def test_every_record_page_is_404_for_a_user_outside_the_account(client, world):
    plan = world.close(world.deal())
    urls = record_urls(world, plan)
    record = handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world))
    urls.append(f"/onboarding/handoffs/{record.pk}/")
    for url in urls:
        client.force_login(world.other_csm.user)
        assert client.get(url).status_code == 404, url
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404, url
        client.force_login(world.csm.user)
        assert client.get(url).status_code == 200, url


def test_actions_are_404_for_a_user_outside_the_account(client, world):
    opp = world.deal()
    plan = world.close(opp)
    client.force_login(world.other_csm.user)
    for url in [
        f"/onboarding/preclose/{opp.pk}/start/",
        f"/onboarding/plans/{plan.pk}/milestones/M1/complete/",
        f"/onboarding/plans/{plan.pk}/activity/",
        f"/onboarding/plans/{plan.pk}/ttv-request/",
    ]:
        assert client.post(url, {"kind": "outreach"}).status_code == 404, url
    assert not plan.milestones.filter(status="done").exists()


def test_review_queue_is_for_post_sales_and_slm_only(client, world):
    world.close(world.deal())
    client.force_login(world.csm.user)
    assert client.get("/onboarding/review/").status_code == 404
    for who in (world.post_sales, world.slm):
        client.force_login(who.user)
        assert client.get("/onboarding/review/").status_code == 200


def test_reject_form_shows_a_field_error_and_changes_nothing(client, world):
    plan = world.close(world.deal())
    client.force_login(world.post_sales.user)
    response = client.post(f"/onboarding/review/{plan.map_id}/", {"action": "reject", "reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert MutualActionPlan.objects.get(pk=plan.map_id).postsales_signoff_status == "pending"


def test_milestone_complete_through_htmx_returns_the_workspace(client, world):
    plan = world.close(world.deal())
    client.force_login(world.csm.user)
    response = client.post(f"/onboarding/plans/{plan.pk}/milestones/M3/complete/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="workspace"' in response.content.decode()
    assert "needs evidence" in response.content.decode()
    response = client.post(
        f"/onboarding/plans/{plan.pk}/milestones/M3/complete/", {"evidence": "roster"}, HTTP_HX_REQUEST="true"
    )
    assert plan.milestones.get(code="M3").is_done


def _grow(world, n):
    for _ in range(n):
        opp = world.deal()
        preclose.preboarding_start(opportunity=opp, by=world.am)
        world.close(opp)


LIST_PAGES = ["/onboarding/preclose/", "/onboarding/review/", "/onboarding/cockpit/", "/onboarding/cockpit/?all=1"]


@pytest.mark.parametrize("who", ["csm", "slm", "post_sales"])
def test_list_pages_render_in_constant_queries(client, world, django_assert_max_num_queries, who):
    client.force_login(getattr(world, who).user)
    _grow(world, 2)
    counts = {}
    for url in LIST_PAGES:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code in (200, 404)
        counts[url] = len(ctx)
    _grow(world, 8)
    for url in LIST_PAGES:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


def test_plan_page_renders_in_constant_queries(client, world, django_assert_max_num_queries):
    plan = world.close(world.deal())
    client.force_login(world.csm.user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/onboarding/plans/{plan.pk}/")
    from onboarding.services import activity

    for _ in range(15):
        activity.activity_log(plan=plan, kind="meeting", by=world.csm, notes="sync")
    with django_assert_max_num_queries(len(ctx)):
        client.get(f"/onboarding/plans/{plan.pk}/")
