"""Thin tasks: each calls one service; every one is safe to run twice."""

from celery import shared_task

from .services.daily import onboarding_daily as run_daily
from .services.escalations import escalation_scan


@shared_task(acks_late=True)
def onboarding_daily() -> dict:
    """Beat job (daily): pre-close backstop, M4/M6 from usage, sign-off window holds, escalation scan."""
    return run_daily()


@shared_task(acks_late=True)
def escalation_scan_daily() -> dict:
    return escalation_scan()


@shared_task(acks_late=True)
def prospect_sessions_sweep(*, now: str | None = None) -> dict:
    """Beat (every minute): idle prospect sessions → ABANDONED; with the kill switch off, every session that
    still depends on the swarm → FALLBACK_FORM; S10 sessions whose close-won task was lost get their won deal;
    outreach and invite emails due on the retry ladder get their next attempt."""
    import datetime as dt

    from .prospect.services import self_serve_close_won_sweep
    from .services.outbound import outbound_sweep
    from .services.session import sessions_kill_switch_sweep, sessions_timeout_sweep

    at = dt.datetime.fromisoformat(now) if now else None
    return {
        "abandoned": sessions_timeout_sweep(now=at),
        "fallback": sessions_kill_switch_sweep(),
        "closed_won": self_serve_close_won_sweep(now=at),
        "emails": outbound_sweep(now=at),
    }


@shared_task(acks_late=True)
def self_serve_close_won(*, session_id: str, actor_id: int | None = None) -> bool:
    """card.captured (S10) → the won Opportunity and post-close onboarding, after the prospect's request."""
    from django.contrib.auth import get_user_model

    from .prospect.services import self_serve_close_won as close

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return close(session_id=session_id, actor=actor)


@shared_task(acks_late=True)
def lead_retention_purge() -> int:
    """Beat (daily): unconverted leads past the retention window (RevOps' setting) lose their personal data."""
    from enrichment.services.leads import leads_retention_purge

    from .models import SessionSettings

    return leads_retention_purge(days=SessionSettings.load().lead_retention_days)


@shared_task(acks_late=True)
def battlepack_research_rebuild(*, deal_id: str, because: str) -> list[str] | None:
    """Late research for one deal (the agents, a profile change, a call on the account), on the worker: not in
    the thread that saved the research. Idempotent: research that changes no cell changes nothing (no write, no
    audit row), so a duplicate delivery is quiet."""
    from .whiteglove.battlepack import battlepack_research_rebuild as rebuild

    return rebuild(deal_id=deal_id, because=because)
