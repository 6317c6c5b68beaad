"""PDF production in the background: a request (:func:`baocao.reports.runs.request_pdf`) queues a
:class:`PdfJob` and returns at once; a worker claims queued jobs one by one (claim-by-UPDATE, so several
workers never take the same job), converts with LibreOffice (one conversion per process,
:mod:`baocao.reports.pdf`) and stores the result. Nothing here imports the report modules: the queue
only knows Word bytes and runs.

The worker is a thread started after the request's transaction commits (``BAOCAO_PDF_IN_THREAD``, on by
default, so ``make run`` needs nothing else), or the ``run_jobs`` management command on a server.

The same worker runs the periodic jobs (:func:`run_periodic_jobs`: the scheduled reminders): callables named
by dotted path in ``settings.BAOCAO_PERIODIC_JOBS``, so this module imports nothing of the layers above it
(assignments' reminders sit above reports); every ``BAOCAO_PERIODIC_INTERVAL`` seconds, in a daemon thread
of the web process (``BAOCAO_PERIODIC_IN_THREAD``, started by baocao.wsgi) or in ``run_jobs``.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from baocao.core.users import MaybeUser, acting_user
from baocao.reports import pdf
from baocao.reports.models import JobStatus, PdfJob, ReportRun

__all__ = [
    "claim_next_job",
    "enqueue",
    "run_job",
    "run_pending_jobs",
    "run_periodic_jobs",
    "start_periodic_worker",
]

log = logging.getLogger(__name__)
_worker_lock = threading.Lock()


def enqueue(run: ReportRun, docx: bytes, user: MaybeUser = None) -> PdfJob:
    """Queue the conversion of ``docx`` (a run's Word file) to PDF; the worker starts after the commit.
    The action that asks for a PDF is :func:`baocao.reports.runs.request_pdf`."""
    job = PdfJob.objects.create(run=run, docx=docx, requested_by=acting_user(user))
    if getattr(settings, "BAOCAO_PDF_IN_THREAD", True):
        transaction.on_commit(_start_worker)
    return job


def claim_next_job() -> PdfJob | None:
    """Take the oldest queued job; None when there is none (or another worker took it first)."""
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
            status=JobStatus.RUNNING, started_at=timezone.now()
        )
        if claimed:
            return PdfJob.objects.select_related("run").get(pk=job_id)


def run_job(job: PdfJob) -> PdfJob:
    """Convert one claimed job and record the PDF or the error (in Vietnamese, for the page)."""
    try:
        result = pdf.convert_to_pdf(bytes(job.docx))
    except pdf.PdfError as exc:
        job.status, job.error = JobStatus.FAILED, str(exc)
    except Exception:  # a job must end in a state the user sees, whatever happened
        log.exception("PDF job %s failed", job.pk)
        job.status, job.error = JobStatus.FAILED, "Lỗi không mong đợi khi tạo PDF; xem nhật ký máy chủ."
    else:
        job.status, job.pdf = JobStatus.DONE, result
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "pdf", "error", "finished_at"])
        run = ReportRun.objects.select_for_update().get(pk=job.run_id)
        if job.status == JobStatus.DONE and run.is_issued and run.pdf is None and run.docx is not None:
            if bytes(run.docx) == bytes(job.docx):
                run.pdf = job.pdf
                run.save(update_fields=["pdf"])
    return job


def run_pending_jobs(limit: int | None = None) -> int:
    """Run queued jobs until none is left (or ``limit``); returns how many ran."""
    count = 0
    while limit is None or count < limit:
        job = claim_next_job()
        if job is None:
            break
        run_job(job)
        count += 1
    return count


def _work() -> None:
    try:
        with _worker_lock:
            run_pending_jobs()
    finally:
        connection.close()


def _start_worker() -> None:
    threading.Thread(target=_work, name="baocao-pdf", daemon=True).start()


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
    """Start the periodic jobs' daemon thread once per process; False when it already runs."""
    global _periodic_started
    with _periodic_lock:
        if _periodic_started:
            return False
        _periodic_started = True
    interval = float(getattr(settings, "BAOCAO_PERIODIC_INTERVAL", 600))
    threading.Thread(target=_periodic_loop, args=(interval,), name="baocao-periodic", daemon=True).start()
    return True
