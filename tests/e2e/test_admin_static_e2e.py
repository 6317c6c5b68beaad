"""The admin is styled with DEBUG off (issue 16, Done when: "a browser test checks one admin page's stylesheet
loads"): the admin signs in on a live server whose static files only WhiteNoise serves — collected by
`collectstatic` into a STATIC_ROOT of the test's own, hashed and compressed as in production — and the page's
stylesheet arrives (200, text/css) and is applied (the header's colour is not the browser's default).

pytest-django's live_server serves /static/ itself (Django's StaticFilesHandler), whatever the settings; this
server hands every request to the project's WSGI handler, so the middleware is what answers."""

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import override_settings
from django.test.testcases import LiveServerThread, _MediaFilesHandler
from playwright.sync_api import Page, Response, expect

PASSWORD = "mat-khau-quan-tri-2020"
PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "baocao.core.staticstorage.StaticFilesStorage"},
}


@pytest.fixture
def whitenoise_server(transactional_db, tmp_path) -> Iterator[str]:
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=tmp_path / "static",
        STORAGES=PRODUCTION_STATIC,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        # The front-end libraries and the API browser's files are on no admin page (and slow to compress).
        call_command(
            "collectstatic", interactive=False, verbosity=0, ignore_patterns=["rest_framework", "vendor"]
        )
        server = LiveServerThread("localhost", _MediaFilesHandler)  # no static handler in front of Django
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            yield f"http://localhost:{server.port}"
        finally:
            server.terminate()


def test_the_admin_page_loads_its_stylesheet_from_whitenoise(whitenoise_server: str, page: Page) -> None:
    User.objects.create_superuser("quantri", "quantri@example.gov.vn", PASSWORD)
    stylesheets: list[Response] = []
    page.on("response", lambda r: stylesheets.append(r) if "/static/admin/css/base." in r.url else None)

    page.goto(f"{whitenoise_server}/quan-tri/login/")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Danh mục và dữ liệu")).to_be_visible()  # the admin's index

    css = stylesheets[-1]
    assert css.status == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.url.rsplit("/", 1)[1].count(".") == 2  # base.<hash>.css: the production name
    header = page.evaluate("getComputedStyle(document.querySelector('#header')).backgroundColor")
    assert header not in ("rgba(0, 0, 0, 0)", "transparent")  # the browser's default: no stylesheet
