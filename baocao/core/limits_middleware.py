"""The server's limit on the size of a request body: 413 with a Vietnamese message, the body never read.

Django reads a form's body as soon as anything asks for ``request.POST`` (the CSRF check, the NUL check,
the view): a multipart upload of any size is parsed into temporary files first and refused by the view
afterwards. :class:`RequestSizeLimitMiddleware` runs before all of them and answers from the declared
``Content-Length`` alone: more than ``BAOCAO_MAX_REQUEST_BYTES`` (settings; 25 MB by default, above the
largest page upload) is a 413 page in Vietnamese, or the API's ``{"errors": [...]}`` under ``/api/``.
A view may accept more on its own address by declaring ``max_request_bytes`` (a callable answering the
byte count; the API's bulk import does, with ``BAOCAO_API_MAX_UPLOAD_BYTES``); it keeps its own check.

A body sent in chunks has no ``Content-Length``: Django would read it as empty. :class:`ChunkedBodyLimit`
(WSGI, around the application in ``baocao/wsgi.py``) reads such a body up to the limit of its address into
a spooled temporary file and hands it on with its length; one byte more and the length handed on is over
the limit, so the middleware answers 413 and the rest is never read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import get_path_info
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

from baocao.core import numbers

__all__ = ["ChunkedBodyLimit", "RequestSizeLimitMiddleware", "limit_for", "message"]

_KB, _MB, _TENTH = Decimal(1024), Decimal(1024 * 1024), Decimal("0.1")
_CHUNK = 64 * 1024


def limit_for(path_info: str) -> int:
    """Largest body accepted at ``path_info``: the site's limit, or more where the view declares it."""
    limit = int(settings.BAOCAO_MAX_REQUEST_BYTES)
    try:
        match = resolve(path_info)
    except Resolver404:
        return limit
    view = getattr(match.func, "view_class", match.func)
    own = getattr(view, "max_request_bytes", None)
    return max(limit, int(own())) if callable(own) else limit


# Set by ChunkedBodyLimit when a chunked body went on past the limit (its real size is unknown).
CUT_AT_LIMIT = "baocao.body_cut_at_limit"


def _size(count: int) -> str:
    """``26214400`` → ``"25 MB"``, ``31981568`` → ``"30,5 MB"``, ``1024`` → ``"1 KB"``."""
    unit, name = (_MB, "MB") if count >= _MB else (_KB, "KB")
    return f"{numbers.format_number((Decimal(count) / unit).quantize(_TENTH))} {name}"


def message(length: int | None, limit: int) -> str:
    """``length`` None: a chunked body cut at the limit, whose full size is unknown (more than the limit)."""
    size = f"hơn {_size(limit)}" if length is None else _size(length)
    return (
        f"Dữ liệu gửi lên quá lớn ({size}): máy chủ chỉ nhận tối đa {_size(limit)} mỗi lần gửi. "
        "Hãy chọn tệp nhỏ hơn hoặc chia dữ liệu thành nhiều lần gửi."
    )


def _declared_length(meta: dict[str, Any]) -> int:
    try:
        return max(int(meta.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads such a body as empty too


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request.META)
        if length > settings.BAOCAO_MAX_REQUEST_BYTES:  # the URL is resolved only for a large body
            limit = limit_for(request.path_info)
            if length > limit:
                cut = request.META.get(CUT_AT_LIMIT, False)
                return self.refuse(request, message(None if cut else length, limit))
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, text: str) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            errors = {"errors": [{"row": None, "field": None, "message": text}]}
            return JsonResponse(errors, status=413, json_dumps_params={"ensure_ascii": False})
        page = render_to_string("core/413.html", {"message": text}, request)
        return HttpResponse(page, status=413)


class ChunkedBodyLimit:
    """WSGI middleware: a chunked body read up to its address's limit and handed on with a length."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            limit = limit_for(get_path_info(environ))
            spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
            stream, read = environ["wsgi.input"], 0
            while read <= limit:
                piece = stream.read(min(_CHUNK, limit + 1 - read))
                if not piece:
                    break
                spool.write(piece)
                read += len(piece)
            spool.seek(0)
            environ["wsgi.input"] = spool
            environ["CONTENT_LENGTH"] = str(read)  # limit + 1 when there was more: refused, not read on
            environ[CUT_AT_LIMIT] = read > limit
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.application(environ, start_response)
