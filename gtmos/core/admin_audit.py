"""Admin mixin: every change RevOps makes to configuration is written to the Event log with a diff."""

from django.forms.models import model_to_dict

from gtmos.audit.services import event_record


class AuditedConfigAdmin:
    def save_model(self, request, obj, form, change):
        before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        after = model_to_dict(obj)
        diff = {k: {"from": str(before.get(k)), "to": str(v)} for k, v in after.items() if before.get(k) != v}
        if diff:
            event_record(
                type="config.changed",
                subject=obj,
                actor=request.user,
                payload={"model": obj._meta.label_lower, "changes": diff},
            )


class AuditedSingletonAdmin(AuditedConfigAdmin):
    """A settings row (pk=1, a check constraint says so): audited, added once, never deleted."""

    def has_add_permission(self, request):
        return not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin:
    """Records that change only through their services (logs, FSM-driven rows): browse, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
