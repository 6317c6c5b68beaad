from django.contrib import admin

from baocao.accounts.models import RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "org_unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "org_unit__code",
        "org_unit__name",
    ]
    autocomplete_fields = ["org_unit"]
    list_select_related = ["user", "org_unit"]
