"""Who is told what about a unit's forms (baocao.notifications): after a workflow step (returned and
reopened forms to the unit's clerks, forms waiting for the office or the leader, approved forms to the
unit), and when someone else writes a comment on a value a clerk entered. Called inside the transaction of
the change, so a step that rolls back leaves no notice."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import F, Q
from django.urls import reverse

from baocao.accounts.permissions import Action
from baocao.collection.models import Submission, ValueChange
from baocao.core.periods import Period
from baocao.core.users import MaybeUser, acting_user
from baocao.notifications.services import Kind, holders, notify

__all__ = ["after_step", "comment_notices", "form_url"]


def form_url(submission: Submission) -> str:
    return reverse(
        "collection:entry", args=[submission.data_set.code, submission.org_unit.code, submission.period]
    )


def _who(user: User | None) -> str:
    if user is None:
        return "hệ thống"
    return user.get_full_name() or user.username


def after_step(submission: Submission, step: str, actor: MaybeUser, reason: str) -> None:
    """Tell the people the step concerns (never the person who took it)."""
    user = acting_user(actor)
    unit, data_set = submission.org_unit, submission.data_set
    form = f"biểu “{data_set.name}” của {unit.name}, {Period.parse(submission.period).label}"
    if step in ("return", "reopen"):
        verb = "bị trả lại" if step == "return" else "được mở lại để sửa"
        kind, action = Kind.RETURNED, Action.ENTER
        title = f"Số liệu {form} {verb}"
        body = f"Lý do: {reason}\nNgười {'trả lại' if step == 'return' else 'mở lại'}: {_who(user)}"
    elif step == "submit":
        kind, action = Kind.WAITING, Action.ACCEPT
        title = f"Chờ tiếp nhận: {form}"
        body = f"Người gửi: {_who(user)}"
    elif step == "accept":
        kind, action = Kind.WAITING, Action.APPROVE
        title = f"Chờ phê duyệt: {form}"
        body = f"Người tiếp nhận: {_who(user)}"
    elif step == "approve":
        kind, action = Kind.APPROVED, Action.ENTER
        title = f"Số liệu {form} đã được phê duyệt"
        body = f"Người phê duyệt: {_who(user)}"
    else:
        return
    recipients = [u for u in holders(unit, action) if user is None or u.pk != user.pk]
    notify(recipients, kind=kind, title=title, body=body, url=form_url(submission))


def comment_notices(batch: str, actor: MaybeUser) -> None:
    """For each value of the write ``batch`` whose comment ``actor`` changed: tell the person who last
    entered the value's figure, when that is someone else."""
    user = acting_user(actor)
    if user is None or not batch:
        return
    changed = (
        ValueChange.objects.filter(batch=batch)
        .exclude(new_comment=F("old_comment"))
        .exclude(new_comment="")
        .select_related("indicator", "org_unit")
    )
    for change in changed:
        enterer = (
            ValueChange.objects.filter(
                indicator=change.indicator,
                org_unit=change.org_unit,
                period=change.period,
                kind=change.kind,
                pk__lt=change.pk,
            )
            .filter(Q(old_value__isnull=True) | ~Q(old_value=F("new_value")))
            .exclude(changed_by=None)
            .order_by("-pk")
            .select_related("changed_by")
            .first()
        )
        if enterer is None or enterer.changed_by is None or enterer.changed_by.pk == user.pk:
            continue
        period = Period.parse(change.period)
        notify(
            [enterer.changed_by],
            kind=Kind.COMMENT,
            title=(
                f"{_who(user)} ghi chú về số liệu “{change.indicator.name}” của {change.org_unit.name}, "
                f"{period.label}"
            ),
            body=f"Ghi chú: {change.new_comment}",
            url=reverse(
                "collection:value_history",
                args=[change.indicator.code, change.org_unit.code, change.period, change.kind],
            ),
        )
