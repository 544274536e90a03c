"""Demo coaching history: six weekly checks over the performance demo data, today's daily flags, and last
month's digests — with some of the older recommendations decided by their managers (through the same
services the queue uses) so reps have an approved action in their digest and managers a queue to work."""

from __future__ import annotations

import datetime as dt
import random

from .calendar import prior_month, week_end
from .models import ApprovalStatus, RepCoachingLog
from .services.approval import recommendation_approve, recommendation_dismiss
from .services.daily import coaching_daily
from .services.digest import digests_generate
from .services.weekly import coaching_weekly

WEEKS = 6


def seed_coaching(rng: random.Random, *, today: dt.date) -> dict[str, int]:
    last = week_end(today)
    for k in range(WEEKS - 1, -1, -1):
        coaching_weekly(week=last - dt.timedelta(weeks=k))
    decided = 0
    for log in (
        RepCoachingLog.objects.filter(
            approval_status=ApprovalStatus.PENDING, rep__manager__isnull=False, coaching_date__lt=last
        )
        .select_related("rep__manager")
        .order_by("pk")
    ):
        if rng.random() < 0.6:
            if rng.random() < 0.8:
                recommendation_approve(log=log, by=log.rep.manager)
            else:
                recommendation_dismiss(log=log, by=log.rep.manager, note="Already covered in the last 1:1.")
            decided += 1
    coaching_daily(day=today)
    digests = digests_generate(month=prior_month(today), generated_on=today)
    return {
        "coaching patterns": RepCoachingLog.objects.count(),
        "coaching decisions": decided,
        "coaching digests": digests["digests"],
    }
