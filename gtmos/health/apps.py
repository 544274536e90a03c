from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "gtmos.health"
    label = "health"
    verbose_name = "Customer health (AGT-501)"

    def ready(self):
        from gtmos.crm.signals import order_closed_won

        from .services.inputs import on_order_closed_won

        order_closed_won.connect(on_order_closed_won, dispatch_uid="health-expansion-play-won")
