"""The dashboard's key-figure cards are reference data: edited in the admin by staff who manage it."""

from django.contrib import admin

from baocao.accounts.admin import ManagedAdmin
from baocao.analytics.models import KeyFigureCard


@admin.register(KeyFigureCard)
class KeyFigureCardAdmin(ManagedAdmin):
    list_display = ["label", "indicator", "kind", "report_type", "org_unit", "show_trend", "sort_order"]
    list_filter = ["kind", "report_type", "show_trend"]
    search_fields = ["title", "indicator__code", "indicator__name", "org_unit__name", "org_unit__code"]
    autocomplete_fields = ["indicator", "org_unit", "report_type"]
    filter_horizontal = ["target_types"]
    list_select_related = ["indicator", "report_type", "org_unit"]
    ordering = ["report_type", "org_unit", "sort_order"]
