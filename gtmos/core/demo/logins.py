"""The demo's sign-in table: who to sign in as and what each one shows (seed_demo, run_stack, `make logins`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from gtmos.crm.models import Role

from .people import DEMO_PASSWORD

REPS = (Role.AE, Role.SDR, Role.AM, Role.CSM)
# (username, who, what to look at), in the order a first-time visitor would try them.
DEMO_LOGINS = [
    ("revops", "RevOps (admin)", "everything, the system panel, Django admin"),
    ("slm", "Second-line manager", "escalations, holds, overrides"),
    ("cro", "Executive / CRO", "the whole org"),
    *[(f"mgr-{role}1", f"Manager of {role.label}s", "team book, coaching queue") for role in REPS],
    *[(f"{role}1", role.label, "own book") for role in REPS],
    ("postsales1", "Post-sales", "handoff review queue"),
]
PROSPECT_EMAIL = "joe@squiresconstruction.com"  # a sample company whose site and datasets the demo ships


def logins_table(site_url: str) -> list[str]:
    """The lines to print: the address, the logins that exist in this database, the password, a prospect to try."""
    site_url = site_url.rstrip("/")
    existing = set(
        get_user_model().objects.filter(username__in=[u for u, _, _ in DEMO_LOGINS]).values_list("username", flat=True)
    )
    lines = [f"GTM OS is running at {site_url}/", ""]
    rows = [(u, who, what) for u, who, what in DEMO_LOGINS if u in existing]
    if not rows:
        return [*lines, "No demo logins in this database (python manage.py seed_demo loads them)."]
    w = max(len(who) for _, who, _ in rows)
    lines.append(f"  {'Sign in as':<12} {'Who':<{w}} What to look at")
    lines.append(f"  {'-' * 12} {'-' * w} {'-' * max(len(what) for _, _, what in rows)}")
    lines += [f"  {u:<12} {who:<{w}} {what}" for u, who, what in rows]
    lines += [
        f"  Password for every login: {DEMO_PASSWORD}",
        f"  A prospect (no login): {site_url}/general-contractor with {PROSPECT_EMAIL}",
    ]
    return lines
