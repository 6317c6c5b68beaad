"""The header's search (issue 17, point 4): accent-insensitive, scoped, grouped, Vietnamese order."""

import datetime
import re
import unicodedata

import pytest
from django.urls import reverse

from baocao.assignments.models import Task
from baocao.orgunits.models import OrgUnit
from baocao.testing.factories import make_unit

URL = "/tim-kiem/"


def hits(response, kind: str) -> list[str]:
    """The titles listed under one group of the results page."""
    html = response.content.decode()
    match = re.search(rf'<h2 id="kq-{kind}">.*?</h2>\s*<ul class="search-hits">(.*?)</ul>', html, re.S)
    if match is None:
        return []
    return [t.strip() for t in re.findall(r"<a href=\"[^\"]*\">([^<]*)</a>", match.group(1))]


@pytest.fixture
def school_task(demo):
    return Task.objects.create(
        content="Đẩy mạnh chuyển đổi số trong trường học",
        lead_unit=OrgUnit.objects.get(code="TPLS_PGDDT"),
        assigned_on=datetime.date(2020, 5, 5),
        deadline_kind="once",
        deadline=datetime.date(2020, 6, 30),
    )


def test_typing_without_accents_finds_the_indicator_with_accents(client_as) -> None:
    client = client_as("vanphong")
    response = client.get(URL, {"q": "thu ngan sach"})
    assert response.status_code == 200
    assert "Thu ngân sách nhà nước trên địa bàn" in hits(response, "indicators")
    assert 'href="/tong-hop/tong-quan/chi-tieu/?indicator=THU_NSNN"' in response.content.decode()
    # Capitals, accents typed, and text in decomposed form (pasted from macOS) find the same.
    for query in ("THU NGÂN SÁCH", unicodedata.normalize("NFD", "thu ngân sách"), "sach ngan thu"):
        assert "Thu ngân sách nhà nước trên địa bàn" in hits(client.get(URL, {"q": query}), "indicators")


def test_units_tasks_and_reports_are_found_and_linked(client_as, school_task) -> None:
    client = client_as("vanphong")
    units = client.get(URL, {"q": "phong giao duc"})
    assert hits(units, "units") == ["Phòng Giáo dục và Đào tạo"]
    assert 'href="/?unit=TPLS_PGDDT"' in units.content.decode()

    tasks = client.get(URL, {"q": "chuyen doi so truong hoc"})
    assert hits(tasks, "tasks") == ["Đẩy mạnh chuyển đổi số trong trường học"]
    assert f'href="{reverse("assignments:task", args=[school_task.pk])}"' in tasks.content.decode()

    reports = client.get(URL, {"q": "bao cao thang 6/2020"})
    titles = hits(reports, "reports")
    assert titles and all("tháng 6/2020" in t for t in titles)
    assert 'href="/bao-cao/' in reports.content.decode()


def test_a_unit_clerk_finds_only_what_they_may_see(client_as, school_task) -> None:
    client = client_as("ca.canbo")  # the police's clerk
    assert hits(client.get(URL, {"q": "phong giao duc"}), "units") == []
    assert hits(client.get(URL, {"q": "chuyen doi so truong hoc"}), "tasks") == []
    assert hits(client.get(URL, {"q": "cong an"}), "units") == ["Công an thành phố"]
    # Another unit's reports are not listed either (the demo's report is the city's).
    assert hits(client.get(URL, {"q": "bao cao"}), "reports") == []


def test_results_are_in_vietnamese_order(client_as) -> None:
    city = OrgUnit.objects.get(code="TPLS")
    for code, name in [("X1", "Tổ Đặc nhiệm Xyzw"), ("X2", "Tổ Dân vận Xyzw"), ("X3", "Tổ Ăn uống Xyzw")]:
        make_unit(code, name, "department", city)
    make_unit("X4", "Tổ An ninh Xyzw", "department", city)
    titles = hits(client_as("admin").get(URL, {"q": "xyzw"}), "units")
    # Code-point order would put "Ă" and "Đ" after "D": Tổ An, Tổ Dân, Tổ Ăn, Tổ Đặc.
    assert titles == ["Tổ An ninh Xyzw", "Tổ Ăn uống Xyzw", "Tổ Dân vận Xyzw", "Tổ Đặc nhiệm Xyzw"]


def test_empty_overlong_and_hostile_queries_get_a_vietnamese_answer(client_as) -> None:
    client = client_as("vanphong")
    empty = client.get(URL, {"q": "   "})
    assert empty.status_code == 200
    assert "Nhập từ cần tìm" in empty.content.decode()

    long = client.get(URL, {"q": "thu " * 300})
    assert long.status_code == 400
    assert "hãy nhập tối đa 100 ký tự" in long.content.decode()

    script = client.get(URL, {"q": "<script>alert(1)</script>"})
    assert script.status_code == 200
    assert "<script>alert(1)" not in script.content.decode()
    assert "&lt;script&gt;alert(1)" in script.content.decode()

    percent = client.get(URL, {"q": "%"})  # must not match every row through LIKE '%%%'
    assert percent.status_code == 200
    assert "không có chữ hoặc số" in percent.content.decode()
    assert hits(client.get(URL, {"q": "100% _"}), "indicators") == []

    assert client.get(URL, {"q": "a b c d e f g h i"}).status_code == 400


def test_the_header_has_the_search_box_and_anonymous_users_are_sent_to_sign_in(client, client_as) -> None:
    assert client.get(URL, {"q": "thu"}).status_code == 302
    page = client_as("ca.canbo").get(reverse("assignments:mine")).content.decode()
    assert 'role="search"' in page and 'action="/tim-kiem/"' in page
