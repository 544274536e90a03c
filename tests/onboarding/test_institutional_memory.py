"""Issue 16 item 10 — seed 000: the kickoff brief is "the institutional memory transfer from selling team to
post-sales"; the CSM's plan page carries it: commitments, technical win, deal risks, SOW hours and roles; and
the selling team picks value events from the menu of the deal's products."""

import pytest

from gtmos.core import clock
from gtmos.crm.models import ImplementationSOW, OpportunityBriefLog, Product
from onboarding.forms import MapForm
from onboarding.models import MutualActionPlan, ProductValueEvent

pytestmark = pytest.mark.postgres


def test_the_plan_page_carries_the_selling_teams_memory(client, world):
    opp = world.deal()
    OpportunityBriefLog.objects.create(opportunity=opp, logged_at=clock.now(), risks=["Champion leaving in Q3"])
    ImplementationSOW.objects.create(
        account=world.account, opportunity=opp, hours=120, roles=["Implementation Engineer", "Solutions Architect"]
    )
    plan = world.close(opp)
    client.force_login(world.csm.user)
    page = client.get(f"/onboarding/plans/{plan.pk}/").content.decode()
    assert f"/onboarding/preclose/{opp.pk}/" in page  # the kickoff brief
    assert "deliver admin training in week 2" in page  # a selling-team commitment
    assert "SSO requirement" in page  # an unresolved objection from the technical win
    assert "Champion leaving in Q3" in page  # a deal risk from OpportunityBriefLog
    assert "120 hours" in page and "Solutions Architect" in page


def test_the_kickoff_brief_shows_deal_brief_risks(client, world):
    opp = world.deal()
    OpportunityBriefLog.objects.create(opportunity=opp, logged_at=clock.now(), risks=["Budget not confirmed"])
    plan = world.close(opp)
    client.force_login(world.am.user)
    assert "Budget not confirmed" in client.get(f"/onboarding/preclose/{opp.pk}/").content.decode()
    assert plan.kickoff_brief["deal_risks"]


def test_the_value_event_menu_lists_the_deals_products_only(world):
    other = Product.objects.create(sku="OTHER", name="Not on this deal")
    ProductValueEvent.objects.create(product=other, event_name="Other product's event")
    plan = world.close(world.deal(lines=("CORE",)))
    form = MapForm(map_=MutualActionPlan.objects.get(pk=plan.map_id), contacts=[], editor_role="ae")
    names = {e.event_name for e in form.value_events}
    assert "Other product's event" not in names and world.value_event.event_name in names
