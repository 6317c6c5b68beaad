"""Browser tests: Playwright driving Debian's Chromium (no browser download), against live_server.

Install on Debian: ``apt-get install chromium`` (``.ci/run`` does). Without it these tests skip locally
and fail in strict mode (CI).
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    """Mark the browser tests `e2e`. The hook receives every collected item of the session, not only this
    folder's: only items whose file lies under tests/e2e/ are marked (`pytest -m "not e2e"` runs the rest)."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        pytest.skip("Cần Chromium cho kiểm thử trình duyệt: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login(page, live_server):  # type: ignore[no-untyped-def]
    """Sign in through the login page as ``username`` with the demo password."""

    def sign_in(username: str, password: str = "baocao-demo-2020") -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()

    return sign_in
