"""The API's JSON parser: the body read up to DATA_UPLOAD_MAX_MEMORY_SIZE (413 beyond), then decoded
by core.safejson (nesting depth, number size and exponent, no NaN/Infinity) so that no JSON body can
cost a 500. Errors are Vietnamese; api/errors.py puts them in the ``{"errors": [...]}`` form."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.parsers import JSONParser

from baocao.api.errors import BodyRejected, PayloadTooLarge
from baocao.core import safejson

__all__ = ["BoundedJSONParser", "body_limit"]


def body_limit() -> int:
    """Largest JSON body of an ordinary endpoint (the bulk endpoint streams and has its own limit)."""
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if stream is None:
            return None
        limit = body_limit()
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge(f"Dữ liệu gửi lên vượt quá giới hạn {limit} byte.")
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            text = codecs.decode(data, encoding)
        except (UnicodeDecodeError, LookupError):
            raise BodyRejected(f"Dữ liệu JSON không phải văn bản {encoding}.") from None
        try:
            return safejson.loads(text.removeprefix("\ufeff"), exact=False)
        except safejson.JsonRejected as exc:
            message = str(exc)
            raise BodyRejected(
                message if message.startswith("JSON") else f"JSON không hợp lệ: {message}"
            ) from None
