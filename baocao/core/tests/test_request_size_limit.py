"""An oversized upload is refused at the server's limit (issue 16, bad input): a 413 in Vietnamese from the
declared length alone, the body never read — a page for the pages, the API's errors under /api/. The bulk
import keeps its own larger limit; a chunked body (no Content-Length) is read up to the limit and no further.

The test client's body (FakePayload) fails the test if anything reads more than was really sent: a request
that declares 30 MB and sends a few bytes is answered without reading them."""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from baocao.accounts.models import Role
from baocao.core.limits_middleware import ChunkedBodyLimit
from baocao.indicators.models import DataSet, DataSetIndicator
from baocao.testing.factories import make_user

MB = 1024 * 1024
FORM = "multipart/form-data; boundary=xyz"


def test_a_page_upload_over_the_limit_is_a_vietnamese_page_before_the_body_is_read(client):
    response = client.post("/dia-phuong/", b"--xyz\r\n", content_type=FORM, CONTENT_LENGTH=str(30 * MB))
    assert response.status_code == 413
    page = response.content.decode()
    assert "Dữ liệu gửi lên quá lớn (30 MB): máy chủ chỉ nhận tối đa 25 MB mỗi lần gửi." in page
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in response  # the page goes out with the site's headers


def test_the_api_answers_in_its_own_error_form(client):
    response = client.post(
        "/api/v1/data-values/", b"{}", content_type="application/json", CONTENT_LENGTH=str(26 * MB)
    )
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["message"].startswith("Dữ liệu gửi lên quá lớn (26 MB): máy chủ chỉ nhận tối đa 25 MB")


def test_the_limit_is_a_setting(client, settings):
    settings.BAOCAO_MAX_REQUEST_BYTES = 1024
    response = client.post("/dang-nhap/", {"username": "a" * 2000, "password": "x"})
    assert response.status_code == 413
    assert "máy chủ chỉ nhận tối đa 1 KB mỗi lần gửi" in response.content.decode()


def test_the_bulk_import_keeps_its_own_larger_limit(client, settings):
    settings.BAOCAO_API_MAX_UPLOAD_BYTES = 50 * MB
    beyond_own = client.post(
        "/api/v1/data-value-sets/", b"x", content_type="text/csv", CONTENT_LENGTH=str(60 * MB)
    )
    assert beyond_own.status_code == 413
    assert "tối đa 50 MB" in beyond_own.json()["errors"][0]["message"]
    settings.BAOCAO_MAX_REQUEST_BYTES = 10
    small_body = "indicator,org_unit,period,kind,value,comment\n"
    within_own = client.post("/api/v1/data-value-sets/", small_body, content_type="text/csv")
    assert within_own.status_code == 401  # past the server's limit: the API itself asks who is sending


# ----------------------------------------------------------------------------- chunked bodies (WSGI level)


@pytest.fixture
def wsgi():
    """The WSGI application as baocao/wsgi.py composes it; database connections kept open inside the test's
    transaction, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield ChunkedBodyLimit(WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(application, path: str, body: bytes, **headers: str) -> tuple[str, bytes, io.BytesIO]:
    """POST ``body`` as a chunked request (already taken apart by the server, as gunicorn does)."""
    stream = io.BytesIO(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "HTTP_TRANSFER_ENCODING": "chunked",
        "SERVER_NAME": "testserver",
        "HTTP_HOST": "testserver",
        "wsgi.input": stream,
        **headers,
    }
    setup_testing_defaults(environ)
    answer: list[str] = []
    content = b"".join(application(environ, lambda status, _headers, *_: answer.append(status)))
    return answer[0], content, stream


def test_a_chunked_body_over_the_limit_is_refused_after_reading_one_byte_more(wsgi, settings, db):
    settings.BAOCAO_MAX_REQUEST_BYTES = 1000
    status, content, stream = call(wsgi, "/api/v1/data-values/", b"{" * 5000, CONTENT_TYPE="application/json")
    assert status.startswith("413")
    assert json.loads(content)["errors"][0]["message"].startswith(
        "Dữ liệu gửi lên quá lớn (hơn 1 KB): máy chủ chỉ nhận tối đa 1 KB mỗi lần gửi."
    )  # the body's full size is not known: only that it is more than the limit
    assert stream.tell() == 1001  # the rest of the body never read


def test_a_chunked_bulk_import_within_the_limit_reaches_the_api(wsgi, world):
    form = DataSet.objects.create(code="BM_CA", name="Biểu công an", period_type="month")
    form.org_units.set([world.police])
    DataSetIndicator.objects.create(data_set=form, indicator=world.indicator("HS"), kind="actual")
    token = Token.objects.create(user=make_user("ca_canbo", Role.UNIT_STAFF, world.police))
    body = b"indicator,org_unit,period,kind,value,comment\nHS,CITY_POLICE,202006,actual,7,\n"
    status, content, _ = call(
        wsgi,
        "/api/v1/data-value-sets/",
        body,
        QUERY_STRING="dry_run=true",
        CONTENT_TYPE="text/csv",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert status.startswith("200"), content
    assert json.loads(content)["total"] == 1  # without the length Django would have read an empty body
