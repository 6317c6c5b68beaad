"""Project-wide pytest set-up.

Strict mode (BAOCAO_STRICT=1, set by CI): a test that skips — for example because PostgreSQL,
LibreOffice or Chromium is missing — fails instead, so CI cannot go green without them.

The test worlds come from one module, `baocao.testing.factories`; the fixtures here are the only ones
that build them: `world` (a small city), `org` (a city with the people of the task workflow), `demo`
(the June 2020 demo), `police` (the demo police's June 2020 form), and the signed-in clients
`client_as` (browser session) and `client_for` (API token).
"""

import os

import pytest
from django.conf import settings

from baocao.testing import factories

STRICT = os.environ.get("BAOCAO_STRICT", "").lower() in {"1", "true", "yes"}


def pytest_configure(config):
    """Password hashing is slow on purpose; tests (demo users, logins) do not need that."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"Chế độ nghiêm ngặt (BAOCAO_STRICT=1): không được bỏ qua kiểm thử: {reason}"


def pytest_collection_modifyitems(config, items):
    """A test whose fixtures ask for the test database only through ``django_db_setup`` (a module-scoped
    fixture built with ``factories.computed_from_demo``) is marked ``django_db``: pytest-django creates
    the test database only for what the collected tests mark or request, so such a module run alone
    would otherwise compute against the development database."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "django_db_setup" in names and not names & {"db", "transactional_db", "live_server"}:
            if item.get_closest_marker("django_db") is None:
                item.add_marker(pytest.mark.django_db)
    # PostgreSQL-only tests (marker postgres) run in CI's PostgreSQL half; on SQLite they are deselected,
    # not skipped (strict mode fails a skip).
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        postgres_only = [item for item in items if item.get_closest_marker("postgres")]
        if postgres_only:
            config.hook.pytest_deselected(items=postgres_only)
            items[:] = [item for item in items if not item.get_closest_marker("postgres")]


@pytest.fixture
def world(db):
    """A city with two agencies and a ward, one sector, units of measure and target types."""
    return factories.build_world()


@pytest.fixture
def org(db):
    """A city with two departments; a unit staff member, an office clerk, a leader and an administrator."""
    return factories.build_org()


@pytest.fixture
def demo(db):
    """The June 2020 demo of UBND thành phố Lạng Sơn, loaded through the real loader."""
    return factories.load_demo_world()


@pytest.fixture
def police(demo):
    """The demo police's (TPLS_CA) monthly form for June 2020, as a submission."""
    return factories.demo_submission("BM_TPLS_CA", "TPLS_CA", "202006")


@pytest.fixture
def client_as(client, demo):
    """`client_as("vanphong")`: the test client signed in as a demo user."""
    return lambda username: factories.logged_in(client, username)


@pytest.fixture
def client_for(db):
    """`client_for("ca_canbo")`: an API client with the user's token (None: anonymous)."""
    return factories.token_client
