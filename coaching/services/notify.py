"""Notices to managers and SLMs (never to the rep a flag or escalation is about), in bulk."""

from __future__ import annotations

from gtmos.audit.services import notifications_bulk_create
from gtmos.crm.models import Employee


def logins(employee_ids) -> dict[int, int]:
    """Employee id → user id, for those with a login (one query)."""
    return dict(
        Employee.objects.filter(pk__in=set(employee_ids) - {None}, user__isnull=False).values_list("pk", "user_id")
    )


def notify(rows: list[tuple[int | None, str, str, str, str, str]]) -> int:
    """rows: (employee_id, rule, title, body, link, dedupe_key). Employees without a login are skipped."""
    users = logins(r[0] for r in rows)
    return notifications_bulk_create(
        [
            {
                "recipient_id": users[emp],
                "rule": rule,
                "title": title[:200],
                "body": body,
                "link": link,
                "dedupe_key": key,
            }
            for emp, rule, title, body, link, key in rows
            if emp in users
        ]
    )
