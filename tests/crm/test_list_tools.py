"""Saved views, CSV export and bulk "assign CSM" on the account and opportunity lists (issue 20 item 3)."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gtmos.audit.models import Event
from gtmos.crm.models import Account, Role, SavedView
from tests.factories import AccountFactory, EmployeeFactory, OpportunityFactory


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- saved views ---------------------------------------------------------------------------------------------


def test_a_saved_view_keeps_filters_and_sort_and_applies_as_a_link(team, client):
    client.force_login(team.manager.user)
    response = client.post(
        "/crm/views/accounts/save/", {"name": "  Big   enterprise ", "query": "segment=ent&q=Co&sort=-arr&evil=1"}
    )
    assert response.status_code == 302 and response["Location"] == "/crm/accounts/?q=Co&segment=ent&sort=-arr"
    view = SavedView.objects.get(user=team.manager.user)
    # Only the page's known parameters, in the page's canonical order; the name's spaces are folded.
    assert (view.name, view.page, view.query) == ("Big enterprise", "accounts", "q=Co&segment=ent&sort=-arr")
    body = client.get("/crm/accounts/").content.decode()
    assert 'href="/crm/accounts/?q=Co&amp;segment=ent&amp;sort=-arr"' in body and "Big enterprise" in body
    # Opened, the view's link is marked as the current one.
    applied = client.get("/crm/accounts/?q=Co&segment=ent&sort=-arr").content.decode()
    assert 'aria-current="true">Big enterprise</a>' in applied
    # Saving the same name again overwrites it rather than adding a second.
    client.post("/crm/views/accounts/save/", {"name": "Big enterprise", "query": "segment=smb"})
    assert list(SavedView.objects.values_list("query", flat=True)) == ["segment=smb"]


def test_saved_views_are_private_to_their_owner(team, client):
    mine = SavedView.objects.create(user=team.manager.user, page="accounts", name="Mine", query="segment=ent")
    client.force_login(team.ae.user)
    assert "Mine" not in client.get("/crm/accounts/").content.decode()
    assert client.post(f"/crm/views/{mine.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=mine.pk).exists()
    client.force_login(team.manager.user)
    assert client.post(f"/crm/views/{mine.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=mine.pk).exists()


def test_a_view_without_a_name_is_a_message_not_a_500(team, client):
    client.force_login(team.manager.user)
    response = client.post("/crm/views/opportunities/save/", {"name": "   ", "query": "stage=demo"}, follow=True)
    assert response.status_code == 200 and "Give the view a name." in response.content.decode()
    assert not SavedView.objects.exists()
    assert client.post("/crm/views/nonsense/save/", {"name": "x"}).status_code == 404
    assert client.get("/crm/views/accounts/save/").status_code == 405


def test_the_opportunity_list_has_its_own_views(team, client):
    SavedView.objects.create(user=team.manager.user, page="accounts", name="Accounts only", query="")
    client.force_login(team.manager.user)
    client.post("/crm/views/opportunities/save/", {"name": "Demos", "query": "stage=demo&sort=close"})
    body = client.get("/crm/opportunities/").content.decode()
    assert "Demos" in body and "Accounts only" not in body
    assert 'href="/crm/opportunities/?stage=demo&amp;sort=close"' in body


# --- CSV export ----------------------------------------------------------------------------------------------


def test_the_account_export_follows_filters_sort_and_visibility(team, client):
    AccountFactory(owner=team.ae, name='=HYPERLINK("http://x")', segment="ent", arr=Decimal("90000"))
    AccountFactory(owner=team.ae, name="Small Co", segment="smb", arr=Decimal("1000"))
    AccountFactory(owner=team.other_ae, name="Hidden Ent", segment="ent")
    client.force_login(team.manager.user)
    rows = _csv(client.get("/crm/accounts/export.csv?segment=ent&sort=-arr"))
    assert rows[0][:3] == ["Account", "External id", "Domain"]
    names = [r[0] for r in rows[1:]]
    # Only what the manager's team can see, only the segment, largest ARR first; the formula is defused.
    assert names == ['\'=HYPERLINK("http://x")']
    everything = [r[0] for r in _csv(client.get("/crm/accounts/export.csv?sort=name"))[1:]]
    assert "Hidden Co" not in everything and "Hidden Ent" not in everything
    assert everything == sorted(everything)
    client.force_login(team.revops.user)
    assert "Hidden Ent" in [r[0] for r in _csv(client.get("/crm/accounts/export.csv"))[1:]]


def test_the_opportunity_export_defuses_every_formula_lead(team, client):
    for lead in ("=", "+", "-", "@", "\t", "\r"):
        OpportunityFactory(account=team.account, name=f"{lead}cmd", stage="demo")
    OpportunityFactory(account=team.account, name="Won", stage="closed_won")
    client.force_login(team.ae.user)
    rows = _csv(client.get("/crm/opportunities/export.csv?stage=demo"))
    names = sorted(r[0] for r in rows[1:])
    assert names == sorted(f"'{lead}cmd" for lead in ("=", "+", "-", "@", "\t", "\r"))
    assert "Won" not in [r[0] for r in _csv(client.get("/crm/opportunities/export.csv"))[1:]]
    assert "Export CSV" in client.get("/crm/opportunities/?stage=demo").content.decode()


def test_the_export_query_count_is_flat_in_book_size(team, client):
    client.force_login(team.revops.user)
    counts = []
    for extra in (2, 30):
        for _ in range(extra):
            OpportunityFactory(account=AccountFactory(owner=team.ae, csm=team.csm, am=team.ae))
        with CaptureQueriesContext(connection) as ctx:
            _csv(client.get("/crm/accounts/export.csv"))
            _csv(client.get("/crm/opportunities/export.csv"))
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


# --- bulk "assign CSM" ---------------------------------------------------------------------------------------


@pytest.fixture
def book(team):
    new_csm = EmployeeFactory(role=Role.CSM, manager=team.manager, slm=team.slm, name="New Csm")
    outsider = EmployeeFactory(role=Role.CSM, manager=team.other_manager, name="Outside Csm")
    accounts = [AccountFactory(owner=team.ae, csm=team.csm, name=f"Book {i}") for i in range(3)]
    return {"new": new_csm, "outsider": outsider, "accounts": accounts}


def test_a_manager_assigns_a_csm_to_ticked_accounts_and_it_is_audited(team, book, client):
    client.force_login(team.manager.user)
    body = client.get("/crm/accounts/").content.decode()
    assert "Assign CSM" in body and "New Csm" in body and "Outside Csm" not in body
    a, b, c = book["accounts"]
    response = client.post(
        "/crm/accounts/assign-csm/", {"account": [a.pk, b.pk], "csm": book["new"].pk, "query": "segment=mm"}
    )
    assert response.status_code == 302 and response["Location"] == "/crm/accounts/?segment=mm"
    assert set(Account.objects.filter(csm=book["new"]).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert Account.objects.get(pk=c.pk).csm == team.csm
    events = Event.objects.filter(type="crm.account_csm_assigned").order_by("account_id")
    assert [(e.account_id, e.payload["from_csm_id"], e.payload["to_csm_id"], e.actor_id) for e in events] == [
        (a.pk, team.csm.pk, book["new"].pk, team.manager.user.pk),
        (b.pk, team.csm.pk, book["new"].pk, team.manager.user.pk),
    ]
    # Again: nothing changes, nothing more is audited.
    client.post("/crm/accounts/assign-csm/", {"account": [a.pk, b.pk], "csm": book["new"].pk})
    assert Event.objects.filter(type="crm.account_csm_assigned").count() == 2


def test_a_manager_cannot_move_accounts_outside_the_book_or_to_a_csm_outside_the_team(team, book, client):
    client.force_login(team.manager.user)
    a = book["accounts"][0]
    response = client.post(
        "/crm/accounts/assign-csm/", {"account": [a.pk, team.other_account.pk], "csm": book["new"].pk}, follow=True
    )
    assert "not in your book" in response.content.decode()
    assert Account.objects.get(pk=a.pk).csm == team.csm  # never a partial move
    response = client.post("/crm/accounts/assign-csm/", {"account": [a.pk], "csm": book["outsider"].pk}, follow=True)
    assert "Choose a CSM from the list." in response.content.decode()
    response = client.post("/crm/accounts/assign-csm/", {"account": ["x"], "csm": "nope"}, follow=True)
    assert response.status_code == 200 and "Tick the accounts" in response.content.decode()
    assert not Event.objects.filter(type="crm.account_csm_assigned").exists()


def test_revops_assigns_any_csm(team, book, client):
    client.force_login(team.revops.user)
    assert "Outside Csm" in client.get("/crm/accounts/").content.decode()
    client.post("/crm/accounts/assign-csm/", {"account": [team.other_account.pk], "csm": book["outsider"].pk})
    assert Account.objects.get(pk=team.other_account.pk).csm == book["outsider"]


@pytest.mark.parametrize("who", ["ae", "csm"])
def test_reps_see_no_bulk_form_and_are_refused(team, book, client, who):
    client.force_login(getattr(team, who).user)
    body = client.get("/crm/accounts/").content.decode()
    assert "Assign CSM" not in body and 'name="account"' not in body
    a = book["accounts"][0]
    response = client.post("/crm/accounts/assign-csm/", {"account": [a.pk], "csm": book["new"].pk})
    assert response.status_code == 403
    assert Account.objects.get(pk=a.pk).csm == team.csm


def test_an_executive_sees_everything_but_does_not_assign(team, book, client):
    cro = EmployeeFactory(role=Role.EXECUTIVE, user__username="cro")
    client.force_login(cro.user)
    assert "Assign CSM" not in client.get("/crm/accounts/").content.decode()
    assert (
        client.post("/crm/accounts/assign-csm/", {"account": [book["accounts"][0].pk], "csm": book["new"].pk})
    ).status_code == 403
