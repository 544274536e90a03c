from gtmos.core.management.days import BeatJobCommand


class Command(BeatJobCommand):
    help = (
        "The comp run as of a day (default today): hold unpaid payouts of deals under a MAP sign-off hold, "
        "release those whose hold lifted. Safe to repeat; --from/--to replays days in order."
    )
    jobs = ("comp-hold-daily",)
