"""gunicorn's settings for baocao (docs/decisions/0029-serving.md): `gunicorn -c baocao/gunicorn.conf.py`.

Pre-forked worker processes, each with a few threads (gthread): a request waiting for PostgreSQL or for
LibreOffice's signing step holds a thread, not a process. Every value comes from the environment
(documented in .env.example); the Django settings come from the same environment, as in `make run`.
"""

import multiprocessing
import os
import time
from pathlib import Path

# The master's log lines in the committee's time zone, like the workers' (Django sets TZ from TIME_ZONE only
# once the application is loaded, in each worker): one log, one clock.
os.environ.setdefault("TZ", "Asia/Ho_Chi_Minh")
time.tzset()

wsgi_app = "baocao.wsgi:application"
chdir = str(Path(__file__).resolve().parent.parent)
proc_name = "baocao"

# Where to listen: an address:port or unix:/path; several separated by commas.
bind = [item.strip() for item in os.getenv("GUNICORN_BIND", "127.0.0.1:8000").split(",") if item.strip()]
# Processes and threads: the database is the bottleneck, not Python, so a few processes with threads.
workers = int(os.getenv("WEB_CONCURRENCY", str(multiprocessing.cpu_count() + 1)))
threads = int(os.getenv("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# A worker that stops answering its heartbeat for this long is killed and replaced (a gthread worker's
# heartbeat runs in its main loop: a long request, e.g. a large bulk import, is not cut by it).
timeout = int(os.getenv("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.getenv("GUNICORN_GRACEFUL_TIMEOUT", "30"))  # SIGTERM/HUP: finish what is running
keepalive = int(os.getenv("GUNICORN_KEEPALIVE", "5"))  # behind a reverse proxy that keeps connections
# Workers are replaced after this many requests (a slow leak never grows for ever); 0 turns it off.
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The request line and headers are bounded here (the body by BAOCAO_MAX_REQUEST_BYTES in Django):
# long enough for the filter pages' query strings and the session and CSRF cookies, no more.
limit_request_line = int(os.getenv("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
limit_request_fields = int(os.getenv("GUNICORN_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.getenv("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "16380"))

# The workers' heartbeat files on a memory file system where there is one (a slow disk stalls them).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

accesslog = os.getenv("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")
