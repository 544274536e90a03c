from gtmos.core.management.days import BeatJobCommand


class Command(BeatJobCommand):
    help = (
        "Seed 000's daily run as of a day (default today): pre-close backstop, M4/M6 from usage, scheduled "
        "messages, sign-off window holds, escalation scan. Safe to repeat; --from/--to replays days in order."
    )
    jobs = ("onboarding-daily",)
