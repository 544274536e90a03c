from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"

    def ready(self):
        from . import home

        home.register()  # the coaching panels of the managers' and SLM's homes
