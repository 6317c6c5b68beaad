"""The data explorer's pages: the pivot and chart of a selection, and its XLSX / CSV exports.

Scope: only the units of `units_for(user, VIEW)` (a unit outside them is a 404, as a unit that does not
exist); every other bad parameter is a Vietnamese message on the page (400)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from baocao.accounts.permissions import Action, units_for
from baocao.analytics.explorer import (
    CHART_TYPES,
    KINDS,
    MAX_INDICATORS,
    PERIOD_TYPES,
    ExplorerError,
    Pivot,
    Query,
    build_pivot,
    indicator_choices,
    parse_query,
    search_indicators,
    to_csv,
    to_xlsx,
)
from baocao.collection.services import latest_month_for
from baocao.core.replica import reads_from_replica
from baocao.orgunits.models import OrgUnit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _selection(request: HttpRequest) -> tuple[list[OrgUnit], OrgUnit | None, Query | None]:
    visible = units_for(request.user, Action.VIEW)
    units = list(visible.order_by("path"))
    default_unit = next((u for u in units if u.is_administrative), units[0] if units else None)
    query = parse_query(request.GET, visible, latest_month_for(request.user), default_unit)
    return units, default_unit, query


@login_required
@reads_from_replica  # reads from the replica when one is configured
def explorer_page(request: HttpRequest) -> HttpResponse:
    """Choose indicators, units, periods and kind; see the pivot table and the chart."""
    error, status = "", 200
    units: list[OrgUnit] = []
    default_unit: OrgUnit | None = None
    query: Query | None = None
    pivot: Pivot | None = None
    try:
        units, default_unit, query = _selection(request)
        pivot = build_pivot(query) if query is not None else None
    except ExplorerError as exc:
        error, status = exc.message, exc.status
        if not units:
            visible = units_for(request.user, Action.VIEW)
            units = list(visible.order_by("path"))
    chosen_codes = set(request.GET.getlist("indicator"))
    search_text = request.GET.get("tim", "").strip()[:200]
    found = [i for i in search_indicators(search_text) if i.code not in chosen_codes] if search_text else []
    params = urlencode(query.params()) if query is not None else ""
    top = min((u.path.count("/") for u in units), default=0)  # the user's highest units are not indented
    chosen_units = set(request.GET.getlist("unit")) or ({default_unit.code} if default_unit else set())
    context = {
        "error": error,
        "query": query,
        "pivot": pivot,
        "chart": pivot.chart_data() if pivot is not None else None,
        "unit_options": [(u, "— " * (u.path.count("/") - top), u.code in chosen_units) for u in units],
        "chosen": list(query.indicators) if query is not None else [],
        "found": found,
        "search_text": search_text,
        "choices": indicator_choices(),
        "period_types": PERIOD_TYPES,
        "kinds": KINDS,
        "chart_types": CHART_TYPES,
        "form": {
            "type": request.GET.get("type") or (query.period_type.value if query else "month"),
            "from": request.GET.get("from") or (query.start.id if query else ""),
            "to": request.GET.get("to") or (query.end.id if query else ""),
            "kind": request.GET.get("kind") or (query.kind if query else "actual"),
            "chart": request.GET.get("chart") or (query.chart if query else "line"),
        },
        "max_indicators": MAX_INDICATORS,
        "link": f"{reverse('analytics:explorer')}?{params}" if params else "",
        "xlsx_link": f"{reverse('analytics:explorer_export', args=['xlsx'])}?{params}" if params else "",
        "csv_link": f"{reverse('analytics:explorer_export', args=['csv'])}?{params}" if params else "",
    }
    return render(request, "analytics/explorer.html", context, status=status)


@login_required
@reads_from_replica  # reads from the replica when one is configured
def explorer_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The selection's table as XLSX or CSV: the same numbers as the page."""
    if fmt not in {"xlsx", "csv"}:
        raise Http404(f"Không có định dạng tải về “{fmt[:20]}”: chỉ có xlsx và csv.")
    try:
        _units, _default, query = _selection(request)
        if query is None:
            raise ExplorerError("Chỉ tiêu: hãy chọn ít nhất một chỉ tiêu để tải bảng số liệu.")
        pivot = build_pivot(query)
    except ExplorerError as exc:
        return render(request, "analytics/explorer_error.html", {"error": exc.message}, status=exc.status)
    name = f"khai-thac-so-lieu-{query.start.id}-{query.end.id}"
    if fmt == "xlsx":
        response = HttpResponse(to_xlsx(pivot), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        response = HttpResponse(to_csv(pivot), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
