"""A report type's Word frame (the Decree 30 page around the content): the default one or an edited copy
uploaded by an administrator, checked before it is stored."""

from __future__ import annotations

from django.db import transaction

from baocao.accounts.permissions import Action, require_actor
from baocao.core.text import nfc
from baocao.core.users import MaybeUser
from baocao.reports import docx
from baocao.reports.errors import TemplateProblems
from baocao.reports.models import ReportType

__all__ = ["frame_of", "set_frame"]


@transaction.atomic
def set_frame(
    report_type: ReportType, data: bytes | None, file_name: str = "", user: MaybeUser = None
) -> ReportType:
    """Use an edited Word frame for a report type (None: back to the default frame). The frame is
    checked first (a real .docx, valid tags, only known variables, a trial render): TemplateProblems.
    The user needs MANAGE for the report type's unit (``user`` None: the system)."""
    require_actor(user, Action.MANAGE, report_type.org_unit)

    if data is not None:
        problems = docx.validate_frame(data)
        if problems:
            raise TemplateProblems(problems)
    report_type = ReportType.objects.select_for_update().get(pk=report_type.pk)
    report_type.frame = data
    report_type.frame_name = nfc(file_name)[:255] if data is not None else ""
    report_type.save(update_fields=["frame", "frame_name"])
    return report_type


def frame_of(report_type: ReportType) -> bytes | None:
    """The report type's own Word frame, or None for the default frame."""
    return bytes(report_type.frame) if report_type.frame else None
