"""Small presentation helpers for the shell and the homes: human labels, never internal codes (issue 20)."""

from django import template

register = template.Library()

# Notification rules as people read them; an unknown rule falls back to its last dotted part, humanised.
RULE_LABELS = {
    "onboarding.postsales_risk_alert": "Risk alert for post-sales",
    "onboarding.resource_flag": "Services needed",
    "onboarding.milestone_completed": "Milestone done",
    "onboarding.handoff_filed": "Handoff filed",
    "onboarding.ttv_change_request": "TTV change request",
    "onboarding.ttv_miss": "TTV at risk",
    "onboarding.ttv_miss_slm": "TTV deadline close",
    "onboarding.unresponsive": "Customer unresponsive",
    "onboarding.unresponsive_slm": "Customer unresponsive",
    "onboarding.exec_sponsor": "Exec sponsor not engaged",
    "onboarding.map_rejected": "MAP rejected",
    "onboarding.targets_unrealistic": "Targets escalated",
    "map_signoff_hold": "Comp hold",
    "health_at_risk": "Account at risk",
    "coaching_pattern": "Coaching pattern",
    "coaching_escalation": "Coaching escalation",
}
TIER_CLASS = {"low": "good", "medium": "", "high": "warn", "critical": "bad"}


@register.filter
def rule_label(rule: str) -> str:
    if rule in RULE_LABELS:
        return RULE_LABELS[rule]
    return (rule or "").rsplit(".", 1)[-1].replace("_", " ").capitalize()


@register.filter
def tier_class(tier: str) -> str:
    return TIER_CLASS.get(tier, "")


@register.filter
def trend(change) -> str:
    """A score change in words and sign, so it reads without colour: "▲ 4", "▼ 6", "no change"."""
    if change is None:
        return "first score"
    if change == 0:
        return "no change"
    return f"▲ {change}" if change > 0 else f"▼ {-change}"


@register.filter
def days_left(days) -> str:
    """A countdown in words: "5 days left", "due today", "3 days overdue"."""
    if days is None:
        return "no date"
    if days == 0:
        return "due today"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    return f"{days} day{'s' if days != 1 else ''} left"


@register.filter
def urgency(days) -> str:
    """The tag colour for a countdown; the text above carries the meaning."""
    if days is None:
        return ""
    return "bad" if days < 0 else "warn" if days <= 3 else ""


# A URL whose one argument is an integer id, as "{% url %}" renders it, reversed once per URL name (issue 20:
# page speed). The homes' panels link every row (up to two links a row, a dozen rows a panel) and reverse() was
# a twentieth of a home's CPU. The shape is the URL of a sentinel id, split around it; the cache is keyed by the
# URLconf and script prefix in force (tests that override either get their own shapes).
_SENTINEL = 2147483647
_SHAPES: dict[tuple, tuple[str, str] | None] = {}


@register.simple_tag
def pk_url(name: str, pk) -> str:
    """``{% pk_url "app:name" obj.pk %}`` renders what ``{% url "app:name" obj.pk %}`` renders, for an integer id."""
    from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

    if not isinstance(pk, int) or isinstance(pk, bool):
        return reverse(name, args=[pk])
    key = (name, get_urlconf(), get_script_prefix())
    if key not in _SHAPES:
        try:
            parts = reverse(name, args=[_SENTINEL]).split(str(_SENTINEL))
        except NoReverseMatch:  # not an integer argument (a UUID, a slug): reverse each time
            parts = []
        _SHAPES[key] = (parts[0], parts[1]) if len(parts) == 2 else None
    shape = _SHAPES[key]
    if shape is None:
        return reverse(name, args=[pk])
    return f"{shape[0]}{pk}{shape[1]}"


@register.filter
def risk_stage_label(stage: str) -> str:
    from gtmos.health.models import RiskStage

    return dict(RiskStage.choices).get(stage, (stage or "").replace("_", " ").capitalize())


@register.inclusion_tag("partials/sort_header.html", takes_context=True)
def sort_header(context, state, key: str, target: str = "#results"):
    """A sortable ``<th>``: see gtmos/core/sorting.py."""
    request = context["request"]
    sort = context.get("sort_spec")
    column = sort.columns[key] if sort is not None else None
    if column is None:
        raise template.TemplateSyntaxError(f"sort_header: no sortable column {key!r} (pass sort_spec)")
    active = state.key == key
    if active:
        descending = not state.descending
    else:
        descending = column.desc_first
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = f"-{key}" if descending else key
    return {
        "column": column,
        "active": active,
        "descending": state.descending if active else None,
        "href": "?" + params.urlencode(),
        "target": target,
        "next": "descending" if descending else "ascending",
    }
