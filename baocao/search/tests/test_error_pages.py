"""Vietnamese error pages (issue 17, point 4): 403, 404 and a 500 that needs no request context."""

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults

from baocao.reports.models import ReportRun


def test_500_renders_without_any_context_and_speaks_vietnamese(db) -> None:
    # Django's server_error renders the template with an empty Context: no request, no user.
    response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="vi">' in html
    assert "Đã xảy ra lỗi hệ thống" in html
    assert "Server Error" not in html
    assert "Đã xảy ra lỗi hệ thống" in render_to_string("500.html")


def test_404_is_vietnamese_with_breadcrumbs_and_the_search_hint(client_as) -> None:
    response = client_as("vanphong").get("/khong-co-trang-nay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html
    assert 'aria-label="Đường dẫn"' in html and "Trang chủ" in html
    assert "Tìm kiếm" in html
    assert "Not Found" not in html


def test_403_names_the_refused_action(client_as) -> None:
    run = ReportRun.objects.get(period="202006")
    response = client_as("vanphong").post(reverse("reports:sign", args=[run.pk]))  # the office may not issue
    html = response.content.decode()
    assert response.status_code == 403
    assert "Bạn không có quyền ban hành báo cáo của" in html
    assert "Không thực hiện được" in html and "403 Forbidden" not in html
    assert 'aria-label="Đường dẫn"' in html and "xin liên hệ quản trị hệ thống" in html
