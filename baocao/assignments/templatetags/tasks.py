"""{% task_reminders %}: the reminder panel (tasks overdue or due within a few days) on the home page."""

from typing import Any

from django import template

from baocao.assignments.views import DUE_SOON_DAYS, reminders

register = template.Library()


@register.inclusion_tag("assignments/reminders.html", takes_context=True)
def task_reminders(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "days": DUE_SOON_DAYS, **reminders(user)}
