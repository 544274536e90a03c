"""Navigation by role. Later features add entries here; ``roles=None`` means everyone signed in."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] | None = None
    staff_only: bool = False


ITEMS: list[NavItem] = [
    NavItem("Home", "home"),
    NavItem("Accounts", "crm:account_list"),
    NavItem("Opportunities", "crm:opportunity_list"),
    NavItem("White-glove", "whiteglove:pipeline_ae", roles=("ae", "manager", "slm")),
    NavItem("White-glove (SDR)", "whiteglove:pipeline_sdr", roles=("sdr",)),
    NavItem("Pre-close", "onboarding:preclose_list", roles=("ae", "am", "csm", "se", "manager", "slm")),
    NavItem("Handoff review", "onboarding:review_list", roles=("post_sales", "slm")),
    NavItem("Onboarding", "onboarding:cockpit", roles=("csm", "am", "impl_engineer", "manager", "slm", "post_sales")),
    NavItem("Health", "health:book", roles=("csm", "am", "ae", "manager", "slm")),
    NavItem("Coaching", "coaching:queue", roles=("manager", "slm")),
    NavItem("My coaching", "coaching:digests", roles=("ae", "am", "csm", "sdr")),
    NavItem("Inbox", "audit:inbox"),
    NavItem("Admin", "admin:index", staff_only=True),
]


def items_for(user) -> list[dict]:
    from gtmos.crm.access import employee_of, sees_everything

    employee = employee_of(user)
    role = employee.role if employee else None
    result = []
    for item in ITEMS:
        if item.staff_only and not user.is_staff:
            continue
        if item.roles is not None and role not in item.roles and not sees_everything(user):
            continue
        try:
            result.append({"label": item.label, "url": reverse(item.url_name), "name": item.url_name})
        except NoReverseMatch:
            continue
    return result
