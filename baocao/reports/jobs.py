"""PDF production in the background: a request (:func:`baocao.reports.runs.request_pdf`) queues a
:class:`PdfJob` and returns at once; a worker takes the job up, converts with LibreOffice
(:mod:`baocao.reports.pdf`: a warm LibreOffice when the worker keeps one, else one process per conversion)
and stores the result. The PdfJob row is the record the page shows (status, attempt, error). Nothing here
imports the report modules: the queue only knows Word bytes and runs.

Two queues (``settings.BAOCAO_JOB_QUEUE``, docs/decisions/0030-job-queue.md):

- ``procrastinate`` (PostgreSQL, production): :func:`enqueue` defers the task ``reports.convert_pdf``
  (:mod:`baocao.reports.tasks`) in the request's own transaction — no commit, no job; ``manage.py run_jobs``
  workers on any machine run it. A failed attempt is retried after ``BAOCAO_PDF_RETRY_SECONDS``; a job
  whose worker died (its heartbeat stopped) is handed to another worker by the stalled-job check of
  ``run_jobs``; either way :func:`take_up` counts the attempt, and after ``BAOCAO_PDF_MAX_ATTEMPTS`` the job
  ends "Lỗi" with the reason in Vietnamese.
- ``thread`` (SQLite, ``make run``): a thread of the web process started after the request's transaction
  commits (``BAOCAO_PDF_IN_THREAD``), or ``run_jobs``' claim loop; several workers never take the same job
  (claim-by-UPDATE). A job left "Đang tạo" by a process that died is put back when the web process or
  ``run_jobs`` starts again (:func:`recover_abandoned_jobs`).

The same workers run the periodic jobs (:func:`run_periodic_jobs`: the scheduled reminders): callables named
by dotted path in ``settings.BAOCAO_PERIODIC_JOBS``, so this module imports nothing of the layers above it
(assignments' reminders sit above reports); every ``BAOCAO_PERIODIC_INTERVAL`` seconds — a periodic task of
procrastinate (deferred once per tick whatever the number of workers), or a daemon thread of the web process
(``BAOCAO_PERIODIC_IN_THREAD``, started by baocao.wsgi), or ``run_jobs``' loop.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from procrastinate.contrib.django import app as queue_app

from baocao.core.users import MaybeUser, acting_user
from baocao.reports import pdf
from baocao.reports.models import JobStatus, PdfJob, ReportRun

__all__ = [
    "CONVERT_TASK",
    "PDF_QUEUE",
    "claim_next_job",
    "enqueue",
    "recover_abandoned_jobs",
    "run_job",
    "run_pending_jobs",
    "run_periodic_jobs",
    "start_periodic_worker",
    "start_thread_queue",
    "take_up",
]

log = logging.getLogger(__name__)
_worker_lock = threading.Lock()

CONVERT_TASK = "reports.convert_pdf"  # the procrastinate task of baocao.reports.tasks
PDF_QUEUE = "pdf"

DIED_MESSAGE = "tiến trình tạo PDF đã dừng giữa chừng (máy chủ khởi động lại hoặc hết bộ nhớ)"


def _max_attempts() -> int:
    return max(1, int(getattr(settings, "BAOCAO_PDF_MAX_ATTEMPTS", 3)))


def _uses_procrastinate() -> bool:
    return getattr(settings, "BAOCAO_JOB_QUEUE", "thread") == "procrastinate"


def enqueue(run: ReportRun, docx: bytes, user: MaybeUser = None) -> PdfJob:
    """Queue the conversion of ``docx`` (a run's Word file) to PDF. Procrastinate: the task is deferred in
    this transaction (it exists once the request commits, and never if it rolls back); thread queue: the
    worker starts after the commit. The action that asks for a PDF is
    :func:`baocao.reports.runs.request_pdf`."""
    job = PdfJob.objects.create(run=run, docx=docx, requested_by=acting_user(user))
    if _uses_procrastinate():
        queue_app.configure_task(CONVERT_TASK, queue=PDF_QUEUE).defer(job_id=job.pk)
    elif getattr(settings, "BAOCAO_PDF_IN_THREAD", True):
        transaction.on_commit(_start_worker)
    return job


def _exhausted(job: PdfJob, reason: str) -> None:
    job.status, job.finished_at = JobStatus.FAILED, timezone.now()
    job.error = f"Không tạo được PDF sau {job.attempts} lần thử: {reason}"


def take_up(job_id: int) -> PdfJob | None:
    """Start an attempt at the job the queue handed over (procrastinate): a queued job, or one still
    "Đang tạo" whose worker died. Counts the attempt; None when there is nothing to do (done, failed,
    deleted) — or when the attempts are spent, and then the job ends "Lỗi"."""
    with transaction.atomic():
        job = (
            PdfJob.objects.select_for_update()
            .filter(pk=job_id, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
            .first()
        )
        if job is None:
            return None
        if job.attempts >= _max_attempts():  # every attempt so far was cut short by a dying worker
            _exhausted(job, DIED_MESSAGE + ".")
            job.save(update_fields=["status", "error", "finished_at"])
            return None
        job.status, job.started_at, job.attempts = JobStatus.RUNNING, timezone.now(), job.attempts + 1
        job.save(update_fields=["status", "started_at", "attempts"])
    return job


def claim_next_job() -> PdfJob | None:
    """Take the oldest queued job (thread queue); None when there is none (or another worker took it
    first). Counts the attempt."""
    while True:
        job_id = (
            PdfJob.objects.filter(status=JobStatus.QUEUED)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if job_id is None:
            return None
        claimed = PdfJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
        )
        if claimed:
            return PdfJob.objects.select_related("run").get(pk=job_id)


def run_job(job: PdfJob) -> PdfJob:
    """Convert one claimed job and record the PDF or the error (in Vietnamese, for the page). A failed
    attempt before the last puts the job back in the queue ("Đang chờ", the reason kept in ``error``): the
    caller retries it; the last one ends "Lỗi"."""
    try:
        result = pdf.convert_to_pdf(bytes(job.docx))
    except pdf.PdfError as exc:
        reason = str(exc)
    except Exception:  # a job must end in a state the user sees, whatever happened
        log.exception("PDF job %s failed", job.pk)
        reason = "lỗi không mong đợi khi tạo PDF; xem nhật ký máy chủ."
    else:
        reason = ""
    if not reason:
        job.status, job.pdf, job.error, job.finished_at = JobStatus.DONE, result, "", timezone.now()
    elif job.attempts < _max_attempts():
        job.status, job.error = JobStatus.QUEUED, f"Lần thử {job.attempts} không thành công: {reason}"
    else:
        _exhausted(job, reason)
    with transaction.atomic():
        job.save(update_fields=["status", "pdf", "error", "finished_at"])
        run = ReportRun.objects.select_for_update().get(pk=job.run_id)
        if job.status == JobStatus.DONE and run.is_issued and run.pdf is None and run.docx is not None:
            if bytes(run.docx) == bytes(job.docx):
                run.pdf = job.pdf
                run.save(update_fields=["pdf"])
    return job


def run_pending_jobs(limit: int | None = None) -> int:
    """Run queued jobs until none is left (or ``limit``); returns how many attempts ran. A failed attempt
    goes back to the queue, so this also runs the retries, up to ``BAOCAO_PDF_MAX_ATTEMPTS`` per job."""
    count = 0
    while limit is None or count < limit:
        job = claim_next_job()
        if job is None:
            break
        run_job(job)
        count += 1
    return count


def recover_abandoned_jobs() -> int:
    """Thread queue: put back in the queue the jobs left "Đang tạo" by a process that died (started more
    than ``BAOCAO_PDF_STALE_SECONDS`` ago, longer than any conversion); a job whose attempts are spent
    ends "Lỗi". Returns how many jobs changed. (On procrastinate the stalled-job check of ``run_jobs`` does
    this, from the workers' heartbeats.)"""
    cutoff = timezone.now() - datetime.timedelta(seconds=getattr(settings, "BAOCAO_PDF_STALE_SECONDS", 600))
    changed = 0
    with transaction.atomic():
        stale = PdfJob.objects.select_for_update().filter(status=JobStatus.RUNNING, started_at__lt=cutoff)
        for job in stale:
            if job.attempts >= _max_attempts():
                _exhausted(job, DIED_MESSAGE + ".")
            else:
                job.status, job.error = JobStatus.QUEUED, f"Lần thử {job.attempts}: {DIED_MESSAGE}."
            job.save(update_fields=["status", "error", "finished_at"])
            changed += 1
    if changed:
        log.warning("Put back %s PDF job(s) left running by a process that died", changed)
    return changed


def _work() -> None:
    try:
        with _worker_lock:
            run_pending_jobs()
    finally:
        connection.close()


def _start_worker() -> None:
    threading.Thread(target=_work, name="baocao-pdf", daemon=True).start()


def _resume() -> None:
    try:
        recover_abandoned_jobs()
        if getattr(settings, "BAOCAO_PDF_IN_THREAD", True):
            with _worker_lock:
                run_pending_jobs()
    except Exception:  # the web process must start whatever the queue's state (e.g. not migrated yet)
        log.exception("Could not resume the PDF jobs")
    finally:
        connection.close()


def start_thread_queue() -> bool:
    """At the start of the web process (baocao.wsgi), thread queue only: in a thread, put back the jobs a
    dead process left running and run what is queued. False (nothing started) on procrastinate."""
    if _uses_procrastinate():
        return False
    threading.Thread(target=_resume, name="baocao-pdf-resume", daemon=True).start()
    return True


_periodic_lock = threading.Lock()
_periodic_started = False


def run_periodic_jobs() -> int:
    """Run each job of ``settings.BAOCAO_PERIODIC_JOBS`` once; how many ran without error. A failing job
    is logged and does not stop the others (each must be safe to run again: the reminders are keyed)."""
    ok = 0
    for path in getattr(settings, "BAOCAO_PERIODIC_JOBS", []):
        try:
            import_string(path)()
        except Exception:  # a periodic job must never stop the worker
            log.exception("Periodic job %s failed", path)
        else:
            ok += 1
    return ok


def _periodic_loop(interval: float) -> None:
    while True:
        try:
            run_periodic_jobs()
        finally:
            connection.close()
        time.sleep(interval)


def start_periodic_worker() -> bool:
    """Start the periodic jobs' daemon thread once per process; False when it already runs (or when the
    queue is procrastinate, whose workers run them)."""
    global _periodic_started
    if _uses_procrastinate():
        return False
    with _periodic_lock:
        if _periodic_started:
            return False
        _periodic_started = True
    interval = float(getattr(settings, "BAOCAO_PERIODIC_INTERVAL", 600))
    threading.Thread(target=_periodic_loop, args=(interval,), name="baocao-periodic", daemon=True).start()
    return True
