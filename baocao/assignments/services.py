"""Every change to directives and tasks, one transaction each, permission checked first.

Errors are :class:`django.core.exceptions.ValidationError` keyed by field, in Vietnamese, naming the
field; on any error nothing is written. Who may do what (accounts.permissions): the office and leaders
(``ASSIGN`` on the lead unit) create tasks and extend deadlines; the lead unit's staff and head
(``ENTER``) report progress and completion; the office (``RETURN``) returns a completion it does not
accept.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from baocao.accounts.permissions import Action, MaybeUser, require, units_for
from baocao.assignments.models import (
    EVIDENCE_TYPES,
    MAX_EVIDENCE_BYTES,
    Completion,
    DeadlineExtension,
    DeadlineKind,
    Directive,
    ProgressUpdate,
    Task,
)
from baocao.assignments.status import occurrences
from baocao.core import clock
from baocao.core.dates import short_date
from baocao.core.text import clean, nfc
from baocao.core.users import acting_user
from baocao.orgunits.models import OrgUnit


def _text(value: str | None) -> str:
    return "\n".join(line.strip() for line in nfc(value or "").strip().splitlines())


def _not_future(day: datetime.date, what: str, errors: dict[str, str], key: str) -> None:
    if day > clock.today():
        errors[key] = f"{what} ({short_date(day)}) ở tương lai."


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _unit(value: OrgUnit | str | None, what: str, key: str, errors: dict[str, str]) -> OrgUnit | None:
    if isinstance(value, OrgUnit):
        return value
    code = clean(value or "")
    if not code:
        errors[key] = f"{what}: chưa chọn đơn vị."
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        errors[key] = f"{what}: không có đơn vị mã “{code}”."
    return unit


@transaction.atomic
def create_directive(
    user: MaybeUser, *, number: str, issued_on: datetime.date, issuer: str, summary: str, kind: str = ""
) -> Directive:
    """A directive; the same số/ký hiệu and date returns the one already recorded."""
    if not units_for(user, Action.ASSIGN).exists():
        raise PermissionDenied(f"Bạn không có quyền {Action.ASSIGN.label}.")
    errors: dict[str, str] = {}
    if not clean(number):
        errors["number"] = "Số, ký hiệu văn bản: chưa nhập."
    if not clean(issuer):
        errors["issuer"] = "Cơ quan ban hành: chưa nhập."
    if not _text(summary):
        errors["summary"] = "Trích yếu: chưa nhập."
    _not_future(issued_on, "Ngày văn bản", errors, "issued_on")
    _raise(errors)
    directive, _ = Directive.objects.get_or_create(
        number=clean(number),
        issued_on=issued_on,
        defaults={
            "issuer": issuer,
            "summary": _text(summary),
            "kind": kind,
            "created_by": acting_user(user),
        },
    )
    return directive


@transaction.atomic
def create_task(
    user: MaybeUser,
    *,
    content: str,
    lead_unit: OrgUnit | str | None,
    assigned_on: datetime.date,
    deadline: datetime.date | None = None,
    monthly_day: int | None = None,
    recurs_until: datetime.date | None = None,
    cooperating_units: Iterable[OrgUnit | str] = (),
    is_advisory: bool = False,
    directive: Directive | None = None,
    code: str = "",
) -> Task:
    """A task with a one-off ``deadline`` or a monthly one (``monthly_day``), not both. The user needs
    ASSIGN for the lead unit, checked before anything else is looked at."""
    errors: dict[str, str] = {}
    lead = _unit(lead_unit, "Đơn vị chủ trì", "lead_unit", errors)
    if lead is not None:
        require(user, Action.ASSIGN, lead)
    elif not units_for(user, Action.ASSIGN).exists():
        raise PermissionDenied(f"Bạn không có quyền {Action.ASSIGN.label}.")
    partners = [_unit(u, "Đơn vị phối hợp", "cooperating_units", errors) for u in cooperating_units]
    if not _text(content):
        errors["content"] = "Nội dung nhiệm vụ: chưa nhập."
    if lead is not None and not lead.is_active_on(assigned_on):
        errors["lead_unit"] = f"Đơn vị chủ trì: {lead.name} không hoạt động ngày {short_date(assigned_on)}."
    if directive is not None and directive.issued_on > assigned_on:
        errors["assigned_on"] = (
            f"Ngày giao ({short_date(assigned_on)}) trước ngày văn bản chỉ đạo "
            f"({short_date(directive.issued_on)})."
        )
    if (deadline is None) == (monthly_day is None):
        errors["deadline"] = "Hạn hoàn thành: nhập một hạn cụ thể hoặc ngày hằng tháng (chỉ một trong hai)."
    elif deadline is not None and deadline < assigned_on:
        errors["deadline"] = (
            f"Hạn hoàn thành ({short_date(deadline)}) trước ngày giao nhiệm vụ ({short_date(assigned_on)})."
        )
    elif monthly_day is not None and not 1 <= monthly_day <= 31:
        errors["monthly_day"] = f"Ngày hằng tháng phải từ 1 đến 31 (nhận được {monthly_day})."
    if recurs_until is not None and (monthly_day is None or recurs_until < assigned_on):
        errors["recurs_until"] = "Lặp lại đến ngày: chỉ dùng cho hạn hằng tháng và không trước ngày giao."
    if code and Task.objects.filter(code=clean(code)).exists():
        errors["code"] = f"Mã nhiệm vụ “{clean(code)}” đã có."
    _raise(errors)
    assert lead is not None
    task = Task.objects.create(
        code=clean(code) or None,
        directive=directive,
        content=content,
        lead_unit=lead,
        assigned_on=assigned_on,
        is_advisory=is_advisory,
        deadline_kind=DeadlineKind.ONCE if deadline else DeadlineKind.MONTHLY,
        deadline=deadline,
        monthly_day=monthly_day,
        recurs_until=recurs_until,
        created_by=acting_user(user),
    )
    task.cooperating_units.set([u for u in partners if u is not None and u != lead])
    return task


def _occurrence(task: Task, occurrence: datetime.date | None, errors: dict[str, str]) -> datetime.date | None:
    """Checks the occurrence named for a recurring task (required) or a one-off task (must be empty)."""
    if not task.is_recurring:
        if occurrence is not None:
            errors["occurrence"] = "Nhiệm vụ có một hạn duy nhất, không chọn kỳ thực hiện."
        return None
    if occurrence is None:
        errors["occurrence"] = "Kỳ thực hiện: chọn hạn gốc của lần thực hiện (nhiệm vụ hằng tháng)."
    elif occurrence not in occurrences(task, occurrence):
        errors["occurrence"] = f"Kỳ thực hiện: ngày {short_date(occurrence)} không phải một hạn của nhiệm vụ."
    return occurrence


@transaction.atomic
def extend_deadline(
    user: MaybeUser,
    task: Task,
    *,
    new_deadline: datetime.date | None,
    approved_on: datetime.date | None,
    reason: str,
    approver: User | None = None,
    approver_name: str = "",
    occurrence: datetime.date | None = None,
) -> DeadlineExtension:
    require(user, Action.ASSIGN, task.lead_unit)
    errors: dict[str, str] = {}
    occurrence = _occurrence(task, occurrence, errors)
    if approver is None and not clean(approver_name):
        errors["approver_name"] = "Người đồng ý gia hạn: chưa nhập (gia hạn phải có người đồng ý)."
    if not _text(reason):
        errors["reason"] = "Lý do gia hạn: chưa nhập."
    if new_deadline is None:
        errors["new_deadline"] = "Hạn mới: chưa nhập."
    elif new_deadline < task.assigned_on:
        errors["new_deadline"] = f"Hạn mới ({short_date(new_deadline)}) trước ngày giao nhiệm vụ."
    if approved_on is None:
        errors["approved_on"] = "Ngày đồng ý gia hạn: chưa nhập."
    else:
        _not_future(approved_on, "Ngày đồng ý gia hạn", errors, "approved_on")
    _raise(errors)
    assert new_deadline is not None and approved_on is not None
    return DeadlineExtension.objects.create(
        task=task,
        occurrence=occurrence,
        new_deadline=new_deadline,
        approved_on=approved_on,
        approver=approver,
        approver_name=clean(approver_name),
        reason=_text(reason),
        recorded_by=acting_user(user),
    )


def _read_evidence(upload: IO[bytes] | None, name: str, errors: dict[str, str]) -> tuple[bytes | None, str]:
    if upload is None:
        return None, ""
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in EVIDENCE_TYPES:
        errors["evidence"] = f"Tệp minh chứng: chỉ nhận {', '.join(sorted(set(EVIDENCE_TYPES)))}."
        return None, ""
    data = upload.read(MAX_EVIDENCE_BYTES + 1)
    if len(data) > MAX_EVIDENCE_BYTES:
        errors["evidence"] = f"Tệp minh chứng lớn hơn {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB."
        return None, ""
    if not data:
        errors["evidence"] = "Tệp minh chứng rỗng."
    return data, EVIDENCE_TYPES[extension]


@transaction.atomic
def report_progress(
    user: MaybeUser,
    task: Task,
    *,
    text: str,
    reported_on: datetime.date | None = None,
    document_ref: str = "",
    evidence: IO[bytes] | None = None,
    evidence_name: str = "",
) -> ProgressUpdate:
    require(user, Action.ENTER, task.lead_unit)
    errors: dict[str, str] = {}
    reported_on = reported_on or clock.today()
    if not _text(text):
        errors["text"] = "Nội dung tiến độ: chưa nhập."
    _not_future(reported_on, "Ngày báo cáo", errors, "reported_on")
    if reported_on < task.assigned_on:
        errors["reported_on"] = f"Ngày báo cáo ({short_date(reported_on)}) trước ngày giao nhiệm vụ."
    data, content_type = _read_evidence(evidence, evidence_name, errors)
    _raise(errors)
    return ProgressUpdate.objects.create(
        task=task,
        reported_on=reported_on,
        text=_text(text),
        document_ref=clean(document_ref),
        evidence=data,
        evidence_name=PurePath(evidence_name).name[:255] if data else "",
        evidence_type=content_type,
        reported_by=acting_user(user),
    )


@transaction.atomic
def report_completion(
    user: MaybeUser,
    task: Task,
    *,
    completed_on: datetime.date | None,
    note: str = "",
    document_ref: str = "",
    occurrence: datetime.date | None = None,
) -> Completion:
    require(user, Action.ENTER, task.lead_unit)
    task = Task.objects.select_for_update().get(pk=task.pk)
    errors: dict[str, str] = {}
    occurrence = _occurrence(task, occurrence, errors)
    if completed_on is None:
        errors["completed_on"] = "Ngày hoàn thành: chưa nhập."
    else:
        _not_future(completed_on, "Ngày hoàn thành", errors, "completed_on")
        if completed_on < task.assigned_on:
            errors["completed_on"] = (
                f"Ngày hoàn thành ({short_date(completed_on)}) trước ngày giao nhiệm vụ "
                f"({short_date(task.assigned_on)})."
            )
    if task.completions.filter(occurrence=occurrence, returned_at__isnull=True).exists():
        errors["completed_on"] = "Nhiệm vụ đã được báo cáo hoàn thành; chỉ báo cáo lại sau khi bị trả lại."
    _raise(errors)
    assert completed_on is not None
    return Completion.objects.create(
        task=task,
        occurrence=occurrence,
        completed_on=completed_on,
        note=_text(note),
        document_ref=clean(document_ref),
        reported_by=acting_user(user),
    )


@transaction.atomic
def return_completion(user: MaybeUser, completion: Completion, *, reason: str) -> Completion:
    """The office does not accept a completion: it stays in the history and counts as not completed."""
    completion = (
        Completion.objects.select_for_update().select_related("task__lead_unit").get(pk=completion.pk)
    )
    require(user, Action.RETURN, completion.task.lead_unit)
    errors: dict[str, str] = {}
    if not _text(reason):
        errors["return_reason"] = "Lý do trả lại: chưa nhập."
    if completion.is_returned:
        errors["return_reason"] = "Báo cáo hoàn thành này đã bị trả lại trước đó."
    _raise(errors)
    completion.returned_at = timezone.now()
    completion.returned_by = acting_user(user)
    completion.return_reason = _text(reason)
    completion.save(update_fields=["returned_at", "returned_by", "return_reason"])
    return completion
