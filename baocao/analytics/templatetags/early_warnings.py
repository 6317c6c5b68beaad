"""The dashboard's early-warning panel (issue 19): the unit's (its subtree's) indicators off track and at
risk first, coloured as the cards, with a link to the weekly list (analytics.warnings).

The dashboard does not compute the warnings itself (a province's projections cost far more than the rest
of the page): ``warnings_panel`` renders only a placeholder with the weekly list's link (the no-JS
fallback) and the fragment's address; baocao/warnings_panel.js fetches the panel's HTML from
``analytics:warnings_panel`` (warnings_views.warnings_panel) after the page and puts it in place.
``panel_context`` builds what the fragment shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

from baocao.analytics.warnings import Status, warnings_for
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit

register = template.Library()

#: How many at-risk items the dashboard shows (the weekly list has them all).
PANEL_ITEMS = 8


def panel_context(user: User | AnonymousUser, unit: OrgUnit, period: Period) -> dict[str, Any]:
    """The panel's content: the unit's own (subtree) warnings, off track and at risk first."""
    warnings = warnings_for(user, unit, period, members=False)
    attention = [w for w in warnings if w.status in (Status.OFF_TRACK, Status.AT_RISK)]
    return {
        "unit": unit,
        "period": period,
        "items": attention[:PANEL_ITEMS],
        "more": max(0, len(attention) - PANEL_ITEMS),
        "counts": [(s, sum(1 for w in warnings if w.status == s)) for s in Status],
        "total": len(warnings),
    }


@register.inclusion_tag("analytics/warnings_panel_slot.html")
def warnings_panel(unit: OrgUnit, period: Period) -> dict[str, Any]:
    """The placeholder the dashboard renders at once; the panel itself comes from the fragment."""
    query = urlencode({"unit": unit.code, "period": period.id})
    return {
        "unit": unit,
        "period": period,
        "panel_url": f"{reverse('analytics:warnings_panel')}?{query}",
        "list_url": f"{reverse('analytics:warnings')}?{query}",
    }
