from django.contrib import admin

from baocao.collection.models import DataValue, Submission, SubmissionEvent, ValueChange
from baocao.core.admin_fields import VietnameseNumbersAdminMixin


@admin.register(DataValue)
class DataValueAdmin(VietnameseNumbersAdminMixin, admin.ModelAdmin):
    """Read-only: values change only through the value action (collection.values.write_values), which
    decides permission, applies the rules and keeps the log; the admin would bypass all three."""

    list_display = ["indicator", "org_unit", "period", "kind", "value", "version", "updated_by", "updated_at"]
    list_filter = ["kind", "period"]
    search_fields = ["indicator__code", "indicator__name", "org_unit__code", "org_unit__name"]
    list_select_related = ["indicator", "org_unit", "updated_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ValueChange)
class ValueChangeAdmin(DataValueAdmin):
    list_display = [
        "indicator",
        "org_unit",
        "period",
        "kind",
        "old_value",
        "new_value",
        "changed_by",
        "source",
        "changed_at",
    ]
    list_filter = ["source", "kind"]
    list_select_related = ["indicator", "org_unit", "changed_by"]


@admin.register(Submission)
class SubmissionAdmin(DataValueAdmin):
    """Read-only: statuses change only through the workflow (collection.workflow), which keeps the log."""

    list_display = ["data_set", "org_unit", "period", "status", "submitted_at", "updated_at"]
    list_filter = ["status", "period"]
    search_fields = ["data_set__code", "org_unit__code", "org_unit__name"]
    list_select_related = ["data_set", "org_unit"]


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(DataValueAdmin):
    list_display = ["submission", "from_status", "to_status", "reason", "changed_by", "source", "changed_at"]
    list_filter = ["to_status", "source"]
    search_fields = ["submission__org_unit__code", "reason"]
    list_select_related = ["submission", "changed_by"]
