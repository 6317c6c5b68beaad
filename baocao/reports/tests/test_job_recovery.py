"""The PDF job queue survives failures (issue 16, Build 2 and the fault "kill a worker during a PDF"):
a failing conversion is retried up to its limit and then says why in Vietnamese; a job left "Đang tạo" by a
process that died is taken up again — on SQLite at the next start, on PostgreSQL (procrastinate) by another
worker once the dead one's heartbeat stops. Each ends on the page the user is looking at."""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from baocao.reports import jobs
from baocao.reports.models import JobStatus, PdfJob, ReportBlock, ReportRun, ReportSection, ReportType
from baocao.reports.pdf import find_soffice
from baocao.testing.factories import build_org

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def office_run(db, settings) -> tuple[object, ReportRun]:
    """A city's monthly report (draft) and its office clerk, who may ask for its PDF."""
    settings.BAOCAO_PDF_IN_THREAD = False  # the test runs the queue itself
    org = build_org()
    report_type = ReportType.objects.create(
        code="KTXH",
        name="Báo cáo tình hình kinh tế - xã hội tháng",
        period_type="month",
        org_unit=org.city,
        issuer="ỦY BAN NHÂN DÂN\nTHÀNH PHỐ THỬ",
        issuer_short="UBND",
        place_name="Thử",
        summary="Tình hình kinh tế - xã hội tháng",
        recipients="Lưu: VT",
    )
    section = ReportSection.objects.create(
        report_type=report_type, key="tinh-hinh", title="Tình hình chung", sort_order=10
    )
    ReportBlock.objects.create(section=section, source="Tình hình trong tháng ổn định.", sort_order=10)
    run = ReportRun.objects.create(report_type=report_type, org_unit=org.city, period="202006")
    return org.office, run


def _fake_soffice(tmp_path: Path, script: str) -> str:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n" + script + "\n")
    fake.chmod(0o755)
    return str(fake)


# A stand-in for LibreOffice that writes a small PDF where soffice would (``--outdir DIR file.docx``).
WRITES_A_PDF = """
while [ $# -gt 0 ]; do case "$1" in --outdir) out="$2"; shift;; *) src="$1";; esac; shift; done
name=$(basename "$src" .docx)
printf '%%PDF-1.4\\n%% baocao test\\n' > "$out/$name.pdf"
"""


def _ask_for_pdf(client, user, run: ReportRun) -> PdfJob:
    client.force_login(user)
    response = client.post(reverse("reports:pdf", args=[run.pk]))
    assert response.status_code == 302
    return PdfJob.objects.get(run=run)


def _page(client, job: PdfJob) -> str:
    return client.get(reverse("reports:pdf_job", args=[job.pk])).content.decode()


def test_a_failing_conversion_is_retried_up_to_the_limit_then_says_why(
    client, office_run, settings, tmp_path, monkeypatch
):
    settings.BAOCAO_JOB_QUEUE = "thread"
    settings.BAOCAO_PDF_MAX_ATTEMPTS = 3
    monkeypatch.setenv("BAOCAO_SOFFICE", _fake_soffice(tmp_path, "echo 'hỏng' >&2; exit 81"))
    office, run = office_run
    job = _ask_for_pdf(client, office, run)
    assert jobs.run_pending_jobs() == 3  # three attempts, then no more
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 3
    assert job.error.startswith("Không tạo được PDF sau 3 lần thử: LibreOffice không chuyển được")
    assert "mã thoát 81" in job.error
    page = _page(client, job)
    assert "Không tạo được PDF sau 3 lần thử" in page and "Thử lại" in page


def test_a_failed_attempt_waits_for_the_next_one_on_the_page(
    client, office_run, settings, tmp_path, monkeypatch
):
    settings.BAOCAO_JOB_QUEUE = "thread"
    monkeypatch.setenv("BAOCAO_SOFFICE", _fake_soffice(tmp_path, "exit 1"))
    office, run = office_run
    job = _ask_for_pdf(client, office, run)
    assert jobs.run_pending_jobs(limit=1) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert "sẽ thử lại, lần 2" in _page(client, job)
    monkeypatch.setenv("BAOCAO_SOFFICE", _fake_soffice(tmp_path, WRITES_A_PDF))
    assert jobs.run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and bytes(job.pdf).startswith(b"%PDF") and job.attempts == 2
    assert "Đã tạo xong tệp PDF" in _page(client, job)


def test_a_job_left_running_by_a_dead_process_is_taken_up_at_the_next_start(
    client, office_run, settings, tmp_path, monkeypatch
):
    """SQLite's queue (`make run`): the web process died during a conversion; the job stayed "Đang tạo".
    The next start of the worker (run_jobs here; the web process does the same) puts it back and converts
    it. A job another live process started a moment ago is left alone."""
    settings.BAOCAO_JOB_QUEUE = "thread"
    office, run = office_run
    job = _ask_for_pdf(client, office, run)
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.BAOCAO_PDF_STALE_SECONDS + 60)
    PdfJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=long_ago, attempts=1)
    other = jobs.enqueue(run, b"PK")
    PdfJob.objects.filter(pk=other.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), attempts=1)
    assert "Đang tạo tệp PDF" in _page(client, job)

    monkeypatch.setenv("BAOCAO_SOFFICE", _fake_soffice(tmp_path, WRITES_A_PDF))
    call_command("run_jobs", "--once", "--cold")
    job.refresh_from_db()
    other.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2 and bytes(job.pdf).startswith(b"%PDF")
    assert "Đã tạo xong tệp PDF" in _page(client, job)
    assert other.status == JobStatus.RUNNING and other.attempts == 1  # not ours to take


def test_a_job_whose_process_died_on_every_attempt_ends_failed(office_run, settings):
    settings.BAOCAO_JOB_QUEUE = "thread"
    settings.BAOCAO_PDF_MAX_ATTEMPTS = 2
    _, run = office_run
    job = jobs.enqueue(run, b"PK")
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.BAOCAO_PDF_STALE_SECONDS + 60)
    PdfJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=long_ago, attempts=2)
    assert jobs.recover_abandoned_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        "Không tạo được PDF sau 2 lần thử: tiến trình tạo PDF đã dừng giữa chừng "
        "(máy chủ khởi động lại hoặc hết bộ nhớ)."
    )


def test_with_the_procrastinate_queue_the_web_process_starts_no_job_thread(settings):
    """On PostgreSQL the workers run the PDFs and the reminders: a web process that also ran the reminders
    would run them once per process, beside the workers."""
    settings.BAOCAO_JOB_QUEUE = "procrastinate"
    before = {thread.name for thread in threading.enumerate()}
    assert jobs.start_periodic_worker() is False and jobs.start_thread_queue() is False
    assert {thread.name for thread in threading.enumerate()} - before == set()


# --------------------------------------------------------------------------- PostgreSQL: procrastinate


def _procrastinate_jobs() -> list[tuple[str, dict, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT task_name, args::text, queue_name FROM procrastinate_jobs ORDER BY id")
        return [(task, json.loads(args), queue) for task, args, queue in cursor.fetchall()]


@pytest.mark.postgres
def test_on_postgres_the_request_defers_the_conversion_in_its_own_transaction(office_run, settings):
    """No commit, no job: a request that fails after asking for the PDF leaves nothing in the queue."""
    settings.BAOCAO_JOB_QUEUE = "procrastinate"
    office, run = office_run
    with transaction.atomic():
        sid = transaction.savepoint()
        job = jobs.enqueue(run, b"PK", office)
        assert _procrastinate_jobs() == [(jobs.CONVERT_TASK, {"job_id": job.pk}, jobs.PDF_QUEUE)]
        transaction.savepoint_rollback(sid)
    assert _procrastinate_jobs() == [] and not PdfJob.objects.exists()


@pytest.mark.postgres
def test_the_admin_shows_no_english_page_of_the_queue(client, db):
    """The queue's own rows are an operator's matter (manage.py procrastinate); the admin lists the PDF jobs
    in Vietnamese and no "Procrastinate jobs" page."""
    client.force_login(build_org().admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Việc tạo PDF" in index and "rocrastinate" not in index


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"sau {seconds:g} giây vẫn chưa: {what}")
        time.sleep(0.2)


@pytest.fixture
def workers(tmp_path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `manage.py run_jobs` workers against the test database (each in its own process group, so a
    kill takes the whole worker); short heartbeats so that a dead worker is noticed in seconds."""
    started: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> subprocess.Popen[bytes]:
        log = open(tmp_path / f"worker-{len(started) + 1}.log", "wb")  # the child keeps its own copy
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_jobs", "--cold", "--concurrency", "1"],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": _database_url(),
                "BAOCAO_JOB_QUEUE": "procrastinate",
                "BAOCAO_JOB_HEARTBEAT_SECONDS": "0.5",
                "BAOCAO_JOB_STALLED_SECONDS": "3",
                "BAOCAO_JOB_STALLED_CHECK_SECONDS": "0.5",
                "BAOCAO_PDF_RETRY_SECONDS": "0",
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    with connection.cursor() as cursor:  # the queue's tables are not flushed between tests
        cursor.execute("DELETE FROM procrastinate_jobs")
        cursor.execute("DELETE FROM procrastinate_workers")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_during_a_pdf_the_job_is_retried_and_finishes(
    client, office_run, settings, tmp_path, workers
):
    """The fault of issue 16: kill -9 the worker while LibreOffice converts; a second worker takes the job
    up once the first one's heartbeat has stopped, and the page says the PDF is ready."""
    soffice = find_soffice()
    if soffice is None:
        pytest.skip("Cần LibreOffice: apt-get install libreoffice-writer-nogui fonts-liberation2")
    settings.BAOCAO_JOB_QUEUE = "procrastinate"
    slow, started = tmp_path / "slow", tmp_path / "started"
    slow.touch()
    # LibreOffice made slow while the file `slow` exists: the conversion is under way (`started` holds the
    # stand-in's pid) when the worker is killed.
    wrapper = _fake_soffice(
        tmp_path, f'if [ -e "{slow}" ]; then echo $$ > "{started}"; sleep 60; fi\nexec "{soffice}" "$@"'
    )
    office, run = office_run
    job = _ask_for_pdf(client, office, run)

    first = workers(BAOCAO_SOFFICE=wrapper)
    _wait(started.exists, 40, "lần chuyển đổi đầu tiên bắt đầu")
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1
    assert "Đang tạo tệp PDF (đang tạo)" in _page(client, job)

    os.killpg(first.pid, signal.SIGKILL)  # the worker dies mid-conversion
    first.wait()
    # and its LibreOffice with it (the stand-in leads its own process group, as soffice would)
    os.killpg(int(started.read_text()), signal.SIGKILL)
    slow.unlink()

    workers(BAOCAO_SOFFICE=wrapper)
    _wait(
        lambda: PdfJob.objects.get(pk=job.pk).status not in (JobStatus.QUEUED, JobStatus.RUNNING), 50, "PDF"
    )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.attempts == 2 and bytes(job.pdf).startswith(b"%PDF")
    page = _page(client, job)
    assert "Đã tạo xong tệp PDF" in page and "refresh" not in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgres_a_failing_conversion_is_retried_by_the_queue_then_fails(
    client, office_run, settings, tmp_path, workers
):
    settings.BAOCAO_JOB_QUEUE = "procrastinate"
    office, run = office_run
    job = _ask_for_pdf(client, office, run)
    workers(BAOCAO_SOFFICE=_fake_soffice(tmp_path, "exit 7"), BAOCAO_PDF_MAX_ATTEMPTS="3")
    _wait(lambda: PdfJob.objects.get(pk=job.pk).status == JobStatus.FAILED, 50, "việc tạo PDF báo lỗi")
    job.refresh_from_db()
    assert job.attempts == 3
    assert job.error.startswith("Không tạo được PDF sau 3 lần thử: LibreOffice không chuyển được")
    assert "Không tạo được PDF sau 3 lần thử" in _page(client, job)
