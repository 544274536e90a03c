from django.contrib import admin

from .models import IdempotencyRecord, IntegrationToken


@admin.register(IntegrationToken)
class IntegrationTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "active", "created_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name",)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("created_at", "integration", "method", "path", "key", "status_code")
    list_filter = ("integration", "status_code")
    search_fields = ("key", "path")

    def has_change_permission(self, request, obj=None):
        return False
