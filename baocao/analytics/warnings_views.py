"""The weekly list of early warnings (Cảnh báo sớm): the unit's (its subtree's) indicators and each member
unit's, at-risk items first, with the ranking of the member units (analytics.warnings)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from baocao.accounts.permissions import Action, units_for
from baocao.analytics.templatetags.early_warnings import panel_context
from baocao.analytics.warnings import Status, rank_units, warnings_for
from baocao.collection.services import latest_month
from baocao.core import clock
from baocao.core.periods import Period, PeriodError, PeriodType
from baocao.orgunits.models import OrgUnit, OrgUnitQuerySet


def _unit_of(request: HttpRequest, visible: OrgUnitQuerySet) -> OrgUnit | None:
    """``?unit=`` (404 outside the user's scope, as on the dashboard), else the top of the scope."""
    code = request.GET.get("unit", "").strip()
    if code:
        unit = visible.filter(code=code).first()
        if unit is None:
            raise Http404(f"Không có đơn vị mã “{code[:50]}” hoặc bạn không được xem số liệu của đơn vị này.")
        return unit
    return visible.order_by("path").first()


def _period_of(request: HttpRequest, unit: OrgUnit | None) -> tuple[Period, str]:
    """``?period=``, else the latest month with values in the unit's subtree, else today's month."""
    subtree = OrgUnit.objects.subtree([unit]) if unit is not None else None
    default = (latest_month(subtree) if subtree is not None else None) or Period.containing(
        PeriodType.MONTH, clock.today()
    )
    text = request.GET.get("period", "").strip()
    if not text:
        return default, ""
    try:
        return Period.parse(text), ""
    except PeriodError as exc:
        return default, f"Kỳ “{text[:20]}” không hợp lệ: {exc} Trang hiển thị {default.label}."


@login_required
def warnings_page(request: HttpRequest) -> HttpResponse:
    visible = units_for(request.user, Action.VIEW)
    unit = _unit_of(request, visible)
    period, error = _period_of(request, unit)
    context: dict[str, Any] = {"unit": unit, "period": period, "error": error}
    if unit is None:
        context["error"] = error or "Bạn chưa được giao đơn vị nào để xem số liệu."
        return render(request, "analytics/warnings.html", context, status=400 if error else 200)
    warnings = warnings_for(request.user, unit, period)
    own = [w for w in warnings if w.is_subtree]
    members = [w for w in warnings if not w.is_subtree and w.status in (Status.OFF_TRACK, Status.AT_RISK)]
    counts = {s: sum(1 for w in own if w.status == s) for s in Status}
    context.update(
        {
            "units": list(visible.administrative().order_by("path")) or list(visible.order_by("path")),
            "own": own,
            "members": members,
            "ranking": [r for r in rank_units(warnings) if r.off_track or r.at_risk],
            "counts": [(s, counts[s]) for s in Status],
        }
    )
    return render(request, "analytics/warnings.html", context, status=400 if error else 200)


@login_required
def warnings_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's panel as an HTML fragment (``?unit=&period=`` as on the dashboard), fetched by
    baocao/warnings_panel.js after the page so the projections do not hold up the dashboard."""
    visible = units_for(request.user, Action.VIEW)
    unit = _unit_of(request, visible)
    if unit is None:
        raise Http404("Bạn chưa được giao đơn vị nào để xem cảnh báo sớm.")
    period, error = _period_of(request, unit)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return render(request, "analytics/warnings_panel.html", panel_context(request.user, unit, period))
