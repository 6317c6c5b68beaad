"""A digitally signed report through the API: its issued PDF is the signed PDF/A, which the API offers and
serves (the page does the same: reports.views.run_pdf), instead of queueing an unsigned PDF of the frozen
Word file; the annex signed as its own file too. Outside one's scope: 404, as for the report itself."""

import pytest

from baocao.reports.models import PdfJob, ReportRun, RunStatus

V1 = "/api/v1"
SIGNED = b"%PDF-1.7 van ban da ky so"
ANNEX = b"%PDF-1.7 phu luc da ky so"


@pytest.fixture
def signed_run(demo):
    """The demo's June 2020 report as the signing step leaves it (issuing.sign_and_issue's output is
    tested in reports/tests/test_issuing_signed.py): issued, the signed files and the signature record."""
    run = ReportRun.objects.get(period="202006")
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.ISSUED,
        number=125,
        signed_pdf=SIGNED,
        signed_annex_pdf=ANNEX,
        signature={"holder": "Lê Trí Thức", "annex_holder": "Ủy ban nhân dân thành phố Lạng Sơn"},
    )
    return run


def test_asking_for_the_pdf_of_a_signed_report_gives_the_signed_file(signed_run, client_for):
    office = client_for("vanphong")
    answer = office.post(f"{V1}/report-runs/{signed_run.pk}/pdf/")
    assert answer.status_code == 303
    location = answer["Location"]
    assert location.endswith(f"/report-runs/{signed_run.pk}/signed-pdf/")
    assert answer.json()["signed_pdf"] == location
    assert PdfJob.objects.count() == 0  # no unsigned copy queued
    download = office.get(location)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content == SIGNED
    assert "da-ky-so.pdf" in download["Content-Disposition"]


def test_the_report_offers_its_signed_files_and_the_annex_downloads(signed_run, client_for):
    leader = client_for("lanhdao")
    shown = leader.get(f"{V1}/report-runs/{signed_run.pk}/").json()
    assert shown["signed_pdf"].endswith(f"/report-runs/{signed_run.pk}/signed-pdf/")
    assert shown["signed_annex_pdf"].endswith(f"/report-runs/{signed_run.pk}/signed-annex-pdf/")
    assert leader.get(shown["signed_annex_pdf"]).content == ANNEX


def test_a_draft_has_no_signed_file_and_queues_its_pdf(demo, client_for):
    office = client_for("vanphong")
    run = ReportRun.objects.get(period="202006")
    shown = office.get(f"{V1}/report-runs/{run.pk}/").json()
    assert shown["signed_pdf"] is None and shown["signed_annex_pdf"] is None
    missing = office.get(f"{V1}/report-runs/{run.pk}/signed-pdf/")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["message"] == "Báo cáo chưa có tệp PDF đã ký số."
    assert office.post(f"{V1}/report-runs/{run.pk}/pdf/").status_code == 202


def test_a_unit_clerk_cannot_download_the_citys_signed_report(signed_run, client_for):
    clerk = client_for("ca.canbo")
    for path in ("signed-pdf", "signed-annex-pdf", "pdf"):
        call = clerk.post if path == "pdf" else clerk.get
        assert call(f"{V1}/report-runs/{signed_run.pk}/{path}/").status_code == 404
