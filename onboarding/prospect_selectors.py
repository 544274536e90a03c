"""Reads of the prospect flow (seed 002) for pages and queues."""

from .models import OnboardingSession, RouteDecision
from .models.session import SessionState


def reengage_queue():
    """ABANDONED sessions for sales to re-engage, most recently active first."""
    return (
        OnboardingSession.objects.filter(state=SessionState.ABANDONED).select_related("lead").order_by("-last_event_at")
    )


def current_route(session: OnboardingSession) -> RouteDecision | None:
    """The session's current decision: its ``route`` (loaded with the session where pages select_related it)."""
    return session.route
