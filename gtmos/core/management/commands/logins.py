"""``make logins``: print the address and the demo sign-in table again."""

import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand

from gtmos.core.demo.logins import logins_table


def running_site_url() -> str | None:
    """The address of the running quick start (run_stack writes var/stack.json while it is up)."""
    try:
        stack = json.loads((settings.VAR_DIR / "stack.json").read_text())
        os.kill(int(stack["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return stack.get("site_url")


class Command(BaseCommand):
    help = "Print the quick start's address and the demo logins."

    def handle(self, *args, **options):
        self.stdout.write("\n".join(logins_table(running_site_url() or settings.SITE_URL)))
