"""Editing report templates in the admin: every block and title is checked when saved (syntax with line
numbers, indicator codes, a trial render), so a broken template never reaches a document. Templates are
edited by those who manage them (Action.MANAGE); report runs, PDF jobs, narrative and their audit trails
change only through their actions and are shown read-only."""

from django import forms
from django.contrib import admin

from baocao.accounts.admin import (
    ManagedAdmin,
    ManagedStackedInline,
    ManagedTabularInline,
    ThroughActionsAdmin,
)
from baocao.reports.checks import check_block_source
from baocao.reports.models import (
    BlockKind,
    Contribution,
    ContributionChange,
    PdfJob,
    ReportBlock,
    ReportRun,
    ReportRunEvent,
    ReportSection,
    ReportType,
    ReportTypeEdition,
    SectionAssignment,
)


class ReportTypeForm(forms.ModelForm):
    class Meta:
        model = ReportType
        fields = (
            "code",
            "name",
            "period_type",
            "org_unit",
            "parent_body",
            "issuer",
            "issuer_short",
            "number_suffix",
            "place_name",
            "doc_type_name",
            "summary",
            "authority",
            "signer_titles",
            "signer_name",
            "recipients",
            "pad_counts",
            "percent_decimals",
            "signing",  # ký số: required, or paper allowed (reports.issuing)
            "annex_attachment",  # the annex as a separately signed attachment
            "is_active",
        )

    def clean_summary(self) -> str:
        summary = self.cleaned_data["summary"]
        problems = check_block_source(
            summary, BlockKind.TEXT, self.cleaned_data.get("period_type") or "month"
        )
        if problems:
            raise forms.ValidationError(problems)
        return summary


class ReportSectionInline(ManagedTabularInline):
    model = ReportSection
    fields = ("sort_order", "key", "title", "parent", "heading_style", "is_annex")
    extra = 0
    show_change_link = True


class SectionAssignmentInline(ManagedTabularInline):
    """Which units write which section (their narrative), in order; also in the YAML as ``units:``."""

    model = SectionAssignment
    fields = ("section_key", "sort_order", "org_unit")
    extra = 0


class ReportTypeEditionInline(ManagedStackedInline):
    """Dated headers (reports.editions): issuer, place line, signer and recipients in force over a span;
    a report uses the one holding its period's cut-off date. Also in the YAML as ``editions:``."""

    model = ReportTypeEdition
    fields = (
        ("valid_from", "valid_to"),
        "parent_body",
        "issuer",
        "issuer_short",
        "place_name",
        "authority",
        "signer_titles",
        "signer_name",
        "recipients",
        "note",
    )
    extra = 0


@admin.register(ReportType)
class ReportTypeAdmin(ManagedAdmin):
    form = ReportTypeForm
    list_display = ("code", "name", "period_type", "org_unit", "is_active")
    search_fields = ("search_key",)
    inlines = [ReportSectionInline, SectionAssignmentInline, ReportTypeEditionInline]


@admin.register(SectionAssignment)
class SectionAssignmentAdmin(ManagedAdmin):
    list_display = ("report_type", "section_key", "sort_order", "org_unit")
    list_filter = ("report_type",)
    search_fields = ("section_key", "org_unit__code", "org_unit__name")


@admin.register(ContributionChange)
class ContributionChangeAdmin(ThroughActionsAdmin):
    list_display = ("changed_at", "report_type", "period", "section_key", "org_unit", "changed_by", "source")
    list_filter = ("report_type", "period", "source")


@admin.register(ReportRunEvent)
class ReportRunEventAdmin(ThroughActionsAdmin):
    list_display = ("changed_at", "run", "kind", "number", "changed_by", "reason")
    list_filter = ("kind",)


class ReportBlockForm(forms.ModelForm):
    class Meta:
        model = ReportBlock
        fields = ("section", "sort_order", "kind", "source", "pad_counts", "percent_decimals", "note")

    def clean(self) -> dict:
        data = super().clean() or {}
        section = data.get("section")
        period_type = section.report_type.period_type if section else "month"
        problems = check_block_source(data.get("source", ""), data.get("kind", BlockKind.TEXT), period_type)
        if problems:
            raise forms.ValidationError({"source": problems})
        return data


class ReportBlockInline(ManagedStackedInline):
    model = ReportBlock
    form = ReportBlockForm
    fields = ("sort_order", "kind", "source", "pad_counts", "percent_decimals", "note")
    extra = 0


class ReportSectionForm(forms.ModelForm):
    class Meta:
        model = ReportSection
        fields = ("report_type", "parent", "sort_order", "key", "title", "heading_style", "is_annex")

    def clean_title(self) -> str:
        title = self.cleaned_data["title"]
        problems = check_block_source(title)
        if problems:
            raise forms.ValidationError(problems)
        return title


@admin.register(ReportSection)
class ReportSectionAdmin(ManagedAdmin):
    form = ReportSectionForm
    list_display = ("report_type", "sort_order", "key", "title", "is_annex")
    list_filter = ("report_type",)
    search_fields = ("search_key",)
    inlines = [ReportBlockInline]


@admin.register(Contribution)
class ContributionAdmin(ThroughActionsAdmin):  # written on the unit's narrative page (rules and audit trail)
    list_display = ("report_type", "period", "section_key", "org_unit", "sort_order")
    list_filter = ("report_type", "period")
    search_fields = ("text", "section_key")


@admin.register(ReportRun)
class ReportRunAdmin(ThroughActionsAdmin):  # drafted, numbered, issued: reports.runs
    list_display = ("report_type", "org_unit", "period", "status", "number", "issue_date")
    list_filter = ("status", "report_type")
    # never changed nor deleted here: an issued report is frozen and only withdrawn (reports.withdrawal)


@admin.register(PdfJob)
class PdfJobAdmin(ThroughActionsAdmin):  # requested: reports.runs.request_pdf
    list_display = ("run", "status", "created_at", "finished_at")
    list_filter = ("status",)
    exclude = ("docx", "pdf")
    readonly_fields = ("run", "status", "error", "requested_by", "started_at", "finished_at")
