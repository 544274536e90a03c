"""Who may use the coaching manager pages (queue, escalations, flags, business review, forecast accuracy).

Managers and SLMs coach; RevOps and executives see everything. A rep has only their digests: the manager
pages answer 404 to them (not an empty 200) and their tabs are not drawn, so a rep never learns a pending
recommendation exists (seed 001: surfaced in the next monthly digest, not before).
"""

from __future__ import annotations

from gtmos.crm import access

COACH_ROLES = ("manager", "slm")


def can_coach(user) -> bool:
    if access.sees_everything(user):
        return True
    me = access.employee_of(user)
    return me is not None and me.role in COACH_ROLES
