"""Issued reports cannot vanish (issue 12, item 5): nobody deletes one (admin, model, queryset), its PDF
jobs and files stay; a superuser may withdraw it with a reason, kept in the audit trail and shown on the
report page; a withdrawn report's number may be reused, an issued one's never.

The finding reproduced: "an administrator can delete an issued report (and its jobs) in the admin and
issue another with the same number; the only trace is the admin log"."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError
from django.urls import reverse
from docx import Document

from baocao.reports.errors import ReportError
from baocao.reports.models import PdfJob, ReportRun, ReportRunEvent, RunStatus
from baocao.reports.runs import get_or_create_run, issue_run, run_docx, update_run
from baocao.reports.withdrawal import withdraw_run

ISSUE_DATE = datetime.date(2020, 6, 16)


@pytest.fixture
def issued(demo, settings):
    settings.BAOCAO_PDF_IN_THREAD = False  # the PDF job stays queued; tests need only its row
    run = ReportRun.objects.select_related("report_type", "org_unit").get()
    update_run(run, number=125, issue_date=ISSUE_DATE, signer_name="", signer_titles="", recipients="")
    return issue_run(run, User.objects.get(username="lanhdao"))


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def admin_client(client):
    client.force_login(User.objects.get(username="admin"))
    return client


def another_run(issued, period="202005"):
    run = get_or_create_run(issued.report_type, issued.org_unit, period)
    return update_run(run, number=125, issue_date=ISSUE_DATE, signer_name="", signer_titles="", recipients="")


def test_the_administrator_cannot_delete_an_issued_report_or_its_jobs_in_the_admin(client, issued):
    job = PdfJob.objects.get(run=issued)
    admin = admin_client(client)
    delete_url = reverse("admin:reports_reportrun_delete", args=[issued.pk])
    assert admin.get(delete_url).status_code == 403
    assert admin.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:reports_reportrun_changelist")
    admin.post(changelist, {"action": "delete_selected", "_selected_action": [issued.pk], "post": "yes"})
    job_url = reverse("admin:reports_pdfjob_delete", args=[job.pk])
    assert admin.post(job_url, {"post": "yes"}).status_code == 403
    assert ReportRun.objects.filter(pk=issued.pk, status=RunStatus.ISSUED).exists()
    assert PdfJob.objects.filter(pk=job.pk).exists()

    # ... and another report cannot be issued with the same number in the same year
    other = another_run(issued)
    with pytest.raises(ReportError, match="Số 125/BC-UBND năm 2020 đã dùng cho"):
        issue_run(other)


def test_no_code_path_deletes_an_issued_report(issued):
    with pytest.raises(ProtectedError, match="Không xóa được báo cáo đã ban hành"):
        issued.delete()
    with pytest.raises(ProtectedError):
        ReportRun.objects.all().delete()
    with pytest.raises(ProtectedError, match="tệp của báo cáo đã ban hành"):
        PdfJob.objects.filter(run=issued).delete()
    with pytest.raises(ProtectedError):
        PdfJob.objects.get(run=issued).delete()
    assert ReportRun.objects.filter(pk=issued.pk).exists() and PdfJob.objects.filter(run=issued).exists()


def test_an_issued_reports_content_and_files_cannot_be_changed_by_code(issued):
    for field, value in [("docx", b"PK other file"), ("number", 7), ("figures", {}), ("status", "draft")]:
        run = ReportRun.objects.get(pk=issued.pk)
        setattr(run, field, value)
        with pytest.raises(ProtectedError, match="đã ban hành, không sửa được"):
            run.save()
    run = ReportRun.objects.get(pk=issued.pk)
    run.pdf = b"%PDF-1.7 made from the frozen Word file"  # the PDF is added once, by its job
    run.save(update_fields=["pdf"])
    run.pdf = b"%PDF-1.7 another"
    with pytest.raises(ProtectedError, match="tệp PDF đã ban hành"):
        run.save()


def test_a_draft_can_still_be_deleted(issued):
    draft = get_or_create_run(issued.report_type, issued.org_unit, "202005")
    draft.delete()
    assert not ReportRun.objects.filter(pk=draft.pk).exists()


def test_only_a_superuser_withdraws_with_a_reason_and_the_report_keeps_its_files(client, issued):
    url = reverse("reports:withdraw", args=[issued.pk])
    for name in ("lanhdao", "vanphong"):
        client.force_login(User.objects.get(username=name))
        page = client.get(reverse("reports:detail", args=[issued.pk])).content.decode()
        assert url not in page
        assert client.post(url, {"reason": "Sai số liệu"}).status_code == 403
    with pytest.raises(PermissionDenied):
        withdraw_run(issued, "Sai số liệu", User.objects.get(username="lanhdao"))

    admin = admin_client(client)
    assert url in admin.get(reverse("reports:detail", args=[issued.pk])).content.decode()
    page = admin.post(url, {"reason": "  "}, follow=True).content.decode()
    assert "Cần ghi lý do thu hồi" in page
    issued = ReportRun.objects.get(pk=issued.pk)
    frozen = (issued.document, issued.figures, run_docx(issued))
    page = admin.post(
        url, {"reason": "Số liệu thu ngân sách sai, ban hành lại"}, follow=True
    ).content.decode()
    assert "Đã thu hồi" in page and "Số liệu thu ngân sách sai, ban hành lại" in page

    issued.refresh_from_db()
    assert issued.status == RunStatus.WITHDRAWN
    assert (issued.document, issued.figures, run_docx(issued)) == frozen
    events = list(
        ReportRunEvent.objects.filter(run=issued).values_list("kind", "changed_by__username", "reason")
    )
    assert events == [
        ("issued", "lanhdao", ""),
        ("withdrawn", "admin", "Số liệu thu ngân sách sai, ban hành lại"),
    ]
    with pytest.raises(ProtectedError):
        issued.delete()  # withdrawn is not deleted either
    with pytest.raises(ReportError, match="đã thu hồi từ trước"):
        withdraw_run(issued, "Lần nữa", User.objects.get(username="admin"))


def test_the_database_refuses_a_second_issued_report_with_the_same_number_and_year(issued):
    """Two offices issuing at the same moment both pass the check before issuing; the constraint decides."""
    other = another_run(issued)
    other.status, other.document, other.issued_at = RunStatus.ISSUED, {}, issued.issued_at
    with pytest.raises(ReportError, match="Số 125/BC-UBND năm 2020 đã dùng cho một báo cáo khác đã ban hành"):
        other.save()
    assert ReportRun.objects.get(pk=other.pk).status == RunStatus.DRAFT


def test_a_withdrawn_reports_number_may_be_reused_and_its_period_reissued(issued):
    withdraw_run(issued, "Ban hành nhầm", User.objects.get(username="admin"))
    replacement = another_run(issued, "202006")
    assert replacement.pk != issued.pk and replacement.status == RunStatus.DRAFT
    assert issue_run(replacement).status == RunStatus.ISSUED
    assert get_or_create_run(issued.report_type, issued.org_unit, "202006").pk == replacement.pk


def test_the_command_and_the_api_use_the_periods_current_report_not_the_withdrawn_one(
    client, issued, tmp_path
):
    withdraw_run(issued, "Ban hành nhầm", User.objects.get(username="admin"))
    output = tmp_path / "bao-cao.docx"
    call_command("render_report", "--period", "202006", "--output", str(output))
    assert "Số: 125/BC-UBND" not in docx_text(output.read_bytes())  # today's draft, not the withdrawn one
    client.force_login(User.objects.get(username="vanphong"))
    body = {"report_type": issued.report_type.code, "period": "202006"}
    response = client.post("/api/v1/report-runs/", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "draft"


def test_the_command_withdraws_with_a_reason_and_a_superuser(issued):
    with pytest.raises(CommandError, match="Chỉ quản trị hệ thống"):
        call_command("withdraw_report", str(issued.pk), "--reason", "Sai", "--user", "lanhdao")
    call_command("withdraw_report", str(issued.pk), "--reason", "Sai số", "--user", "admin")
    issued.refresh_from_db()
    assert issued.status == RunStatus.WITHDRAWN and issued.withdrawal_reason == "Sai số"
