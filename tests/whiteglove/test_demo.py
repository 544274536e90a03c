"""Demo data: white-glove deals at W5, W7, W9 and W10, put there by the real services."""

import random

import pytest

from onboarding.models import Deal, OnboardingPlan
from onboarding.whiteglove.demo import seed_whiteglove

pytestmark = pytest.mark.django_db


def test_seed_whiteglove_puts_deals_at_different_w_steps(team):
    assert seed_whiteglove(random.Random(1)) == {"white-glove deals": 4}
    deals = {d.dossier["company"]["name"]: d for d in Deal.objects.select_related("session", "opportunity")}
    assert {d.session.state for d in deals.values()} == {"W5_BATTLEPACK", "W7_DISCOVERY", "W9_SEAT", "W10_CLOSED_WON"}
    assert deals["Copper State Electric"].ae_reviewed_at is None
    assert deals["Summit Drywall & Interiors"].opportunity.stage == "proposal"
    assert OnboardingPlan.objects.filter(
        opportunity=deals["Ironline Steel Erectors"].opportunity, status="active"
    ).exists()
