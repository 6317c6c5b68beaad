"""Settings read from the environment (see .env.example).

DATABASE_URL selects PostgreSQL (postgres://user:pass@host:port/name); unset means an SQLite file
in the project folder, tuned for several writers (WAL, busy timeout, IMMEDIATE transactions).

Two modes. Development (nothing set): DEBUG is on, a development SECRET_KEY is tolerated, WhiteNoise serves
the static files from the apps' folders — `make run` needs no environment. Production (BAOCAO_PRODUCTION=1):
DEBUG defaults off, a strong SECRET_KEY is required, HTTPS redirect, HSTS and secure cookies default on;
`manage.py check --deploy` with the production block of .env.example reports nothing.
"""

import datetime
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    return os.getenv(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


BAOCAO_PRODUCTION = envbool("BAOCAO_PRODUCTION")
# Outside production DEBUG defaults on, so `make run` works with no environment (and serves static files).
DEBUG = envbool("DEBUG", "False" if BAOCAO_PRODUCTION else "True")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if BAOCAO_PRODUCTION or not DEBUG:
        raise ImproperlyConfigured(
            "Thiếu SECRET_KEY: phải đặt biến môi trường SECRET_KEY khi chạy thật (BAOCAO_PRODUCTION=1) "
            "hoặc khi tắt DEBUG. Tạo khóa bằng: python -c "
            '"from django.core.management.utils import get_random_secret_key as k; print(k())"'
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
elif BAOCAO_PRODUCTION and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith(("django-insecure", "thay-"))
):
    # The same bar as Django's check --deploy (W009), and the placeholder of .env.example is refused.
    raise ImproperlyConfigured(
        "SECRET_KEY quá yếu cho chế độ chạy thật: cần ít nhất 50 ký tự ngẫu nhiên (không dùng giá trị mẫu)."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "baocao.accounts.apps.LoginThrottlingConfig",  # django-axes, named in Vietnamese
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "baocao.core",
    "baocao.audit",
    "baocao.accounts",
    "baocao.orgunits",
    "baocao.indicators",
    "baocao.notifications",
    "baocao.collection",
    "baocao.analytics",
    "baocao.reports",
    "baocao.api",
    "baocao.assignments",
    "baocao.quality",
    "baocao.locality",
    "baocao.search",
    "baocao.briefing",
    "baocao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files in every mode (compressed, hashed names, far-future caching; docs/decisions/0029).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # A body larger than BAOCAO_MAX_REQUEST_BYTES is refused (413, Vietnamese) before anything reads it.
    "baocao.core.limits_middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "baocao.core.middleware.RejectNulMiddleware",  # U+0000 anywhere in path/query/form: 400
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "baocao.core.replica.ReadYourWritesMiddleware",  # a user's saves: their next pages read the primary
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): the first backend refuses any login for a username+IP pair locked out
# after too many failures (login page and admin alike; the API takes tokens, never passwords).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = envbool("LOGIN_THROTTLING", "True")
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "baocao.accounts.lockout.locked_out"
# Behind reverse proxies the lock-out is keyed by the address the outermost one saw (X-Forwarded-For).
BAOCAO_TRUSTED_PROXIES = envint("TRUSTED_PROXIES", "0")
AXES_CLIENT_IP_CALLABLE = "baocao.accounts.lockout.client_ip"
AXES_USERNAME_CALLABLE = "baocao.accounts.lockout.client_username"  # cut to the column (no 500)

ROOT_URLCONF = "baocao.urls"
WSGI_APPLICATION = "baocao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "baocao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baocao.accounts.context_processors.menu",
                "baocao.notifications.context_processors.badge",
            ],
        },
    },
]

SQLITE_PATH = Path(os.getenv("SQLITE_PATH", str(BASE_DIR / "baocao.sqlite3")))
if os.getenv("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": envint("SQLITE_BUSY_TIMEOUT_SECONDS", "20"),
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            # A file, not memory: the browser tests' live server answers concurrent requests. One file per
            # test process, so two test runs on one machine (developers in one checkout) never share it.
            "TEST": {"NAME": str(SQLITE_PATH.with_name(f"test-{os.getpid()}-{SQLITE_PATH.name}"))},
        }
    }
# Read scaling (baocao.core.db_router, docs/decisions/0031): a PostgreSQL streaming replica that the reports,
# dashboards and exports read from; writes and everything else use the primary. In tests it mirrors default.
if os.getenv("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
for _database in DATABASES.values():
    _database["CONN_HEALTH_CHECKS"] = True  # a restarted PostgreSQL is reconnected, no application restart
DATABASE_ROUTERS = ["baocao.core.db_router.ReplicaRouter"]
# After a signed-in user's successful save, their opted-in pages read the primary for this many seconds.
BAOCAO_READ_PRIMARY_AFTER_WRITE_SECONDS = envint("BAOCAO_READ_PRIMARY_AFTER_WRITE_SECONDS", "10")
# A replica that could not be reached is left alone (reads go to the primary) for this many seconds.
BAOCAO_REPLICA_RETRY_SECONDS = envint("BAOCAO_REPLICA_RETRY_SECONDS", "5")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["baocao.formats"]
# Vietnamese for packages that ship none (django-axes' admin pages).
LOCALE_PATHS = [BASE_DIR / "baocao" / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# The site's own CSS and JavaScript (no inline code: the Content-Security-Policy forbids it).
STATICFILES_DIRS: list[Any] = [BASE_DIR / "baocao" / "static"]
# Front-end libraries from the npm registry (package.json), copied to vendor/ by `make setup`.
if (BASE_DIR / "vendor").is_dir():
    STATICFILES_DIRS.append(("vendor", BASE_DIR / "vendor"))
# WhiteNoise serves STATIC_ROOT (filled by `manage.py collectstatic`; `make run` and `make serve` run it).
# DEBUG off: gzip-compressed copies and content-hashed names (cached for ever by browsers). DEBUG on and the
# test suite: the files straight from the apps' folders (finders), re-read when they change, no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "baocao.core.staticstorage.StaticFilesStorage"  # WhiteNoise's, source-map comments left alone
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Largest request body accepted (bytes; baocao.core.limits_middleware): the largest page upload is 20 MB
# (a locality bundle, a PDF to verify), plus the form around it. The API's bulk import has its own,
# larger limit (BAOCAO_API_MAX_UPLOAD_BYTES), which applies on its own address instead.
BAOCAO_MAX_REQUEST_BYTES = envint("BAOCAO_MAX_REQUEST_BYTES", str(25 * 1024 * 1024))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "media")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# HTTPS: each setting from the environment; in production every one defaults to the safe value.
_production_default = "True" if BAOCAO_PRODUCTION else "False"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", _production_default)
CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", _production_default)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", _production_default)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if BAOCAO_PRODUCTION else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _production_default)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD")
# Preloading is the domain owner's decision (hard to undo, binds every subdomain of e.g. a province's
# .gov.vn), not a setting to turn on to quiet a warning: check --deploy's W021 is silenced while it is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto (only then!).
if envbool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from this site's static files — no inline
# <script>, <style>, style="..." or on...= handlers anywhere (tests/e2e/test_csp_e2e.py checks the pages).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Strict mode (CI): a test that would skip because a component is missing fails instead.
BAOCAO_STRICT = envbool("BAOCAO_STRICT")
# The domain's "today" (baocao.core.clock): empty in production (the real date); the demo sets a day of
# its own month so its deadlines and statuses read as they did then.
BAOCAO_TODAY = os.getenv("BAOCAO_TODAY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

# PDFs are produced by a background worker: a thread of the web process started after the request's
# transaction commits (default, nothing else to run), or `manage.py run_jobs` when this is False.
BAOCAO_PDF_IN_THREAD = envbool("BAOCAO_PDF_IN_THREAD", "True")
# A running unoserver ("host:port", LibreOffice kept warm; baocao.reports.pdf): PDFs go through it when it
# answers, else one LibreOffice process each. `run_jobs` starts its own (pdf.warm_office) when this is empty.
BAOCAO_UNOSERVER = os.getenv("BAOCAO_UNOSERVER", "")

# Periodic jobs (dotted paths, import_string): the job worker (baocao.reports.jobs) runs each every
# BAOCAO_PERIODIC_INTERVAL seconds — in a thread of the web process when BAOCAO_PERIODIC_IN_THREAD (make run),
# or `manage.py run_jobs`. Listed here so the worker imports no layer above it (docs/decisions/0019).
BAOCAO_PERIODIC_JOBS = envlist("BAOCAO_PERIODIC_JOBS", "baocao.assignments.reminders.send_reminders")
BAOCAO_PERIODIC_INTERVAL = envint("BAOCAO_PERIODIC_INTERVAL", "600")
BAOCAO_PERIODIC_IN_THREAD = envbool("BAOCAO_PERIODIC_IN_THREAD", "False" if BAOCAO_PRODUCTION else "True")

# The job queue (docs/decisions/0030-job-queue.md). On PostgreSQL, procrastinate: a PDF request defers its
# conversion into PostgreSQL in the request's own transaction, and the periodic jobs are deferred there too;
# `manage.py run_jobs` workers (on this machine or others) run them — a failed attempt is retried, a job whose
# worker died (no heartbeat) is taken up again. The two *_IN_THREAD settings above then do nothing. On SQLite
# (`make run`) there is no queue server: the threads above, and a job left running by a dead process is put
# back at the next start. BAOCAO_JOB_QUEUE="thread" keeps the threads on PostgreSQL too.
_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
BAOCAO_JOB_QUEUE = os.getenv("BAOCAO_JOB_QUEUE", "procrastinate" if _POSTGRES else "thread")
if BAOCAO_JOB_QUEUE not in {"thread", "procrastinate"} or (
    BAOCAO_JOB_QUEUE == "procrastinate" and not _POSTGRES
):
    raise ImproperlyConfigured(
        f"BAOCAO_JOB_QUEUE={BAOCAO_JOB_QUEUE!r} không dùng được: chọn 'thread', hoặc 'procrastinate' khi "
        "DATABASE_URL trỏ tới PostgreSQL (hàng đợi procrastinate chỉ chạy trên PostgreSQL)."
    )
if _POSTGRES:  # its migrations are PostgreSQL's own SQL (tables, functions, LISTEN/NOTIFY triggers)
    INSTALLED_APPS.append("baocao.reports.queue_app.JobQueueConfig")  # procrastinate.contrib.django
    PROCRASTINATE_AUTODISCOVER_MODULE_NAME = ""  # not every app's tasks.py (demo/tasks.py: demo data)
    PROCRASTINATE_IMPORT_PATHS = ["baocao.reports.tasks"]
# Attempts of one PDF job (a failed conversion or a worker that died counts as one) before it ends "Lỗi".
BAOCAO_PDF_MAX_ATTEMPTS = envint("BAOCAO_PDF_MAX_ATTEMPTS", "3")
BAOCAO_PDF_RETRY_SECONDS = envint("BAOCAO_PDF_RETRY_SECONDS", "5")  # pause before the next attempt
# Workers: concurrent jobs per worker; heartbeat every N s; a worker silent for BAOCAO_JOB_STALLED_SECONDS is
# dead and its jobs are taken up by another (checked every BAOCAO_JOB_STALLED_CHECK_SECONDS).
BAOCAO_JOB_CONCURRENCY = envint("BAOCAO_JOB_CONCURRENCY", "2")
BAOCAO_JOB_HEARTBEAT_SECONDS = float(os.getenv("BAOCAO_JOB_HEARTBEAT_SECONDS", "10"))
BAOCAO_JOB_STALLED_SECONDS = float(os.getenv("BAOCAO_JOB_STALLED_SECONDS", "30"))
BAOCAO_JOB_STALLED_CHECK_SECONDS = float(os.getenv("BAOCAO_JOB_STALLED_CHECK_SECONDS", "15"))
# Thread queue: a job still "Đang tạo" this long after it started belongs to a process that died (the
# conversion's own timeout is 120 s); it is put back at the next start of the web process or run_jobs.
BAOCAO_PDF_STALE_SECONDS = envint("BAOCAO_PDF_STALE_SECONDS", "600")

# E-mail of the notices (baocao.notifications): outside production a file per message in var/mail (nothing
# leaves the machine); production sets EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and
# EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL and
# DEFAULT_FROM_EMAIL.
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if BAOCAO_PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = os.getenv("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "20")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "baocao <baocao@localhost>")
# The address of the site in e-mails' links (the pages' own links are relative).
BAOCAO_SITE_URL = os.getenv("BAOCAO_SITE_URL", "http://127.0.0.1:8000")

# Digital signing (ký số; baocao.signing, docs/decisions/0013-digital-signing.md). Keys stay on the server:
# a PKCS#12 file, or a PKCS#11 token when BAOCAO_SIGNING_PKCS11_LIBRARY is set. The demo's files (test CA,
# keys, sample seal and signature images) are made by `manage.py make_demo_pki` into BAOCAO_SIGNING_DIR,
# outside MEDIA_ROOT (never served). Trust roots: comma-separated PEM/DER files.
BAOCAO_SIGNING_DIR = Path(os.getenv("BAOCAO_SIGNING_DIR", str(BASE_DIR / "var" / "signing")))
BAOCAO_SIGNING_PKCS12 = os.getenv("BAOCAO_SIGNING_PKCS12", str(BAOCAO_SIGNING_DIR / "leader.p12"))
BAOCAO_SIGNING_ORG_PKCS12 = os.getenv(
    "BAOCAO_SIGNING_ORG_PKCS12", str(BAOCAO_SIGNING_DIR / "organisation.p12")
)
BAOCAO_SIGNING_PASSWORD = os.getenv(
    "BAOCAO_SIGNING_PASSWORD", "" if BAOCAO_PRODUCTION else "baocao-demo-ky-so"
)
BAOCAO_SIGNING_PKCS11_LIBRARY = os.getenv("BAOCAO_SIGNING_PKCS11_LIBRARY", "")
BAOCAO_SIGNING_PKCS11_TOKEN = os.getenv("BAOCAO_SIGNING_PKCS11_TOKEN", "")
BAOCAO_SIGNING_PKCS11_KEY = os.getenv("BAOCAO_SIGNING_PKCS11_KEY", "")
BAOCAO_SIGNING_PKCS11_ORG_KEY = os.getenv("BAOCAO_SIGNING_PKCS11_ORG_KEY", "")
BAOCAO_SIGNING_PKCS11_PIN = os.getenv("BAOCAO_SIGNING_PKCS11_PIN", "")
BAOCAO_SIGNING_SIGNATURE_IMAGE = os.getenv(
    "BAOCAO_SIGNING_SIGNATURE_IMAGE", str(BAOCAO_SIGNING_DIR / "signature.png")
)
BAOCAO_SIGNING_SEAL_IMAGE = os.getenv("BAOCAO_SIGNING_SEAL_IMAGE", str(BAOCAO_SIGNING_DIR / "seal.png"))
BAOCAO_SIGNING_TRUST_ROOTS = envlist("BAOCAO_SIGNING_TRUST_ROOTS", str(BAOCAO_SIGNING_DIR / "ca.pem"))
BAOCAO_SIGNING_TSA_URL = os.getenv("BAOCAO_SIGNING_TSA_URL", "")

# REST API (/api/v1/): token authentication for machine clients, the session for the browser; the
# same role-based scoping as the pages (baocao.accounts.permissions) inside every view.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "baocao.api.authentication.CsrfSessionAuthentication",  # CSRF from the header, body unread
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bounded in size, depth and numbers (api/parsers.py); limit/offset capped (api/pagination.py)
    "DEFAULT_PARSER_CLASSES": [
        "baocao.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "baocao.api.pagination.Pagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "baocao API",
    "DESCRIPTION": "API của hệ thống báo cáo UBND: đơn vị, chỉ tiêu, biểu mẫu, kỳ, số liệu, kế hoạch, "
    "bộ số liệu gửi, nhiệm vụ, báo cáo.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}
