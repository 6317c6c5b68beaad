"""Scheduled reminders: N working days before a deadline and on the first working day after it, for the
submission deadlines of forms (a unit's data set not yet submitted) and the deadlines of tasks (an
occurrence not completed), to the people who must act (the unit's clerks and head; for a task, those of its
lead unit). N is each user's preference (baocao.notifications; reminders can be switched off).

"Today" is :func:`baocao.core.clock.today`; working days are those of :mod:`baocao.core.dates` (weekends,
Vietnam's public holidays, the administrator's yearly swaps), and reminders go out on working days only.
A reminder carries a key (what, which deadline, before or after) and
:func:`baocao.notifications.services.notify` never delivers a key twice to a user, so the job worker may
run this as often as it likes. A before-reminder is due from the day N working days ahead of the deadline
until the deadline day itself (a worker that was stopped catches up); the after-reminder only on the first
working day after the deadline (a worker started months later does not flood the inbox with old deadlines).

Run by the job worker (settings.BAOCAO_PERIODIC_JOBS) and by ``manage.py send_reminders``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse

from baocao.accounts.permissions import Action
from baocao.assignments.models import Task
from baocao.assignments.status import task_items
from baocao.collection.models import Submission, SubmissionStatus
from baocao.core import clock
from baocao.core.dates import add_working_days, is_working_day, short_date, working_days_between
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import DataSet
from baocao.notifications.models import Preference
from baocao.notifications.services import Kind, holders, notify

__all__ = ["Due", "due_reminders", "send_reminders"]

LOOK_AHEAD_DAYS = 62  # calendar days: no preference asks for a reminder further ahead (20 working days)
NOT_SUBMITTED = {SubmissionStatus.DRAFT, SubmissionStatus.RETURNED}


@dataclass(frozen=True)
class Due:
    """Something with a deadline that people must act on."""

    key: str  # what and which deadline, e.g. "form:BM_X:UNIT:202006"
    deadline: datetime.date
    kind: str
    what: str  # "biểu “…” của …, tháng 6/2020" / "nhiệm vụ “…”"
    url: str
    recipients: list[User]


def _form_dues(today: datetime.date) -> list[Due]:
    dues = []
    types = set(DataSet.objects.filter(is_active=True).values_list("period_type", flat=True))
    for type_id in types:
        current = Period.containing(PeriodType(type_id), today)
        for period in (current.previous(), current):
            data_sets = DataSet.objects.filter(is_active=True, period_type=type_id).prefetch_related(
                "org_units"
            )
            submitted = {
                (s.data_set_id, s.org_unit_id)
                for s in Submission.objects.filter(period=period.id).exclude(status__in=NOT_SUBMITTED)
            }
            for data_set in data_sets:
                deadline = data_set.deadline(period)
                if (
                    not today - datetime.timedelta(days=LOOK_AHEAD_DAYS)
                    <= deadline
                    <= today + datetime.timedelta(days=LOOK_AHEAD_DAYS)
                ):
                    continue
                for unit in data_set.org_units.all():
                    if (data_set.pk, unit.pk) in submitted:
                        continue
                    dues.append(
                        Due(
                            key=f"form:{data_set.code}:{unit.code}:{period.id}",
                            deadline=deadline,
                            kind=Kind.FORM_DUE,
                            what=f"biểu “{data_set.name}” của {unit.name}, {period.label}",
                            url=reverse("collection:entry", args=[data_set.code, unit.code, period.id]),
                            recipients=holders(unit, Action.ENTER),
                        )
                    )
    return dues


def _task_dues(today: datetime.date) -> list[Due]:
    dues = []
    tasks = (
        Task.objects.filter(assigned_on__lte=today)
        .select_related("lead_unit")
        .prefetch_related("extensions", "completions")
    )
    until = today + datetime.timedelta(days=LOOK_AHEAD_DAYS)
    for task in tasks:
        people: list[User] | None = None
        for item in task_items(task, today, until=until):
            if item.is_done or not today - datetime.timedelta(days=LOOK_AHEAD_DAYS) <= item.deadline <= until:
                continue
            if people is None:
                people = holders(task.lead_unit, Action.ENTER)
            occurrence = item.occurrence.isoformat() if item.occurrence else "once"
            content = task.content if len(task.content) <= 120 else task.content[:119] + "…"
            dues.append(
                Due(
                    # the effective deadline is in the key: an extension earns a fresh reminder
                    key=f"task:{task.pk}:{occurrence}:{item.deadline.isoformat()}",
                    # a deadline on a day off runs to the next working day, as the task's status counts it
                    deadline=item.due_by,
                    kind=Kind.TASK_DUE,
                    what=f"nhiệm vụ “{content}” ({task.lead_unit.name})",
                    url=reverse("assignments:task", args=[task.pk]),
                    recipients=people,
                )
            )
    return dues


def due_reminders(today: datetime.date) -> Iterable[tuple[Due, User, str]]:
    """(thing, user, "before" or "after") for every reminder due ``today`` by the users' preferences."""
    if not is_working_day(today):
        return
    dues = _form_dues(today) + _task_dues(today)
    users = {u.pk for due in dues for u in due.recipients}
    preferences = {p.user_id: p for p in Preference.objects.filter(user__in=users)}
    for due in dues:
        for user in due.recipients:
            preference = preferences.get(user.pk) or Preference(user=user)
            if not preference.reminders:
                continue
            if today <= due.deadline <= add_working_days(today, preference.reminder_days):
                yield due, user, "before"
            elif due.deadline < today <= add_working_days(due.deadline, 1):
                yield due, user, "after"


def send_reminders(today: datetime.date | None = None) -> int:
    """Put every reminder due today (:func:`baocao.core.clock.today` unless given) in the inboxes, each
    at most once per user; how many were new. One transaction: all of a run or none."""
    today = today or clock.today()
    sent = 0
    with transaction.atomic():
        for due, user, when in due_reminders(today):
            if when == "before":
                days = working_days_between(today, due.deadline)
                left = f"còn {days} ngày làm việc" if days else "hôm nay là hạn cuối"
                title = f"Nhắc hạn: {due.what} – hạn {short_date(due.deadline)} ({left})"
            else:
                title = f"Đã quá hạn: {due.what} – hạn {short_date(due.deadline)}"
            sent += len(
                notify([user], kind=due.kind, title=title, url=due.url, key=f"reminder:{when}:{due.key}")
            )
    return sent
