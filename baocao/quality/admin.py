from django.contrib import admin

from baocao.accounts.admin import ManagedAdmin  # rules are reference data: MANAGE
from baocao.quality.models import DeviationRule, ValidationRule


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
