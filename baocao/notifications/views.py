"""The inbox (/thong-bao/): a user's own notices, newest first, unread marked; opening one marks it read
and follows its link; "Đánh dấu đã đọc tất cả"; and the user's preference (in-app only or also e-mail,
reminders on or off and how many working days ahead). A user only ever sees and changes their own."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from baocao.notifications.models import Notification
from baocao.notifications.services import (
    MAX_REMINDER_DAYS,
    PreferenceError,
    mark_all_read,
    mark_read,
    preference_for,
    save_preference,
)

PAGE_SIZE = 50


def _me(request: HttpRequest) -> User:
    """The signed-in user (the views are behind login_required)."""
    return cast(User, request.user)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notices = Notification.objects.filter(recipient=_me(request))
    if request.GET.get("chua-doc"):
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "only_unread": bool(request.GET.get("chua-doc"))},
    )


@login_required
@require_POST
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notice read and go to what it is about (back to the inbox when it links nowhere)."""
    notice = mark_read(_me(request), pk)
    if notice is None:
        raise Http404("Không có thông báo này.")
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
        return redirect(notice.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(_me(request))
    messages.success(request, f"Đã đánh dấu đã đọc {count} thông báo.")
    return redirect("notifications:inbox")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    preference = preference_for(_me(request))
    error = ""
    if request.method == "POST":
        text = request.POST.get("reminder_days", "").strip()
        try:
            if not (text.isascii() and text.isdigit() and len(text) < 4):
                raise PreferenceError(
                    "reminder_days",
                    f"Số ngày làm việc nhắc trước hạn: nhập một số nguyên từ 0 đến {MAX_REMINDER_DAYS}"
                    f" (đã nhập “{text[:20]}”).",
                )
            save_preference(
                _me(request),
                email=request.POST.get("channel") == "email",
                reminders=bool(request.POST.get("reminders")),
                reminder_days=int(text),
            )
        except PreferenceError as exc:
            error = str(exc)
        else:
            messages.success(request, "Đã lưu cách nhận thông báo.")
            return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {"preference": preference, "error": error, "max_days": MAX_REMINDER_DAYS},
    )
