"""Issue 20, page speed: the visibility lookup, the per-request settings memo and the homes' query budgets.

No wall-clock asserts: what is shown is the work a page does (queries, settings reads), flat in data size."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from gtmos.core import memo
from gtmos.crm.access import team_ids
from gtmos.crm.models import Account, Opportunity, Role
from gtmos.health.models import HealthSettings
from onboarding.models import OnboardingSettings
from tests.factories import AccountFactory, EmployeeFactory
from tests.onboarding.conftest import World


@pytest.fixture
def world(db, frozen_clock):
    return World()


# --- ``__any_of``: one array parameter instead of one per id ---------------------------------------------------


def test_any_of_matches_the_same_rows_as_in(db):
    mine, theirs = EmployeeFactory(role=Role.CSM), EmployeeFactory(role=Role.CSM)
    AccountFactory(csm=mine, name="Mine")
    AccountFactory(csm=theirs, name="Theirs")
    AccountFactory(csm=None, name="Nobody's")
    for ids in ({mine.pk}, {mine.pk, theirs.pk}, {theirs.pk, 10**9}):
        expected = set(Account.objects.filter(csm_id__in=ids).values_list("name", flat=True))
        assert set(Account.objects.filter(csm_id__any_of=frozenset(ids)).values_list("name", flat=True)) == expected
    # On a relation as on its column.
    assert list(Account.objects.filter(csm__any_of={mine.pk}).values_list("name", flat=True)) == ["Mine"]


def test_any_of_sends_one_parameter_whatever_the_team_size(db):
    def sql(ids):
        return str(Opportunity.objects.filter(owner_id__any_of=frozenset(ids)).query)

    assert "= ANY(" in sql(range(3)) and "IN (" not in sql(range(3))
    compiled = Opportunity.objects.filter(owner_id__any_of=frozenset(range(60))).query.sql_with_params()
    assert len(compiled[1]) == 1 and len(compiled[1][0]) == 60


def test_any_of_an_empty_set_matches_nothing_without_a_query(db):
    AccountFactory()
    with CaptureQueriesContext(connection) as ctx:
        assert list(Account.objects.filter(owner_id__any_of=frozenset())) == []
    assert len(ctx) == 0  # as ``__in=[]``: the filter can only be empty, so nothing is sent


def test_a_managers_visibility_is_unchanged(world):
    """The SLM sees the whole org's deals and the manager their team's; the other CSM's book stays out."""
    outside = AccountFactory(csm=world.other_csm, owner=None, am=None, name="Outside Co")
    for who in (world.slm, world.manager):
        ids = team_ids(who.user)
        assert world.csm.pk in ids
        visible = set(Account.objects.visible_to(who.user).values_list("pk", flat=True))
        assert world.account.pk in visible and outside.pk not in visible


# --- the per-request memo ---------------------------------------------------------------------------------------


def _in_get(view):
    return memo.RequestMemoMiddleware(view)(RequestFactory().get("/"))


def test_settings_are_read_once_per_get_request_and_afresh_outside_one(db):
    HealthSettings.load(), OnboardingSettings.load()  # the rows exist

    def view(request):
        with CaptureQueriesContext(connection) as ctx:
            first, again = HealthSettings.load(), HealthSettings.load()
            OnboardingSettings.load(), OnboardingSettings.load()
        assert first is again
        return len(ctx)

    assert _in_get(view) == 2
    with CaptureQueriesContext(connection) as ctx:
        assert HealthSettings.load() is not HealthSettings.load()
    assert len(ctx) == 2


def test_a_saved_settings_row_is_read_again_in_the_same_request(db):
    def view(request):
        settings = HealthSettings.load()
        settings.mover_points = settings.mover_points + 1
        settings.save()
        return HealthSettings.load().mover_points, settings.mover_points

    reloaded, saved = _in_get(view)
    assert reloaded == saved


def test_a_post_gets_no_memo(db):
    def view(request):
        return HealthSettings.load() is HealthSettings.load()

    assert memo.RequestMemoMiddleware(view)(RequestFactory().post("/")) is False


# --- the homes ---------------------------------------------------------------------------------------------------

ROLES = ["csm", "am", "manager", "slm", "post_sales", "ae"]


@pytest.mark.parametrize("who", ROLES)
def test_each_home_reads_each_settings_row_at_most_once(world, client, who):
    world.close(world.deal())
    client.force_login(getattr(world, who).user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    for table in ("health_healthsettings", "onboarding_onboardingsettings", "onboarding_whiteglovesettings"):
        assert sum(f'FROM "{table}"' in q["sql"] for q in ctx.captured_queries) <= 1, table


@pytest.mark.parametrize("who", ROLES)
def test_homes_cost_the_same_with_a_bigger_org(world, client, who):
    """A manager's or the SLM's visibility filter is one array of team ids: more reps cost no query."""
    client.force_login(getattr(world, who).user)
    world.close(world.deal())

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx)

    count()  # the first visit creates the settings rows it reads (get_or_create)
    small = count()
    for n in range(12):
        rep = EmployeeFactory(role=Role.CSM, manager=world.manager, slm=world.slm)
        AccountFactory(csm=rep, owner=world.ae, name=f"Team account {n}")
    assert count() == small


@pytest.mark.parametrize("who", ["manager", "slm"])
def test_a_team_homes_pipeline_tiles_are_the_open_deals_aggregate(world, who):
    """The tiles come from the team panel's per-owner sums; they are the same figures as the one aggregate."""
    from gtmos.core import selectors

    world.close(world.deal())
    world.deal(acv="12345.50", stage="negotiation")
    world.deal(acv="1000", stage="discovery")
    user = getattr(world, who).user
    context = selectors.home_context(user=user)
    assert context["org_figures"] and context["pipeline"] == selectors._open_pipeline(user)
    assert context["pipeline"]["count"] >= 2


def test_the_charts_markup_escapes_as_format_html_join():
    import datetime as dt

    from django.utils.html import format_html_join

    from gtmos.core import charts

    template = "<g aria-label='{}'><title>{}</title><circle cx=\"{}\"/></g>"
    rows = [("a <b> & \"c\" 'd'", 1.5, 3), ("2 Dec 2026: score 71", 0, -2.25)]
    assert charts._join(template, rows) == format_html_join("", template, rows)
    chart = charts.sparkline([(dt.date(2026, 1, 1), 40), (dt.date(2026, 1, 9), 62.5)], label="<score>")
    assert "&lt;score&gt;" in chart["dots_svg"] and "<score>" not in chart["dots_svg"]


def test_pk_url_renders_what_the_url_tag_renders(db):
    from django.template import Context, Template

    from gtmos.core.templatetags import ui

    names = ["crm:account_detail", "health:account", "onboarding:plan_detail", "crm:opportunity_detail"]
    for name in names:
        for pk in (1, 42, 2147483646):
            expected = Template(f"{{% url '{name}' pk %}}").render(Context({"pk": pk}))
            assert Template(f"{{% load ui %}}{{% pk_url '{name}' pk %}}").render(Context({"pk": pk})) == expected
    # Not an integer: reversed as the url tag does, and a name without an integer argument is never shaped.
    assert ui.pk_url("crm:account_detail", "7") == "/crm/accounts/7/"
    assert ui.pk_url("whiteglove:deal_detail", "00000000-0000-0000-0000-000000000001").endswith("0001/")


def test_the_panels_empty_in_the_demo_cost_no_query_per_row(world, client):
    """The SLM's TTV-change requests and post-sales' resource flags read only their shown columns: a row more is
    no query more (a deferred column a template reads would be one query per row)."""
    from onboarding.models import MutualActionPlan
    from onboarding.services import map_signoff, preclose

    def home(user):
        client.force_login(user)
        client.get("/")
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/").content.decode()
        return len(ctx), body

    def ttv_request():
        plan = world.close(world.deal())
        accepted = map_signoff.map_accept(map_=MutualActionPlan.objects.get(pk=plan.map_id), by=world.post_sales)
        map_signoff.ttv_change_request(map_=accepted, by=world.csm, requested_days=100, reason="slip")

    def resource_flag():
        deal = world.deal(segment="ent", lines=("CORE", "API"))
        # On the deal's team, or post-sales sees none of the deals' flags (Opportunity.visible_to).
        Opportunity.objects.filter(pk=deal.pk).update(se=world.post_sales)
        preclose.preboarding_start(opportunity=deal, by=world.am)

    ttv_request(), resource_flag()
    slm, post_sales = home(world.slm.user), home(world.post_sales.user)
    assert "TTV changes awaiting approval" in slm[1] and "asked by" in slm[1]
    assert "services needed" in post_sales[1]
    for _ in range(2):
        ttv_request(), resource_flag()
    assert home(world.slm.user)[0] == slm[0]
    assert home(world.post_sales.user)[0] == post_sales[0]
