"""``{% load period_picker %}{% period_picker "period" period.id %}``: a <select> of periods with their
Decree 09 windows instead of a box for typed codes (baocao.core.period_choices).

Optional: ``types="month,quarter"`` (default: every type), ``id="..."``, ``required=True``, ``current=True``
(nothing selected: preselect the period of the first type whose Decree 09 window holds today)."""

from typing import Any

from django import template

from baocao.core import clock
from baocao.core.period_choices import current_period, period_groups
from baocao.core.periods import PeriodType

register = template.Library()


@register.inclusion_tag("core/period_picker.html")
def period_picker(
    name: str,
    selected: object = None,
    types: str = "",
    id: str = "",
    required: bool = False,
    current: bool = False,
) -> dict[str, Any]:
    wanted = [PeriodType(t.strip()) for t in types.split(",") if t.strip()] or None
    chosen = "" if selected is None else str(selected)
    if not chosen and current:
        chosen = current_period((wanted or [PeriodType.MONTH])[0], clock.today()).id
    return {
        "name": name,
        "selected": chosen,
        "groups": period_groups(wanted, chosen or None),
        "id": id,
        "required": required,
    }
