"""The dashboard's early-warning panel (issue 19): the unit's (its subtree's) indicators off track and at
risk first, coloured as the cards, with a link to the weekly list (analytics.warnings)."""

from __future__ import annotations

from typing import Any

from django import template

from baocao.analytics.warnings import Status, warnings_for
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit

register = template.Library()

#: How many at-risk items the dashboard shows (the weekly list has them all).
PANEL_ITEMS = 8


@register.inclusion_tag("analytics/warnings_panel.html", takes_context=True)
def warnings_panel(context: dict[str, Any], unit: OrgUnit, period: Period) -> dict[str, Any]:
    warnings = warnings_for(context["request"].user, unit, period, members=False)
    attention = [w for w in warnings if w.status in (Status.OFF_TRACK, Status.AT_RISK)]
    return {
        "unit": unit,
        "period": period,
        "items": attention[:PANEL_ITEMS],
        "more": max(0, len(attention) - PANEL_ITEMS),
        "counts": [(s, sum(1 for w in warnings if w.status == s)) for s in Status],
        "total": len(warnings),
    }
