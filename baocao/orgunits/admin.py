from django.contrib import admin

from baocao.core.admin_fields import VietnameseNumbersAdminMixin
from baocao.orgunits.models import OrgUnit, OrgUnitSuccession


class SuccessionInline(VietnameseNumbersAdminMixin, admin.TabularInline):
    model = OrgUnitSuccession
    fk_name = "predecessor"
    extra = 0
    verbose_name_plural = "đơn vị kế thừa"


@admin.register(OrgUnit)
class OrgUnitAdmin(VietnameseNumbersAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "type", "parent", "valid_from", "valid_to"]
    list_filter = ["type", "valid_to"]
    search_fields = ["code", "name", "search_key"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline]


@admin.register(OrgUnitSuccession)
class OrgUnitSuccessionAdmin(VietnameseNumbersAdminMixin, admin.ModelAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_date", "legal_basis"]
    list_filter = ["kind"]
    autocomplete_fields = ["predecessor", "successor"]
