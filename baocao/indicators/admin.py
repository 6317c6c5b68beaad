"""Reference data (sectors, units of measure, indicators, targets, data sets) in the admin: edited by staff
who manage it (Action.MANAGE, accounts.admin.ManagedAdmin), as the actions of indicators.services ask."""

from django.contrib import admin

from baocao.accounts.admin import ManagedAdmin, ManagedTabularInline
from baocao.indicators.models import (
    DataSet,
    DataSetIndicator,
    Indicator,
    Sector,
    Target,
    TargetType,
    UnitOfMeasure,
)


@admin.register(Sector)
class SectorAdmin(ManagedAdmin):
    list_display = ["code", "name", "parent", "sort_order"]
    search_fields = ["code", "name", "search_key"]


@admin.register(UnitOfMeasure)
class UnitOfMeasureAdmin(ManagedAdmin):
    list_display = ["code", "name", "dimension", "factor", "whole_numbers"]
    list_filter = ["dimension"]
    search_fields = ["code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(ManagedAdmin):
    list_display = ["code", "name", "sector", "unit", "value_type", "responsible_unit", "parent", "is_active"]
    list_filter = ["sector", "value_type", "is_active"]
    search_fields = ["code", "name", "search_key"]
    autocomplete_fields = ["responsible_unit", "parent"]
    list_select_related = ["sector", "unit", "responsible_unit", "parent"]


@admin.register(TargetType)
class TargetTypeAdmin(ManagedAdmin):
    list_display = ["code", "name", "sort_order"]
    search_fields = ["code", "name"]


@admin.register(Target)
class TargetAdmin(ManagedAdmin):
    list_display = ["indicator", "org_unit", "period", "target_type", "value"]
    list_filter = ["target_type", "period"]
    search_fields = ["indicator__code", "indicator__name", "org_unit__name"]
    autocomplete_fields = ["indicator", "org_unit"]
    list_select_related = ["indicator", "org_unit", "target_type"]


class DataSetIndicatorInline(ManagedTabularInline):
    model = DataSetIndicator
    fields = ["sort_order", "indicator", "kind"]
    autocomplete_fields = ["indicator"]
    extra = 0


@admin.register(DataSet)
class DataSetAdmin(ManagedAdmin):
    list_display = ["code", "name", "period_type", "deadline_working_days", "is_active"]
    list_filter = ["period_type", "is_active"]
    search_fields = ["code", "name", "search_key"]
    filter_horizontal = ["org_units"]
    inlines = [DataSetIndicatorInline]
