"""Project-wide pytest set-up.

Strict mode (BAOCAO_STRICT=1, set by CI): a test that skips — for example because PostgreSQL,
LibreOffice or Chromium is missing — fails instead, so CI cannot go green without them.
"""

import os

import pytest

STRICT = os.environ.get("BAOCAO_STRICT", "").lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"Chế độ nghiêm ngặt (BAOCAO_STRICT=1): không được bỏ qua kiểm thử: {reason}"
