"""Sorting by each column header (issue 20): the server returns the right order in both directions, keeps the
filters, marks the sorted header with aria-sort, and costs the same queries at two book sizes."""

import datetime as dt
import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gtmos.crm.models import Account, Opportunity, Role, Stage
from gtmos.crm.selectors import ACCOUNT_SORT, OPPORTUNITY_SORT
from tests.factories import AccountFactory, EmployeeFactory, OpportunityFactory

STAGE_ORDER = {s.value: i for i, s in enumerate(Stage.ladder())}


def _account_key(a: Account, key: str):
    return {
        "name": a.name,
        "segment": a.segment,
        "owner": a.owner.name if a.owner else None,
        "csm": a.csm.name if a.csm else None,
        "onboarding": a.onboarding_status,
        "renewal": a.renewal_date,
        "arr": a.arr,
    }[key]


def _opportunity_key(o: Opportunity, key: str):
    return {
        "name": o.name,
        "account": o.account.name,
        "stage": STAGE_ORDER.get(o.stage, 99),
        "owner": o.owner.name if o.owner else None,
        "close": o.close_date,
        "acv": o.acv,
        "health": o.deal_health_score,
    }[key]


def expected(rows, value, descending: bool) -> list[int]:
    """ORDER BY value (nulls last either way), then pk in the same direction."""
    present = sorted((r for r in rows if value(r) is not None), key=lambda r: (value(r), r.pk), reverse=descending)
    missing = sorted((r for r in rows if value(r) is None), key=lambda r: r.pk, reverse=descending)
    return [r.pk for r in present + missing]


class SortBook:
    def __init__(self):
        self.rng = random.Random(20)
        self.manager = EmployeeFactory(role=Role.MANAGER, user__username="mgr", name="Mia Manager")
        self.reps = [EmployeeFactory(role=Role.AE, manager=self.manager, name=f"Rep {c}") for c in "ABC"]
        self.csms = [EmployeeFactory(role=Role.CSM, manager=self.manager, name=f"Csm {c}") for c in "XY"]
        self.numbers = self.rng.sample(range(100, 999), 200)

    def grow(self, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            number = self.numbers.pop()
            account = AccountFactory(
                name=f"Acct {number}",
                owner=rng.choice(self.reps),
                csm=rng.choice([*self.csms, None]),
                segment=rng.choice(["smb", "mm", "ent"]),
                arr=Decimal(rng.choice([0, 5000, 20000, 75000])),
                onboarding_status=rng.choice(["not_started", "active", "complete"]),
                renewal_date=rng.choice([None, dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(300))]),
            )
            OpportunityFactory(
                account=account,
                name=f"Deal {number}",
                owner=rng.choice(self.reps),
                stage=rng.choice([s.value for s in Stage.ladder()[:-1]]),
                acv=Decimal(rng.choice([10000, 60000, 120000])),
                deal_health_score=rng.choice([None, 40, 70, 90]),
                close_date=rng.choice([None, dt.date(2027, 2, 1) + dt.timedelta(days=rng.randrange(90))]),
            )


@pytest.fixture
def sort_book(db):
    return SortBook()


def _order_on_page(body: str, kind: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'<td><a href="/crm/{kind}/(\d+)/">', body)]


LISTS = [
    ("accounts", ACCOUNT_SORT, lambda: Account.objects.select_related("owner", "csm"), _account_key),
    (
        "opportunities",
        OPPORTUNITY_SORT,
        lambda: Opportunity.objects.select_related("account", "owner"),
        _opportunity_key,
    ),
]


@pytest.mark.parametrize("kind, spec, rows, value", LISTS, ids=[k for k, *_ in LISTS])
def test_every_sortable_column_returns_the_right_order_in_flat_queries(sort_book, client, kind, spec, rows, value):
    client.force_login(sort_book.manager.user)
    counts: dict[str, list[int]] = {}
    for size in (6, 30):  # both under one page of 50, so the whole order is visible
        sort_book.grow(size - Account.objects.count())
        everything = list(rows())
        for key in spec.columns:
            for descending in (False, True):
                param = f"-{key}" if descending else key
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(f"/crm/{kind}/?sort={param}")
                assert response.status_code == 200
                body = response.content.decode()
                assert _order_on_page(body, kind) == expected(everything, lambda r: value(r, key), descending), param
                assert f'aria-sort="{"descending" if descending else "ascending"}"' in body
                assert body.count("aria-sort=") == 1
                counts.setdefault(param, []).append(len(ctx))
    assert all(small == large for small, large in counts.values()), counts


def test_header_links_keep_the_filters_and_drop_the_page(sort_book, client):
    sort_book.grow(3)
    client.force_login(sort_book.manager.user)
    body = client.get("/crm/accounts/?segment=ent&q=Acct&page=2&sort=name").content.decode()
    # The sorted column flips direction; the others start in their natural direction (ARR: largest first).
    assert 'href="?segment=ent&amp;q=Acct&amp;sort=-name"' in body
    assert 'href="?segment=ent&amp;q=Acct&amp;sort=-arr"' in body
    assert 'hx-push-url="true"' in body and 'name="sort" value="name" form="filters"' in body


def test_an_htmx_sort_returns_only_the_results_and_an_unknown_sort_falls_back(sort_book, client):
    sort_book.grow(3)
    client.force_login(sort_book.manager.user)
    fragment = client.get("/crm/opportunities/?sort=-health", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="results">') and "<html" not in fragment
    assert client.get("/crm/accounts/?sort=drop_table").status_code == 200
