"""The cold self-serve flow through the pages (test client; agents run inline through the task's service)."""

from decimal import Decimal

import pytest
from django.test import Client

from enrichment.enums import PursuitStatus
from enrichment.models import Lead, Pursuit
from gtmos.audit.models import Event
from gtmos.crm.models import Account, Opportunity
from onboarding import tasks
from onboarding.models import OnboardingSession, OrgMember, Subscription, Takeoff
from onboarding.models import SessionState as S

from .conftest import capture, session_of, walk_to_confirm, walk_to_workspace

pytestmark = pytest.mark.django_db


def events(session, type_):
    return Event.objects.filter(subject_id=str(session.pk), type=type_).count()


def test_landers_gc_and_per_trade(client, swarm_on):
    gc = client.get("/general-contractor")
    assert gc.status_code == 200 and b"General Contractor OS" in gc.content
    drywall = client.get("/drywall")
    assert drywall.status_code == 200 and b"Drywall OS" in drywall.content
    assert client.get("/not-a-trade").status_code == 404


def test_cold_lander_to_card_captured(client, swarm_on, datasets, django_capture_on_commit_callbacks):
    response = capture(client)
    session = session_of(client)
    assert response["Location"] == f"/start/s/{session.pk}/enriching/"
    assert session.state == S.S2_ENRICHING
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Reading your company" in page.content
    from tests.swarm_support import run_agents

    run_agents(session.lead)
    status = client.get(f"/start/s/{session.pk}/enriching/status/", HTTP_HX_REQUEST="true")
    assert status["HX-Redirect"] == f"/start/s/{session.pk}/confirm/"
    confirm = client.get(f"/start/s/{session.pk}/confirm/")
    assert confirm.status_code == 200
    assert "role" in confirm.context["form"].fields  # the one role question
    assert b"Squires" in confirm.content  # chips from the Profile
    data = {"role": "owner_exec"}
    form = confirm.context["form"]
    for name in form.fields:
        # each chip's correction control submits what it shows (as a browser does); the asks get answers
        data.setdefault(name, form.initial[name] if name.startswith("fix_") else "Austin TX")
    response = client.post(f"/start/s/{session.pk}/confirm/", data)
    session.refresh_from_db()
    assert session.state == S.S5_VALUE and response["Location"] == f"/start/s/{session.pk}/workspace/"
    assert events(session, "onboarding.role_captured") == 1 and events(session, "route.decided") == 1
    workspace = client.get(f"/start/s/{session.pk}/workspace/")
    assert workspace.status_code == 200
    pursuit = Pursuit.objects.filter(lead=session.lead).first()
    assert pursuit is not None and pursuit.name.encode() in workspace.content
    response = client.post(f"/start/s/{session.pk}/question/", {"pursuit": str(pursuit.pk)})
    session.refresh_from_db()
    assert session.state == S.S7_VALUE_PROOF
    response = client.post(f"/start/s/{session.pk}/takeoff/")
    session.refresh_from_db()
    assert session.state == S.S8_ACTIVATE
    takeoff = Takeoff.objects.get(session=session)
    assert takeoff.offline and takeoff.pursuit == pursuit
    assert Pursuit.objects.get(pk=pursuit.pk).status == PursuitStatus.SCOPED
    page = client.get(f"/start/s/{session.pk}/activate/")
    assert b"Offline estimate" in page.content
    assert "company" not in page.context["form"].fields  # the Profile knows the company at >= theta
    response = client.post(f"/start/s/{session.pk}/activate/", {"name": "Joe Squires", "password": "a-long-password"})
    assert response.status_code == 302, response.content[:600]
    session.refresh_from_db()
    assert session.state == S.S9_TRIAL and session.user is not None and session.org is not None
    member = OrgMember.objects.get(user=session.user)
    assert member.role == OrgMember.Role.OWNER and member.persona == "owner_exec" and member.surface == "jobs"
    assert session.org.segment == "smb"
    assert Subscription.objects.get(session=session).status == Subscription.Status.TRIALING
    assert (session.trial_ends_on - session.activated_at.date()).days == 21
    response = client.post(f"/start/s/{session.pk}/card/")
    assert response["Location"].startswith(f"/start/s/{session.pk}/card/demo/")
    demo = client.get(response["Location"])
    assert b"Demo checkout" in demo.content and b"no real payment" in demo.content
    bad = client.post(f"/start/s/{session.pk}/card/demo/", {"number": "4000 1234 5678 9010"})
    assert bad.status_code == 400 and b"test card" in bad.content
    with django_capture_on_commit_callbacks() as after_commit:
        response = client.post(f"/start/s/{session.pk}/card/demo/", {"number": "4242 4242 4242 4242"})
    session.refresh_from_db()
    assert session.state == S.S10_CLOSED_WON
    sub = Subscription.objects.get(session=session)
    assert sub.status == Subscription.Status.ACTIVE and sub.card_last4 == "4242" and "demo" in sub.card_brand
    # The order signal is queued for after commit, not run in the prospect's request.
    assert [c.func.__self__.name for c in after_commit if getattr(c, "func", None)] == [
        "onboarding.tasks.self_serve_close_won"
    ]
    assert not Opportunity.objects.filter(account=session.org).exists()
    assert tasks.self_serve_close_won(**after_commit[0].keywords) is True
    assert tasks.self_serve_close_won(**after_commit[0].keywords) is False  # redelivered: nothing more
    assert Opportunity.objects.get(account=session.org).stage == "closed_won"
    assert Account.objects.get(pk=session.org_id).is_customer
    done = client.get(f"/start/s/{session.pk}/trial/")
    assert b"all set" in done.content and b"Demo payment" in done.content
    assert Lead.objects.get(pk=session.lead_id).converted_at is not None


def test_double_submit_of_the_lander_form_is_one_lead(client, swarm_on, datasets):
    first = capture(client, key="same")
    second = capture(client, key="same")
    assert first["Location"] == second["Location"]
    assert Lead.objects.count() == 1 and OnboardingSession.objects.count() == 1


def test_bad_email_gets_a_field_error_and_creates_nothing(client, swarm_on):
    for bad in ("not-an-email", "joe@localhost", ""):
        response = capture(client, email=bad)
        assert response.status_code == 400
        assert response.context["form"].errors["email"]
        assert b'class="field-error"' in response.content
    assert Lead.objects.count() == 0


def test_honeypot_creates_nothing(client, swarm_on):
    response = capture(client, website="http://spam.example")
    assert response.status_code == 200 and Lead.objects.count() == 0


def test_rate_limit_per_client(client, swarm_on, settings):
    settings.PROSPECT_CAPTURE_LIMIT = 2
    assert capture(client, email="a@squiresconstruction.com", key="a").status_code == 302
    assert capture(client, email="b@squiresconstruction.com", key="b").status_code == 302
    blocked = capture(client, email="c@squiresconstruction.com", key="c")
    assert blocked.status_code == 429 and Lead.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert capture(other, email="d@squiresconstruction.com", key="d").status_code == 302


def test_back_refresh_and_double_posts_never_repeat_a_transition(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    confirm_again = client.post(f"/start/s/{session.pk}/confirm/", {"role": "estimator"})
    assert confirm_again.status_code == 302 and confirm_again["Location"].endswith("/workspace/")
    assert client.get(f"/start/s/{session.pk}/confirm/")["Location"].endswith("/workspace/")  # back button
    pursuit = Pursuit.objects.filter(lead=session.lead).first()
    for _ in range(2):
        client.post(f"/start/s/{session.pk}/question/", {"pursuit": str(pursuit.pk)})
    for _ in range(2):
        client.post(f"/start/s/{session.pk}/takeoff/")
    for _ in range(2):
        client.post(f"/start/s/{session.pk}/activate/", {"password": "a-long-password", "name": "Joe"})
    session.refresh_from_db()
    assert session.state == S.S9_TRIAL
    for type_ in (
        "onboarding.role_captured",
        "value.revealed",
        "next_question.asked",
        "takeoff.completed",
        "account.activated",
        "trial.started",
    ):
        assert events(session, type_) == 1, type_
    assert Takeoff.objects.filter(session=session).count() == 1
    assert OrgMember.objects.count() == 1 and Account.objects.count() == 1
    # S0→S1, S1→S2, S2→S3, S3→S4, S4→S5, S5→S6, S6→S7, S7→S8, S8→S9 (+ the org/user update)
    versions = session.version
    client.get(f"/start/s/{session.pk}/workspace/")
    client.get(f"/start/s/{session.pk}/activate/")
    session.refresh_from_db()
    assert session.version == versions


def test_no_page_asks_a_field_the_profile_holds_at_theta(client, swarm_on, datasets):
    from enrichment.services.profile import decision_for

    session = walk_to_confirm(client)
    page = client.get(f"/start/s/{session.pk}/confirm/")
    decision = decision_for(lead=session.lead)
    asked = {n for n in page.context["form"].fields if not n.startswith("fix_")} - {"role"}  # not the chips' controls
    known = {name for name, c in session.lead.profile.confidence.items() if c >= 0.85}
    assert not asked & known
    assert asked <= set(decision.asks)
    assert "company" not in page.context["form"].fields and "company" in known


def test_empty_board_lets_the_prospect_name_a_project(client, swarm_on, datasets):
    session = walk_to_workspace(client)
    Pursuit.objects.filter(lead=session.lead).delete()
    page = client.get(f"/start/s/{session.pk}/workspace/")
    assert b"No public projects matched yet" in page.content
    missing = client.post(f"/start/s/{session.pk}/question/", {})
    assert missing.status_code == 400 and b"name the one" in missing.content
    client.post(f"/start/s/{session.pk}/question/", {"project_name": "Lakeway clinic", "project_value": "2500000"})
    client.post(f"/start/s/{session.pk}/takeoff/")
    takeoff = Takeoff.objects.get(session=session)
    assert takeoff.pursuit is None and takeoff.pursuit_name == "Lakeway clinic"
    assert takeoff.result["project_value"] == str(Decimal(2500000))


def test_a_homeowner_is_sent_to_the_homeowner_product(client, swarm_on, datasets, settings):
    settings.PROSPECT_HOMEOWNER_URL = "https://home.example/start"
    session = walk_to_confirm(client, email="pat@thinsite.com")
    page = client.get(f"/start/s/{session.pk}/confirm/")
    assert "org_type" in page.context["form"].fields  # not known at θ: asked
    data = {"org_type": "consumer", "role": "owner_exec", "size_band": "micro", "sectors": ["commercial"]}
    for name in page.context["form"].fields:
        data.setdefault(name, "Austin TX")
    response = client.post(f"/start/s/{session.pk}/confirm/", data)
    session.refresh_from_db()
    assert session.state == S.DISQUALIFIED and response["Location"].endswith("/homeowner/")
    assert b"https://home.example/start" in client.get(response["Location"]).content


def test_a_large_firm_is_routed_to_white_glove_and_told_a_specialist_will_call(client, swarm_on, datasets):
    session = walk_to_workspace(client, email="kim@bigbuild.com")
    assert session.state == S.W5_BATTLEPACK
    response = client.get(f"/start/s/{session.pk}/")
    assert response["Location"].endswith("/specialist/")
    assert b"A specialist will set you up" in client.get(response["Location"]).content
    assert client.get(f"/start/s/{session.pk}/workspace/")["Location"].endswith("/specialist/")
