from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "gtmos.crm"
    label = "crm"
    verbose_name = "GTM records"
