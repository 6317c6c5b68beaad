"""Every API error as ``{"errors": [{"row": n | null, "field": "..." | null, "message": "..."}]}``
(Vietnamese messages), whatever raised it: DRF, Django, or a service's own exception."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, UnreadablePostError
from django.utils import timezone
from rest_framework import exceptions as drf
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler

from baocao.collection.types import ClosedValues, ValueConflict
from baocao.collection.workflow import WorkflowError
from baocao.core.csvio import ImportRejected, RowError
from baocao.core.numbers import format_number
from baocao.core.periods import PeriodError
from baocao.reports.errors import ReportError


def error(message: str, field: str | None = None, row: int | None = None) -> dict[str, Any]:
    return {"row": row, "field": field, "message": str(message)}


def errors_response(items: list[dict[str, Any]], status_code: int, **extra: Any) -> Response:
    return Response({"errors": items, **extra}, status=status_code)


# DRF's field messages by code, where its Vietnamese translation is missing ("A valid integer is
# required.", "This field may not be null." ...); a number in the English text is kept ({n}).
_FIELD_MESSAGES = {
    "required": "Trường này là bắt buộc.",
    "null": "Không được để trống (null).",
    "blank": "Không được để trống.",
    "invalid": "Giá trị không hợp lệ.",
    "max_value": "Giá trị phải nhỏ hơn hoặc bằng {n}.",
    "min_value": "Giá trị phải lớn hơn hoặc bằng {n}.",
    "max_length": "Dài quá {n} ký tự.",
    "min_length": "Ngắn hơn {n} ký tự.",
    "max_string_length": "Số quá lớn.",
    "max_digits": "Có quá {n} chữ số.",
    "max_decimal_places": "Có quá {n} chữ số thập phân.",
    "invalid_choice": "Lựa chọn không hợp lệ.",
    "not_a_list": "Phải là một danh sách.",
    "not_a_dict": "Phải là một đối tượng JSON.",
    "empty": "Không được rỗng.",
    "does_not_exist": "Không tồn tại.",
    "incorrect_type": "Sai kiểu dữ liệu.",
    "surrogate_characters_not_allowed": "Chứa ký tự không hợp lệ.",
    "null_characters_not_allowed": "Chứa ký tự NUL, không hợp lệ.",
    "unique": "Đã tồn tại.",
}
_NUMBER = re.compile(r"-?\d+")


def _message(detail: Any) -> str:
    text = str(detail)
    code = getattr(detail, "code", None)
    if not text.isascii() or code not in _FIELD_MESSAGES:
        return text  # ours, or already Vietnamese
    number = _NUMBER.search(text)
    return _FIELD_MESSAGES[code].replace("{n}", number.group() if number else "").replace("  ", " ")


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    """DRF's nested error details → a flat list naming the field, in Vietnamese."""
    if isinstance(detail, dict):
        return [
            item
            for key, value in detail.items()
            for item in _flatten(value, None if key in ("non_field_errors", "detail") else key)
        ]
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, field)]
    return [error(_message(detail), field)]


def row_errors(errors: list[RowError]) -> list[dict[str, Any]]:
    return [error(e.message, e.column, e.line) for e in errors]


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Dữ liệu gửi lên quá lớn."
    default_code = "payload_too_large"


class BodyRejected(drf.ParseError):
    """A request body this system refuses to parse, with the Vietnamese reason (api/parsers.py)."""


def _drf_message(exc: APIException) -> str | None:
    """Vietnamese for DRF's own errors, whose default texts are English (or half translated)."""
    if isinstance(exc, drf.UnsupportedMediaType):
        media = str(getattr(exc, "media_type", "") or "").strip() or "không rõ"
        return f"Kiểu dữ liệu “{media[:100]}” không được nhận ở địa chỉ này; hãy gửi application/json."
    if isinstance(exc, drf.MethodNotAllowed):
        method = str(getattr(exc, "method", "") or "")
        return f"Phương thức “{method[:20]}” không được dùng ở địa chỉ này."
    if isinstance(exc, drf.NotAcceptable):
        return "Không trả lời được theo kiểu dữ liệu yêu cầu (tiêu đề Accept); hãy nhận application/json."
    if isinstance(exc, drf.Throttled):
        wait = f" sau {int(exc.wait) + 1} giây" if exc.wait is not None else " sau ít phút"
        return f"Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại{wait}."
    if isinstance(exc, drf.NotAuthenticated):
        return "Chưa đăng nhập: hãy gửi kèm mã truy cập (Authorization: Token ...) hoặc đăng nhập."
    if isinstance(exc, drf.AuthenticationFailed):
        return "Mã truy cập hoặc thông tin đăng nhập không đúng."
    if isinstance(exc, drf.ParseError) and not isinstance(exc, BodyRejected):
        return "Không đọc được dữ liệu gửi lên (định dạng hỏng)."
    return None


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        return errors_response(
            [error("Dữ liệu gửi lên quá lớn so với giới hạn của hệ thống.")],
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent | UnreadablePostError):
        return errors_response([error("Không đọc được dữ liệu gửi lên.")], status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, APIException) and (message := _drf_message(exc)) is not None:
        response = exception_handler(exc, context)
        if response is not None:
            response.data = {"errors": [error(message)]}
        return response
    if isinstance(exc, ValueConflict):
        current = exc.current
        return errors_response(
            [error(str(exc), "value")],
            status.HTTP_409_CONFLICT,
            current={
                "value": float(current.value),
                "text": format_number(current.value),
                "comment": current.comment,
                "version": current.version,
                "updated_by": current.updated_by.get_username() if current.updated_by else None,
                "updated_at": (
                    timezone.localtime(current.updated_at).isoformat() if current.updated_at else None
                ),
            },
            attempted={"value": float(exc.attempted), "text": format_number(exc.attempted)},
        )
    if isinstance(exc, ImportRejected):
        code = status.HTTP_409_CONFLICT if isinstance(exc, ClosedValues) else status.HTTP_400_BAD_REQUEST
        return errors_response(row_errors(exc.errors), code)
    if isinstance(exc, WorkflowError | ReportError):
        return errors_response([error(str(exc))], status.HTTP_409_CONFLICT)
    if isinstance(exc, PeriodError):
        return errors_response([error(str(exc), "period")], status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        items = (
            [error(m, k) for k, ms in exc.message_dict.items() for m in ms]
            if hasattr(exc, "error_dict")
            else [error(m) for m in exc.messages]
        )
        return errors_response(items, status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied) and str(exc):
        return errors_response([error(str(exc))], status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        return errors_response(
            [error("Không tìm thấy hoặc bạn không có quyền xem.")], status.HTTP_404_NOT_FOUND
        )
    response = exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": _flatten(response.data)}
    return response
