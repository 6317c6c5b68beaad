"""REST API v1. Every endpoint starts from the same scoping as the pages (accounts.permissions):
VIEW to read, ENTER to write values, the workflow's actions for transitions, COMPILE for report runs,
ENTER for a task's completion. Unknown or invisible objects are 404, visible but forbidden 403; every
error is ``{"errors": [{"row", "field", "message"}]}`` (api/errors.py). State changes go through the
services (collection.services and bulk, collection.workflow, assignments.services, reports.runs)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import UnsupportedMediaType, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baocao.accounts.permissions import Action, for_user, is_superuser, units_for
from baocao.api import errors
from baocao.api import serializers as s
from baocao.assignments.models import Task
from baocao.assignments.services import report_completion
from baocao.collection import export as value_export
from baocao.collection import readers as bulk_readers
from baocao.collection.models import ChangeSource, DataValue, Submission
from baocao.collection.types import RowOutcome
from baocao.collection.values import read_csv, write_value, write_values
from baocao.collection.workflow import STEPS, get_submission, transition
from baocao.core.replica import ReplicaReadsMixin
from baocao.indicators.models import DataSet, Indicator, Target
from baocao.orgunits.models import OrgUnit
from baocao.reports import runs as reports
from baocao.reports.models import JobStatus, PdfJob, ReportRun, ReportType, RunStatus

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def max_upload_bytes() -> int:
    """Largest bulk upload accepted (BAOCAO_API_MAX_UPLOAD_BYTES, setting or environment; 200 MB)."""
    default = int(os.getenv("BAOCAO_API_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
    return int(getattr(settings, "BAOCAO_API_MAX_UPLOAD_BYTES", default))


def _errors(*codes: int) -> dict[int, Any]:
    described = {
        400: "Dữ liệu không hợp lệ",
        401: "Chưa đăng nhập",
        403: "Không có quyền",
        404: "Không tìm thấy",
        409: "Xung đột trạng thái hoặc phiên bản",
        413: "Dữ liệu quá lớn",
        415: "Kiểu dữ liệu không hỗ trợ",
    }
    return {code: OpenApiResponse(s.ErrorsSerializer, description=described[code]) for code in (401, *codes)}


class ApiMixin:
    def get_exception_handler(self) -> Callable[..., Response | None]:
        return errors.handle


class ReadOnly(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pass


def _param(name: str, description: str, many: bool = False, required: bool = False) -> OpenApiParameter:
    return OpenApiParameter(name, str, description=description, many=many, required=required)


def _visible_unit(request: Request, code: str, field: str = "org_unit") -> OrgUnit:
    unit = units_for(request.user, Action.VIEW).filter(code=code).first()
    if unit is None:
        raise ValidationError({field: [f'không có đơn vị mã "{code}".']})
    return unit


def _filter(queryset: QuerySet[Any], request: Request, **lookups: str) -> QuerySet[Any]:
    """Apply the query parameters named in ``lookups`` (parameter → ORM lookup) that are present."""
    for param, lookup in lookups.items():
        value = request.query_params.get(param)
        if value:
            if param == "period":
                value = s.period_or_error(value).id
            queryset = queryset.filter(**{lookup: value})
    return queryset


# --------------------------------------------------------------------------------------- reference data


@extend_schema_view(
    list=extend_schema(
        summary="Đơn vị bạn được xem",
        parameters=[_param("parent", "Mã đơn vị cấp trên"), _param("type", "Loại đơn vị")],
        responses={200: s.OrgUnitSerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(summary="Một đơn vị", responses={200: s.OrgUnitSerializer, **_errors(404)}),
)
class OrgUnitViewSet(ReadOnly):
    serializer_class = s.OrgUnitSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[OrgUnit]:
        units = units_for(self.request.user, Action.VIEW).select_related("parent").order_by("path")
        return _filter(units, self.request, parent="parent__code", type="type")


@extend_schema_view(
    list=extend_schema(
        summary="Chỉ tiêu",
        parameters=[_param("sector", "Mã lĩnh vực"), _param("active", "true: chỉ chỉ tiêu đang dùng")],
        responses={200: s.IndicatorSerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(summary="Một chỉ tiêu", responses={200: s.IndicatorSerializer, **_errors(404)}),
)
class IndicatorViewSet(ReadOnly):
    serializer_class = s.IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Indicator]:
        queryset = Indicator.objects.select_related("unit", "sector", "parent").order_by("code")
        if self.request.query_params.get("active") in ("1", "true"):
            queryset = queryset.filter(is_active=True)
        return _filter(queryset, self.request, sector="sector__code")


@extend_schema_view(
    list=extend_schema(
        summary="Biểu mẫu của các đơn vị bạn được xem", responses={200: s.DataSetSerializer(many=True)}
    ),
    retrieve=extend_schema(summary="Một biểu mẫu", responses={200: s.DataSetSerializer, **_errors(404)}),
)
class DataSetViewSet(ReadOnly):
    serializer_class = s.DataSetSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[DataSet]:
        queryset = DataSet.objects.prefetch_related("members__indicator", "org_units").order_by("code")
        if is_superuser(self.request.user):
            return queryset
        return queryset.filter(org_units__in=units_for(self.request.user, Action.VIEW)).distinct()

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not is_superuser(self.request.user):
            context["visible_units"] = set(
                units_for(self.request.user, Action.VIEW).values_list("pk", flat=True)
            )
        return context


class PeriodView(ApiMixin, APIView):
    @extend_schema(
        summary="Mô tả một kỳ báo cáo (Nghị định 09): khoảng chốt số liệu, tên, kỳ trước, cùng kỳ...",
        responses={200: s.PeriodSerializer, **_errors(400)},
    )
    def get(self, request: Request, period: str) -> Response:
        return Response(s.PeriodSerializer(s.PeriodSerializer.describe(s.period_or_error(period))).data)


@extend_schema_view(
    list=extend_schema(
        summary="Chỉ tiêu kế hoạch",
        parameters=[
            _param("indicator", "Mã chỉ tiêu"),
            _param("org_unit", "Mã đơn vị"),
            _param("period", "Mã kỳ"),
            _param("target_type", "Mã loại kế hoạch"),
        ],
        responses={200: s.TargetSerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(
        summary="Một chỉ tiêu kế hoạch", responses={200: s.TargetSerializer, **_errors(404)}
    ),
)
class TargetViewSet(ReadOnly):
    serializer_class = s.TargetSerializer

    def get_queryset(self) -> QuerySet[Target]:
        queryset = for_user(Target.objects.all(), self.request.user, Action.VIEW)
        queryset = queryset.select_related("indicator", "org_unit", "target_type").order_by("pk")
        return _filter(
            queryset,
            self.request,
            indicator="indicator__code",
            org_unit="org_unit__code",
            period="period",
            target_type="target_type__code",
        )


# ------------------------------------------------------------------------------------------ data values


@extend_schema_view(
    list=extend_schema(
        summary="Số liệu",
        parameters=[
            _param("indicator", "Mã chỉ tiêu"),
            _param("org_unit", "Mã đơn vị"),
            _param("period", "Mã kỳ"),
            _param("kind", "actual, estimate hoặc cumulative"),
        ],
        responses={200: s.DataValueSerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(summary="Một số liệu", responses={200: s.DataValueSerializer, **_errors(404)}),
    create=extend_schema(
        summary="Ghi một số liệu (tạo hoặc sửa theo chỉ tiêu, đơn vị, kỳ, loại)",
        request=s.DataValueWriteSerializer,
        responses={200: s.DataValueSerializer, 201: s.DataValueSerializer, **_errors(400, 403, 409)},
    ),
    partial_update=extend_schema(
        summary="Sửa một số liệu",
        request=s.DataValueUpdateSerializer,
        responses={200: s.DataValueSerializer, **_errors(400, 403, 404, 409)},
    ),
)
class DataValueViewSet(ReadOnly, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    serializer_class = s.DataValueSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[DataValue]:
        queryset = for_user(DataValue.objects.all(), self.request.user, Action.VIEW)
        queryset = queryset.select_related("indicator", "org_unit", "updated_by").order_by("pk")
        return _filter(
            queryset,
            self.request,
            indicator="indicator__code",
            org_unit="org_unit__code",
            period="period",
            kind="kind",
        )

    def _save(self, indicator: Indicator, unit: OrgUnit, data: dict[str, Any], comment: str) -> DataValue:
        # The action decides permission, rules and conflicts (collection.values).
        return write_value(
            self.request.user,
            indicator=indicator,
            org_unit=unit,
            period=data["period"],
            kind=data["kind"],
            value=data["value"],
            comment=comment,
            source=ChangeSource.API,
            expected_version=data.get("version"),
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = s.DataValueWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        indicator = Indicator.objects.select_related("unit").filter(code=data["indicator"]).first()
        if indicator is None:
            raise ValidationError({"indicator": [f'không có chỉ tiêu mã "{data["indicator"]}".']})
        unit = _visible_unit(request, data["org_unit"])
        started = timezone.now()
        value = self._save(indicator, unit, data, data["comment"])
        # Created by this request when stamped since it began (no separate existence query per save).
        code = status.HTTP_201_CREATED if value.created_at >= started else status.HTTP_200_OK
        return Response(s.DataValueSerializer(value).data, status=code)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        form = s.DataValueUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = {**form.validated_data, "period": current.period, "kind": current.kind}
        comment = data.get("comment", current.comment)
        value = self._save(current.indicator, current.org_unit, data, comment)
        return Response(s.DataValueSerializer(value).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)


class CsvRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return b""  # the export streams its own body; errors fall back to JSON


class _LimitedBody:
    """The request body read in pieces, refusing more than the limit (413) even without Content-Length."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream, self.limit, self.seen = stream, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.seen += len(data)
        if self.seen > self.limit:
            raise errors.PayloadTooLarge(f"Dữ liệu gửi lên vượt quá giới hạn {self.limit} byte.")
        return data


_FLAGS = {"": False, "0": False, "false": False, "no": False, "1": True, "true": True, "yes": True}


def _flag(request: Request, name: str) -> bool:
    """A true/false query parameter; any other text is a 400 naming it (never read as false)."""
    text = request.query_params.get(name, "").strip().lower()
    if text not in _FLAGS:
        raise ValidationError(
            {name: f"“{text[:50]}” không phải giá trị đúng/sai; dùng true hoặc false (1/0, yes/no)."}
        )
    return _FLAGS[text]


class DataValueSetView(ReplicaReadsMixin, ApiMixin, APIView):  # the export reads from the replica
    """Bulk data values in the layout of DHIS2's dataValueSets, as JSON or CSV."""

    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    # The server's request-size limit (core.limits_middleware) lets this address take up to its own limit.
    max_request_bytes = staticmethod(max_upload_bytes)

    @staticmethod
    def _answer_in_json(request: Request) -> None:
        """Only a successful export streams CSV; results and errors are JSON whatever was asked for."""
        request.accepted_renderer = renderers.JSONRenderer()
        request.accepted_media_type = "application/json"

    def handle_exception(self, exc: Exception) -> Response:
        self._answer_in_json(self.request)
        return super().handle_exception(exc)

    @extend_schema(
        summary="Xuất số liệu (JSON hoặc CSV, truyền dần)",
        parameters=[
            _param("period", "Mã kỳ (bắt buộc, lặp lại được)", many=True, required=True),
            _param("org_unit", "Mã đơn vị (gồm các đơn vị cấp dưới)"),
            _param("indicator", "Mã chỉ tiêu"),
            _param("kind", "actual, estimate hoặc cumulative"),
        ],
        responses={
            (200, "application/json"): s.BulkImportSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            **_errors(400),
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        periods = [s.period_or_error(p).id for p in request.query_params.getlist("period")]
        if not periods:
            raise ValidationError({"period": ["cần ít nhất một kỳ (period)."]})
        queryset = for_user(DataValue.objects.all(), request.user, Action.VIEW).filter(period__in=periods)
        if code := request.query_params.get("org_unit"):
            queryset = queryset.filter(org_unit__in=OrgUnit.objects.subtree([_visible_unit(request, code)]))
        queryset = _filter(queryset, request, indicator="indicator__code", kind="kind")
        if request.accepted_renderer.format == "csv":
            response = StreamingHttpResponse(
                value_export.to_csv(value_export.value_rows(queryset)),
                content_type="text/csv; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="so-lieu-{"-".join(periods[:3])}.csv"'
            return response
        return StreamingHttpResponse(
            value_export.to_json(value_export.value_rows(queryset)), content_type="application/json"
        )

    @extend_schema(
        summary="Nhập số liệu hàng loạt (JSON hoặc CSV): tất cả hoặc không; dry_run=true chỉ kiểm tra",
        parameters=[OpenApiParameter("dry_run", bool, description="true: kiểm tra, không ghi")],
        request={"application/json": s.BulkImportSerializer, "text/csv": OpenApiTypes.STR},
        responses={200: s.BulkResultSerializer, **_errors(400, 403, 409, 413, 415)},
    )
    def post(self, request: Request) -> Response:
        self._answer_in_json(request)
        limit = max_upload_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise errors.PayloadTooLarge(f"Dữ liệu gửi lên ({length} byte) vượt quá giới hạn {limit} byte.")
        dry_run = _flag(request, "dry_run")  # a misspelt dry run must not import for real: refused first
        media = (request.content_type or "").split(";")[0].strip().lower()
        readers = {
            "application/json": bulk_readers.iter_json_records,
            "text/csv": read_csv,  # the CSV export's formula marks taken off (core.cells)
            "application/csv": read_csv,
        }
        if media not in readers:
            raise UnsupportedMediaType(media, "Chỉ nhận application/json hoặc text/csv.")
        body = _LimitedBody(request._request, limit)  # streamed: never request.body
        result = write_values(
            request.user,
            readers[media](body),  # type: ignore[arg-type]
            source=ChangeSource.API,
            dry_run=dry_run,
        )
        return Response(
            {
                "dry_run": result.dry_run,
                "total": result.total,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "batch": result.batch,
                "summary": result.summary(),
                "rows": [_outcome(r) for r in result.rows],
            }
        )


def _outcome(row: RowOutcome) -> dict[str, Any]:
    return {
        "row": row.row,
        "indicator": row.indicator,
        "org_unit": row.org_unit,
        "period": row.period,
        "kind": row.kind,
        "value": float(row.value),
        "old_value": None if row.old_value is None else float(row.old_value),
        "action": row.action,
    }


# ------------------------------------------------------------------------------------------ submissions


@extend_schema_view(
    list=extend_schema(
        summary="Bộ số liệu gửi (biểu mẫu của một đơn vị trong một kỳ) và trạng thái",
        parameters=[
            _param("data_set", "Mã biểu mẫu"),
            _param("org_unit", "Mã đơn vị"),
            _param("period", "Mã kỳ"),
            _param("status", "draft, submitted, returned, accepted, approved, locked"),
        ],
        responses={200: s.SubmissionSerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(
        summary="Một bộ số liệu gửi", responses={200: s.SubmissionSerializer, **_errors(404)}
    ),
    create=extend_schema(
        summary="Mở (hoặc lấy) bộ số liệu của một biểu mẫu, đơn vị, kỳ",
        request=s.SubmissionOpenSerializer,
        responses={200: s.SubmissionSerializer, **_errors(400, 409)},
    ),
)
class SubmissionViewSet(ReadOnly, mixins.CreateModelMixin):
    serializer_class = s.SubmissionSerializer

    def get_queryset(self) -> QuerySet[Submission]:
        queryset = for_user(Submission.objects.all(), self.request.user, Action.VIEW)
        queryset = queryset.select_related("data_set", "org_unit").order_by("pk")
        return _filter(
            queryset,
            self.request,
            data_set="data_set__code",
            org_unit="org_unit__code",
            period="period",
            status="status",
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = s.SubmissionOpenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        unit = _visible_unit(request, form.validated_data["org_unit"])
        data_set = DataSet.objects.filter(code=form.validated_data["data_set"], org_units=unit).first()
        if data_set is None:
            raise ValidationError({"data_set": ["đơn vị không báo cáo biểu mẫu này."]})
        submission = get_submission(data_set, unit, form.validated_data["period"])
        return Response(s.SubmissionSerializer(submission).data)

    @extend_schema(
        summary="Chuyển trạng thái: submit, return, accept, approve, lock, reopen",
        request=s.TransitionSerializer,
        responses={200: s.SubmissionSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        form = s.TransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        step = STEPS[data["step"]]
        if step.needs_reason and not data["reason"].strip():
            raise ValidationError({"reason": [f"Cần ghi lý do khi {step.label.lower()}."]})
        done = transition(
            submission,
            step.name,
            request.user,
            reason=data["reason"],
            source=ChangeSource.API,
            expected_version=data["version"],
        )
        return Response(s.SubmissionSerializer(done).data)


# ---------------------------------------------------------------------------------------------- tasks


@extend_schema_view(
    list=extend_schema(
        summary="Nhiệm vụ do đơn vị bạn được xem chủ trì",
        parameters=[_param("lead_unit", "Mã đơn vị chủ trì")],
        responses={200: s.TaskSerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(summary="Một nhiệm vụ", responses={200: s.TaskSerializer, **_errors(404)}),
)
class TaskViewSet(ReadOnly):
    serializer_class = s.TaskSerializer

    def get_queryset(self) -> QuerySet[Task]:
        queryset = for_user(Task.objects.all(), self.request.user, Action.VIEW, field="lead_unit")
        queryset = queryset.select_related("lead_unit", "directive").prefetch_related(
            "cooperating_units", "extensions", "completions"
        )
        return _filter(queryset.order_by("pk"), self.request, lead_unit="lead_unit__code")

    @extend_schema(
        summary="Báo cáo hoàn thành nhiệm vụ (đơn vị chủ trì)",
        request=s.CompletionInputSerializer,
        responses={201: s.CompletionSerializer, **_errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def completion(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()
        form = s.CompletionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        completion = report_completion(request.user, task, **form.validated_data)
        return Response(s.CompletionSerializer(completion).data, status=status.HTTP_201_CREATED)


# -------------------------------------------------------------------------------------------- reports


@extend_schema_view(
    list=extend_schema(summary="Loại báo cáo", responses={200: s.ReportTypeSerializer(many=True)}),
    retrieve=extend_schema(
        summary="Một loại báo cáo", responses={200: s.ReportTypeSerializer, **_errors(404)}
    ),
)
class ReportTypeViewSet(ReadOnly):
    serializer_class = s.ReportTypeSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[ReportType]:
        queryset = for_user(ReportType.objects.all(), self.request.user, Action.VIEW)
        return queryset.select_related("org_unit").order_by("code")


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@extend_schema_view(
    list=extend_schema(
        summary="Báo cáo",
        parameters=[_param("report_type", "Mã loại báo cáo"), _param("period", "Mã kỳ")],
        responses={200: s.ReportRunSerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(
        summary="Một báo cáo và trạng thái", responses={200: s.ReportRunSerializer, **_errors(404)}
    ),
    create=extend_schema(
        summary="Bắt đầu (hoặc lấy) dự thảo báo cáo của một kỳ",
        request=s.ReportRunStartSerializer,
        responses={200: s.ReportRunSerializer, 201: s.ReportRunSerializer, **_errors(400, 403, 409)},
    ),
)
class ReportRunViewSet(ReplicaReadsMixin, ReadOnly, mixins.CreateModelMixin):  # GETs: the replica
    serializer_class = s.ReportRunSerializer

    def get_queryset(self) -> QuerySet[ReportRun]:
        queryset = for_user(ReportRun.objects.all(), self.request.user, Action.VIEW)
        files = ("docx", "pdf", "document", "signed_pdf", "signed_annex_pdf")  # read only when downloaded
        queryset = queryset.select_related("report_type", "org_unit").defer(*files)
        return _filter(
            queryset.order_by("pk"), self.request, report_type="report_type__code", period="period"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = s.ReportRunStartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        report_type = (
            for_user(ReportType.objects.filter(is_active=True), request.user, Action.VIEW)
            .filter(code=data["report_type"])
            .first()
        )
        if report_type is None:
            raise ValidationError({"report_type": [f'không có loại báo cáo mã "{data["report_type"]}".']})
        unit = _visible_unit(request, data["org_unit"]) if data.get("org_unit") else report_type.org_unit
        existed = (
            ReportRun.objects.filter(report_type=report_type, org_unit=unit, period=data["period"])
            .exclude(status=RunStatus.WITHDRAWN)  # a withdrawn report stays beside the period's new draft
            .exists()
        )
        run = reports.get_or_create_run(report_type, unit, data["period"], request.user)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(s.ReportRunSerializer(run, context={"request": request}).data, status=code)

    @extend_schema(
        summary="Tải báo cáo Word (.docx): bản đã ban hành, hoặc dự thảo từ số liệu hiện tại",
        responses={(200, DOCX_TYPE): OpenApiTypes.BINARY, **_errors(404, 409)},
    )
    @action(detail=True, methods=["get"])
    def docx(self, request: Request, pk: str | None = None) -> HttpResponse:
        run = self.get_object()
        name = f"bao-cao-{run.report_type.code}-{run.period}.docx"
        return _download(reports.run_docx(run), name, DOCX_TYPE)

    @extend_schema(
        summary=(
            "Yêu cầu tạo PDF (chạy nền); theo dõi ở /pdf-jobs/{id}/. Báo cáo đã ký số: 303, tải tệp PDF/A đã "
            "ký ở signed-pdf/ (Location)"
        ),
        request=None,
        responses={
            202: s.PdfJobSerializer,
            303: OpenApiResponse(s.SignedFilesSerializer, description="Báo cáo đã ký số: tải tệp đã ký"),
            **_errors(404, 409),
        },
    )
    @action(detail=True, methods=["post"])
    def pdf(self, request: Request, pk: str | None = None) -> Response:
        run = self.get_object()
        if s.signed_file_url(run, "signed-pdf") is not None:  # the issued PDF is the signed one (as the page)
            files = s.SignedFilesSerializer(run, context={"request": request}).data
            location = files["signed_pdf"]
            return Response(files, status=status.HTTP_303_SEE_OTHER, headers={"Location": location})
        job = reports.request_pdf(run, request.user)
        return Response(s.PdfJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    def _signed(self, field: str, suffix: str) -> HttpResponse:
        run = self.get_object()  # 404 outside the user's scope, before anything is said about the files
        data = getattr(run, field) if s.signed_file_url(run, field.replace("_", "-")) else None
        if data is None:
            return errors.errors_response(
                [errors.error("Báo cáo chưa có tệp PDF đã ký số.")], status.HTTP_404_NOT_FOUND
            )
        name = f"bao-cao-{run.report_type.code}-{run.period}{suffix}"
        return _download(bytes(data), name, "application/pdf")

    @extend_schema(
        summary="Tải văn bản PDF/A đã ký số của báo cáo đã ban hành",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_errors(404)},
    )
    @action(detail=True, methods=["get"], url_path="signed-pdf")
    def signed_pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        return self._signed("signed_pdf", "-da-ky-so.pdf")

    @extend_schema(
        summary="Tải phụ lục PDF/A ký số riêng (tệp đính kèm) của báo cáo đã ban hành",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_errors(404)},
    )
    @action(detail=True, methods=["get"], url_path="signed-annex-pdf")
    def signed_annex_pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        return self._signed("signed_annex_pdf", "-phu-luc-da-ky-so.pdf")


@extend_schema_view(
    retrieve=extend_schema(
        summary="Trạng thái việc tạo PDF", responses={200: s.PdfJobSerializer, **_errors(404)}
    ),
)
class PdfJobViewSet(ApiMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.PdfJobSerializer

    def get_queryset(self) -> QuerySet[PdfJob]:
        queryset = for_user(PdfJob.objects.all(), self.request.user, Action.VIEW, field="run__org_unit")
        return queryset.select_related("run__report_type").order_by("pk")

    @extend_schema(
        summary="Tải tệp PDF khi đã xong",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_errors(404, 409)},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> HttpResponse:
        job = get_object_or_404(self.get_queryset(), pk=pk)
        if job.status != JobStatus.DONE or job.pdf is None:
            return errors.errors_response(
                [errors.error(f"PDF chưa sẵn sàng (trạng thái: {job.get_status_display()}).")],
                status.HTTP_409_CONFLICT,
            )
        return _download(
            bytes(job.pdf), f"bao-cao-{job.run.report_type.code}-{job.run.period}.pdf", "application/pdf"
        )


__all__ = [
    "DataSetViewSet",
    "DataValueSetView",
    "DataValueViewSet",
    "IndicatorViewSet",
    "OrgUnitViewSet",
    "PdfJobViewSet",
    "PeriodView",
    "ReportRunViewSet",
    "ReportTypeViewSet",
    "SubmissionViewSet",
    "TargetViewSet",
    "TaskViewSet",
]
