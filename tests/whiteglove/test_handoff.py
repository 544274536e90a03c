"""A self-serve account crossing the seats/ACV threshold (expansion.detected) enters W5 with its history."""

from decimal import Decimal

import pytest

from enrichment.models import Pursuit
from gtmos.audit.models import Event
from onboarding.models import SessionState as S
from onboarding.services import session as flow
from tests.factories import AccountFactory

from .conftest import deal_of, prospect

pytestmark = pytest.mark.django_db


def test_expansion_hand_off_enters_w5_with_its_history_intact(team, swarm_on, datasets):
    s = prospect("joe@squiresconstruction.com", role="owner_exec", name="Joe Squires")
    assert s.state == S.S5_VALUE
    for step in (flow.session_reveal_value, flow.session_ask_next_question, flow.session_complete_takeoff):
        s = step(session=s)
    org = AccountFactory(name="Squires Construction LLC", segment="smb", owner=None, domain="squiresconstruction.com")
    s = flow.session_activate(session=s, org=org)
    before = list(Event.objects.for_subject(s).order_by("occurred_at", "id").values_list("id", "type"))
    assert Pursuit.objects.filter(org=org).exists()

    s = flow.session_detect_expansion(session=s, seats=30, acv=Decimal("40000"))
    assert s.state == S.W5_BATTLEPACK and s.state_before == S.S9_TRIAL and s.track == "wg_mid"
    deal = deal_of(s)
    # The history is intact: every earlier event is still there, in order, followed by the hand-off.
    after = list(Event.objects.for_subject(s).order_by("occurred_at", "id").values_list("id", "type"))
    assert after[: len(before)] == before
    assert [t for _, t in after[len(before) :]] == ["expansion.detected", "session.handed_off", "deal.battlepack_ready"]
    # The deal knows where it came from, and the battle pack reads the Org's pursuits.
    assert deal.dossier["handed_off"]["from"] == S.S9_TRIAL and "30 seats" in deal.dossier["handed_off"]["reason"]
    assert [h["type"] for h in deal.dossier["history"]][:2] == ["lead.captured", "email.submitted"]
    assert "trial.started" in [h["type"] for h in deal.dossier["history"]]
    assert deal.dossier["pursuits"] and deal.takeoff["pursuit_id"] == deal.dossier["pursuits"][0]["id"]
    # The CRM: an expansion opportunity on the customer's own account, now mid-market, at the crossing ACV.
    opp = deal.opportunity
    assert opp.account == org and opp.type == "expansion" and opp.acv == Decimal("40000")
    assert opp.account.segment == "mm" and opp.stage == "prospecting"
    assert deal.ae_owner == team.other_ae and deal.sdr == team.other_sdr  # Texas territory
    assert s.lead.converted_at is not None and deal.org == org
