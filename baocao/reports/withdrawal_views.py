"""The page that withdraws an issued report (thu hồi): a superuser gives a reason; the decision is the
service's (:func:`baocao.reports.withdrawal.withdraw_run`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from baocao.accounts.permissions import Action, for_user
from baocao.reports.errors import ReportError
from baocao.reports.models import ReportRun
from baocao.reports.withdrawal import withdraw_run


@login_required
@require_POST
def run_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an issued report with the reason posted (PermissionDenied → 403 for anyone else)."""
    run = get_object_or_404(for_user(ReportRun.objects.all(), request.user, Action.VIEW), pk=pk)
    try:
        withdraw_run(run, request.POST.get("reason", ""), request.user)
    except ReportError as exc:
        messages.error(request, f"Chưa thu hồi: {exc}")
    else:
        messages.success(request, "Đã thu hồi báo cáo. Nội dung, tệp và số liệu đã ban hành vẫn được giữ.")
    return redirect("reports:detail", pk=run.pk)
