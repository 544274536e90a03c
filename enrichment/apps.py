from django.apps import AppConfig


class EnrichmentConfig(AppConfig):
    name = "enrichment"
