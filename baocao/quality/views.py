"""The validation report of a period across the units the user may see (page and Excel), and the list
of rules (edited in the admin by those who manage reference data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from baocao.accounts.permissions import Action, units_for
from baocao.collection.views import period_from_request
from baocao.quality.models import DeviationRule, Importance, ValidationRule
from baocao.quality.services import run_period, violations_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def validation_report(request: HttpRequest) -> HttpResponse:
    """Every violation of a period in the units the user may view; ?muc=high filters, ?excel=1 exports."""
    visible = units_for(request.user, Action.VIEW)
    if not visible.exists():
        raise PermissionDenied("Bạn không có quyền xem số liệu của đơn vị nào.")
    period = period_from_request(request)
    violations = run_period(period, set(visible.values_list("pk", flat=True)))
    level = request.GET.get("muc", "")
    if level in Importance.values:
        violations = [v for v in violations if v.importance == level and not v.could_not_evaluate]
    if request.GET.get("excel") == "1":
        response = HttpResponse(violations_xlsx(period, violations), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="kiem-tra-so-lieu-{period.id}.xlsx"'
        return response
    context = {
        "period": period,
        "violations": violations,
        "blocking": sum(1 for v in violations if v.blocks),
        "level": level,
        "levels": Importance.choices,
    }
    return render(request, "quality/report.html", context)


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    if not units_for(request.user, Action.VIEW).exists():
        raise PermissionDenied("Bạn không có quyền xem quy tắc kiểm tra.")
    context = {
        "rules": ValidationRule.objects.prefetch_related("org_units"),
        "deviations": DeviationRule.objects.select_related("indicator"),
        "can_manage": units_for(request.user, Action.MANAGE).exists() and request.user.is_staff,
    }
    return render(request, "quality/rules.html", context)
