import os

from django.core.wsgi import get_wsgi_application

from baocao.core.limits_middleware import ChunkedBodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
# A chunked request body (no Content-Length) is read up to the server's limit, then handed on with its length.
application = ChunkedBodyLimit(get_wsgi_application())

# The job queue (docs/decisions/0030-job-queue.md). On PostgreSQL (procrastinate) the web process starts no
# thread: `manage.py run_jobs` workers run the PDFs and the periodic jobs. On SQLite (`make run`) it is the
# worker: a thread puts back the PDF jobs a dead process left running and runs the queued ones, and another
# runs the periodic jobs (the scheduled reminders) unless a separate `run_jobs` does
# (BAOCAO_PERIODIC_IN_THREAD=False). The job module needs Django set up first.
from django.conf import settings  # noqa: E402

from baocao.reports.jobs import start_periodic_worker, start_thread_queue  # noqa: E402

if settings.BAOCAO_JOB_QUEUE == "thread":
    start_thread_queue()
    if settings.BAOCAO_PERIODIC_IN_THREAD:
        start_periodic_worker()
