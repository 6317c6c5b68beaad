"""Pages of API lists (``?limit=&offset=``): every value is read defensively — a limit is capped at
MAX_LIMIT, an offset at MAX_OFFSET, anything that is not a whole number falls back to the default —
so ``?limit=99999999999999999999999`` (an integer the database cannot bind: a 500) is a normal page."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "Pagination"]

MAX_LIMIT = 1000
MAX_OFFSET = 10**9


def _whole(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text or len(text) > 19 or not text.isascii() or not text.isdigit():
        return None  # negative, not a number, or beyond any page a database can hold
    return int(text)


class Pagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int | None:
        limit = _whole(request.query_params.get(self.limit_query_param))
        if not limit:
            return self.default_limit
        return min(limit, MAX_LIMIT)

    def get_offset(self, request: Request) -> int:
        offset = _whole(request.query_params.get(self.offset_query_param))
        return min(offset or 0, MAX_OFFSET)
