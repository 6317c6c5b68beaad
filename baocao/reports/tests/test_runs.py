"""Report runs: drafts follow the data, issuing freezes document, files and figures; pages and the
command let the office download the report; the PDF is made by a background job."""

import datetime
import io
import subprocess
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document

from baocao.collection.values import import_values_csv
from baocao.collection.workflow import get_submission, transition
from baocao.indicators.models import DataSet
from baocao.orgunits.models import OrgUnit
from baocao.reports import jobs
from baocao.reports.errors import ReportError
from baocao.reports.models import JobStatus, PdfJob, ReportRun, ReportType
from baocao.reports.pdf import find_soffice
from baocao.reports.runs import (
    figure_differences,
    issue_run,
    request_pdf,
    run_document,
    run_docx,
    update_run,
)
from baocao.reports.tests.decree30 import decree30_problems

ISSUE_DATE = datetime.date(2020, 6, 16)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    return text.replace("\u00a0", " ")  # numbers are bound to their units by non-breaking spaces


def needs_libreoffice():
    if find_soffice() is None:
        pytest.skip("Cần LibreOffice: apt-get install libreoffice-writer-nogui fonts-liberation2")


@pytest.fixture
def run(demo, settings):
    settings.BAOCAO_PDF_IN_THREAD = False  # tests run the queued jobs themselves
    return ReportRun.objects.select_related("report_type", "org_unit").get()


def ready(run):
    return update_run(run, number=125, issue_date=ISSUE_DATE, signer_name="", signer_titles="", recipients="")


def test_a_draft_follows_the_data(run):
    assert "xảy ra 07 vụ" in run_document(run).document.plain_text()
    import_values_csv("indicator,org_unit,period,kind,value\nHS_VU,TPLS_CA,202006,actual,8\n")
    assert "xảy ra 08 vụ" in run_document(run).document.plain_text()
    assert "xảy ra 08 vụ" in docx_text(run_docx(run))


def test_issuing_freezes_the_report_and_shows_later_corrections_as_differences(run):
    with pytest.raises(ReportError, match="chưa có số văn bản; chưa có ngày ban hành"):
        issue_run(run)
    ready(run)
    issued = issue_run(run)
    document = run_document(issued).document
    assert document.number_line == "Số: 125/BC-UBND"
    assert document.place_date == "TP. Lạng Sơn, ngày 16 tháng 6 năm 2020"
    frozen_docx = run_docx(issued)
    assert "Số: 125/BC-UBND" in docx_text(frozen_docx)
    assert figure_differences(issued) == []

    import_values_csv("indicator,org_unit,period,kind,value\nHS_VU,TPLS_CA,202006,actual,8\n")
    issued.refresh_from_db()
    assert "xảy ra 07 vụ" in run_document(issued).document.plain_text()  # unchanged
    assert run_docx(issued) == frozen_docx
    differences = {(d.key, d.field): (d.issued, d.current) for d in figure_differences(issued)}
    assert differences[("HS_VU|actual", "số kỳ này")] == ("7", "8")
    assert set(differences) == {("HS_VU|actual", "số kỳ này"), ("HS_VU|actual", "lũy kế")}
    with pytest.raises(ReportError, match="đã ban hành"):
        update_run(issued, number=1, issue_date=None, signer_name="", signer_titles="", recipients="")
    with pytest.raises(ReportError, match="đã ban hành"):
        issue_run(issued)


def test_issue_checks_number_and_date(run):
    update_run(
        run, number=3, issue_date=datetime.date(2020, 6, 1), signer_name="", signer_titles="", recipients=""
    )
    with pytest.raises(ReportError, match="trước ngày chốt số liệu 14/6/2020"):
        issue_run(run)
    with pytest.raises(ReportError, match="Số văn bản phải là số nguyên dương"):
        update_run(run, number=0, issue_date=None, signer_name="", signer_titles="", recipients="")
    # A number already used this year by another issued report of the same issuer is refused.
    ready(run)
    issue_run(run)
    other = ReportRun.objects.create(report_type=run.report_type, org_unit=run.org_unit, period="202007")
    update_run(
        other,
        number=125,
        issue_date=datetime.date(2020, 7, 16),
        signer_name="",
        signer_titles="",
        recipients="",
    )
    with pytest.raises(ReportError, match="Số 125/BC-UBND năm 2020 đã dùng"):
        issue_run(other)


def test_signer_and_recipients_of_the_run(run):
    run = update_run(
        run,
        number=7,
        issue_date=ISSUE_DATE,
        signer_name="Nguyễn Văn A",
        signer_titles="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        recipients="UBND tỉnh;\nLưu: VT, VP.",
    )
    document = run_document(run).document
    assert document.number_line == "Số: 07/BC-UBND"
    assert document.signer_titles == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert document.signer_name == "Nguyễn Văn A"
    assert document.recipients == ("UBND tỉnh;", "Lưu: VT, VP.")


def test_the_seed_report_docx_meets_the_decree30_checklist(run):
    """vn-rules.md §2.6 item by item on the demo's June 2020 report, as a draft and as issued."""
    assert decree30_problems(run_docx(run), year=2020) == []
    ready(run)
    issued = issue_run(run)
    data = run_docx(issued)
    assert decree30_problems(data, year=2020) == []
    assert decree30_problems(data, year=2021) != []  # the checker looks at the date line


def test_pdf_job_runs_in_the_background_and_stores_the_issued_pdf(run):
    needs_libreoffice()
    ready(run)
    issued = issue_run(run)
    job = PdfJob.objects.get(run=issued)
    assert job.status == JobStatus.QUEUED and issued.pdf is None
    assert jobs.run_pending_jobs() == 1
    job.refresh_from_db()
    issued.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert bytes(job.pdf).startswith(b"%PDF") and bytes(issued.pdf) == bytes(job.pdf)
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=bytes(issued.pdf), capture_output=True, check=True
    ).stdout
    assert "Phạm pháp hình sự xảy ra 07 vụ" in text.decode()


def test_a_failed_conversion_is_reported_on_the_job(run, monkeypatch):
    monkeypatch.setenv("BAOCAO_SOFFICE", "/khong/co/soffice")
    job = request_pdf(run)
    jobs.run_pending_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "apt-get install libreoffice-writer-nogui" in job.error


# ------------------------------------------------------------------------------------------- pages


@pytest.fixture
def office(run):
    return User.objects.get(username="vanphong")  # the demo's office role for TPLS


def test_pages_need_login_and_permission(client, run):
    url = reverse("reports:detail", args=[run.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(User.objects.create_user("khach", password="x"))  # no role anywhere
    assert "Tháng 6/2020" not in client.get(reverse("reports:list")).content.decode()
    for name in ("reports:detail", "reports:docx"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert client.post(reverse("reports:issue", args=[run.pk])).status_code == 404
    assert client.get(reverse("reports:templates")).status_code == 403
    # A unit's staff sees the forms of its unit, not the city's report.
    client.force_login(User.objects.get(username="ca.canbo"))
    assert client.get(reverse("reports:detail", args=[run.pk])).status_code == 404
    # The office prepares reports but does not issue them.
    client.force_login(User.objects.get(username="vanphong"))
    assert client.post(reverse("reports:issue", args=[run.pk])).status_code == 403


def test_office_previews_downloads_and_fills_in_the_details(client, office, run):
    client.force_login(office)
    page = client.get(reverse("reports:list")).content.decode()
    assert "Tháng 6/2020" in page and "Tải Word (.docx)" in page
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert "Phạm pháp hình sự xảy ra <strong>07</strong> vụ" in page
    assert "BIỂU TỔNG HỢP SỐ LIỆU CHỦ YẾU THÁNG 6/2020" in page
    assert "Ban hành báo cáo" not in page  # the office user may not issue

    response = client.get(reverse("reports:docx", args=[run.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-ktxh_thang-tpls-202006.docx"'
    assert zipfile.is_zipfile(io.BytesIO(response.content))
    assert "Công tác thu ngân sách nhà nước tính đến ngày 14/6/2020" in docx_text(response.content)

    response = client.post(
        reverse("reports:detail", args=[run.pk]),
        {
            "number": "12",
            "issue_date": "31/02/2020",
            "signer_name": "",
            "signer_titles": "",
            "recipients": "",
        },
    )
    assert "Không đọc được ngày" in response.content.decode()
    response = client.post(
        reverse("reports:detail", args=[run.pk]),
        {"number": "12", "issue_date": "16/6/2020", "signer_name": "", "signer_titles": "", "recipients": ""},
    )
    assert response.status_code == 302
    assert "Số: 12/BC-UBND" in client.get(reverse("reports:detail", args=[run.pk])).content.decode()


def test_pdf_request_returns_at_once_and_the_progress_page_follows_the_job(client, office, run):
    client.force_login(office)
    response = client.post(reverse("reports:pdf", args=[run.pk]))
    job = PdfJob.objects.get()
    assert response["Location"] == reverse("reports:pdf_job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Đang tạo tệp PDF" in page and 'http-equiv="refresh"' in page
    assert client.get(reverse("reports:pdf_job_download", args=[job.pk])).status_code == 302
    needs_libreoffice()
    jobs.run_pending_jobs()
    page = client.get(reverse("reports:pdf_job", args=[job.pk])).content.decode()
    assert "Đã tạo xong tệp PDF" in page and "refresh" not in page
    download = client.get(reverse("reports:pdf_job_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf" and download.content.startswith(b"%PDF")


def test_leader_issues_from_the_page(client, run):
    client.force_login(User.objects.get(username="lanhdao"))  # the demo's leader role for TPLS
    response = client.post(reverse("reports:issue", args=[run.pk]), follow=True)
    assert "Chưa ban hành được: chưa có số văn bản" in response.content.decode()
    ready(run)
    response = client.post(reverse("reports:issue", args=[run.pk]), follow=True)
    page = response.content.decode()
    assert "Đã ban hành báo cáo" in page and "Số liệu hiện nay khớp với số liệu khi ban hành" in page
    import_values_csv("indicator,org_unit,period,kind,value\nHS_VU,TPLS_CA,202006,actual,8\n")
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert "Số liệu đã thay đổi sau khi ban hành" in page
    assert "xảy ra <strong>07</strong> vụ" in page  # the issued text, not today's data


def test_templates_page_exports_and_imports(client, office, run):
    client.force_login(office)
    exported = client.get(reverse("reports:templates") + "?tai=1")
    assert b"code: KTXH_THANG" in exported.content

    # only administrators import: the office's valid file is refused by the action, nothing is replaced
    refused = client.post(
        reverse("reports:templates"), {"file": SimpleUploadedFile("m.yaml", exported.content)}
    )
    assert refused.status_code == 403
    admin = User.objects.create_superuser("quantri", password="x")
    client.force_login(admin)

    broken = exported.content.replace(b"{{ f.HS_VU", b"{{ f.HS_VU_SAI", 1) or exported.content
    broken = exported.content.replace(b"{{ thu.value|so }}", b"{{ thu.value|so }", 1)
    page = client.post(
        reverse("reports:templates"), {"file": SimpleUploadedFile("mau.yaml", broken)}
    ).content.decode()
    assert "Chưa nhập được; không có gì thay đổi" in page and "Lỗi cú pháp mẫu ở dòng" in page
    response = client.post(
        reverse("reports:templates"), {"file": SimpleUploadedFile("mau.yaml", exported.content)}
    )
    assert response.status_code == 302


# ------------------------------------------------------------------------------------------ command


def test_render_report_command_writes_docx_and_pdf(demo, tmp_path):
    out = tmp_path / "bc.docx"
    call_command("render_report", "--period", "202006", "--output", str(out))
    assert "Phạm pháp hình sự xảy ra 07 vụ" in docx_text(out.read_bytes())
    needs_libreoffice()
    pdf = tmp_path / "bc.pdf"
    call_command("render_report", "--period", "202006", "--format", "pdf", "--output", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2020-06"], "2020-06"),
        (["--period", "202006", "--report-type", "KHONG"], "Không có loại báo cáo “KHONG”"),
        (["--period", "202006", "--unit", "KHONG"], "Không có đơn vị mã “KHONG”"),
        (["--period", "2020Q2"], "lập theo Tháng"),
    ],
)
def test_render_report_command_errors(demo, tmp_path, args, message):

    with pytest.raises(CommandError, match=message):
        call_command("render_report", *args, "--output", str(tmp_path / "x.docx"))
    assert ReportType.objects.exists()


def test_office_uploads_an_edited_word_frame(client, run):

    admin = User.objects.create_superuser("quantri", password="x")
    client.force_login(admin)
    report_type = run.report_type
    frame = client.get(reverse("reports:frame", args=[report_type.pk])).content
    edited = Document(io.BytesIO(frame))
    edited.core_properties.title = "Khung của văn phòng"
    edited.paragraphs[-1].add_run("{{ khong_co_bien }}")
    broken = io.BytesIO()
    edited.save(broken)
    url = reverse("reports:frame_upload", args=[report_type.pk])
    for data in (b"not a docx", broken.getvalue()):
        page = client.post(url, {"frame": SimpleUploadedFile("khung.docx", data)}, follow=True)
        assert "Khung Word chưa dùng được" in page.content.decode()
    report_type.refresh_from_db()
    assert report_type.frame is None

    edited = Document(io.BytesIO(frame))
    edited.core_properties.title = "Khung của văn phòng"
    good = io.BytesIO()
    edited.save(good)
    page = client.post(url, {"frame": SimpleUploadedFile("khung-vp.docx", good.getvalue())}, follow=True)
    assert "Đã dùng khung Word “khung-vp.docx”" in page.content.decode()
    report_type.refresh_from_db()
    assert report_type.frame_name == "khung-vp.docx"
    output = client.get(reverse("reports:docx", args=[run.pk])).content
    assert Document(io.BytesIO(output)).core_properties.title == "Khung của văn phòng"
    client.post(url, {"reset": "1"})
    report_type.refresh_from_db()
    assert report_type.frame is None


def test_the_page_lists_forms_not_yet_approved(client, run):

    client.force_login(User.objects.get(username="vanphong"))
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert "Số liệu chưa được phê duyệt (14 biểu)" in page and "Công an thành phố: Chưa nhập" in page
    police = get_submission(
        DataSet.objects.get(code="BM_TPLS_CA"), OrgUnit.objects.get(code="TPLS_CA"), "202006"
    )
    for step, name in (("submit", "ca.truong"), ("accept", "vanphong"), ("approve", "lanhdao")):
        police = transition(police, step, User.objects.get(username=name))
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert "(13 biểu)" in page and "Công an thành phố:" not in page
