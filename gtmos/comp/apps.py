from django.apps import AppConfig


class CompConfig(AppConfig):
    name = "gtmos.comp"
    label = "comp"
    verbose_name = "Comp governance (holds)"

    def ready(self):
        from gtmos.crm.signals import order_closed_won

        from . import services

        order_closed_won.connect(services.on_order_closed_won, dispatch_uid="comp-payouts-on-close")
