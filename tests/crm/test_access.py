"""Who sees which account and deal, through the one visible_to(user) selector per family."""

import pytest
from django.contrib.auth.models import AnonymousUser

from gtmos.crm.models import Account, Contact, Opportunity
from tests.factories import ContactFactory, EmployeeFactory, OpportunityFactory, UserFactory


def visible_accounts(employee):
    return set(Account.objects.visible_to(employee.user).values_list("name", flat=True))


def test_owner_sees_own_account_only(team):
    assert visible_accounts(team.ae) == {"Visible Co"}


def test_csm_on_account_sees_it(team):
    assert visible_accounts(team.csm) == {"Visible Co"}


def test_manager_chain_and_slm_see_team_accounts(team):
    assert visible_accounts(team.manager) == {"Visible Co"}
    assert visible_accounts(team.slm) == {"Visible Co"}


def test_other_manager_sees_only_their_team(team):
    assert visible_accounts(team.other_manager) == {"Hidden Co"}


def test_revops_sees_everything(team):
    assert visible_accounts(team.revops) == {"Visible Co", "Hidden Co"}


def test_login_without_employee_sees_nothing(team):
    assert not Account.objects.visible_to(UserFactory(username="stranger")).exists()
    assert not Account.objects.visible_to(AnonymousUser()).exists()


def test_deep_manager_chain_is_walked(team):
    skip_level = EmployeeFactory(role="manager", user__username="director")
    team.manager.manager = skip_level
    team.manager.save()
    assert visible_accounts(skip_level) == {"Visible Co"}


def test_se_on_deal_sees_the_deal_but_not_other_deals(team):
    se = EmployeeFactory(role="se", user__username="se")
    OpportunityFactory(account=team.other_account, se=se, name="SE deal")
    assert set(Opportunity.objects.visible_to(se.user).values_list("name", flat=True)) == {"SE deal"}


def test_contacts_follow_their_account(team):
    ContactFactory(account=team.account, name="Ann")
    ContactFactory(account=team.other_account, name="Bob")
    assert list(Contact.objects.visible_to(team.ae.user).values_list("name", flat=True)) == ["Ann"]


@pytest.mark.parametrize(
    "url",
    [
        "/crm/accounts/{account}/",
        "/crm/accounts/{account}/contacts/",
        "/crm/accounts/{account}/opportunities/",
        "/crm/accounts/{account}/calls/",
        "/crm/accounts/{account}/usage/",
        "/crm/accounts/{account}/timeline/",
        "/crm/opportunities/{opportunity}/",
    ],
)
def test_wrong_user_gets_404_on_every_record_page_and_fragment(client, team, url):
    target = url.format(account=team.account.pk, opportunity=team.opportunity.pk)
    client.force_login(team.other_ae.user)
    assert client.get(target).status_code == 404
    assert client.get(target, HTTP_HX_REQUEST="true").status_code == 404
    client.force_login(team.ae.user)
    assert client.get(target).status_code == 200


def test_lists_show_only_visible_records(client, team):
    client.force_login(team.other_ae.user)
    body = client.get("/crm/accounts/").content.decode()
    assert "Hidden Co" in body and "Visible Co" not in body
    body = client.get("/crm/opportunities/").content.decode()
    assert team.other_opportunity.name in body and team.opportunity.name not in body


def test_anonymous_is_sent_to_login(client, team):
    response = client.get(f"/crm/accounts/{team.account.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_htmx_request_to_login_gets_hx_redirect(client, team):
    response = client.get(f"/crm/accounts/{team.account.pk}/contacts/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and "/accounts/login/" in response["HX-Redirect"]
