"""Explanation requests (yêu cầu giải trình, issue 19 point 4): the leader or the office asks the unit
responsible for an at-risk item (one indicator of one unit at one period) to explain, with a deadline.

The request is a task of this module, so its status, reminders and overdue are the task's. The unit answers
through the task: its completion report's "kết quả" is the answer, its progress reports carry the
evidence. A unit that no longer exists (the 2025 merges) cannot answer: the request goes to the unit that
took it over (following the succession links to one active today) and says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse

from baocao.accounts.permissions import Action, MaybeUser, require
from baocao.assignments.models import Completion, ExplanationRequest, ProgressUpdate
from baocao.assignments.services import create_task
from baocao.core import clock
from baocao.core.dates import short_date
from baocao.core.periods import Period, PeriodError
from baocao.core.text import nfc
from baocao.indicators.models import Indicator
from baocao.notifications.services import Kind, holders, notify
from baocao.orgunits.models import OrgUnit, OrgUnitSuccession

__all__ = ["Answer", "answers_for", "may_answer", "request_explanation", "responsible_unit"]

DEFAULT_DAYS = 7


def responsible_unit(unit: OrgUnit, day: datetime.date) -> OrgUnit:
    """``unit`` when it is active on ``day``, else the successor that took it over and is active then
    (following a chain of merges); ``unit`` itself when no successor is recorded."""
    seen = {unit.pk}
    current = unit
    while not current.is_active_on(day):
        link = (
            OrgUnitSuccession.objects.filter(predecessor=current)
            .select_related("successor")
            .order_by("-share", "-effective_date", "pk")
            .first()
        )
        if link is None or link.successor.pk in seen:
            return current
        current = link.successor
        seen.add(current.pk)
    return current


@transaction.atomic
def may_answer(unit: OrgUnit) -> bool:
    """Whether someone would receive and answer a request to ``unit`` (a clerk who enters its data): a
    request to a whole city, whose figure is its members' sum, reached nobody."""
    return bool(holders(unit, Action.ENTER))


def request_explanation(
    user: MaybeUser,
    *,
    indicator: Indicator,
    unit: OrgUnit,
    period: Period | str,
    deadline: datetime.date | None,
    question: str = "",
) -> ExplanationRequest:
    """Create the task asking ``unit`` (or its successor) to explain ``indicator`` at ``period`` by
    ``deadline`` and tell the unit's people. Needs ASSIGN (the leader, the office) on the unit asked."""
    today = clock.today()
    target = responsible_unit(unit, today)
    require(user, Action.ASSIGN, target)
    errors: dict[str, str] = {}
    try:
        period = Period.parse(period) if isinstance(period, str) else period
    except PeriodError as exc:
        errors["period"] = f"Kỳ “{str(period)[:20]}” không hợp lệ: {exc}"
    if deadline is None:
        errors["deadline"] = "Hạn giải trình: chưa nhập."
    elif deadline < today:
        errors["deadline"] = f"Hạn giải trình ({short_date(deadline)}) đã qua (hôm nay {short_date(today)})."
    if not target.is_active_on(today):
        errors["unit"] = f"Đơn vị {unit.name} không còn hoạt động và chưa có đơn vị kế thừa để giải trình."
    elif not may_answer(target):
        errors["unit"] = (
            f"{target.name} không có cán bộ nhập số liệu để nhận và trả lời yêu cầu giải trình; "
            "hãy gửi cho đơn vị thành viên phụ trách chỉ tiêu."
        )
    if errors:
        raise ValidationError(errors)
    assert isinstance(period, Period)
    question = "\n".join(line.strip() for line in nfc(question).strip().splitlines())
    passed_on = target != unit
    content = f"Giải trình chỉ tiêu “{indicator.name}” của {unit.name}, {period.label}"
    if passed_on:
        content += f" (đơn vị {unit.name} không còn hoạt động; chuyển {target.name} là đơn vị kế thừa)"
    content += "." + (f" {question}" if question else "")
    task = create_task(user, content=content, lead_unit=target, assigned_on=today, deadline=deadline)
    explanation = ExplanationRequest.objects.create(
        task=task,
        indicator=indicator,
        org_unit=unit,
        period=period.id,
        question=question,
        redirected_from=unit if passed_on else None,
    )
    notify(
        holders(target, Action.ENTER),
        kind=Kind.TASK_DUE,
        title=f"Yêu cầu giải trình: {indicator.name}, {period.label} – hạn {short_date(deadline)}"
        if deadline
        else "Yêu cầu giải trình",
        body=content,
        url=reverse("assignments:task", args=[task.pk]),
        key=f"explanation:{explanation.pk}",
    )
    return explanation


@dataclass(frozen=True, slots=True)
class Answer:
    """A request as the item shows it: asked when and by when, answered (the completion not returned)
    or not, with the evidence reported."""

    request: ExplanationRequest
    completion: Completion | None
    evidence: list[ProgressUpdate]

    @property
    def is_answered(self) -> bool:
        return self.completion is not None

    @property
    def text(self) -> str:
        return self.completion.note if self.completion else ""


def answers_for(indicator: Indicator | str, unit: OrgUnit | str, period: Period | str) -> list[Answer]:
    """The explanation requests of an item, newest first, each with its answer if there is one."""
    requests = ExplanationRequest.objects.select_related("task", "task__lead_unit", "redirected_from")
    where: dict[str, object] = {
        "indicator" if isinstance(indicator, Indicator) else "indicator__code": indicator,
        "org_unit" if isinstance(unit, OrgUnit) else "org_unit__code": unit,
        "period": period.id if isinstance(period, Period) else period,
    }
    requests = requests.filter(**where).prefetch_related(
        "task__completions", Prefetch("task__progress", queryset=ProgressUpdate.objects.defer("evidence"))
    )
    result = []
    for request in requests:
        done = [c for c in request.task.completions.all() if not c.is_returned]
        evidence = list(request.task.progress.all())
        result.append(Answer(request, done[-1] if done else None, evidence))
    return result


def report_provider(org_unit: OrgUnit | None, period: Period) -> list[dict[str, str]]:
    """``giai_trinh`` for report templates and the explanations block (part II, difficulties): the
    answered requests of the period for the unit's subtree, one dict per answer (unit, indicator, text),
    in the tree's order. Without a unit (a template checked before saving) a sample of the same shape."""
    if org_unit is None:
        return [{"don_vi": "Phòng Kinh tế", "chi_tieu": "Thu ngân sách", "noi_dung": "Nội dung giải trình."}]
    subtree = OrgUnit.objects.subtree([org_unit])
    requests = (
        ExplanationRequest.objects.filter(period=period.id, org_unit__in=subtree)
        .select_related("indicator", "org_unit", "task__lead_unit")
        .prefetch_related("task__completions")
        .order_by("task__lead_unit__sort_order", "indicator__sort_order", "pk")
    )
    result = []
    for request in requests:
        done = [c for c in request.task.completions.all() if not c.is_returned and c.note]
        if done:
            result.append(
                {
                    "don_vi": request.task.lead_unit.name,
                    "chi_tieu": request.indicator.name,
                    "noi_dung": done[-1].note,
                }
            )
    return result
