"""The weekly list of early warnings (Cảnh báo sớm): the unit's (its subtree's) indicators and each member
unit's, at-risk items first, with the ranking of the member units (analytics.warnings)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from baocao.accounts.permissions import Action, units_for
from baocao.analytics.page_scope import period_from_request, unit_from_request
from baocao.analytics.templatetags.early_warnings import panel_context
from baocao.analytics.warnings import Status, rank_units, warnings_for
from baocao.core.replica import reads_from_replica


@login_required
@reads_from_replica  # reads from the replica when one is configured
def warnings_page(request: HttpRequest) -> HttpResponse:
    visible = units_for(request.user, Action.VIEW)
    unit = unit_from_request(request, visible)
    period, error = period_from_request(request, unit)
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
@reads_from_replica  # reads from the replica when one is configured
def warnings_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's panel as an HTML fragment (``?unit=&period=`` as on the dashboard), fetched by
    baocao/warnings_panel.js after the page so the projections do not hold up the dashboard."""
    visible = units_for(request.user, Action.VIEW)
    unit = unit_from_request(request, visible)
    if unit is None:
        raise Http404("Bạn chưa được giao đơn vị nào để xem cảnh báo sớm.")
    period, error = period_from_request(request, unit)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return render(request, "analytics/warnings_panel.html", panel_context(request.user, unit, period))
