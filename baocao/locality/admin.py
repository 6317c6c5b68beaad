"""The audit trail of locality imports, read-only: rows are written only by the import itself."""

from django.contrib import admin

from baocao.accounts.admin import ThroughActionsAdmin
from baocao.locality.models import LocalityImport


@admin.register(LocalityImport)
class LocalityImportAdmin(ThroughActionsAdmin):  # written by baocao.locality.engine.apply_import
    list_display = (
        "created_at",
        "actor_name",
        "bundle_name",
        "bundle_sha256",
        "created_count",
        "changed_count",
        "unchanged_count",
    )
    search_fields = ("bundle_name", "bundle_sha256", "actor_name")
