"""Moving an account to another CSM (the bulk "assign CSM" on the account list) moves its open onboarding plan
with it: the plan's CSM owns the milestones, the alerts and the welcome emails, and a plan left with the old CSM
would page someone who no longer has the account. A finished plan keeps the CSM who ran it (its history)."""

import pytest

from gtmos.audit.models import Event
from gtmos.crm.models import Role
from gtmos.crm.services.lists import accounts_assign_csm
from onboarding.models import OnboardingPlan
from onboarding.services import handoff
from tests.factories import AccountFactory, EmployeeFactory

from .test_handoff_and_concurrency import handoff_fields

pytestmark = pytest.mark.postgres


def test_an_open_plan_follows_its_account_to_the_new_csm(world):
    plan = world.close(world.deal())
    assert plan.status == "active" and plan.csm == world.csm
    new_csm = EmployeeFactory(role=Role.CSM, manager=world.manager, slm=world.slm)
    accounts_assign_csm(user=world.manager.user, account_ids=[world.account.pk], csm_id=new_csm.pk)
    assert OnboardingPlan.objects.get(pk=plan.pk).csm == new_csm
    csm_items = plan.milestones.filter(owner_role=Role.CSM, status="pending")
    assert csm_items.exists() and set(csm_items.values_list("owner_id", flat=True)) == {new_csm.pk}
    assert Event.objects.filter(type="onboarding.plan_csm_changed", account_id=world.account.pk).count() == 1


def test_a_finished_plan_keeps_the_csm_who_ran_it_and_another_accounts_plan_is_untouched(world):
    plan = world.close(world.deal())
    handoff.onboarding_close(plan=plan, by=world.csm, handoff=handoff_fields(world))
    other = AccountFactory(owner=world.ae, csm=world.csm)
    new_csm = EmployeeFactory(role=Role.CSM, manager=world.manager, slm=world.slm)
    accounts_assign_csm(user=world.manager.user, account_ids=[world.account.pk, other.pk], csm_id=new_csm.pk)
    assert OnboardingPlan.objects.get(pk=plan.pk).csm == world.csm
    assert not Event.objects.filter(type="onboarding.plan_csm_changed").exists()
