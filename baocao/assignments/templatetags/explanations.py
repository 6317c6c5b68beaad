"""{% explanation_cell indicator unit period %}: an item's explanation requests with their answers, and for
those who may ask, the link to ask (the early-warning list, the passport)."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from baocao.accounts.permissions import Action, can
from baocao.assignments.explanations import answers_for, may_answer, responsible_unit
from baocao.core import clock

register = template.Library()


@register.inclusion_tag("assignments/_explanation_cell.html", takes_context=True)
def explanation_cell(
    context: dict[str, Any], indicator: Any, unit: Any, period: Any, empty: str = ""
) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    period_id = getattr(period, "id", period)
    target = responsible_unit(unit, clock.today())
    may_ask = user is not None and can(user, Action.ASSIGN, target) and may_answer(target)
    ask_url = (
        reverse("assignments:explain")
        + "?"
        + urlencode({"indicator": indicator.code, "unit": unit.code, "period": period_id})
    )
    return {
        "answers": answers_for(indicator, unit, period_id),
        "may_ask": may_ask,
        "ask_url": ask_url,
        "indicator": indicator,
        "unit": unit,
        "empty": empty,
    }
