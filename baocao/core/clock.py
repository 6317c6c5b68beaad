"""The application's "today": the real date in production, a fixed day when the setting
``BAOCAO_TODAY`` (ISO date, environment variable of the same name) says so — the demo reads as the
month of its data (June 2020), so deadlines, task statuses, reminders and the home page's default
period are those of that day. Every "today" of the domain comes from here, never from
``date.today()`` or ``timezone.localdate()`` directly."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

_pinned: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar("baocao_today", default=None)


@contextlib.contextmanager
def pinned(day: datetime.date) -> Iterator[None]:
    """Within the block, today is ``day`` (this thread or task only): the demo loader replays what units
    did on given days of June 2020 through the ordinary actions, which take their dates from here."""
    token = _pinned.set(day)
    try:
        yield
    finally:
        _pinned.reset(token)


def today() -> datetime.date:
    """The domain's today: a :func:`pinned` day, else ``settings.BAOCAO_TODAY`` when set, otherwise the
    local date."""
    day = _pinned.get()
    if day is not None:
        return day
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
