"""Pages render, and their query count does not grow with the book."""

from gtmos.crm.models import Role
from tests.factories import AccountFactory, CallFactory, ContactFactory, OpportunityFactory, UsageDailyFactory


def _grow_book(team, n):
    for i in range(n):
        account = AccountFactory(owner=team.ae, csm=team.csm, is_customer=True)
        ContactFactory(account=account)
        OpportunityFactory(account=account)
        CallFactory(account=account, owner=team.ae)
        UsageDailyFactory(account=account)


def _count_queries(client, url, django_assert_max_num_queries, limit, **headers):
    with django_assert_max_num_queries(limit):
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response


PAGES = ["/", "/crm/accounts/", "/crm/opportunities/", "/inbox/"]


def test_pages_render_in_constant_queries(client, team, django_assert_max_num_queries):
    client.force_login(team.ae.user)
    _grow_book(team, 3)
    for url in PAGES:
        _count_queries(client, url, django_assert_max_num_queries, 15)
    _grow_book(team, 40)
    for url in PAGES:
        _count_queries(client, url, django_assert_max_num_queries, 15)


def test_account_page_and_fragments_in_constant_queries(client, team, django_assert_max_num_queries):
    client.force_login(team.manager.user)
    for _ in range(30):
        ContactFactory(account=team.account)
        CallFactory(account=team.account, owner=team.ae)
        OpportunityFactory(account=team.account)
    base = f"/crm/accounts/{team.account.pk}/"
    _count_queries(client, base, django_assert_max_num_queries, 15)
    for tab in ["contacts", "opportunities", "calls", "usage", "timeline"]:
        _count_queries(client, f"{base}{tab}/", django_assert_max_num_queries, 12, HTTP_HX_REQUEST="true")
        _count_queries(client, f"{base}{tab}/", django_assert_max_num_queries, 15)  # opened directly: the page
    _count_queries(client, f"/crm/opportunities/{team.opportunity.pk}/", django_assert_max_num_queries, 15)


def test_account_list_filters_and_sorts(client, team):
    AccountFactory(owner=team.ae, name="Zeta Ltd", segment="ent")
    client.force_login(team.ae.user)
    body = client.get("/crm/accounts/?segment=ent").content.decode()
    assert "Zeta Ltd" in body and "Visible Co" not in body
    fragment = client.get("/crm/accounts/?q=zeta", HTTP_HX_REQUEST="true").content.decode()
    assert "Zeta Ltd" in fragment and "<html" not in fragment


def test_revops_home_shows_system_panel(client, team):
    client.force_login(team.revops.user)
    body = client.get("/").content.decode()
    assert "Last beat heartbeat" in body
    client.force_login(team.ae.user)
    assert "Last beat heartbeat" not in client.get("/").content.decode()


def test_roles_exist_for_every_seed_role():
    assert {"ae", "am", "csm", "sdr", "se", "impl_engineer", "post_sales", "manager", "slm", "revops"} <= set(
        Role.values
    )
