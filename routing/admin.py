from django.contrib import admin

from gtmos.core.admin_audit import AuditedConfigAdmin, AuditedSingletonAdmin

from .models import RouterSettings, TradeConfig


@admin.register(TradeConfig)
class TradeConfigAdmin(AuditedConfigAdmin, admin.ModelAdmin):
    list_display = ("label", "trade", "lander", "takeoff_family", "active")
    list_filter = ("takeoff_family", "active")
    search_fields = ("trade", "label")

    def has_delete_permission(self, request, obj=None):
        return False  # retire a trade (active = False); past decisions name it


@admin.register(RouterSettings)
class RouterSettingsAdmin(AuditedSingletonAdmin, admin.ModelAdmin):
    """Audited singleton (see AuditedSingletonAdmin)."""
