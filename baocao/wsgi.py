import os

from django.core.wsgi import get_wsgi_application

from baocao.core.limits_middleware import ChunkedBodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
# A chunked request body (no Content-Length) is read up to the server's limit, then handed on with its length.
application = ChunkedBodyLimit(get_wsgi_application())

# The web process also runs the periodic jobs (the scheduled reminders) unless a separate
# `manage.py run_jobs` does (BAOCAO_PERIODIC_IN_THREAD=False); the job module needs Django set up first.
from django.conf import settings  # noqa: E402

from baocao.reports.jobs import start_periodic_worker  # noqa: E402

if settings.BAOCAO_PERIODIC_IN_THREAD:
    start_periodic_worker()
