"""Django's own error pages that the project's templates replace: the CSRF failure (a form sent from a
page left open too long, or with cookies blocked) was Django's English page, with inline styles that the
Content-Security-Policy blocks; it is Vietnamese and styled by the site's stylesheet."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_form_sent_without_its_csrf_token_gets_a_vietnamese_page():
    response = Client(enforce_csrf_checks=True).post("/dang-nhap/", {"username": "a", "password": "b"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "Không gửi được biểu mẫu" in page
    assert "tải lại trang (F5) rồi gửi lại" in page
    assert "CSRF verification failed" not in page
    assert "<style" not in page  # nothing inline for the policy to block
