"""The office's receiving table (Tiếp nhận, phê duyệt): per data set and unit, the deadline, whether it came
on time and its status, sortable and filterable (static/baocao/table-tools.js); the forms the user may
accept or approve carry a checkbox, and "Tiếp nhận"/"Phê duyệt các biểu đã chọn" (confirmed in a dialog,
static/baocao/review.js) take the step on each through :func:`baocao.collection.workflow.bulk_transition`,
with one result line per form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from baocao.accounts.permissions import Action, units_for
from baocao.collection.models import SubmissionStatus
from baocao.collection.views import period_from_request
from baocao.collection.workflow import BULK_STEPS, WorkflowError, bulk_transition, timeliness
from baocao.core.periods import Period, PeriodError

MAX_FORMS = 2000  # a bulk request naming more forms than any period has is refused, not processed

DONE = {"accept": "Đã tiếp nhận", "approve": "Đã duyệt"}
FAILED = {"accept": "Không tiếp nhận được", "approve": "Không duyệt được"}


def _may_review(request: HttpRequest) -> None:
    if not (
        units_for(request.user, Action.RETURN).exists() or units_for(request.user, Action.APPROVE).exists()
    ):
        raise PermissionDenied("Trang này dành cho văn phòng và lãnh đạo.")


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The office's table: per data set and unit, the status and whether it came on time."""
    _may_review(request)
    period = period_from_request(request)
    rows = timeliness(period, units_for(request.user, Action.VIEW))
    counts = {state: sum(1 for r in rows if r.state == state) for state in ("on_time", "late", "missing")}
    by_status = [
        (status.label, sum(1 for r in rows if r.submission and r.submission.status == status))
        for status in SubmissionStatus
    ]
    accept_units = set(units_for(request.user, Action.ACCEPT).values_list("pk", flat=True))
    approve_units = set(units_for(request.user, Action.APPROVE).values_list("pk", flat=True))
    table = []
    for row in rows:
        status = row.submission.status if row.submission else None
        bulk = ""
        if status == SubmissionStatus.SUBMITTED and row.org_unit.pk in accept_units:
            bulk = "accept"
        elif status == SubmissionStatus.ACCEPTED and row.org_unit.pk in approve_units:
            bulk = "approve"
        table.append((row, bulk))
    context = {
        "period": period,
        "rows": table,
        "counts": counts,
        "by_status": by_status,
        "can_accept": bool(accept_units),
        "can_approve": bool(approve_units),
        "selectable": any(bulk for _, bulk in table),
    }
    return render(request, "collection/review.html", context)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19]


@login_required
@require_POST
def review_bulk(request: HttpRequest) -> HttpResponse:
    """Accept or approve the checked forms; one message per form, then back to the table."""
    _may_review(request)
    step = request.POST.get("step", "")
    back = reverse("collection:review")
    try:
        back += "?period=" + Period.parse(request.POST.get("period", "")).id
    except PeriodError:
        pass
    if step not in BULK_STEPS:
        messages.error(request, "Chọn “Tiếp nhận” hoặc “Phê duyệt” các biểu đã chọn.")
        return redirect(back)
    ids = _ids(request.POST.getlist("submission"))
    if not ids:
        messages.error(request, "Chưa chọn biểu nào: đánh dấu các biểu cần xử lý trong bảng.")
        return redirect(back)
    if len(ids) > MAX_FORMS:
        messages.error(request, f"Chọn nhiều nhất {MAX_FORMS} biểu một lần.")
        return redirect(back)
    try:
        outcomes = bulk_transition(ids, step, request.user)
    except (PermissionDenied, WorkflowError) as exc:
        messages.error(request, f"Không xử lý được các biểu đã chọn: {exc}")
        return redirect(back)
    for outcome in outcomes:
        if outcome.ok:
            messages.success(request, f"{DONE[step]}: {outcome.form}.")
        else:
            messages.error(request, f"{FAILED[step]} {outcome.form}: {outcome.message}")
    return redirect(back)
