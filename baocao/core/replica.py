"""Which requests read from the replica (baocao.core.db_router) and the read-your-own-writes window.

- ``reads_from_replica`` (function views) and ``ReplicaReadsMixin`` (class views, DRF included) opt a
  view in: during a GET or HEAD its reads go to the replica, including the reads of a streamed response
  (exports are read while they are sent). Other methods of the same view stay on the primary.
- ``ReadYourWritesMiddleware``: after an unsafe request (POST, PUT, PATCH, DELETE) of a signed-in user
  that succeeded, a cookie opens a window of ``BAOCAO_READ_PRIMARY_AFTER_WRITE_SECONDS`` (10 s) during
  which that user's opted-in pages read the primary, so a saved value is on the next page even before the
  replica has replayed it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from baocao.core.db_router import replica_configured, replica_reads

__all__ = [
    "WINDOW_COOKIE",
    "ReadYourWritesMiddleware",
    "ReplicaReadsMixin",
    "in_write_window",
    "reads_from_replica",
]

WINDOW_COOKIE = "baocao_doc_chinh"  # "read the primary" until the Unix time it holds
_SAFE = frozenset({"GET", "HEAD"})
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

View = TypeVar("View", bound=Callable[..., Any])


def _window_seconds() -> int:
    return int(getattr(settings, "BAOCAO_READ_PRIMARY_AFTER_WRITE_SECONDS", 10))


def in_write_window(request: HttpRequest) -> bool:
    """Whether this browser (or API client keeping cookies) saved something in the last few seconds."""
    try:
        until = float(request.COOKIES.get(WINDOW_COOKIE, "0"))
    except ValueError:
        return False
    return time.time() < until


def _streamed_on_replica(content: Iterable[Any]) -> Iterator[Any]:
    token = replica_reads.set(True)
    try:
        yield from content
    finally:
        replica_reads.reset(token)


def _load_user(request: HttpRequest) -> bool:
    """The signed-in user (session, then user) is loaded before the replica is switched on: a session
    created a moment ago on the primary may not be on the replica yet."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _run(request: HttpRequest, call: Callable[[], Any]) -> Any:
    if not replica_configured() or request.method not in _SAFE or in_write_window(request):
        return call()
    _load_user(request)
    token = replica_reads.set(True)
    try:
        response = call()
    finally:
        replica_reads.reset(token)
    if isinstance(response, StreamingHttpResponse) and not response.is_async:
        content = cast(Iterable[bytes], response.streaming_content)
        response.streaming_content = _streamed_on_replica(content)
    return response


def reads_from_replica(view: View) -> View:
    """Decorator: this view's GET/HEAD reads come from the replica when one is configured."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return _run(request, lambda: view(request, *args, **kwargs))

    return wrapped  # type: ignore[return-value]


class ReplicaReadsMixin:
    # Class views (first in the bases): GET/HEAD reads come from the replica when one is configured. A
    # comment, not a docstring: the API's views without one of their own would inherit it, and
    # drf-spectacular would publish it as their description in the OpenAPI schema.

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        parent = super().dispatch  # type: ignore[misc]
        return _run(request, lambda: parent(request, *args, **kwargs))


class ReadYourWritesMiddleware:
    """Opens the read-the-primary window after a signed-in user's successful unsafe request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            request.method in _UNSAFE
            and response.status_code < 400
            and user is not None
            and user.is_authenticated
            and replica_configured()
        ):
            seconds = _window_seconds()
            response.set_cookie(
                WINDOW_COOKIE,
                f"{time.time() + seconds:.3f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
