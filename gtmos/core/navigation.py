"""Navigation by role, grouped by the job a page serves. Later features add entries here.

``roles=None`` means everyone signed in; ``allowed`` names a predicate (``module:function``) for pages whose
access is not a plain role list, so the menu offers exactly what the page's own check lets through (a page a
role cannot use is absent from its navigation, and the browser suite visits every item for every role).
"""

from dataclasses import dataclass
from importlib import import_module

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# The jobs, in menu order (issue 20): what a person came to do, not which app serves it.
GROUPS = ("My book", "Onboarding", "Health", "Coaching", "Prospects", "Admin")


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    group: str
    roles: tuple[str, ...] | None = None
    staff_only: bool = False
    allowed: str | None = None


ITEMS: list[NavItem] = [
    NavItem("Home", "home", "My book"),
    NavItem("Inbox", "audit:inbox", "My book"),
    NavItem("Accounts", "crm:account_list", "My book"),
    NavItem("Opportunities", "crm:opportunity_list", "My book"),
    NavItem("Pre-close", "onboarding:preclose_list", "Onboarding", roles=("ae", "am", "csm", "se", "manager", "slm")),
    NavItem("Handoff review", "onboarding:review_list", "Onboarding", roles=("post_sales", "slm")),
    NavItem(
        "Onboarding",
        "onboarding:cockpit",
        "Onboarding",
        roles=("csm", "am", "impl_engineer", "manager", "slm", "post_sales"),
    ),
    NavItem(
        "Escalations",
        "onboarding:escalation_report",
        "Onboarding",
        allowed="onboarding.access:can_triage_escalations",
    ),
    NavItem("CS handoffs", "onboarding:handoff_list", "Onboarding", allowed="onboarding.handoffs:can_see_handoffs"),
    NavItem("Health", "health:book", "Health", roles=("csm", "am", "ae", "manager", "slm")),
    NavItem("Interventions", "health:interventions", "Health", allowed="gtmos.health.interventions:can_see"),
    NavItem("Coaching", "coaching:queue", "Coaching", roles=("manager", "slm")),
    NavItem("My coaching", "coaching:digests", "Coaching", roles=("ae", "am", "csm", "sdr")),
    NavItem("White-glove", "whiteglove:pipeline_ae", "Prospects", roles=("ae", "manager", "slm")),
    NavItem("White-glove (SDR)", "whiteglove:pipeline_sdr", "Prospects", roles=("sdr",)),
    NavItem(
        "Re-engage queue", "prospect:reengage", "Prospects", allowed="onboarding.prospect.access:can_work_prospects"
    ),
    NavItem("Prospect funnel", "prospect:funnel", "Prospects", allowed="onboarding.prospect.access:can_see_funnel"),
    NavItem("Warm links", "prospect:warm_links", "Prospects", allowed="onboarding.prospect.access:can_work_prospects"),
    NavItem(
        "Routing decisions",
        "prospect:routing_sessions",
        "Prospects",
        allowed="onboarding.prospect.access:can_work_prospects",
    ),
    NavItem("Admin", "admin:index", "Admin", staff_only=True),
]


def _allowed(item: NavItem, user, role: str | None, everything: bool) -> bool:
    if item.staff_only and not user.is_staff:
        return False
    if item.allowed is not None:
        module, name = item.allowed.split(":")
        return bool(getattr(import_module(module), name)(user))
    return item.roles is None or role in item.roles or everything


def items_for(user) -> list[dict]:
    """The flat list of the user's menu items (label, url, url name, group)."""
    from gtmos.crm.access import employee_of, sees_everything

    employee = employee_of(user)
    role = employee.role if employee else None
    everything = sees_everything(user)
    result = []
    for item in ITEMS:
        if not _allowed(item, user, role, everything):
            continue
        url = _url(item.url_name)
        if url is not None:
            result.append({"label": item.label, "url": url, "name": item.url_name, "group": item.group})
    return result


_URLS: dict[tuple, str | None] = {}


def _url(name: str) -> str | None:
    """The menu's URLs take no arguments: reversed once per URLconf and script prefix, not on every page (the
    menu is on every page; issue 20: page speed). None for a name the URLconf does not have."""
    key = (name, get_urlconf(), get_script_prefix())
    if key not in _URLS:
        try:
            _URLS[key] = reverse(name)
        except NoReverseMatch:
            _URLS[key] = None
    return _URLS[key]


def groups_for(user) -> list[dict]:
    """The menu as the shell draws it: the non-empty groups in GROUPS order, each with its items."""
    items = items_for(user)
    return [
        {"label": group, "items": [i for i in items if i["group"] == group]}
        for group in GROUPS
        if any(i["group"] == group for i in items)
    ]
