"""Accepting a month-end estimate suggestion on the entry page (issue 19): the suggestion is recomputed
and written through the one write action (collection.values.write_value), which decides permission and
refuses a closed form; the office may instead type its own estimate in the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from baocao.accounts.permissions import Action, units_for
from baocao.analytics.forecast import MonthEstimate, month_end_estimate, rounded
from baocao.collection.models import ChangeSource, ValueKind
from baocao.collection.types import ImportRejected, ValueConflict
from baocao.collection.values import write_value
from baocao.core.numbers import format_number
from baocao.core.periods import Period, PeriodError
from baocao.indicators.models import DataSetIndicator


@login_required
@require_POST
def accept_estimate(request: HttpRequest, data_set: str, unit: str, period: str) -> HttpResponse:
    back = redirect("collection:entry", data_set, unit, period)
    org_unit = get_object_or_404(units_for(request.user, Action.VIEW), code=unit)
    code = request.POST.get("accept_estimate", "")
    member = (
        DataSetIndicator.objects.select_related("indicator__unit")
        .filter(data_set__code=data_set, indicator__code=code, kind=ValueKind.ESTIMATE)
        .first()
    )
    if member is None:
        messages.error(request, f"Biểu {data_set} không có ô ước thực hiện của chỉ tiêu “{code[:50]}”.")
        return back
    try:
        month = Period.parse(period)
    except PeriodError as exc:
        messages.error(request, str(exc))
        return back
    estimate = month_end_estimate(org_unit, month, code)
    if not isinstance(estimate, MonthEstimate):
        messages.error(request, f"{member.indicator.name}: {estimate}")
        return back
    value = rounded(estimate.value, member.indicator)
    years = ", ".join(str(y) for y in estimate.years)
    try:
        write_value(
            request.user,
            indicator=member.indicator,
            org_unit=org_unit,
            period=month,
            kind=ValueKind.ESTIMATE,
            value=value,
            comment=f"Theo gợi ý: số đến ngày {estimate.day} và cùng tháng năm {years}.",
            source=ChangeSource.WEB,
        )
    except (ImportRejected, ValueConflict, PermissionDenied) as exc:
        messages.error(request, f"{member.indicator.name}: chưa ghi được số ước: {exc}")
        return back
    messages.success(
        request,
        f"Đã ghi ước thực hiện {member.indicator.name}: {format_number(value)} {member.indicator.unit.name}.",
    )
    return back
