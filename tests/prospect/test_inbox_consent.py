"""Issue 17 item 4: the inbox opt-in step (seed 002 "Consent + PII": inbox access — bid-invite seeding — is
explicit opt-in). The page says what is read and why, the box is never pre-ticked, the prospect can withdraw at
any time, every grant and withdrawal is an audit Event (who, when, which text version), and the network_seeder's
invite branch runs only while consent stands."""

from __future__ import annotations

import datetime as dt

import pytest

from enrichment.consent import INBOX_CONSENT_PARAGRAPHS, INBOX_CONSENT_VERSION, inbox_consent_digest
from enrichment.models import AgentJob, BidInvite, Lead, NetworkLink
from enrichment.providers.network_seeder import NetworkSeederProvider
from enrichment.services.leads import lead_set_inbox_consent
from enrichment.services.runs import network_reseed
from gtmos.audit.models import Event

from .conftest import COLD_EMAIL, run_agents, walk_to_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def invites(db):
    """Two GCs that invite Squires to bid (as the inbox connector would have recorded them)."""
    BidInvite.objects.bulk_create(
        [
            BidInvite(
                external_id=f"sq-{i}",
                recipient_domain="squiresconstruction.com",
                sender_company=company,
                sender_domain=domain,
                sender_org_type="contractor",
                project_name="Tower",
                received_on=dt.date(2026, 2, i + 1),
            )
            for i, (company, domain) in enumerate([("Hensel Works", "henselworks.com"), ("Turner Build", "turner.com")])
        ]
    )


def from_invites(lead) -> set[str]:
    return set(NetworkLink.objects.filter(lead=lead, source="bid_invite").values_list("company", flat=True))


def consent_events(lead):
    return list(
        Event.objects.filter(type="lead.consent_changed", subject_id=str(lead.pk)).order_by("occurred_at", "pk")
    )


def inbox_url(session) -> str:
    return f"/start/s/{session.pk}/inbox/"


def grant(client, session, version=INBOX_CONSENT_VERSION, agree=True, capture=None):
    data = {"version": version, **({"agree": "on"} if agree else {})}
    if capture is None:
        return client.post(inbox_url(session), data)
    with capture(execute=True):  # the grant re-runs the seeder after commit
        return client.post(inbox_url(session), data)


def test_the_workspace_links_to_the_step_whose_text_says_what_is_read_and_nothing_is_ticked(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    board = client.get(f"/start/s/{session.pk}/workspace/").content.decode()
    assert inbox_url(session) in board
    page = client.get(inbox_url(session))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Off." in html and INBOX_CONSENT_VERSION in html
    for paragraph in INBOX_CONSENT_PARAGRAPHS:
        assert paragraph.split(":")[0] in html  # what is read, never read, why, stopping
    box = html[html.index('name="agree"') - 80 : html.index('name="agree"') + 80]
    assert "checked" not in box
    # the button alone is not consent: the box must be ticked
    refused = grant(client, session, agree=False)
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    assert not Lead.objects.get(pk=session.lead_id).consent_inbox and consent_events(session.lead) == []


def test_a_grant_and_a_withdrawal_are_each_audited_with_who_when_and_the_text_shown(
    client, swarm_on, datasets, frozen_clock, django_capture_on_commit_callbacks
):
    session = walk_to_workspace(client)
    response = grant(client, session, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == inbox_url(session)
    lead = Lead.objects.get(pk=session.lead_id)
    assert lead.consent_inbox and lead.consent_inbox_version == INBOX_CONSENT_VERSION
    assert lead.consent_inbox_at == frozen_clock.now()
    assert "On." in client.get(inbox_url(session)).content.decode()
    grant(client, session)  # a double submit: one audit row
    frozen_clock.advance(hours=2)
    assert client.post(inbox_url(session), {"action": "withdraw"}).status_code == 302
    client.post(inbox_url(session), {"action": "withdraw"})  # again: nothing new
    lead.refresh_from_db()
    assert not lead.consent_inbox and lead.consent_inbox_at is None and lead.consent_inbox_version == ""
    granted, withdrawn = consent_events(lead)
    for event in (granted, withdrawn):
        assert event.actor_type == "user" and event.actor_label == "prospect"  # the prospect, not the system
        assert event.payload["lead_id"] == str(lead.pk) and event.payload["session_id"] == str(session.pk)
        assert event.payload["via"] == "prospect inbox page"
        assert COLD_EMAIL not in str(event.payload)  # the log outlives a deletion: no address in it
    assert granted.payload["action"] == "granted" and granted.payload["inbox"] is True
    assert granted.payload["text_version"] == INBOX_CONSENT_VERSION
    assert granted.payload["text_sha256"] == inbox_consent_digest()
    assert granted.occurred_at == withdrawn.occurred_at - dt.timedelta(hours=2)
    assert withdrawn.payload["action"] == "withdrawn" and withdrawn.payload["inbox"] is False
    history = client.get(inbox_url(session)).content.decode()
    assert "agreed (text " + INBOX_CONSENT_VERSION in history and "withdrawn" in history


def test_a_grant_against_a_text_no_longer_current_is_refused(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    response = grant(client, session, version="inbox-v0-old")
    assert response.status_code == 400 and "changed since you opened it" in response.content.decode()
    assert not Lead.objects.get(pk=session.lead_id).consent_inbox and consent_events(session.lead) == []


def test_the_seeder_reads_invites_only_while_consent_stands(
    client, swarm_on, datasets, invites, django_capture_on_commit_callbacks
):
    session = walk_to_workspace(client)
    lead = session.lead
    assert from_invites(lead) == set()  # the first run, without consent, read none
    grant(client, session, capture=django_capture_on_commit_callbacks)
    job = AgentJob.objects.get(run__lead=lead, agent="network_seeder")
    assert job.status == "pending" and job.attempts == 1  # re-run at once: a new attempt on the same job
    assert run_agents(lead, agents=["network_seeder"]) == ["succeeded"]
    assert from_invites(lead) == {"Hensel Works", "Turner Build"}
    assert "Hensel Works" in client.get(f"/start/s/{session.pk}/workspace/").content.decode()
    # withdrawn: the entries go, and a later run of the seeder reads none
    client.post(inbox_url(session), {"action": "withdraw"})
    assert from_invites(lead) == set()
    assert consent_events(lead)[-1].payload["network_links_removed"] == 2
    assert network_reseed(lead_id=lead.pk)  # any later run (here forced)
    assert run_agents(lead, agents=["network_seeder"]) == ["succeeded"]
    assert from_invites(lead) == set()
    assert "Hensel Works" not in client.get(f"/start/s/{session.pk}/workspace/").content.decode()


def test_an_attempt_that_started_under_consent_writes_no_invites_after_a_withdrawal(
    client, swarm_on, datasets, invites, monkeypatch, django_capture_on_commit_callbacks
):
    """The seeder read the invites while consent stood; the prospect withdrew before its report was written:
    the report must not put them back."""
    session = walk_to_workspace(client)
    grant(client, session, capture=django_capture_on_commit_callbacks)
    original = NetworkSeederProvider.run

    def withdrawn_midway(self, inp, *, deadline):
        out = original(self, inp, deadline=deadline)
        assert inp.consent_inbox and any(n.source == "bid_invite" for n in out.network)
        lead_set_inbox_consent(lead=Lead.objects.get(pk=inp.lead_id), granted=False, via="test")
        return out

    monkeypatch.setattr(NetworkSeederProvider, "run", withdrawn_midway)
    assert run_agents(session.lead, agents=["network_seeder"]) == ["succeeded"]
    assert from_invites(session.lead) == set()


def test_no_reseed_while_the_seeder_has_not_run_yet_and_a_replay_adds_nothing(swarm_on, datasets):
    from onboarding.services import session as flow

    s = flow.session_start(source="referral", idempotency_key="rs", warmth="warm", email=COLD_EMAIL, name="Joe")
    assert not network_reseed(lead_id=s.lead_id)  # still pending: it will read the consent when claimed
    run_agents(s.lead)
    assert network_reseed(lead_id=s.lead_id)
    assert not network_reseed(lead_id=s.lead_id)  # replay: already pending


# --- issue 17 review (i17f): a prospect handed to white glove can withdraw too, and the deal forgets the invites


@pytest.fixture
def big_invites(db):
    BidInvite.objects.create(
        external_id="bb-1",
        recipient_domain="bigbuild.com",
        sender_company="Hensel Works",
        sender_domain="henselworks.com",
        sender_org_type="contractor",
        project_name="Tower",
        received_on=dt.date(2026, 2, 1),
    )


def test_a_white_glove_prospect_withdraws_from_the_specialist_page_and_the_deal_forgets_the_invites(
    client, swarm_on, datasets, big_invites, django_capture_on_commit_callbacks
):
    from onboarding.models import Deal
    from onboarding.models import SessionState as S
    from onboarding.whiteglove.battlepack import battlepack_build

    session = walk_to_workspace(client, email="kim@bigbuild.com")
    assert session.state == S.W5_BATTLEPACK
    page = client.get(f"/start/s/{session.pk}/specialist/").content.decode()
    assert inbox_url(session) in page  # the consent text promises withdrawal at any time: the way there
    response = client.get(inbox_url(session))
    assert response.status_code == 200 and "Off." in response.content.decode()
    grant(client, session, capture=django_capture_on_commit_callbacks)
    lead = Lead.objects.get(pk=session.lead_id)
    assert lead.consent_inbox
    assert run_agents(lead, agents=["network_seeder"]) == ["succeeded"]
    assert from_invites(lead) == {"Hensel Works"}
    deal = battlepack_build(deal=Deal.objects.select_related("session__lead").get(session=session))
    assert any(n["source"] == "bid_invite" for n in deal.dossier["network"])
    # the outreach went out: the pack is history, yet the invites read under consent still go on withdrawal
    Deal.objects.filter(pk=deal.pk).update(outreach_sent_at=deal.battlepack_ready_at)
    assert client.post(inbox_url(session), {"action": "withdraw"}).status_code == 302
    assert from_invites(lead) == set()
    deal.refresh_from_db()
    assert deal.dossier["network"] == [n for n in deal.dossier["network"] if n["source"] != "bid_invite"]
    assert "Hensel Works" not in str(deal.dossier["network"])
    assert "built_at" in deal.dossier  # the rest of the dossier stays


def test_a_reseed_that_fails_after_the_grant_committed_is_a_warning_not_a_500(
    client, swarm_on, datasets, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """Issue 17 review (i17f): the grant is saved and audited; re-running the seeder after commit may fail (the
    database or broker gone for a moment) — the prospect still gets the page, the sweep re-runs it later."""
    from enrichment.services import runs

    session = walk_to_workspace(client)

    def down(**kwargs):
        raise ConnectionError("broker unavailable")

    monkeypatch.setattr(runs, "network_reseed", down)
    response = grant(client, session, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Lead.objects.get(pk=session.lead_id).consent_inbox
    assert "after-commit" in caplog.text and "broker unavailable" in caplog.text  # logged, not raised
