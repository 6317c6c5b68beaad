"""Session authentication for the API whose CSRF check does not parse the body: DRF's check reads
``request.POST`` on its own Request, which parses the whole body with the API's parsers before the
view runs — a CSV sent from the browser was refused with DRF's English 415 and a large JSON read into
memory. For anything but a form, Django's check is run on the underlying request, which reads the
token from the X-CSRFToken header and leaves the body to the view (the bulk import streams it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import CSRFCheck, SessionAuthentication
from rest_framework.request import Request

__all__ = ["CSRF_MESSAGE", "CsrfSessionAuthentication"]

CSRF_MESSAGE = (
    "Thiếu hoặc sai mã chống giả mạo (CSRF): hãy tải lại trang rồi thử lại; ứng dụng gửi kèm "
    "tiêu đề X-CSRFToken."
)
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfSessionAuthentication(SessionAuthentication):
    def enforce_csrf(self, request: Request) -> None:
        media = (request.content_type or "").split(";")[0].strip().lower()
        target: Request | HttpRequest = request
        if media not in _FORMS:
            target = request._request  # Django reads no body for these content types

        def dummy_get_response(request: HttpRequest) -> None:  # pragma: no cover - never called
            return None

        check = CSRFCheck(dummy_get_response)
        check.process_request(target)
        reason = check.process_view(target, None, (), {})
        if reason:
            raise exceptions.PermissionDenied(CSRF_MESSAGE)


class CsrfSessionScheme(OpenApiAuthenticationExtension):
    """The OpenAPI description of the session cookie, as drf-spectacular gives DRF's own class."""

    target_class = CsrfSessionAuthentication
    name = "cookieAuth"
    priority = -1

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
