"""Issue 17 items 1, 13, 10: every confirm chip can be corrected (a correction is a ``user`` signal at 1.0, the
router re-runs, the gateTrace credits the prospect), and a homeowner — own site or free mail — reaches the
homeowner page without a B2B question."""

import pytest
from django.test import Client

from enrichment.models import EnrichmentSignal, SiteSnapshot
from gtmos.audit.models import Event
from gtmos.core import clock
from onboarding.models import RouteDecision
from onboarding.models import SessionState as S

from .conftest import walk_to_confirm

pytestmark = pytest.mark.django_db

HOMEOWNER_SITE = (
    "Welcome to our home renovation journal. We are remodeling our home this year: my home office, "
    "our home kitchen and my house's porch. Follow along as we remodel my kitchen. "
    "This is my home, our home, my house."
)


def confirm_page(client, session):
    return client.get(f"/start/s/{session.pk}/confirm/")


def post_confirm(client, session, page, **overrides):
    """Submit the confirm as a browser would: every chip's correction control at its shown value, plus answers."""
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        initial = form.initial.get(name, field.initial)
        if initial not in (None, "", []):
            data[name] = initial
    for name in form.fields:
        if name == "role" and "role" not in data:
            data[name] = "estimator"
        elif name == "sectors" and name not in data:
            data[name] = ["commercial"]
        elif name == "size_band" and name not in data:
            data[name] = "small"
        elif name == "service_area" and name not in data:
            data[name] = "Austin TX"
        elif name == "company" and name not in data:
            data[name] = "Squires Construction"
    data.update(overrides)
    return client.post(f"/start/s/{session.pk}/confirm/", {k: v for k, v in data.items() if v is not None})


def test_every_chip_on_the_confirm_screen_has_a_correction_control(client, swarm_on, datasets):
    session = walk_to_confirm(client)
    page = confirm_page(client, session)
    chips = page.context["chips"]
    assert {c["field"] for c in chips} >= {"company", "org_type", "size_band"}
    assert all(c["fix"] is not None for c in chips), [c["field"] for c in chips if c["fix"] is None]
    assert b'Change<span class="visually-hidden"> org type' in page.content
    assert b"General contractor" in page.content  # the chip reads as the prospect would say it, not "contractor"


def test_a_corrected_org_type_is_a_user_signal_and_routes_by_the_corrected_value(client, swarm_on, datasets):
    session = walk_to_confirm(client, email="eve@apexdrywall.com")
    page = confirm_page(client, session)
    assert page.context["form"].initial["fix_org_type"] == "sub_contractor"
    response = post_confirm(client, session, page, fix_org_type="contractor")
    assert response.status_code == 302, response.content[:800]
    session.refresh_from_db()
    assert session.state in (S.S5_VALUE, S.W5_BATTLEPACK)
    signal = EnrichmentSignal.objects.get(run__lead=session.lead, field="org_type", agent="user")
    assert signal.value == "contractor" and signal.confidence == 1.0 and signal.evidence == "corrected by the prospect"
    decision = RouteDecision.objects.filter(session=session).latest()
    assert decision.trade == ""  # a GC: no trade recipe, GC bands
    g2 = next(g for g in decision.gate_trace if g["gate"] == "G2")
    assert g2["outcome"] == "contractor" and "corrected by the prospect" in g2["why"]
    corrected = Event.objects.get(subject_id=str(session.pk), type="onboarding.corrected")
    assert corrected.payload["fields"] == ["org_type"] and "contractor" not in str(corrected.payload)


def test_confirming_unchanged_chips_records_no_correction(client, swarm_on, datasets):
    session = walk_to_confirm(client)
    response = post_confirm(client, session, confirm_page(client, session))
    assert response.status_code == 302
    assert not EnrichmentSignal.objects.filter(run__lead=session.lead, evidence="corrected by the prospect").exists()
    assert not Event.objects.filter(subject_id=str(session.pk), type="onboarding.corrected").exists()


def test_a_correction_that_opens_a_question_keeps_the_prospect_on_the_confirm_to_answer_it(client, swarm_on, datasets):
    session = walk_to_confirm(client)  # Squires: a GC, so no trade was asked
    page = confirm_page(client, session)
    assert "trade" not in page.context["form"].fields
    response = post_confirm(client, session, page, fix_org_type="sub_contractor")
    session.refresh_from_db()
    assert session.state == S.S3_CONFIRM and response["Location"].endswith("/confirm/")
    again = confirm_page(client, session)
    assert "trade" in again.context["form"].fields  # the router re-ran: a sub's trade is now the one ask
    assert b"updated that" in again.content
    response = post_confirm(client, session, again, trade="drywall")
    assert response.status_code == 302, (response.status_code, response.context["form"].errors)
    session.refresh_from_db()
    assert session.state != S.S3_CONFIRM
    assert RouteDecision.objects.filter(session=session).latest().trade == "drywall"


def test_a_size_correction_replaces_the_revenue_it_was_read_from(client, swarm_on, datasets):
    session = walk_to_confirm(client, email="kim@bigbuild.com")  # $800M GC: white-glove by revenue
    page = confirm_page(client, session)
    assert page.context["form"].initial["fix_size_band"] == "large"
    post_confirm(client, session, page, fix_size_band="small", role="estimator")
    session.refresh_from_db()
    assert session.state == S.S5_VALUE and session.track == "self_serve"
    g3 = next(g for g in RouteDecision.objects.filter(session=session).latest().gate_trace if g["gate"] == "G3")
    assert "size band corrected by the prospect" in g3["why"]


def test_a_homeowner_site_confirmed_with_one_tap_reaches_the_homeowner_page(client, swarm_on, datasets):
    SiteSnapshot.objects.create(
        domain="patshome.net",
        status=SiteSnapshot.Status.OK,
        title="Our home",
        text=HOMEOWNER_SITE,
        fetched_at=clock.now(),
    )
    session = walk_to_confirm(client, email="pat@patshome.net")
    page = confirm_page(client, session)
    assert session.state == S.S3_CONFIRM
    chip = next(c for c in page.context["chips"] if c["field"] == "org_type")
    assert chip["value"] == "Homeowner"
    assert page.context["form"].fields.keys() <= {f"fix_{c['field']}" for c in page.context["chips"]} | {"fix_role"}
    response = client.post(f"/start/s/{session.pk}/confirm/", {"fix_org_type": "consumer"})
    assert response.status_code == 302 and response["Location"].endswith("/homeowner/")
    session.refresh_from_db()
    assert session.state == S.DISQUALIFIED
    home = client.get(response["Location"])
    import re

    visible_inputs = [i for i in re.findall(rb"<input[^>]*>", home.content) if b'type="hidden"' not in i]
    assert home.status_code == 200 and visible_inputs == []  # no B2B question on the way out


def test_free_mail_choosing_homeowner_is_asked_nothing_else(client, swarm_on, datasets):
    session = walk_to_confirm(client, email="pat.home@gmail.com")
    page = confirm_page(client, session)
    assert {"org_type", "role", "company"} <= set(page.context["form"].fields)
    response = client.post(f"/start/s/{session.pk}/confirm/", {"org_type": "consumer"})
    assert response.status_code == 302, response.content.decode()[:1500]
    session.refresh_from_db()
    assert session.state == S.DISQUALIFIED and response["Location"].endswith("/homeowner/")
    assert client.get(response["Location"]).status_code == 200


def test_the_homeowner_link_is_a_setting_whose_default_is_a_real_page(client, settings):
    from django.conf import settings as conf

    from gtmos.settings import base

    assert base.PROSPECT_HOMEOWNER_URL == "/homeowners/" == conf.PROSPECT_HOMEOWNER_URL
    page = client.get(base.PROSPECT_HOMEOWNER_URL)
    assert page.status_code == 200 and b"Planning work on your home?" in page.content
    assert b"Work email" not in page.content  # not the contractor lander


def test_sales_and_revops_see_a_sessions_g0_g7_trace_with_each_gates_outcome_and_why(client, swarm_on, datasets):
    from tests.factories import EmployeeFactory

    session = walk_to_confirm(client, email="eve@apexdrywall.com")
    post_confirm(client, session, confirm_page(client, session), fix_org_type="contractor")
    ae = Client()
    ae.force_login(EmployeeFactory(role="ae").user)
    listing = ae.get("/prospects/sessions/?q=apexdrywall")
    assert listing.status_code == 200 and b"eve@apexdrywall.com" in listing.content
    page = ae.get(f"/prospects/sessions/{session.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for gate in ("G0", "G1", "G2", "G3", "G4", "G5", "G6", "G7"):
        assert f'data-gate="{gate}"' in html
    assert "corrected by the prospect" in html and "Current decision" in html
    csm = Client()
    csm.force_login(EmployeeFactory(role="csm").user)
    assert csm.get(f"/prospects/sessions/{session.pk}/").status_code == 404
    assert Client().get(f"/prospects/sessions/{session.pk}/").status_code == 302  # sign in first


def test_a_homeowner_can_delete_what_they_gave_us(client, swarm_on, datasets):
    from enrichment.models import Lead

    session = walk_to_confirm(client, email="pat.home@gmail.com")
    client.post(f"/start/s/{session.pk}/confirm/", {"org_type": "consumer"})
    response = client.post(f"/start/s/{session.pk}/delete/")
    assert response.status_code == 200 and b"Your details are deleted" in response.content
    assert not Lead.objects.filter(email="pat.home@gmail.com").exists()
    assert Event.objects.get(type="lead.deleted").payload["reason"] == "requested by the prospect"
    assert client.get(f"/start/s/{session.pk}/homeowner/").status_code == 404
