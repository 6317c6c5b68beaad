"""Login throttling (django-axes) hooks: the page shown when a login is refused, and the client's address."""

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the Vietnamese lock-out page with status 429 (Too Many Requests)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


def client_ip(request: HttpRequest) -> str:
    """AXES_CLIENT_IP_CALLABLE: the address a lock-out is keyed by.

    Directly exposed (TRUSTED_PROXIES=0) it is REMOTE_ADDR: X-Forwarded-For is then written by the client and
    never believed. Behind N reverse proxies it is the address the outermost trusted proxy saw, the N-th
    entry of X-Forwarded-For from the right (the entries left of it may be forged).
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.BAOCAO_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


USERNAME_CHARS = 150  # Django's user name column; a longer name cannot be anyone's


def client_username(request: HttpRequest, credentials: Any = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the user name tried, as axes reads it, cut to USERNAME_CHARS.

    Django's login form does not enforce the user name's length before authenticating, so a name of
    thousands of characters reached axes, whose attempt table holds 255 (a DataError, a 500, on
    PostgreSQL). Cutting keeps every real name whole and still counts the failures of a long one.
    """
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")  # axes sets its default
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field)
    return None if value is None else str(value)[:USERNAME_CHARS]
