from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from baocao.accounts.permissions import Action, units_for
from baocao.quality.models import DeviationRule, ValidationRule


class ManagedAdmin(admin.ModelAdmin):
    """Rules are reference data: only those who manage it (Action.MANAGE) see and edit them."""

    def _manages(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and units_for(user, Action.MANAGE).exists())

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)


@admin.register(ValidationRule)
class ValidationRuleAdmin(ManagedAdmin):
    """Saving runs ValidationRule.clean: unknown codes, syntax, division by zero, self-reference."""

    list_display = ["code", "name", "left", "operator", "right", "importance", "scope", "is_active"]
    list_filter = ["importance", "operator", "scope", "is_active"]
    search_fields = ["code", "name", "left", "right"]
    autocomplete_fields = ["org_units"]
    fieldsets = [
        (None, {"fields": ["code", "name", "description", "is_active"]}),
        ("Quy tắc", {"fields": ["left", "operator", "right", "left_missing", "right_missing"]}),
        ("Thông báo", {"fields": ["importance", "message"]}),
        ("Áp dụng", {"fields": ["period_types", "scope", "org_units"]}),
    ]


@admin.register(DeviationRule)
class DeviationRuleAdmin(ManagedAdmin):
    list_display = ["indicator", "factor", "compare_previous", "compare_last_year", "is_active"]
    autocomplete_fields = ["indicator"]
