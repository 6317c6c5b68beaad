"""Report runs (one report of a type, unit and period): drafted, numbered and signed, issued (the document,
the Word file and the figures it used frozen), their PDF requested, and an issued run's figures compared
with today's data.

Each action decides its own permission (``accounts.permissions.require_actor``): starting, numbering and
signing a draft need COMPILE for the run's unit, issuing needs ISSUE, asking for the PDF needs VIEW (what
the user may see they may download). ``user`` None is the system (commands, the demo loader). Issuing with
a digital signature is :mod:`baocao.reports.issuing`; both ways start with :func:`ready_to_issue`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from baocao.accounts.permissions import Action, require_actor
from baocao.collection.models import SubmissionStatus
from baocao.collection.workflow import timeliness
from baocao.core import clock, dates
from baocao.core.periods import Period
from baocao.core.text import nfc
from baocao.core.users import MaybeUser, acting_user
from baocao.orgunits.models import OrgUnit
from baocao.reports import docx, jobs
from baocao.reports.building import BuiltReport, build_document
from baocao.reports.document import document_from_json, document_to_json
from baocao.reports.editions import header_for
from baocao.reports.errors import ReportError
from baocao.reports.models import (
    SIGNING_DIGITAL,
    PdfJob,
    ReportRun,
    ReportRunEvent,
    ReportType,
    RunEventKind,
    RunStatus,
)
from baocao.reports.word_frames import frame_of

__all__ = [
    "FigureDifference",
    "figure_differences",
    "freeze_issued",
    "get_or_create_run",
    "issue_run",
    "ready_to_issue",
    "request_pdf",
    "run_document",
    "run_docx",
    "unapproved_forms",
    "update_run",
]


def get_or_create_run(
    report_type: ReportType, org_unit: OrgUnit, period: Period | str, user: MaybeUser = None
) -> ReportRun:
    """The draft (or issued report) of a type, unit and period, created when missing (COMPILE)."""
    require_actor(user, Action.COMPILE, org_unit)
    period = Period.parse(period) if isinstance(period, str) else period
    if period.type != report_type.period_type_enum:
        raise ReportError(
            f"Loại báo cáo “{report_type.name}” lập theo {report_type.get_period_type_display()}."
        )
    run, _ = ReportRun.objects.exclude(status=RunStatus.WITHDRAWN).get_or_create(
        report_type=report_type,
        org_unit=org_unit,
        period=period.id,
        defaults={"created_by": acting_user(user)},
    )
    return run


def _check_not_issued(run: ReportRun) -> None:
    if run.is_issued:
        raise ReportError("Báo cáo đã ban hành, không sửa được; số liệu và tệp đã được lưu cố định.")


@transaction.atomic
def update_run(
    run: ReportRun,
    *,
    number: int | None,
    issue_date: datetime.date | None,
    signer_name: str,
    signer_titles: str,
    recipients: str,
    user: MaybeUser = None,
) -> ReportRun:
    """Change a draft's number, date, signer and recipients (empty text: the report type's default)."""
    run = ReportRun.objects.select_for_update().select_related("org_unit").get(pk=run.pk)
    require_actor(user, Action.COMPILE, run.org_unit)
    _check_not_issued(run)
    if number is not None and number < 1:
        raise ReportError("Số văn bản phải là số nguyên dương.")
    run.number = number
    run.issue_date = issue_date
    run.signer_name = nfc(signer_name).strip()
    run.signer_titles = nfc(signer_titles).strip()
    run.recipients = nfc(recipients).strip()
    run.save()
    return run


def _check_issuable(run: ReportRun) -> None:
    problems = []
    if not run.number:
        problems.append("chưa có số văn bản")
    if not run.issue_date:
        problems.append("chưa có ngày ban hành")
    elif run.issue_date < run.period_obj.cutoff_date:
        problems.append(
            f"ngày ban hành trước ngày chốt số liệu {dates.short_date(run.period_obj.cutoff_date)}"
        )
    elif run.issue_date > clock.today():
        problems.append("ngày ban hành ở tương lai")
    if not (run.signer_name or header_for(run.report_type, Period.parse(run.period)).signer_name):
        problems.append("chưa có người ký")
    if problems:
        raise ReportError("Chưa ban hành được: " + "; ".join(problems) + ".")
    taken = (
        ReportRun.objects.filter(
            status=RunStatus.ISSUED,
            org_unit=run.org_unit,
            report_type__number_suffix=run.report_type.number_suffix,
            number=run.number,
            issue_date__year=run.issue_date.year if run.issue_date else 0,
        )
        .exclude(pk=run.pk)
        .first()
    )
    if taken:
        year = run.issue_date.year if run.issue_date else ""
        raise ReportError(
            f"Số {run.number:02d}/{run.report_type.number_suffix} năm {year} đã dùng cho {taken}."
        )


def ready_to_issue(run: ReportRun, user: MaybeUser = None) -> BuiltReport:
    """The document a draft would be issued with, after every check issuing makes: ISSUE for the run's
    unit, still a draft, number, date and signer filled in, no block that failed. Changes nothing; both
    ways of issuing (:func:`issue_run`, :func:`baocao.reports.issuing.sign_and_issue`) start here."""
    require_actor(user, Action.ISSUE, run.org_unit)
    _check_not_issued(run)
    _check_issuable(run)
    built = build_document(run.report_type, run.org_unit, run.period_obj, run)
    if built.document.failed_blocks:
        raise ReportError(
            "Chưa ban hành được: còn khối chưa lập được — " + "; ".join(built.document.failed_blocks) + "."
        )
    return built


def freeze_issued(
    run: ReportRun,
    built: BuiltReport,
    docx_file: bytes,
    user: MaybeUser,
    kind: RunEventKind = RunEventKind.ISSUED,
    **signed: Any,
) -> ReportRun:
    """Store an issued report (inside the caller's transaction, ``run`` locked and checked by
    :func:`ready_to_issue`): its document, figures and Word file, and for a signed issue the signed
    files (``signed_pdf``, ``signed_annex_pdf``, ``signature``) in the same save, so the report is issued
    exactly when its signed file is stored."""
    run.document = document_to_json(built.document)
    run.figures = built.figures
    run.docx = docx_file
    for name, value in signed.items():
        setattr(run, name, value)
    run.status = RunStatus.ISSUED
    run.issued_by = acting_user(user)
    run.issued_at = timezone.now()
    run.save()
    ReportRunEvent.objects.create(run=run, kind=kind, number=run.number, changed_by=acting_user(user))
    return run


@transaction.atomic
def issue_run(run: ReportRun, user: MaybeUser = None) -> ReportRun:
    """Issue a draft without a digital signature (the paper original is signed by hand): freeze its
    document, its Word file and the figures it used. A later correction of the data then shows as a
    difference (:func:`figure_differences`), never as a changed report. The PDF is produced in the
    background from the frozen Word file. A report type that requires ký số
    (``ReportType.signing == "digital"``) is refused here: it is issued by
    :func:`baocao.reports.issuing.sign_and_issue`."""

    run = ReportRun.objects.select_for_update().select_related("report_type", "org_unit").get(pk=run.pk)
    built = ready_to_issue(run, user)
    if run.report_type.signing == SIGNING_DIGITAL:
        raise ReportError(
            f"Loại báo cáo “{run.report_type.name}” bắt buộc ký số: hãy dùng bước “Ký số và ban hành”."
        )
    freeze_issued(run, built, docx.render_docx(built.document, frame_of(run.report_type)), user)
    jobs.enqueue(run, bytes(run.docx or b""), user)
    return run


def unapproved_forms(run: ReportRun) -> list[Any]:
    """The forms of the run's units for its period that are not approved yet (or not sent at all):
    a report should be issued from approved figures, so the page lists them before issuing."""

    units = OrgUnit.objects.subtree([run.org_unit])
    done = {SubmissionStatus.APPROVED, SubmissionStatus.LOCKED}
    return [
        row
        for row in timeliness(run.period_obj, units)
        if row.submission is None or row.submission.status not in done
    ]


def run_document(run: ReportRun) -> BuiltReport:
    """What a run shows: as issued (frozen), or a draft built from today's data."""
    if run.is_issued and run.document is not None:
        return BuiltReport(document_from_json(run.document), run.figures)
    return build_document(run.report_type, run.org_unit, run.period_obj, run)


def run_docx(run: ReportRun) -> bytes:
    """The run's Word file: frozen when issued, otherwise rendered now."""

    if run.is_issued and run.docx is not None:
        return bytes(run.docx)
    return docx.render_docx(run_document(run).document, frame_of(run.report_type))


@dataclass(frozen=True)
class FigureDifference:
    key: str
    name: str
    kind_label: str
    field: str
    issued: str | None
    current: str | None


_FIELD_LABELS = {
    "value": "số kỳ này",
    "previous": "số kỳ trước",
    "last_year": "số cùng kỳ",
    "ytd": "lũy kế",
}


def figure_differences(run: ReportRun) -> list[FigureDifference]:
    """For an issued run: the figures it used whose stored data has changed since (to review)."""
    if not run.is_issued:
        return []
    current = build_document(run.report_type, run.org_unit, run.period_obj, run).figures
    differences = []
    for key, issued in run.figures.items():
        now = current.get(key, {})
        for field, label in _FIELD_LABELS.items():
            if issued.get(field) != now.get(field):
                differences.append(
                    FigureDifference(
                        key, issued["name"], issued["kind_label"], label, issued.get(field), now.get(field)
                    )
                )
        for code, value in issued.get("targets", {}).items():
            if value != now.get("targets", {}).get(code):
                differences.append(
                    FigureDifference(
                        key,
                        issued["name"],
                        issued["kind_label"],
                        f"kế hoạch {code}",
                        value,
                        now.get("targets", {}).get(code),
                    )
                )
    return differences


def request_pdf(run: ReportRun, user: MaybeUser = None) -> PdfJob:
    """Queue the PDF of a run (its frozen Word file once issued, else today's draft); VIEW suffices."""
    require_actor(user, Action.VIEW, run.org_unit)
    return jobs.enqueue(run, run_docx(run), user)
