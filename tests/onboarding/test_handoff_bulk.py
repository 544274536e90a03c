"""Bulk acknowledge on the CS handoffs list (issue 20 item 3): the CS owner or their chain acknowledges ticked
handoffs in one go — all or none, each audited like one by one; others get no boxes and a refusal."""

import pytest

from gtmos.audit.models import Event
from onboarding.models import CSHandoff
from onboarding.services import handoff

from .test_handoff_and_concurrency import handoff_fields

pytestmark = pytest.mark.postgres


@pytest.fixture
def records(world):
    out = []
    for _ in range(2):
        plan = world.close(world.deal())
        out.append(handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world)))  # owner: AM
    return out


def test_the_cs_owner_acknowledges_ticked_handoffs_in_one_go(client, world, records):
    client.force_login(world.am.user)
    body = client.get("/onboarding/handoffs/").content.decode()
    assert "Acknowledge ticked" in body and body.count('name="handoff"') == 2
    assert 'href="/onboarding/handoffs/"' in client.get("/").content.decode()  # in the AM's menu
    response = client.post("/onboarding/handoffs/acknowledge/", {"handoff": [r.pk for r in records]}, follow=True)
    assert "Acknowledged 2 handoffs." in response.content.decode()
    assert set(CSHandoff.objects.values_list("acknowledged_by", flat=True)) == {world.am.pk}
    assert Event.objects.filter(type="onboarding.handoff_acknowledged").count() == 2
    # Again: idempotent, nothing more is written; the pending list is now empty.
    client.post("/onboarding/handoffs/acknowledge/", {"handoff": [r.pk for r in records]})
    assert Event.objects.filter(type="onboarding.handoff_acknowledged").count() == 2
    assert "No handoffs waiting" in client.get("/onboarding/handoffs/").content.decode()
    assert "acknowledged</span>" in client.get("/onboarding/handoffs/?state=acknowledged").content.decode()


def test_someone_not_on_the_chain_gets_no_boxes_and_a_refusal_for_the_whole_batch(client, world, records):
    client.force_login(world.csm.user)  # the filer sees the plans but is not the CS owner
    body = client.get("/onboarding/handoffs/").content.decode()
    assert "Acme Corp" in body and 'name="handoff"' not in body and "Acknowledge ticked" not in body
    response = client.post("/onboarding/handoffs/acknowledge/", {"handoff": [records[0].pk]}, follow=True)
    assert "not yours" in response.content.decode()
    assert not CSHandoff.objects.filter(acknowledged_at__isnull=False).exists()
    # The manager may, but a batch with a handoff outside their view is refused whole.
    client.force_login(world.manager.user)
    response = client.post("/onboarding/handoffs/acknowledge/", {"handoff": [records[0].pk, 999999]}, follow=True)
    assert "reload the list" in response.content.decode()
    assert not CSHandoff.objects.filter(acknowledged_at__isnull=False).exists()
    response = client.post("/onboarding/handoffs/acknowledge/", {"handoff": ["x"]}, follow=True)
    assert response.status_code == 200 and "Tick the handoffs" in response.content.decode()


def test_the_cro_reads_the_queue_without_boxes_and_cannot_acknowledge(client, world, records):
    client.force_login(world.cro.user)
    body = client.get("/onboarding/handoffs/").content.decode()
    assert "Acme Corp" in body and 'name="handoff"' not in body and "Acknowledge ticked" not in body
    assert client.post("/onboarding/handoffs/acknowledge/", {"handoff": [records[0].pk]}).status_code == 404
    assert not CSHandoff.objects.filter(acknowledged_at__isnull=False).exists()


@pytest.mark.parametrize("who", ["ae", "post_sales"])
def test_roles_that_do_not_acknowledge_are_refused_and_have_no_menu_item(client, world, records, who):
    client.force_login(getattr(world, who).user)
    assert client.get("/onboarding/handoffs/").status_code == 404
    assert client.post("/onboarding/handoffs/acknowledge/", {"handoff": [records[0].pk]}).status_code == 404
    assert 'href="/onboarding/handoffs/"' not in client.get("/").content.decode()
    assert not CSHandoff.objects.filter(acknowledged_at__isnull=False).exists()
