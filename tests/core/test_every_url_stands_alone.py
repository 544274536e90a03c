"""Every URL stands alone (STYLE 22): opened directly — a shared link, a new tab, no htmx — a page or fragment
URL answers with a whole page, or redirects to one. The test walks the whole URLconf, so a new URL that is
not listed in ARGS fails here until someone says how to open it."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coaching.models import Digest, RepCoachingLog
from gtmos.audit.models import Notification
from gtmos.crm.models import Account, Employee, Opportunity
from gtmos.health.models import ChurnRiskLog, RetentionTask
from onboarding.models import CSHandoff, Deal, MutualActionPlan, OnboardingPlan, TrainingSession, TTVChangeRequest

# Not pages: the ingest API (JSON, its own contract tests), the admin (Django's own), the card-payment
# webhook (a POST from the payment provider), sign-out (POST only), the JSON and CSV exports, /healthz.
SKIPPED_PREFIXES = ("admin/", "api/v1/", "start/payments/", "coaching/api/", "accounts/logout/")
SKIPPED_NAMES = {
    "health:export",
    "onboarding:plan_checklist",
    "healthz",
    "crm:account_export",
    "crm:opportunity_export",
}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}:" if namespace else "") + (p.name or "")


def _first(model, **filters):
    obj = model.objects.filter(**filters).order_by("pk").first()
    assert obj is not None, f"demo data has no {model.__name__} {filters}"
    return obj.pk


def _args(prospect_pk):
    """How to open each URL that takes arguments, from the demo data. Fragment variants (query strings) are
    listed beside their page as (kwargs, query[, expected status])."""
    plan = _first(OnboardingPlan)
    account = _first(Account, is_customer=True)
    deal = _first(Deal)
    return {
        "crm:account_detail": [{"pk": account}],
        "crm:account_tab": [
            {"pk": account, "tab": t} for t in ("contacts", "opportunities", "calls", "usage", "timeline")
        ],
        "crm:opportunity_detail": [{"pk": _first(Opportunity)}, ({"pk": _first(Opportunity)}, "?kind=call")],
        "crm:opportunity_tab": [{"pk": _first(Opportunity), "tab": "timeline"}],
        # Saved views: POST-only (405 on GET).
        "crm:saved_view_save": [{"page": "accounts"}],
        "crm:saved_view_delete": [{"pk": 1}],
        "onboarding:preclose_detail": [{"pk": _first(Opportunity, stage="proposal")}],
        "onboarding:preclose_start": [{"pk": _first(Opportunity, stage="proposal")}],
        "onboarding:review_detail": [{"pk": _first(MutualActionPlan)}],
        "onboarding:plan_detail": [{"pk": plan}, ({"pk": plan}, "?fragment=board"), ({"pk": plan}, "?fragment=log")],
        "onboarding:milestone_complete": [{"pk": plan, "code": "M1"}],
        "onboarding:activity_log": [{"pk": plan}],
        "onboarding:message_send": [{"pk": plan}],
        # M7 is the CSM's: RevOps is refused with a whole page that says so.
        "onboarding:plan_close": [({"pk": plan}, "", 403)],
        "onboarding:success_task_complete": [{"pk": 1}],
        "onboarding:map_share": [({"token": "not-a-valid-link"}, "", 400)],
        "onboarding:map_share_create": [{"pk": _first(MutualActionPlan)}],
        "onboarding:map_share_revoke": [{"pk": _first(MutualActionPlan), "link_id": uuid.uuid4()}],
        "onboarding:ttv_request_create": [{"pk": plan}],
        # Training is the CSM's (or a milestone owner's): RevOps is refused the schedule form with a whole page.
        "onboarding:training_schedule": [({"pk": plan}, "", 403)],
        "onboarding:training_detail": [{"pk": _first(TrainingSession)}],
        "onboarding:plan_checklist_page": [{"pk": plan}],
        "onboarding:handoff_detail": [{"pk": _first(CSHandoff)}] if CSHandoff.objects.exists() else [],
        "onboarding:ttv_request": ([{"pk": _first(TTVChangeRequest)}] if TTVChangeRequest.objects.exists() else []),
        "whiteglove:deal_detail": [{"pk": deal}],
        "whiteglove:deal_meddpicc": [{"pk": deal}],
        "whiteglove:deal_takeoff": [{"pk": deal}],
        "whiteglove:deal_step": [{"pk": deal, "step": s} for s in ("w5", "w6", "w7", "w8", "w9", "w10")],
        "whiteglove:deal_action": [{"pk": deal, "action": "approve"}],
        "health:account": [{"pk": account}],
        "health:override_set": [{"pk": account}],
        "health:override_clear": [{"pk": account}],
        "health:risk_move": [{"pk": _first(ChurnRiskLog)}],
        "health:note_add": [{"pk": _first(ChurnRiskLog)}],
        "health:task_done": [{"pk": _first(RetentionTask)}],
        "coaching:approve": [{"pk": _first(RepCoachingLog)}],
        "coaching:modify": [{"pk": _first(RepCoachingLog)}],
        "coaching:dismiss": [{"pk": _first(RepCoachingLog)}],
        "coaching:rep": [{"pk": _first(Employee, role="ae")}],
        "coaching:escalate": [{"pk": _first(Employee, role="ae")}],
        "coaching:resolve": [{"pk": _first(RepCoachingLog)}],
        "coaching:digest": [{"pk": _first(Digest)}],
        "audit:mark_read": [{"pk": _first(Notification)}],
        "prospect:lander_trade": [{"trade": "electrical"}],
        **{
            name: [{"pk": prospect_pk}]
            for name in (
                "prospect:resume",
                "prospect:email",
                "prospect:enriching",
                "prospect:enriching_status",
                "prospect:confirm",
                "prospect:workspace",
                "prospect:company_note",
                "prospect:question",
                "prospect:takeoff",
                "prospect:activate",
                "prospect:trial",
                "prospect:card_start",
                "prospect:card_demo",
                "prospect:invites",
                "prospect:inbox_consent",
                "prospect:fallback",
                "prospect:homeowner",
                "prospect:delete_my_data",
                "prospect:routing_session",
                "prospect:specialist",
                "prospect:abandoned",
            )
        },
        "prospect:fallback_step": [{"pk": prospect_pk, "step": "organization_type"}],
        "prospect:watch": [{"pk": prospect_pk, "pursuit_id": uuid.uuid4()}],
        "prospect:workspace_surface": [
            {"pk": prospect_pk, "surface": slug} for slug in ("jobs", "analytics", "network", "field-ops")
        ],
        # A link that is not one answers its own whole page, "this link is not valid", with a 400.
        "prospect:warm": [({"token": "not-a-valid-link"}, "", 400)],
    }


def _is_whole_page(response) -> bool:
    body = response.content.decode()
    return body.lstrip().lower().startswith("<!doctype html") and "</html>" in body


@pytest.mark.django_db
def test_every_url_opened_directly_is_a_whole_page_or_a_redirect_to_one(client, frozen_clock):
    call_command("seed_demo", "--accounts", "60", "--performance-weeks", "6", stdout=io.StringIO())
    # A prospect's own browser: this client starts one session (cold, at a work email).
    client.post(reverse("prospect:capture"), {"email": "pat@example-electric.com", "key": str(uuid.uuid4())})
    from onboarding.prospect.access import SESSION_KEY

    prospect_pk = client.session[SESSION_KEY][0]
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="revops"))  # keeps the prospect session
    args = _args(prospect_pk)

    unlisted, broken = [], []
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or name in SKIPPED_NAMES:
            continue
        needs_args = "<" in route
        if needs_args and name not in args:
            unlisted.append(name)
            continue
        for spec in args[name] if needs_args else [{}]:
            kwargs, query, status = (*spec, 200)[:3] if isinstance(spec, tuple) else (spec, "", 200)
            url = reverse(name, kwargs=kwargs) + query
            response = client.get(url, follow=True)
            if response.status_code == 405:  # a form's POST endpoint: nothing to open
                continue
            if response.status_code != status or not _is_whole_page(response):
                broken.append(f"{url} → {response.status_code} {response.content[:80]!r}")
    assert not unlisted, f"say how to open these URLs in ARGS: {unlisted}"
    assert not broken, "opened directly, these are not a whole page:\n" + "\n".join(broken)
