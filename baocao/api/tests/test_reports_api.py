import pytest

from baocao.reports import jobs
from baocao.reports.models import JobStatus, PdfJob, ReportRun

V1 = "/api/v1"


@pytest.fixture
def as_user(demo, settings, client_for):
    settings.BAOCAO_PDF_IN_THREAD = False  # the test runs the queued job itself
    return client_for


def test_report_runs_start_status_docx_and_pdf(as_user):
    office = as_user("vanphong")
    types = office.get(f"{V1}/report-types/").json()["results"]
    code = types[0]["code"]
    assert as_user("ca.canbo").post(
        f"{V1}/report-runs/", {"report_type": code, "period": "202006"}
    ).status_code in (
        400,
        403,
    )
    started = office.post(f"{V1}/report-runs/", {"report_type": code, "period": "202007"})
    assert started.status_code == 201 and started.json()["status"] == "draft"
    again = office.post(f"{V1}/report-runs/", {"report_type": code, "period": "202007"})
    assert again.status_code == 200 and again.json()["id"] == started.json()["id"]
    wrong = office.post(f"{V1}/report-runs/", {"report_type": code, "period": "2020Q3"})
    assert wrong.status_code == 409 and wrong.json()["errors"][0]["message"]

    run = ReportRun.objects.get(period="202006")
    docx = office.get(f"{V1}/report-runs/{run.pk}/docx/")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    job = office.post(f"{V1}/report-runs/{run.pk}/pdf/")
    assert job.status_code == 202 and job.json()["status"] == "queued"
    pending = office.get(f"{V1}/pdf-jobs/{job.json()['id']}/download/")
    assert pending.status_code == 409
    jobs.run_pending_jobs()
    status = office.get(f"{V1}/pdf-jobs/{job.json()['id']}/").json()["status"]
    assert status in (JobStatus.DONE, JobStatus.FAILED)  # FAILED only without LibreOffice
    if status == JobStatus.DONE:
        assert office.get(f"{V1}/pdf-jobs/{job.json()['id']}/download/").content[:4] == b"%PDF"
    assert PdfJob.objects.count() == 1


def test_unit_staff_see_no_city_reports(as_user):
    run = ReportRun.objects.get(period="202006")
    assert as_user("ca.canbo").get(f"{V1}/report-runs/{run.pk}/").status_code == 404
    assert as_user("ca.canbo").get(f"{V1}/report-runs/{run.pk}/docx/").status_code == 404
    assert as_user("lanhdao").get(f"{V1}/report-runs/{run.pk}/").json()["period"] == "202006"
