"""The administrator's yearly day swaps (decision 0020): extra days off and substitute working days."""

from django.contrib import admin

from baocao.core.models import DayAdjustment


@admin.register(DayAdjustment)
class DayAdjustmentAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "decision", "note")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("decision", "note")
    ordering = ("-date",)
