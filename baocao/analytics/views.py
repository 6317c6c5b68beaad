from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from baocao.accounts.permissions import Action, units_for
from baocao.analytics.cards import cards_for
from baocao.analytics.dashboard import Card, build_cards, submission_picture, unit_table
from baocao.analytics.figures import Figure, get_figures
from baocao.analytics.page_scope import period_from_request, unit_from_request
from baocao.analytics.passport import PassportNotFound, build_passport, frozen_figure
from baocao.analytics.series import SeriesError, get_series
from baocao.assignments.review import review as task_review
from baocao.assignments.status import Status as TaskStatus
from baocao.collection.models import DataValue, ValueKind
from baocao.collection.services import latest_month_for
from baocao.core.periods import Period, PeriodError
from baocao.core.replica import reads_from_replica
from baocao.indicators.models import Indicator, Sector
from baocao.orgunits.models import OrgUnit, OrgUnitQuerySet
from baocao.quality.services import indicator_checks
from baocao.reports.models import ReportRun


@login_required
@reads_from_replica  # reads from the replica when one is configured
def figures_page(request: HttpRequest) -> HttpResponse:
    """Figures of one unit (its whole subtree) for one period, with every comparison."""
    error = ""
    visible = units_for(request.user, Action.VIEW)
    units = list(visible.administrative().order_by("path")) or list(visible.order_by("path"))
    default_period = latest_month_for(request.user)
    try:
        period = Period.parse(request.GET["period"]) if request.GET.get("period") else default_period
    except PeriodError as exc:
        error, period = str(exc), default_period
    code = request.GET.get("unit", "").strip()
    unit = None
    if code:  # any unit the user may see (the dashboard links here for an agency too); else 404 like it
        unit = visible.filter(code=code).first()
        if unit is None:
            raise Http404(f"Không có đơn vị mã “{code[:50]}” hoặc bạn không được xem số liệu của đơn vị này.")
        if unit not in units:
            units.append(unit)
    if unit is None:
        # Default: the administrative unit whose agencies reported most recently.
        reporting = (
            DataValue.objects.order_by("-period").values_list("org_unit__parent__code", flat=True).first()
        )
        unit = next((u for u in units if u.code == reporting), units[0] if units else None)
    sectors: list[tuple[Sector, list[Figure]]] = []
    if period is not None and unit is not None:
        figures = get_figures([unit], period)
        grouped: defaultdict[Sector, list[Figure]] = defaultdict(list)
        for figure in figures:
            if figure.has_data:
                grouped[figure.indicator.sector].append(figure)
        sectors = sorted(grouped.items(), key=lambda item: (item[0].sort_order, item[0].code))
    context = {
        "period": period,
        "window": period.reporting_window if period else None,
        "unit": unit,
        "units": units,
        "sectors": sectors,
        "error": error,
    }
    return render(request, "analytics/figures.html", context, status=400 if error else 200)


# ---------------------------------------------------------------------------------------- the dashboard


class _BadInput(Exception):
    """A period, indicator or kind in the URL the page cannot show: a Vietnamese message and a 400."""


def _overdue_tasks(units: OrgUnitQuerySet, period: Period) -> list[tuple[OrgUnit, int]]:
    """Per lead unit, the tasks open past their deadline at the period's cut-off (assignments' review)."""
    result = task_review(units, period)
    rows = [(u.unit, u.count(TaskStatus.OPEN_OVERDUE)) for u in result.units]
    return sorted(((u, n) for u, n in rows if n), key=lambda r: (-r[1], r[0].sort_order, r[0].code))


def _trend_codes(cards: list[Card]) -> list[tuple[str, str, str]]:
    """(indicator code, the kind of its first card, title) of the cards that ask for a trend chart."""
    seen: dict[str, tuple[str, str, str]] = {}
    for card in cards:
        if card.card.show_trend and card.indicator.code not in seen:
            seen[card.indicator.code] = (card.indicator.code, card.kind, card.indicator.name)
    return list(seen.values())


def _drill_url(unit: OrgUnit, period: Period, indicator: str, kind: str) -> str:
    query = urlencode({"indicator": indicator, "kind": kind, "unit": unit.code, "period": period.id})
    return f"{reverse('analytics:dashboard_indicator')}?{query}"


@login_required
@reads_from_replica  # reads from the replica when one is configured
def dashboard(request: HttpRequest) -> HttpResponse:
    """The leaders' home page: the key-figure cards, submissions and overdue tasks of a unit (its subtree)
    for a period, read live from the figures layer; the trend charts come from `dashboard_charts`, fetched
    by the page (dashboard.js), so the cards do not wait for 24 months of series."""
    visible = units_for(request.user, Action.VIEW)
    unit = unit_from_request(request, visible)
    period, error = period_from_request(request, unit)
    context: dict[str, Any] = {"period": period, "error": error, "unit": unit}
    if unit is None:
        context["error"] = error or "Bạn chưa được giao đơn vị nào để xem số liệu."
        return render(request, "analytics/dashboard.html", context, status=400 if error else 200)
    subtree = visible.filter(path__startswith=unit.path)
    cards = build_cards(unit, period, cards_for(unit, period.type))
    query = urlencode({"unit": unit.code, "period": period.id})
    context.update(
        {
            "units": list(visible.administrative().order_by("path")) or list(visible.order_by("path")),
            "window": period.reporting_window,
            "cards": [(card, _drill_url(unit, period, card.indicator.code, card.kind)) for card in cards],
            "trends": [
                (n, code, title, _drill_url(unit, period, code, kind))
                for n, (code, kind, title) in enumerate(_trend_codes(cards), start=1)
            ],
            "charts_url": f"{reverse('analytics:dashboard_charts')}?{query}",
            "submissions": submission_picture(period, subtree),
            "overdue": _overdue_tasks(subtree, period),
        }
    )
    return render(request, "analytics/dashboard.html", context, status=400 if error else 200)


@login_required
@reads_from_replica  # reads from the replica when one is configured
def dashboard_charts(request: HttpRequest) -> JsonResponse:
    """The dashboard's trend charts as JSON (`Series.chart_data()` of each card that asks for one): the last
    24 months, last year's months, the plan lines. The same scope as the page (404 outside); a bad period
    is a Vietnamese message with a 400."""
    visible = units_for(request.user, Action.VIEW)
    unit = unit_from_request(request, visible)
    period, error = period_from_request(request, unit)
    if error:
        return JsonResponse({"charts": [], "error": error}, status=400)
    if unit is None:
        return JsonResponse({"charts": [], "error": "Bạn chưa được giao đơn vị nào để xem số liệu."})
    cards = cards_for(unit, period.type)
    codes = list(dict.fromkeys(c.indicator.code for c in cards if c.show_trend))
    if not codes:
        return JsonResponse({"charts": [], "error": ""})
    try:
        series = get_series(unit, period, codes)
    except SeriesError as exc:
        return JsonResponse({"charts": [], "error": str(exc)}, status=400)
    return JsonResponse({"charts": [series[code].chart_data() for code in codes], "error": ""})


@login_required
@reads_from_replica  # reads from the replica when one is configured
def dashboard_indicator(request: HttpRequest) -> HttpResponse:
    """A card's drill-down: the indicator for the unit and each unit under it, this period against the
    previous one and last year, each stored value linked to its history."""
    visible = units_for(request.user, Action.VIEW)
    unit = unit_from_request(request, visible)
    period, error = period_from_request(request, unit)
    code = request.GET.get("indicator", "").strip()
    kind = request.GET.get("kind", "").strip() or ValueKind.ACTUAL.value
    indicator = Indicator.objects.select_related("unit").filter(code=code).first() if code else None
    context: dict[str, Any] = {"period": period, "unit": unit, "indicator": indicator, "kind": kind}
    problems = [error] if error else []
    if indicator is None:
        problems.append(
            f"Không có chỉ tiêu mã “{code[:50]}”."
            if code
            else "Chưa chọn chỉ tiêu: hãy mở bảng này từ một thẻ hoặc biểu đồ của trang tổng quan."
        )
    if kind not in ValueKind.values:  # Vietnamese names only: the codes are the address's business
        problems.append(
            f"Không có loại số liệu “{kind[:20]}”; chọn một trong: "
            + ", ".join(str(label) for label in ValueKind.labels)
            + "."
        )
    if unit is None:
        problems.append("Bạn chưa được giao đơn vị nào để xem số liệu.")
    context["error"] = " ".join(problems)
    if indicator is None or unit is None or kind not in ValueKind.values:
        return render(request, "analytics/dashboard_indicator.html", context, status=400)
    children = list(visible.filter(parent=unit).order_by("sort_order", "code"))
    parents = set(OrgUnit.objects.filter(parent__in=children).values_list("parent_id", flat=True).distinct())
    total, rows = unit_table(unit, period, indicator.code, kind, children, parents)
    context.update(
        {
            "total": total,
            "rows": [r for r in rows if r.figure.has_data],
            "without_data": [r.unit for r in rows if not r.figure.has_data],
            "kind_label": ValueKind(kind).label,
            "kinds": ValueKind.choices,
            "window": period.reporting_window,
            "parent_unit": visible.filter(pk=unit.parent_id).first() if unit.parent_id else None,
            "back": f"{reverse('analytics:dashboard')}?{urlencode({'unit': unit.code, 'period': period.id})}",
        }
    )
    return render(request, "analytics/dashboard_indicator.html", context, status=400 if error else 200)


@login_required
@reads_from_replica  # reads from the replica when one is configured
def passport_page(request: HttpRequest) -> HttpResponse:
    """A figure's passport (analytics.passport): what it is, how it was computed, the stored values it is
    built from and their history, the form's steps, the validation flags, and with ``?run=`` an issued
    report's frozen figure beside today's. A figure the user may not see is a 404."""
    get = request.GET
    try:
        passport = build_passport(
            request.user,
            get.get("indicator", "").strip(),
            get.get("unit", "").strip(),
            get.get("period", "").strip(),
            get.get("kind", "").strip() or ValueKind.ACTUAL.value,
        )
    except PassportNotFound as exc:
        raise Http404(str(exc)) from None
    run_id = get.get("run", "").strip()
    if run_id.isdecimal() and len(run_id) < 19:
        run = (
            ReportRun.objects.select_related("report_type")
            .only("report_type", "org_unit", "period", "status", "figures", "issued_at")
            .filter(pk=int(run_id), org_unit__in=units_for(request.user, Action.VIEW))
            .first()
        )
        if run is not None and run.is_issued:
            passport.frozen = frozen_figure(passport, run.title, run.issued_at, run.figures)
    units = [s.value.org_unit for s in passport.stored] or [passport.unit]
    key = (passport.indicator.code, passport.kind)
    passport.flags = [
        f"{v.org_unit.name}: {v.importance_label} – {v.text}"
        for v in indicator_checks(passport.period, units, passport.indicator.code)
        if key in v.fields
    ]
    return render(request, "analytics/passport.html", {"p": passport})
