from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gtmos.core"
    label = "core"
    verbose_name = "GTM OS core"
