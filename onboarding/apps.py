from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"

    def ready(self):
        from gtmos.crm.signals import opportunity_stage_changed, opportunity_updated, order_closed_won

        from .services import postclose, preclose

        order_closed_won.connect(postclose.on_order_closed_won, dispatch_uid="onboarding-post-close")

        def evaluate(sender, opportunity, **kwargs):
            preclose.preclose_evaluate(opportunity=opportunity)

        opportunity_stage_changed.connect(evaluate, weak=False, dispatch_uid="onboarding-pre-close-stage")
        opportunity_updated.connect(evaluate, weak=False, dispatch_uid="onboarding-pre-close-update")
