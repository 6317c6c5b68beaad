"""The header's badge: how many unread notices the signed-in user has (one COUNT per page)."""

from typing import Any

from django.http import HttpRequest

from baocao.notifications.services import unread_count


def badge(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": unread_count(user)}
