from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from baocao.accounts.permissions import Action, units_for
from baocao.analytics.figures import Figure, get_figures
from baocao.collection.models import DataValue
from baocao.collection.services import latest_month
from baocao.core.periods import Period, PeriodError
from baocao.indicators.models import Sector


@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    """Figures of one unit (its whole subtree) for one period, with every comparison."""
    error = ""
    visible = units_for(request.user, Action.VIEW)
    units = list(visible.administrative().order_by("path")) or list(visible.order_by("path"))
    default_period = latest_month()
    try:
        period = Period.parse(request.GET["period"]) if request.GET.get("period") else default_period
    except PeriodError as exc:
        error, period = str(exc), default_period
    unit = next((u for u in units if u.code == request.GET.get("unit")), None)
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
