from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "gtmos.health"
    label = "health"
    verbose_name = "Customer health (AGT-501)"
