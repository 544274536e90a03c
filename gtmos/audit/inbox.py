"""The inbox as a triage list (issue 20): notices grouped by record and kind, repeats collapsed into one row
with a count, priority first, filters kept in the URL, and read-marking in bulk.

A group is (rule, link, title): the same rule firing again about the same record with the same headline
("Still persisting: …") is one row that says how many times and when last. The title is part of the key because
some rules link to a list page (two reps escalated both link to the escalations page; they are two rows). Two queries whatever the inbox size: the latest notice of each group
(PostgreSQL DISTINCT ON) and the counts per group.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from gtmos.core import clock

from .models import Notification

# Lower is more urgent. Holds and SLM escalations block money or a customer; milestone news is good news.
PRIORITY = {
    "map_signoff_hold": 0,
    "onboarding.ttv_miss_slm": 0,
    "onboarding.unresponsive_slm": 0,
    "onboarding.map_rejected": 0,
    "onboarding.targets_unrealistic": 0,
    "coaching_escalation": 1,
    "health_at_risk": 1,
    "onboarding.ttv_miss": 1,
    "onboarding.unresponsive": 1,
    "onboarding.exec_sponsor": 1,
    "onboarding.ttv_change_request": 1,
    "onboarding.resource_flag": 2,
    "onboarding.postsales_risk_alert": 2,
    "coaching_pattern": 3,
    "onboarding.handoff_filed": 3,
    "onboarding.milestone_completed": 4,
}
DEFAULT_PRIORITY = 2
PRIORITY_LABELS = {0: "Urgent", 1: "High", 2: "Normal", 3: "Low", 4: "FYI"}
STATES = ("unread", "all")


@dataclass
class Group:
    latest: Notification
    total: int
    unread: int
    first_at: object
    priority: int

    @property
    def priority_label(self) -> str:
        return PRIORITY_LABELS[self.priority]


def _base(*, user, rule: str = "", q: str = ""):
    qs = Notification.objects.filter(recipient=user)
    if rule:
        qs = qs.filter(rule=rule)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return qs


def groups(*, user, state: str = "unread", rule: str = "", q: str = "") -> list[Group]:
    """The user's inbox as groups: urgent first, then those with something unread, then the newest."""
    qs = _base(user=user, rule=rule, q=q)
    counts = {
        (r["rule"], r["link"], r["title"]): r
        for r in qs.values("rule", "link", "title")
        .annotate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)), first=Max("created_at"))
        .order_by()
    }
    latest = qs.order_by("rule", "link", "title", "-created_at", "-pk").distinct("rule", "link", "title")
    result = []
    for n in latest:
        c = counts[(n.rule, n.link, n.title)]
        if state == "unread" and not c["unread"]:
            continue
        result.append(Group(n, c["total"], c["unread"], c["first"], PRIORITY.get(n.rule, DEFAULT_PRIORITY)))
    result.sort(key=lambda g: (g.priority, g.unread == 0, -g.latest.created_at.timestamp(), g.latest.pk))
    return result


def kinds(*, user) -> list[dict]:
    """The rules present in the user's inbox with their unread counts (the kind filter's options)."""
    return list(
        Notification.objects.filter(recipient=user)
        .values("rule")
        .annotate(total=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
        .order_by("rule")
    )


def notifications_mark_read(*, user, group_of: list[int] | None = None, rule: str = "", q: str = "") -> int:
    """Mark read every unread notice in the groups of the notices ``group_of`` (the rows ticked), or, with
    ``group_of`` None, every unread notice matching the filters ("mark all shown read"). Returns how many.
    Idempotent: only unread rows are touched, so a double submit changes nothing the second time."""
    qs = _base(user=user, rule=rule, q=q).filter(read_at__isnull=True)
    if group_of is not None:
        keys = list(Notification.objects.filter(recipient=user, pk__in=group_of).values_list("rule", "link", "title"))
        if not keys:
            return 0
        match = Q(pk__in=[])
        for rule_, link, title in keys:
            match |= Q(rule=rule_, link=link, title=title)
        qs = qs.filter(match)
    return qs.update(read_at=clock.now())
