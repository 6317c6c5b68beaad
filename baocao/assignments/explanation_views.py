"""The page where the leader or the office asks a unit to explain an at-risk item (see explanations.py)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from baocao.accounts.permissions import Action, can, units_for
from baocao.assignments.explanations import DEFAULT_DAYS, answers_for, request_explanation, responsible_unit
from baocao.core import clock
from baocao.core.dates import DateParseError, parse_date
from baocao.core.periods import Period, PeriodError
from baocao.indicators.models import Indicator


@login_required
def new_explanation(request: HttpRequest) -> HttpResponse:
    """``?indicator=&unit=&period=`` names the item; GET shows the form, POST sends the request."""
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("indicator", "").strip()
    indicator = Indicator.objects.filter(code=code).first()
    unit = units_for(request.user, Action.VIEW).filter(code=source.get("unit", "").strip()).first()
    if indicator is None or unit is None:
        raise Http404("Không có chỉ tiêu hoặc đơn vị này trong phạm vi được xem.")
    try:
        period = Period.parse(source.get("period", "").strip())
    except PeriodError as exc:
        raise Http404(f"Kỳ không hợp lệ: {exc}") from None
    today = clock.today()
    target = responsible_unit(unit, today)
    if not can(request.user, Action.ASSIGN, target):
        raise Http404("Bạn không có quyền yêu cầu đơn vị này giải trình.")
    errors: list[str] = []
    deadline_text = source.get("deadline", "").strip()
    question = source.get("question", "")
    if request.method == "POST":
        deadline: datetime.date | None = None
        try:
            deadline = parse_date(deadline_text) if deadline_text else None
        except DateParseError as exc:
            errors.append(f"Hạn giải trình: {exc}")
        if not errors:
            try:
                made = request_explanation(
                    request.user,
                    indicator=indicator,
                    unit=unit,
                    period=period,
                    deadline=deadline,
                    question=question,
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, f"Đã gửi yêu cầu giải trình đến {made.task.lead_unit.name}.")
                return redirect("assignments:task", pk=made.task.pk)
    return render(
        request,
        "assignments/explanation_new.html",
        {
            "indicator": indicator,
            "unit": unit,
            "target": target,
            "period": period,
            "deadline": deadline_text or (today + datetime.timedelta(days=DEFAULT_DAYS)).isoformat(),
            "today": today,
            "question": question,
            "errors": errors,
            "answers": answers_for(indicator, unit, period),
        },
        status=400 if errors else 200,
    )
