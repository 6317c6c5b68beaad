from django.contrib import admin

from baocao.collection.models import DataValue, ValueChange


@admin.register(DataValue)
class DataValueAdmin(admin.ModelAdmin):
    """Read-only here: values change only through the service functions (which keep the log)."""

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
