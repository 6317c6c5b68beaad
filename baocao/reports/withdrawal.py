"""Withdrawing an issued report (thu hồi): an issued report is never deleted; a superuser may withdraw it
with a reason. It keeps its document, Word and PDF files and frozen figures, its status becomes
"withdrawn" and the audit trail (:class:`ReportRunEvent`) records who, when and why. Its number may then
be given to another report; the period may get a new draft."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from baocao.accounts.permissions import is_superuser
from baocao.core.text import nfc
from baocao.core.users import MaybeUser, acting_user
from baocao.reports.errors import ReportError
from baocao.reports.models import ReportRun, ReportRunEvent, RunEventKind, RunStatus

__all__ = ["can_withdraw", "withdraw_run"]

MAX_REASON = 2000


def can_withdraw(user: MaybeUser) -> bool:
    """Only a superuser withdraws an issued report (a decision above the office and the leader's role)."""
    return is_superuser(user)


@transaction.atomic
def withdraw_run(run: ReportRun, reason: str, user: MaybeUser) -> ReportRun:
    """Withdraw an issued report with a reason; only a superuser may (the page and the command both ask
    here). Raises PermissionDenied or :class:`ReportError` (Vietnamese); then nothing changes."""
    if not can_withdraw(user):
        raise PermissionDenied("Chỉ quản trị hệ thống (superuser) được thu hồi báo cáo đã ban hành.")
    reason = " ".join(nfc(reason).split())
    if not reason:
        raise ReportError("Cần ghi lý do thu hồi báo cáo.")
    if len(reason) > MAX_REASON:
        raise ReportError(f"Lý do thu hồi dài quá {MAX_REASON} ký tự.")
    run = ReportRun.objects.select_for_update().select_related("report_type", "org_unit").get(pk=run.pk)
    if run.status == RunStatus.WITHDRAWN:
        raise ReportError(f"Báo cáo “{run}” đã thu hồi từ trước.")
    if run.status != RunStatus.ISSUED:
        raise ReportError(f"Báo cáo “{run}” chưa ban hành, không cần thu hồi (dự thảo sửa được).")
    run.status = RunStatus.WITHDRAWN
    run.withdrawn_by = acting_user(user)
    run.withdrawn_at = timezone.now()
    run.withdrawal_reason = reason
    run.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdrawal_reason"])
    ReportRunEvent.objects.create(
        run=run, kind=RunEventKind.WITHDRAWN, number=run.number, reason=reason, changed_by=acting_user(user)
    )
    return run
