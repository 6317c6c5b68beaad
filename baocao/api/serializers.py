"""Serializers of the API: codes (not ids) name reference data; values are JSON numbers on output and a
number or a string in Vietnamese notation ("1.425", "38,161") on input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from baocao.assignments.models import Completion, Task
from baocao.assignments.status import task_items
from baocao.collection.models import DataValue, Submission, ValueKind
from baocao.collection.workflow import STEPS
from baocao.core import clock
from baocao.core.numbers import NumberParseError, format_number, parse_number
from baocao.core.periods import Period, PeriodError
from baocao.indicators.models import DataSet, Indicator, Target
from baocao.orgunits.models import OrgUnit
from baocao.reports.models import PdfJob, ReportRun, ReportType


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "example": "1.425,5"}]})
class NumberField(serializers.Field):
    """A number: JSON number, or a string in Vietnamese notation. Output: a JSON number."""

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise serializers.ValidationError("Phải là số hoặc chuỗi số.")
        try:
            return parse_number(Decimal(repr(data)) if isinstance(data, float) else data)
        except (NumberParseError, ArithmeticError) as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value: Decimal) -> float:
        return float(value)


class PeriodField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        try:
            return Period.parse(super().to_internal_value(data)).id
        except PeriodError as exc:
            raise serializers.ValidationError(str(exc)) from exc


def _code(nullable: bool = False) -> serializers.SlugRelatedField:
    """A related object named by its code (null where the model allows none)."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=nullable)


def _count(nullable: bool = False) -> serializers.IntegerField:
    """A read-only integer (model ranges differ by database backend; the schema must not)."""
    return serializers.IntegerField(read_only=True, allow_null=nullable)


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = _code(nullable=True)

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "short_name", "type", "parent", "valid_from", "valid_to"]


class IndicatorSerializer(serializers.ModelSerializer):
    sector = _code()
    parent = _code(nullable=True)
    unit = serializers.SerializerMethodField()
    min_value = NumberField(allow_null=True)
    max_value = NumberField(allow_null=True)
    aggregation_across_units = serializers.CharField(read_only=True)
    aggregation_across_periods = serializers.CharField(read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "short_name",
            "sector",
            "unit",
            "value_type",
            "aggregation_across_units",
            "aggregation_across_periods",
            "parent",
            "min_value",
            "max_value",
            "is_active",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "dimension": {"type": "string"},
            },
        }
    )
    def get_unit(self, obj: Indicator) -> dict[str, str]:
        return {"code": obj.unit.code, "name": obj.unit.name, "dimension": obj.unit.dimension}


class DataSetFieldSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code")
    kind = serializers.CharField()


class DataSetSerializer(serializers.ModelSerializer):
    fields_ = DataSetFieldSerializer(source="members", many=True, read_only=True)
    org_units = serializers.SerializerMethodField()

    deadline_working_days = _count()

    class Meta:
        model = DataSet
        fields = ["code", "name", "period_type", "deadline_working_days", "is_active", "fields_", "org_units"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["fields"] = fields.pop("fields_")
        return fields

    def get_org_units(self, obj: DataSet) -> list[str]:
        visible: set[int] | None = self.context.get("visible_units")
        return [u.code for u in obj.org_units.all() if visible is None or u.pk in visible]


class PeriodSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    label = serializers.CharField()
    reporting_window = serializers.ListField(child=serializers.DateField())
    calendar_window = serializers.ListField(child=serializers.DateField())
    cutoff_date = serializers.DateField()
    previous = serializers.CharField()
    next = serializers.CharField()
    same_period_last_year = serializers.CharField()
    year_to_date = serializers.ListField(child=serializers.CharField())
    months = serializers.ListField(child=serializers.CharField())

    @staticmethod
    def describe(period: Period) -> dict[str, Any]:
        return {
            "id": period.id,
            "type": period.type.value,
            "label": period.label,
            "reporting_window": list(period.reporting_window),
            "calendar_window": list(period.calendar_window),
            "cutoff_date": period.cutoff_date,
            "previous": period.previous().id,
            "next": period.next().id,
            "same_period_last_year": period.same_period_last_year().id,
            "year_to_date": [p.id for p in period.year_to_date()],
            "months": [p.id for p in period.months()],
        }


class DataValueSerializer(serializers.ModelSerializer):
    indicator = _code()
    org_unit = _code()
    value = NumberField()
    text = serializers.SerializerMethodField()
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    version = _count()

    class Meta:
        model = DataValue
        fields = [
            "id",
            "indicator",
            "org_unit",
            "period",
            "kind",
            "value",
            "text",
            "comment",
            "version",
            "updated_at",
            "updated_by",
        ]

    def get_text(self, obj: DataValue) -> str:
        """The value in Vietnamese notation, as printed in reports."""
        return format_number(obj.value)


class DataValueWriteSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=50)
    org_unit = serializers.CharField(max_length=50)
    period = PeriodField(max_length=20)
    kind = serializers.ChoiceField(choices=ValueKind.choices, default=ValueKind.ACTUAL)
    value = NumberField()
    comment = serializers.CharField(allow_blank=True, default="", max_length=10_000)
    version = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="Phiên bản bạn đã đọc (0: chưa có số liệu). "
        "Khác phiên bản hiện tại → 409 kèm cả hai giá trị.",
    )


class DataValueUpdateSerializer(serializers.Serializer):
    value = NumberField()
    comment = serializers.CharField(allow_blank=True, required=False, max_length=10_000)
    version = serializers.IntegerField(min_value=0, help_text="Phiên bản bạn đã đọc.")


class TargetSerializer(serializers.ModelSerializer):
    indicator = _code()
    org_unit = _code()
    target_type = _code()
    value = NumberField()

    class Meta:
        model = Target
        fields = ["id", "indicator", "org_unit", "period", "target_type", "value", "note"]


class SubmissionSerializer(serializers.ModelSerializer):
    data_set = _code()
    org_unit = _code()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    steps = serializers.SerializerMethodField()

    version = _count()

    class Meta:
        model = Submission
        fields = [
            "id",
            "data_set",
            "org_unit",
            "period",
            "status",
            "status_label",
            "version",
            "submitted_at",
            "last_submitted_at",
            "updated_at",
            "steps",
        ]

    def get_steps(self, obj: Submission) -> list[str]:
        """Steps possible now from the submission's status (the API still checks the user's role)."""
        return [step.name for step in STEPS.values() if obj.status in step.sources]


class SubmissionOpenSerializer(serializers.Serializer):
    data_set = serializers.CharField(max_length=50)
    org_unit = serializers.CharField(max_length=50)
    period = PeriodField(max_length=20)


class TransitionSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=[(s.name, s.label) for s in STEPS.values()])
    reason = serializers.CharField(allow_blank=True, default="", max_length=5000)
    version = serializers.IntegerField(min_value=0, help_text="Phiên bản bộ số liệu bạn đã đọc.")


class TaskItemSerializer(serializers.Serializer):
    occurrence = serializers.DateField(allow_null=True)
    deadline = serializers.DateField()
    status = serializers.CharField()
    wording = serializers.CharField()
    completed_on = serializers.DateField(allow_null=True)


class TaskSerializer(serializers.ModelSerializer):
    lead_unit = _code()
    cooperating_units = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    directive = serializers.StringRelatedField()
    items = serializers.SerializerMethodField()

    monthly_day = _count(nullable=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "code",
            "content",
            "directive",
            "lead_unit",
            "cooperating_units",
            "assigned_on",
            "is_advisory",
            "deadline_kind",
            "deadline",
            "monthly_day",
            "recurs_until",
            "items",
        ]

    @extend_schema_field(TaskItemSerializer(many=True))
    def get_items(self, obj: Task) -> list[dict[str, Any]]:
        """The task's deadlines and their status today."""
        return [
            {
                "occurrence": item.occurrence,
                "deadline": item.deadline,
                "status": item.status.value,
                "wording": item.wording,
                "completed_on": item.completion.completed_on if item.completion else None,
            }
            for item in task_items(obj, clock.today())
        ]


class CompletionInputSerializer(serializers.Serializer):
    completed_on = serializers.DateField()
    note = serializers.CharField(allow_blank=True, default="", max_length=10_000)
    document_ref = serializers.CharField(allow_blank=True, default="", max_length=255)
    occurrence = serializers.DateField(required=False, allow_null=True, default=None)


class CompletionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Completion
        fields = ["id", "task", "occurrence", "completed_on", "note", "document_ref", "reported_at"]


class ReportTypeSerializer(serializers.ModelSerializer):
    org_unit = _code()

    class Meta:
        model = ReportType
        fields = ["code", "name", "period_type", "org_unit", "is_active"]


def signed_file_url(run: ReportRun, part: str) -> str | None:
    """The API path of an issued run's signed PDF (``part`` "signed-pdf") or separately signed annex
    ("signed-annex-pdf"), else None: read from the signature record, so a list does not load the files."""
    record = run.signature or {}
    if not run.is_issued or not record:
        return None
    if part == "signed-annex-pdf" and "annex_holder" not in record:
        return None
    return reverse(f"api:report-run-{part}", args=[run.pk])


# Where to download an issued report's digitally signed files (null: none); also in a report's own answer
# (ReportRunSerializer). No docstring: drf-spectacular would publish it as the schemas' description.
class SignedFilesSerializer(serializers.Serializer):
    signed_pdf = serializers.SerializerMethodField(help_text="Văn bản PDF/A đã ký số")
    signed_annex_pdf = serializers.SerializerMethodField(help_text="Phụ lục ký số riêng (nếu có)")

    def _url(self, run: ReportRun, part: str) -> str | None:
        path = signed_file_url(run, part)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if path and request is not None else path

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_signed_pdf(self, run: ReportRun) -> str | None:
        return self._url(run, "signed-pdf")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_signed_annex_pdf(self, run: ReportRun) -> str | None:
        return self._url(run, "signed-annex-pdf")


class ReportRunSerializer(SignedFilesSerializer, serializers.ModelSerializer):
    report_type = _code()
    org_unit = _code()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    number = _count(nullable=True)

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "report_type",
            "org_unit",
            "period",
            "status",
            "status_label",
            "number",
            "issue_date",
            "created_at",
            "issued_at",
            "signed_pdf",
            "signed_annex_pdf",
        ]


class ReportRunStartSerializer(serializers.Serializer):
    report_type = serializers.CharField(max_length=50)
    period = PeriodField(max_length=20)
    org_unit = serializers.CharField(
        max_length=50, required=False, help_text="Mặc định: đơn vị của loại báo cáo."
    )


class PdfJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = PdfJob
        fields = ["id", "run", "status", "status_label", "error", "created_at", "started_at", "finished_at"]


class BulkValueSerializer(serializers.Serializer):
    """One row of a dataValueSets file (documentation of the JSON layout)."""

    indicator = serializers.CharField()
    org_unit = serializers.CharField()
    period = serializers.CharField()
    kind = serializers.CharField(required=False)
    value = NumberField()
    comment = serializers.CharField(required=False)


class BulkImportSerializer(serializers.Serializer):
    dataValues = BulkValueSerializer(many=True)  # the DHIS2 name


class BulkOutcomeSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    indicator = serializers.CharField()
    org_unit = serializers.CharField()
    period = serializers.CharField()
    kind = serializers.CharField()
    value = NumberField()
    old_value = NumberField(allow_null=True)
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class BulkResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    total = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    batch = serializers.CharField()
    summary = serializers.CharField()
    rows = BulkOutcomeSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ErrorsSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)


def period_or_error(text: str) -> Period:
    """Parse a period id from a query parameter; DRF ValidationError (400) naming ``period``."""
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise serializers.ValidationError({"period": [str(exc)]}) from exc
