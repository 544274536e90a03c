from django.core.management.base import BaseCommand, CommandError

from gtmos.ingest.models import IntegrationToken


class Command(BaseCommand):
    help = "Issue a bearer token for an integration; the token is shown once."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        if IntegrationToken.objects.filter(name=name).exists():
            raise CommandError(f"an integration named {name!r} already has a token")
        _, raw = IntegrationToken.issue(name)
        self.stdout.write(raw)
