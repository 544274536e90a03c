"""Issue 17 item 6: the workspace shows the Profile's context as an editable company note (DESIGN.md), saved to
the Org (seed 002: Company Brain ``context_notes``, "auto pre-fill from enrichment")."""

import pytest
from django.test import Client, override_settings

from gtmos.audit.models import Event
from gtmos.crm.models import Account

from .conftest import walk_to_workspace

pytestmark = pytest.mark.django_db

NOTE = "Squires bids healthcare and K-12 work around Austin; Joe prices, Mia runs the field."


def note_url(session):
    return f"/start/s/{session.pk}/workspace/note/"


def activate(client, session):
    from enrichment.models import Pursuit

    pursuit = Pursuit.objects.filter(lead=session.lead).first()
    client.post(f"/start/s/{session.pk}/question/", {"pursuit": str(pursuit.pk)})
    client.post(f"/start/s/{session.pk}/takeoff/")
    response = client.post(f"/start/s/{session.pk}/activate/", {"password": "a-long-password", "name": "Joe"})
    assert response.status_code == 302, response.content[:600]
    session.refresh_from_db()
    return session


def test_the_workspace_shows_the_profiles_context_as_an_editable_note(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    page = client.get(f"/start/s/{session.pk}/workspace/")
    body = page.content.decode()
    assert '<textarea name="note"' in body and f'action="{note_url(session)}"' in body
    textarea = body.split('<textarea name="note"')[1].split("</textarea>")[0]
    assert "Squires" in textarea  # pre-filled from the Profile (company at ≥ θ)
    assert "What we gathered about your company" in body


def test_a_saved_note_is_kept_and_becomes_the_orgs_note_at_activation(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    response = client.post(note_url(session), {"note": NOTE})
    assert response.status_code == 302 and response["Location"].endswith("/workspace/#company-note")
    page = client.get(f"/start/s/{session.pk}/workspace/")
    assert NOTE in page.content.decode().split('<textarea name="note"')[1]
    assert b"Company note saved." in page.content
    event = Event.objects.get(type="company_note.saved", subject_id=str(session.pk))
    assert event.payload["saved_to"] == "draft" and event.payload["chars"] == len(NOTE)
    assert NOTE not in str(event.payload)  # the log keeps no free text (it may name people)
    session = activate(client, session)
    assert Account.objects.get(pk=session.org_id).context_notes == NOTE


def test_after_activation_the_note_is_edited_on_the_org(client, swarm_on, datasets):
    session = activate(client, walk_to_workspace(client))
    account = Account.objects.get(pk=session.org_id)
    assert "Squires" in account.context_notes  # never edited: the Org starts from the Profile's pre-fill
    response = client.post(note_url(session), {"note": NOTE, "surface": "network"})
    assert response.status_code == 302 and response["Location"].endswith("/workspace/network/#company-note")
    account.refresh_from_db()
    assert account.context_notes == NOTE
    event = Event.objects.filter(type="company_note.saved", subject_id=str(session.pk)).latest("occurred_at")
    assert event.payload["saved_to"] == "org" and event.account_id == account.pk and event.actor == session.user


@override_settings(PROSPECT_COMPANY_NOTE_MAX_CHARS=50)
def test_a_note_too_long_is_a_field_error_and_nothing_is_saved(client, swarm_on, datasets):
    from onboarding.models import CompanyNote

    session = walk_to_workspace(client)
    response = client.post(note_url(session), {"note": "x" * 51})
    assert response.status_code == 400
    assert "Keep the note under 50 characters (it has 51)" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not CompanyNote.objects.filter(session=session).exists()
    assert not Event.objects.filter(type="company_note.saved").exists()


def test_a_note_with_a_nul_character_is_a_field_error_not_a_500(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    response = client.post(note_url(session), {"note": "bad\x00note"})
    assert response.status_code == 400 and b"Null characters are not allowed" in response.content


def test_a_cleared_note_stays_cleared(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    client.post(note_url(session), {"note": "   "})
    body = client.get(f"/start/s/{session.pk}/workspace/").content.decode()
    assert body.split('<textarea name="note"')[1].split(">", 1)[1].startswith("</textarea>")


def test_another_browser_cannot_write_the_note(client, swarm_on, datasets):
    from onboarding.models import CompanyNote

    session = walk_to_workspace(client)
    assert Client().post(note_url(session), {"note": NOTE}).status_code == 404
    assert client.get(note_url(session)).status_code == 405
    assert not CompanyNote.objects.filter(session=session).exists()


def test_an_invitees_draft_note_is_added_to_the_org_she_joins_saying_who_added_it(client, swarm_on, datasets):
    """Issue 17 review (i17f): an invitee who saved a note before S8 joins the inviter's Org — her note used to
    be dropped silently; it is appended to the Org's note with a line naming her."""
    from enrichment.models import Pursuit
    from gtmos.crm.models import Account
    from onboarding.models import OnboardingSession, TeamInvite

    from .conftest import confirm_as, run_agents, walk_to_trial

    NOTE = "Field crews start at 6am; call the yard."

    session = walk_to_trial(client)
    org_note = Account.objects.get(pk=session.org_id).context_notes
    page = client.post(f"/start/s/{session.pk}/team/", {"email": "mia@squiresconstruction.com", "role": "field"})
    invite = TeamInvite.objects.get(session=session)
    run_agents(invite.invitee_lead)
    mia = Client()
    mia.get(page.context["link"].split("testserver")[-1])
    teammate = OnboardingSession.objects.get(lead=invite.invitee_lead)
    if teammate.state == "S3_CONFIRM":
        teammate = confirm_as(mia, teammate, "field")
    assert mia.post(f"/start/s/{teammate.pk}/workspace/note/", {"note": NOTE}).status_code == 302
    pursuit = Pursuit.objects.filter(lead=teammate.lead).first()
    mia.post(
        f"/start/s/{teammate.pk}/question/", {"pursuit": str(pursuit.pk)} if pursuit else {"project_name": "Next bid"}
    )
    mia.post(f"/start/s/{teammate.pk}/takeoff/")
    response = mia.post(f"/start/s/{teammate.pk}/activate/", {"password": "a-long-password", "name": "Mia Field"})
    assert response.status_code == 302, response.content[:600]
    teammate.refresh_from_db()
    assert teammate.org_id == session.org_id  # she joined the inviter's Org
    assert mia.get(response["Location"], follow=True).status_code == 200  # her next page stands (no second trial)
    note = Account.objects.get(pk=session.org_id).context_notes
    assert note.startswith(org_note.rstrip())  # the inviter's note stays first
    assert NOTE in note
    assert "Added by Mia Field (mia@squiresconstruction.com) when they joined" in note
