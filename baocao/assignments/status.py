"""A task's status at a cut-off date, derived from its history — never stored.

A task has one deadline (one-off) or one per month (recurring "trước ngày N hằng tháng"; in months
shorter than N the last day of the month). Each deadline is an :class:`Item`. At a cut-off date ``c``:

- the **effective deadline** is the new deadline of the latest extension approved on or before ``c``
  (latest by approval date, then by entry), else the original one;
- a **completion counts** if it was not returned by the office and its completion date is on or before
  ``c``; a returned completion never counts (the office did not accept it);
- a deadline that falls on a day off (weekend, public holiday, a day the administrator's yearly swaps
  give off: baocao.core.dates) runs to the end of the next working day (Bộ luật Dân sự 2015, Điều 148
  khoản 5): that day is the item's ``due_by``;
- completed on or before ``due_by`` → *hoàn thành đúng hạn* (so completing on the deadline day itself is
  on time), after it → *hoàn thành quá hạn*; not completed and ``c`` on or before ``due_by`` → *chưa
  hoàn thành, trong hạn*, after it → *chưa hoàn thành, quá hạn*.

Which items belong to a reporting period (window ``s``..``c``): those already assigned by ``c`` and not
completed before ``s`` — every task that was open at some time in the window. A monthly occurrence is
assigned at the start of the reporting window its deadline falls in (or on the task's assignment date, if
later), so each period reviews the occurrence due in it and any earlier occurrence still open.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models

from baocao.assignments.models import Completion, DeadlineExtension, Task
from baocao.core.dates import first_working_day
from baocao.core.numbers import format_number
from baocao.core.periods import Period, PeriodType


class Status(models.TextChoices):
    DONE_ON_TIME = "done_on_time", "Hoàn thành đúng hạn"
    DONE_LATE = "done_late", "Hoàn thành quá hạn (chậm tiến độ)"
    OPEN_ON_TIME = "open_on_time", "Chưa hoàn thành, trong hạn"
    OPEN_OVERDUE = "open_overdue", "Chưa hoàn thành, quá hạn"


STATUS_ORDER = (Status.DONE_ON_TIME, Status.DONE_LATE, Status.OPEN_ON_TIME, Status.OPEN_OVERDUE)


def status_at(deadline: datetime.date, completed_on: datetime.date | None, cutoff: datetime.date) -> Status:
    if completed_on is not None and completed_on <= cutoff:
        return Status.DONE_ON_TIME if completed_on <= deadline else Status.DONE_LATE
    return Status.OPEN_ON_TIME if cutoff <= deadline else Status.OPEN_OVERDUE


def monthly_deadline(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def occurrences(task: Task, until: datetime.date) -> list[datetime.date]:
    """The original deadlines of ``task`` up to ``until`` (one for a one-off task, whatever ``until``)."""
    if not task.is_recurring:
        assert task.deadline is not None
        return [task.deadline]
    assert task.monthly_day is not None
    last = min(until, task.recurs_until) if task.recurs_until else until
    result = []
    year, month = task.assigned_on.year, task.assigned_on.month
    while (year, month) <= (last.year, last.month):
        due = monthly_deadline(year, month, task.monthly_day)
        if task.assigned_on <= due <= last:
            result.append(due)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


@dataclass(frozen=True)
class Item:
    """One deadline of a task, seen at ``cutoff``."""

    task: Task
    occurrence: datetime.date | None  # the original deadline of a monthly occurrence; None if one-off
    original_deadline: datetime.date
    deadline: datetime.date  # effective at the cut-off, as written
    completion: Completion | None  # the completion that counts at the cut-off
    status: Status
    cutoff: datetime.date

    @property
    def starts_on(self) -> datetime.date:
        if self.occurrence is None:
            return self.task.assigned_on
        window_start = Period.containing(PeriodType.MONTH, self.occurrence).reporting_window[0]
        return max(self.task.assigned_on, window_start)

    @property
    def is_done(self) -> bool:
        return self.status in (Status.DONE_ON_TIME, Status.DONE_LATE)

    @property
    def is_extended(self) -> bool:
        return self.deadline != self.original_deadline

    @property
    def due_by(self) -> datetime.date:
        """The last day that counts: the deadline, or the next working day when it falls on a day off."""
        return first_working_day(self.deadline)

    @property
    def deadline_text(self) -> str:
        """ "10/06/2020"; for a deadline on a day off also the day it runs to:
        "20/06/2020 (ngày nghỉ, tính đến hết 22/06/2020)"."""
        written = f"{self.deadline:%d/%m/%Y}"
        if self.due_by == self.deadline:
            return written
        return f"{written} (ngày nghỉ, tính đến hết {self.due_by:%d/%m/%Y})"

    @property
    def days_late(self) -> int:
        end = self.completion.completed_on if self.completion else self.cutoff
        return max(0, (end - self.due_by).days)

    @property
    def days_left(self) -> int:
        return (self.due_by - self.cutoff).days

    @property
    def lateness(self) -> str:
        """How late, worded to follow the status without repeating it: "Chưa hoàn thành, quá hạn" +
        "6 ngày"; "Chưa tham mưu" + "quá hạn 6 ngày"."""
        days = f"{format_number(self.days_late)} ngày"
        return days if self.wording.endswith("quá hạn") else f"quá hạn {days}"

    @property
    def wording(self) -> str:
        """The status as the report words it: "Chưa tham mưu" for an advisory task not delivered."""
        if self.task.is_advisory and not self.is_done:
            return "Chưa tham mưu" if self.status == Status.OPEN_OVERDUE else "Chưa tham mưu, trong hạn"
        return self.status.label


def _effective_deadline(
    original: datetime.date, extensions: Sequence[DeadlineExtension], cutoff: datetime.date
) -> datetime.date:
    approved = [e for e in extensions if e.approved_on <= cutoff]
    return max(approved, key=lambda e: (e.approved_on, e.pk or 0)).new_deadline if approved else original


def _counting_completion(completions: Sequence[Completion], cutoff: datetime.date) -> Completion | None:
    valid = [c for c in completions if not c.is_returned and c.completed_on <= cutoff]
    return min(valid, key=lambda c: (c.completed_on, c.pk or 0)) if valid else None


def task_items(
    task: Task,
    cutoff: datetime.date,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[Item]:
    """The task's deadlines at ``cutoff``: assigned by then, not completed before ``since``; monthly
    occurrences due up to ``until`` (default: the cut-off). Uses prefetched extensions and completions."""
    extensions = list(task.extensions.all())
    completions = list(task.completions.all())
    items = []
    for due in occurrences(task, until or cutoff):
        occurrence = due if task.is_recurring else None
        deadline = _effective_deadline(due, [e for e in extensions if e.occurrence == occurrence], cutoff)
        completion = _counting_completion([c for c in completions if c.occurrence == occurrence], cutoff)
        completed_on = completion.completed_on if completion else None
        status = status_at(first_working_day(deadline), completed_on, cutoff)
        item = Item(task, occurrence, due, deadline, completion, status, cutoff)
        if until is None and item.starts_on > cutoff:
            continue
        if since is not None and completion is not None and completion.completed_on < since:
            continue
        items.append(item)
    return items


def period_items(tasks: Iterable[Task], period: Period) -> list[Item]:
    """Every item reviewed for ``period``: open at some time in its window, status at the cut-off."""
    start, cutoff = period.reporting_window
    return [
        item for task in tasks if task.assigned_on <= cutoff for item in task_items(task, cutoff, since=start)
    ]
