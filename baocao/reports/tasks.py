"""The procrastinate tasks (PostgreSQL's job queue; docs/decisions/0030-job-queue.md), run by
``manage.py run_jobs``. The work itself and the record the page shows stay in :mod:`baocao.reports.jobs`;
here is only what procrastinate needs: the task names, queues, the retry strategy and the schedule.

Imported by the workers and by :func:`baocao.reports.jobs.enqueue` through ``PROCRASTINATE_IMPORT_PATHS``
(settings; the app ``procrastinate.contrib.django`` is installed on PostgreSQL only). On SQLite the module
still imports (the tasks then sit on procrastinate's placeholder blueprint) and nothing defers them.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import close_old_connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from baocao.reports import jobs
from baocao.reports.models import JobStatus

__all__ = ["PdfRetry", "convert_pdf", "periodic_cron", "periodic_jobs"]

log = logging.getLogger(__name__)

PERIODIC_TASK = "reports.periodic_jobs"


class PdfRetry(Exception):
    """An attempt failed and the job has attempts left: procrastinate runs it again after a pause."""


def periodic_cron(interval: int) -> str:
    """The cron line of "every ``interval`` seconds" (``BAOCAO_PERIODIC_INTERVAL``), as procrastinate's
    periodic tasks take it (a sixth column for seconds)."""
    interval = max(1, interval)
    if interval < 60:
        return f"* * * * * */{interval}"
    minutes = interval // 60
    if minutes < 60:
        return f"*/{minutes} * * * *"
    return f"0 */{min(minutes // 60, 23)} * * *"


@app.task(
    name=jobs.CONVERT_TASK,
    queue=jobs.PDF_QUEUE,
    # The limit that counts is PdfJob.attempts (jobs.take_up / run_job: the last attempt ends "Lỗi" and does
    # not raise). Procrastinate retries any exception — PdfRetry, or the database failing mid-attempt, which
    # would otherwise leave the PdfJob "Đang tạo" — and counts the stalled-job retries of dead workers too,
    # so its own bound is looser: it only keeps a bug from retrying for ever.
    retry=RetryStrategy(
        max_attempts=2 * int(getattr(settings, "BAOCAO_PDF_MAX_ATTEMPTS", 3)) + 2,
        wait=int(getattr(settings, "BAOCAO_PDF_RETRY_SECONDS", 5)),
    ),
)
def convert_pdf(job_id: int) -> str:
    """One attempt at PdfJob ``job_id``: the queued job, a retry, or one whose worker died."""
    close_old_connections()  # procrastinate runs a synchronous task in a thread of its own
    try:
        job = jobs.take_up(job_id)
        if job is None:
            return "nothing to do"
        job = jobs.run_job(job)
        if job.status == JobStatus.QUEUED:  # failed, attempts left: the queue runs it again later
            raise PdfRetry(job.error)
        return str(job.status)
    finally:
        close_old_connections()


@app.periodic(cron=periodic_cron(int(getattr(settings, "BAOCAO_PERIODIC_INTERVAL", 600))), periodic_id="jobs")
@app.task(name=PERIODIC_TASK, queue="periodic", queueing_lock=PERIODIC_TASK)
def periodic_jobs(timestamp: int) -> int:
    """The scheduled reminders (``settings.BAOCAO_PERIODIC_JOBS``). Procrastinate defers it once per tick
    however many workers run (the tick is unique in its table) and the queueing lock keeps a second one out
    while one waits; the reminders are keyed besides, so a repeated run sends nothing twice."""
    close_old_connections()
    try:
        return jobs.run_periodic_jobs()
    finally:
        close_old_connections()
