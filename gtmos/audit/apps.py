from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gtmos.audit"
    label = "audit"
    verbose_name = "Audit: events, exceptions, notifications"
