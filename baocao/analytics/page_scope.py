"""Which unit and period an analytics page shows: the one asked for in the query string (``?unit=``,
``?period=``), scoped by the user's rights, else the one a leader would look at first. Shared by the
dashboard, the early-warning list and the monthly briefing, so they open on the same unit and month."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from baocao.analytics.cards import cards_for
from baocao.collection.models import DataValue
from baocao.collection.services import latest_month
from baocao.core import clock
from baocao.core.periods import Period, PeriodError, PeriodType
from baocao.orgunits.models import OrgUnit, OrgUnitQuerySet

__all__ = ["period_from_request", "unit_from_request"]


def period_from_request(request: HttpRequest, unit: OrgUnit | None) -> tuple[Period, str]:
    """The period asked for (``?period=``), else the latest month with values of the unit's key figures in
    its subtree (the month a leader reports on: the old city opens on its last month of budget, permits and
    crimes, not on a month only its former wards' illustrative figures reach), else with any values in the
    subtree (a unit that ended in 2025 opens on its last month, not on the newest wards' month), else of
    any values; an invalid one is reported and the default shown."""
    text = request.GET.get("period", "").strip()
    if text:
        try:
            return Period.parse(text), ""
        except PeriodError as exc:
            error = str(exc)
    latest = None
    if unit is not None:
        subtree = OrgUnit.objects.subtree([unit])
        key_indicators = {card.indicator_id for card in cards_for(unit, PeriodType.MONTH)}
        latest = (latest_month(subtree, key_indicators) if key_indicators else None) or latest_month(subtree)
    default = latest or latest_month() or Period.containing(PeriodType.MONTH, clock.today())
    if not text:
        return default, ""
    return default, f"Kỳ “{text[:20]}” không hợp lệ: {error} Trang hiển thị {default.label}."


def unit_from_request(request: HttpRequest, visible: OrgUnitQuerySet) -> OrgUnit | None:
    """The unit asked for (``?unit=``): 404 when it does not exist or the user may not see it (the same
    answer, so a code outside one's scope reveals nothing); else the administrative unit whose agencies
    reported most recently, else the top of the user's scope."""
    code = request.GET.get("unit", "").strip()
    if code:
        unit = visible.filter(code=code).first()
        if unit is None:
            raise Http404(f"Không có đơn vị mã “{code[:50]}” hoặc bạn không được xem số liệu của đơn vị này.")
        return unit
    month = Period.containing(PeriodType.MONTH, clock.today()).id  # none after today's (the demo: 2020)
    reporting = (
        DataValue.objects.filter(period__lte=month)
        .order_by("-period")
        .values_list("org_unit__parent__code", flat=True)
        .first()
    )
    return visible.filter(code=reporting).first() or visible.order_by("path").first()
