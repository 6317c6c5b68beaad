"""Deployment settings: the SECRET_KEY is required whenever DEBUG is off or production is on; the production
environment of .env.example passes `manage.py check --deploy` with no warning; the demo (a superuser with a
published password) cannot be loaded in production.

Settings are read once per process, so each case runs Python in a child process with its own environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.core.management.utils import get_random_secret_key
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[3]
SHOW_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, "
    "settings.SECURE_HSTS_SECONDS)"
)


def clean_env(**extra: str) -> dict[str, str]:
    """Only what a shell needs: nothing of the environment the tests themselves run in."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "baocao.settings"
    env.update(extra)
    return env


def python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env(**env), capture_output=True, text=True
    )


def env_example() -> dict[str, str]:
    """The production block of .env.example (KEY=VALUE lines), with a generated SECRET_KEY for its
    placeholder (which production refuses on purpose)."""
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    assert values["BAOCAO_PRODUCTION"] == "1"
    values["SECRET_KEY"] = get_random_secret_key()
    return values


def test_development_needs_no_environment():
    result = python(SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False", "0"]  # DEBUG on, nothing forced to HTTPS


@pytest.mark.parametrize(
    "env",
    [
        {"BAOCAO_PRODUCTION": "1"},
        {"BAOCAO_PRODUCTION": "1", "DEBUG": "1"},  # the finding: DEBUG=1 in production used the dev key
        {"DEBUG": "0"},
        {"DEBUG": "False", "BAOCAO_PRODUCTION": "0"},
    ],
)
def test_a_missing_secret_key_is_refused_unless_debugging_outside_production(env):
    result = python(SHOW_SETTINGS, **env)
    assert result.returncode != 0
    assert "Thiếu SECRET_KEY" in result.stderr


def test_production_refuses_a_weak_or_placeholder_key():
    placeholder = next(
        line.partition("=")[2]
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line.startswith("SECRET_KEY=")
    )
    for key in (placeholder, "change-me", "django-insecure-" + "x" * 60):
        result = python(SHOW_SETTINGS, BAOCAO_PRODUCTION="1", SECRET_KEY=key)
        assert result.returncode != 0
        assert "SECRET_KEY quá yếu" in result.stderr


def test_production_defaults_to_https_everywhere():
    result = python(SHOW_SETTINGS, BAOCAO_PRODUCTION="1", SECRET_KEY=get_random_secret_key())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000"]


def test_check_deploy_with_the_production_environment_of_env_example_prints_no_warning(tmp_path):
    env = clean_env(**env_example())
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output
    assert "System check identified no issues" in output


def test_load_demo_refuses_to_run_in_production(db):
    with override_settings(BAOCAO_PRODUCTION=True), pytest.raises(CommandError) as refused:
        call_command("load_demo")
    assert "Không nạp dữ liệu mẫu ở chế độ chạy thật" in str(refused.value)
    assert not User.objects.filter(username="admin").exists()


def test_load_demo_exits_non_zero_in_production(tmp_path):
    env = clean_env(
        BAOCAO_PRODUCTION="1",
        SECRET_KEY=get_random_secret_key(),
        SQLITE_PATH=str(tmp_path / "never-written.sqlite3"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo", "--print-logins"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Không nạp dữ liệu mẫu ở chế độ chạy thật" in result.stderr
    assert "baocao-demo-2020" not in result.stdout


SHOW_SERVING = (
    "from django.conf import settings; "
    "print(settings.STORAGES['staticfiles']['BACKEND'], settings.WHITENOISE_USE_FINDERS, "
    "settings.MIDDLEWARE.index('whitenoise.middleware.WhiteNoiseMiddleware'), "
    "settings.BAOCAO_MAX_REQUEST_BYTES)"
)


def test_production_serves_hashed_compressed_static_files_through_whitenoise():
    """Production: WhiteNoise right after SecurityMiddleware, the collected files under hashed names (no
    finders); development: the apps' folders, so `make run` and the tests need no collectstatic."""
    production = python(SHOW_SERVING, BAOCAO_PRODUCTION="1", SECRET_KEY=get_random_secret_key())
    assert production.returncode == 0, production.stderr
    assert production.stdout.split() == [
        "baocao.core.staticstorage.StaticFilesStorage",
        "False",
        "1",
        "26214400",
    ]
    development = python(SHOW_SERVING, BAOCAO_MAX_REQUEST_BYTES="1000")
    assert development.returncode == 0, development.stderr
    assert development.stdout.split() == [
        "django.contrib.staticfiles.storage.StaticFilesStorage",
        "True",
        "1",
        "1000",
    ]


def test_env_example_documents_every_variable_of_the_web_server():
    """Every variable gunicorn.conf.py and the serving settings read appears in .env.example."""
    documented = (ROOT / ".env.example").read_text(encoding="utf-8")
    read = re.findall(r'os\.getenv\("([A-Z_]+)"', (ROOT / "baocao" / "gunicorn.conf.py").read_text())
    assert len(read) >= 10
    for name in [*read, "BAOCAO_MAX_REQUEST_BYTES", "BAOCAO_API_MAX_UPLOAD_BYTES"]:
        assert f"{name}=" in documented, name
