"""The daily onboarding job: usage-feed milestones, sign-off window holds, escalations (all set-based)."""

from __future__ import annotations

import datetime as dt

from gtmos.core import clock

from .comms import messages_send_due
from .escalations import escalation_scan
from .handoff import success_tasks_remind
from .map_signoff import map_signoff_scan
from .milestones import usage_milestones_detect
from .preclose import preclose_scan


def onboarding_daily(*, today: dt.date | None = None) -> dict:
    today = today or clock.today()
    return {
        "preclose": preclose_scan(),
        "milestones": usage_milestones_detect(today=today),
        "messages_sent": messages_send_due(today=today),
        "holds_opened": map_signoff_scan(today=today),
        "escalations": escalation_scan(today=today),
        "success_task_reminders": success_tasks_remind(today=today),
    }
