from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "gtmos.ingest"
    label = "ingest"
    verbose_name = "Ingest: API tokens and idempotency"
