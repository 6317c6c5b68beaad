"""The application's "today": the real date in production, a fixed day when the setting
``BAOCAO_TODAY`` (ISO date, environment variable of the same name) says so — the demo reads as the
month of its data (June 2020), so deadlines, task statuses, reminders and the home page's default
period are those of that day. Every "today" of the domain comes from here, never from
``date.today()`` or ``timezone.localdate()`` directly."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone


def today() -> datetime.date:
    """The domain's today: ``settings.BAOCAO_TODAY`` when set, otherwise the local date."""
    fixed = getattr(settings, "BAOCAO_TODAY", None)
    if fixed:
        return fixed if isinstance(fixed, datetime.date) else datetime.date.fromisoformat(str(fixed))
    return timezone.localdate()


def now() -> datetime.datetime:
    """The domain's now: today's date (see :func:`today`) at the current local time of day."""
    current = timezone.localtime()
    day = today()
    if day == current.date():
        return current
    return current.replace(year=day.year, month=day.month, day=day.day)
