"""Requests carrying a NUL character are refused at the door (400, Vietnamese).

No text of the system can contain U+0000, and PostgreSQL refuses it in every text parameter (a
DataError, so a 500, from any lookup: ``/so-lieu/nhap/%00/...``, ``?period=%00``, a form field). The
path, the query string and form fields are checked here, once, instead of in every view; JSON bodies
are checked by core.safejson (the API's parser and the bulk reader), CSV by the csv module.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

__all__ = ["MESSAGE", "RejectNulMiddleware"]

MESSAGE = "Địa chỉ hoặc dữ liệu gửi lên chứa ký tự NUL (mã 0), không hợp lệ."
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if "\x00" in request.path_info:
        return True
    if request.method == "POST" and request.content_type in _FORMS:
        try:
            posted = request.POST
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError, OSError):
            return False  # the view meets the same error and answers it (413/400), as without us
        for key, values in posted.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"errors": [{"row": None, "field": None, "message": MESSAGE}]}, status=400
                )
            return HttpResponseBadRequest(render_to_string("400.html", {"message": MESSAGE}, request))
        return self.get_response(request)
