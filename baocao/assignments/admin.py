from django.contrib import admin

from baocao.accounts.admin import ThroughActionsAdmin, ThroughActionsInline
from baocao.assignments.models import (
    Completion,
    DeadlineExtension,
    Directive,
    ProgressUpdate,
    ReviewName,
    Task,
)
from baocao.core.admin_fields import VietnameseNumbersAdminMixin

# Directives, tasks, extensions, progress and completions change only through assignments.services (the
# task pages, the Excel import): the admin shows them.


@admin.register(Directive)
class DirectiveAdmin(ThroughActionsAdmin):
    list_display = ("number", "kind", "issued_on", "issuer")
    search_fields = ("number", "summary")


class ExtensionInline(ThroughActionsInline):
    model = DeadlineExtension
    readonly_fields = ("recorded_by", "recorded_at")


class CompletionInline(ThroughActionsInline):
    model = Completion
    readonly_fields = ("reported_by", "reported_at", "returned_by", "returned_at")


class ProgressInline(ThroughActionsInline):
    model = ProgressUpdate
    fields = ("reported_on", "text", "document_ref", "evidence_name", "reported_by")
    readonly_fields = ("evidence_name", "reported_by")


@admin.register(Task)
class TaskAdmin(ThroughActionsAdmin):
    list_display = ("__str__", "lead_unit", "assigned_on", "deadline_text", "is_advisory")
    list_filter = ("lead_unit", "is_advisory", "deadline_kind")
    search_fields = ("code", "content")
    autocomplete_fields = ("directive",)
    filter_horizontal = ("cooperating_units",)
    inlines = (ExtensionInline, ProgressInline, CompletionInline)


@admin.register(ReviewName)
class ReviewNameAdmin(VietnameseNumbersAdminMixin, admin.ModelAdmin):
    list_display = ("org_unit", "name")
