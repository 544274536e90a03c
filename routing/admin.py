from django.contrib import admin

from gtmos.core.admin_audit import AuditedConfigAdmin

from .models import RouterSettings, TradeConfig


@admin.register(TradeConfig)
class TradeConfigAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("label", "trade", "lander", "takeoff_family", "active")
    list_filter = ("takeoff_family", "active")
    search_fields = ("trade", "label")

    def has_delete_permission(self, request, obj=None):
        return False  # retire a trade (active = False); past decisions name it


@admin.register(RouterSettings)
class RouterSettingsAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return not RouterSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
