"""Pages for the office: the reports of each type and period, a report's preview with downloads (DOCX at
once, PDF through a background job with a progress page), issuing, and the templates as a YAML file.

The pages only scope what a user sees (``for_user``; 404 outside it) and call the actions of
:mod:`baocao.reports.runs`, :mod:`~baocao.reports.word_frames` and :mod:`~baocao.reports.template_files`,
which decide permission (PermissionDenied: 403)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from baocao.accounts.permissions import Action, can, for_user, units_for
from baocao.core.dates import parse_date
from baocao.core.periods import Period, PeriodError
from baocao.core.replica import reads_from_replica
from baocao.quality.narrative import check_run  # data quality: numbers written by hand
from baocao.reports import docx, issuing, runs, template_files, word_frames
from baocao.reports.editions import header_for
from baocao.reports.errors import ReportError, TemplateProblems
from baocao.reports.models import SIGNING_DIGITAL, JobStatus, PdfJob, ReportRun, ReportType, RunStatus
from baocao.reports.withdrawal import can_withdraw

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_TEMPLATE_FILE = 2 * 1024 * 1024


def _file_name(run: ReportRun, extension: str) -> str:
    return f"bao-cao-{run.report_type.code.lower()}-{run.org_unit.code.lower()}-{run.period}.{extension}"


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _run(pk: int, request: HttpRequest) -> ReportRun:
    """The report, if the user may see it (404 otherwise); the actions decide what they may do with it."""
    visible = for_user(ReportRun.objects.select_related("report_type", "org_unit"), request.user, Action.VIEW)
    return get_object_or_404(visible, pk=pk)


@login_required
@reads_from_replica  # reads from the replica when one is configured
def report_list(request: HttpRequest) -> HttpResponse:
    """Report types with their reports, newest period first, and a form to start a period's draft.
    Only the report types and reports of units the user may see are listed."""
    report_types = list(
        for_user(ReportType.objects.filter(is_active=True), request.user, Action.VIEW).select_related(
            "org_unit"
        )
    )
    runs = (
        for_user(ReportRun.objects.all(), request.user, Action.VIEW)
        .select_related("report_type", "org_unit")
        .defer("docx", "pdf", "document", "figures", "signed_pdf", "signed_annex_pdf")  # the list shows none
    )
    by_type = {t.pk: [r for r in runs.order_by("-period") if r.report_type_id == t.pk] for t in report_types}
    compile_units = set(units_for(request.user, Action.COMPILE).values_list("pk", flat=True))
    rows = [(t, by_type[t.pk], t.org_unit_id in compile_units) for t in report_types]
    can_archive = any(can_create for _, _, can_create in rows)  # the archive import: the office's compile
    return render(
        request,
        "reports/list.html",
        {"rows": rows, "can_manage": can_manage(request), "can_archive": can_archive},
    )


def can_manage(request: HttpRequest) -> bool:
    return units_for(request.user, Action.MANAGE).exists()


@login_required
@require_POST
def run_create(request: HttpRequest) -> HttpResponse:
    visible = for_user(ReportType.objects.filter(is_active=True), request.user, Action.VIEW)
    report_type = get_object_or_404(visible, pk=request.POST.get("report_type"))
    try:
        period = Period.parse(request.POST.get("period", "").strip())
        run = runs.get_or_create_run(report_type, report_type.org_unit, period, request.user)
    except (PeriodError, ReportError) as exc:
        messages.error(request, f"Kỳ báo cáo: {exc}")
        return redirect("reports:list")
    return redirect("reports:detail", pk=run.pk)


class RunDetailsForm(forms.Form):
    number = forms.IntegerField(label="Số văn bản", min_value=1, max_value=2_147_483_647, required=False)
    issue_date = forms.CharField(label="Ngày ban hành (dd/mm/yyyy)", required=False)
    signer_name = forms.CharField(label="Người ký", max_length=100, required=False)
    signer_titles = forms.CharField(
        label="Chức vụ người ký (mỗi dòng một dòng)", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    recipients = forms.CharField(
        label="Nơi nhận (mỗi dòng một nơi)", widget=forms.Textarea(attrs={"rows": 6}), required=False
    )

    def clean_issue_date(self) -> datetime.date | None:
        text = self.cleaned_data["issue_date"].strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


@login_required
@reads_from_replica  # reads from the replica when one is configured
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as it will print (a draft from today's data, or as issued), with its actions."""
    run = _run(pk, request)
    can_change = can(request.user, Action.COMPILE, run.org_unit) and not run.is_issued
    header = header_for(run.report_type, Period.parse(run.period))  # the dated header (reports.editions)
    form = RunDetailsForm(
        initial={
            "number": run.number,
            "issue_date": run.issue_date.strftime("%d/%m/%Y") if run.issue_date else "",
            "signer_name": run.signer_name or header.signer_name,
            "signer_titles": run.signer_titles or header.signer_titles,
            "recipients": run.recipients or header.recipients,
        }
    )
    if request.method == "POST":
        form = RunDetailsForm(request.POST)
        if form.is_valid():
            try:
                runs.update_run(run, **form.cleaned_data, user=request.user)
            except ReportError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Đã lưu số, ngày, người ký và nơi nhận.")
                return redirect("reports:detail", pk=run.pk)
    error = ""
    built = None
    try:
        built = runs.run_document(run)
    except ReportError as exc:
        error = str(exc)
    context = {
        "run": run,
        "document": built.document if built else None,
        "figures_used": built.figures if built else {},  # the preview links its figures to their passports
        "error": error,
        "form": form,
        "can_change": can_change,
        "can_issue": can(request.user, Action.ISSUE, run.org_unit) and not run.is_issued,
        "paper_allowed": run.report_type.signing != SIGNING_DIGITAL,  # else only "Ký số và ban hành"
        "signing_key": issuing.server_key_for(request.user),
        "sign_form": SignForm(),
        "differences": runs.figure_differences(run) if run.is_issued else [],
        "last_job": run.pdf_jobs.defer("docx", "pdf").first(),
        "narrative": None if run.is_issued else check_run(run),  # data quality: hand-written numbers
        "not_approved": [] if run.is_issued else runs.unapproved_forms(run),
        "can_withdraw": can_withdraw(request.user) and run.status == RunStatus.ISSUED,  # thu hồi
        "run_events": run.events.select_related("changed_by"),  # issued, withdrawn: who, when, why
    }
    return render(request, "reports/detail.html", context)


@login_required
@reads_from_replica  # reads from the replica when one is configured
def run_docx(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk, request)
    try:
        data = runs.run_docx(run)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:detail", pk=run.pk)
    return _download(data, _file_name(run, "docx"), DOCX_TYPE)


@login_required
@require_POST
def run_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the PDF and go to its progress page (the conversion runs in the background)."""
    run = _run(pk, request)
    if run.is_issued and run.signed_pdf is not None:  # the signed PDF/A is the issued PDF
        return _download(bytes(run.signed_pdf), _file_name(run, "pdf"), "application/pdf")
    if run.is_issued and run.pdf is not None:
        return _download(bytes(run.pdf), _file_name(run, "pdf"), "application/pdf")
    try:
        job = runs.request_pdf(run, request.user)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:detail", pk=run.pk)
    return redirect("reports:pdf_job", pk=job.pk)


def _job(request: HttpRequest, pk: int, *deferred: str) -> PdfJob:
    jobs_seen = for_user(PdfJob.objects.all(), request.user, Action.VIEW, field="run__org_unit")
    return get_object_or_404(
        jobs_seen.defer(*deferred).select_related("run__report_type", "run__org_unit"), pk=pk
    )


@login_required
def pdf_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk, "docx", "pdf")
    pending = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    return render(request, "reports/pdf_job.html", {"job": job, "run": job.run, "pending": pending})


@login_required
def pdf_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk, "docx")
    if job.status != JobStatus.DONE or job.pdf is None:
        return redirect("reports:pdf_job", pk=job.pk)
    return _download(bytes(job.pdf), _file_name(job.run, "pdf"), "application/pdf")


@login_required
@require_POST
def run_issue(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk, request)
    try:
        runs.issue_run(run, request.user)
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã ban hành báo cáo. Nội dung, số liệu và tệp Word đã được lưu cố định.")
    return redirect("reports:detail", pk=run.pk)


class SignForm(forms.Form):
    secret = forms.CharField(
        label="Mật khẩu khóa ký số hoặc mã PIN của token",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        max_length=256,
        required=False,
        strip=False,
    )


@login_required
@require_POST
def run_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Ký số và ban hành: the leader unlocks the key configured for them with its password or PIN; the
    action (:func:`baocao.reports.issuing.sign_and_issue`) decides permission, converts, signs and issues.
    It runs inside the request (a few seconds; the page says so while it waits)."""
    run = _run(pk, request)
    key = issuing.server_key_for(request.user)
    if key is None:
        if not can(request.user, Action.ISSUE, run.org_unit):
            raise PermissionDenied(f"Bạn không có quyền ban hành báo cáo của {run.org_unit.name}.")
        messages.error(
            request,
            "Chưa ký số được: máy chủ chưa có khóa ký số cho tài khoản của bạn (BAOCAO_SIGNING_PKCS12 "
            "hoặc token PKCS#11); hãy nhờ quản trị hệ thống cấu hình.",
        )
        return redirect("reports:detail", pk=run.pk)
    form = SignForm(request.POST)
    secret = form.cleaned_data["secret"] if form.is_valid() else ""
    try:
        issuing.sign_and_issue(
            request.user,
            run,
            key.source(secret),
            signature_image=key.signature_image,
            seal_image=key.seal_image,
        )
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Đã ký số và ban hành báo cáo. Tệp PDF/A đã ký số, nội dung, số liệu và tệp Word "
            "được lưu cố định.",
        )
    return redirect("reports:detail", pk=run.pk)


@login_required
def run_signed_file(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """The signed PDF/A of an issued report, or its separately signed annex (404 when there is none)."""
    run = _run(pk, request)
    data = run.signed_annex_pdf if part == "phu-luc" else run.signed_pdf if part == "van-ban" else None
    if not run.is_issued or data is None:
        raise Http404("Báo cáo chưa có tệp PDF đã ký số.")
    name = _file_name(run, "pdf").removesuffix(".pdf")
    suffix = "-phu-luc-da-ky-so.pdf" if part == "phu-luc" else "-da-ky-so.pdf"
    return _download(bytes(data), name + suffix, "application/pdf")


def _report_type(request: HttpRequest, pk: int, scope: Action = Action.VIEW) -> ReportType:
    """The report type, if it is in the user's ``scope`` (404 otherwise)."""
    return get_object_or_404(for_user(ReportType.objects.all(), request.user, scope), pk=pk)


@login_required
def frame_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The Word frame a report type uses (its own, or the default), to edit in Word and upload again."""
    report_type = _report_type(request, pk, Action.COMPILE)
    data = word_frames.frame_of(report_type) or docx.DEFAULT_FRAME.read_bytes()
    return _download(data, f"khung-{report_type.code.lower()}.docx", DOCX_TYPE)


@login_required
@require_POST
def frame_upload(request: HttpRequest, pk: int) -> HttpResponse:
    report_type = _report_type(request, pk)
    if request.POST.get("reset") == "1":
        word_frames.set_frame(report_type, None, user=request.user)
        messages.success(request, f"“{report_type.name}” dùng lại khung Word mặc định.")
        return redirect("reports:templates")
    upload = request.FILES.get("frame")
    if upload is None or (upload.size or 0) > docx.MAX_FRAME_BYTES:
        messages.error(request, "Chưa chọn tệp khung Word (.docx) hoặc tệp quá lớn (tối đa 20 MB).")
        return redirect("reports:templates")
    try:
        word_frames.set_frame(report_type, upload.read(), upload.name or "", user=request.user)
    except TemplateProblems as exc:
        for problem in exc.problems:
            messages.error(request, f"Khung Word chưa dùng được: {problem}")
    else:
        messages.success(request, f"Đã dùng khung Word “{upload.name}” cho “{report_type.name}”.")
    return redirect("reports:templates")


@login_required
def templates_page(request: HttpRequest) -> HttpResponse:
    """Export the report types as YAML (those of units the user compiles reports for); import a YAML file
    (administrators; checked in full before anything is saved)."""
    problems: list[str] = []
    can_import = can_manage(request)
    report_types = for_user(ReportType.objects.all(), request.user, Action.COMPILE).select_related("org_unit")
    if not can_import and not report_types.exists():
        raise PermissionDenied("Bạn không có quyền xem mẫu báo cáo.")
    if request.GET.get("tai") == "1":
        text = template_files.export_report_types(report_types)
        return _download(text.encode("utf-8"), "mau-bao-cao.yaml", "application/x-yaml; charset=utf-8")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = ["Chưa chọn tệp mẫu (.yaml)."]
        elif upload.size is not None and upload.size > MAX_TEMPLATE_FILE:
            problems = ["Tệp mẫu quá lớn (tối đa 2 MB)."]
        else:
            try:
                saved = template_files.import_report_types(upload.read(), request.user)
            except TemplateProblems as exc:
                problems = exc.problems
            else:
                names = ", ".join(t.name for t in saved)
                messages.success(request, f"Đã nhập {len(saved)} loại báo cáo: {names}.")
                return redirect("reports:templates")
    return render(
        request,
        "reports/templates.html",
        {"report_types": report_types, "problems": problems, "can_import": can_import},
    )
