import pytest
from django.urls import reverse


@pytest.fixture
def admin_client(client_as):
    return client_as("admin")


def test_pages_require_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    login = client.get(reverse("login"))
    assert "Đăng nhập" in login.content.decode()


def test_demo_login_works(client, demo):
    response = client.post(reverse("login"), {"username": "admin", "password": "baocao-demo-2020"})
    assert response.status_code == 302


def test_figures_page_shows_the_demo_with_comparisons(admin_client):
    page = admin_client.get(
        reverse("analytics:figures"), {"period": "202006", "unit": "TPLS"}
    ).content.decode()
    assert "Số liệu tháng 6/2020 – Thành phố Lạng Sơn" in page
    assert "15/05/2020" in page and "14/06/2020" in page
    assert "Thu ngân sách" in page or "thu ngân sách" in page
    assert "22,6%" in page  # dự toán tháng, computed
    assert "5.832.661.500" in page


def test_figures_page_shows_the_unit_asked_for_or_404(client_as):
    """The dashboard's "Bảng số liệu đầy đủ" link of an agency opened the city's table instead; a unit the
    user may not see (or none of that code) is a 404, as on the dashboard, not silently another unit."""
    leader = client_as("lanhdao")
    page = leader.get(reverse("analytics:figures"), {"period": "202006", "unit": "TPLS_CCT"}).content
    assert "Số liệu tháng 6/2020 – Chi cục Thuế thành phố" in page.decode()
    clerk = client_as("ca.canbo")
    for code in ("TPLS", "KHONG_CO"):
        assert clerk.get(reverse("analytics:figures"), {"period": "202006", "unit": code}).status_code == 404


def test_default_period_and_unit_are_the_latest_with_data(admin_client):
    page = admin_client.get(reverse("analytics:figures")).content.decode()
    assert "tháng 7/2020" not in page.split("</h1>")[0]
    assert "tháng 6/2020" in page.split("</h1>")[0]


def test_bad_period_gives_a_vietnamese_error(admin_client):
    response = admin_client.get(reverse("analytics:figures"), {"period": "2020-13"})
    assert response.status_code == 400
    assert "Mã kỳ báo cáo &quot;2020-13&quot; không hợp lệ" in response.content.decode()


@pytest.mark.parametrize(
    "model",
    [
        "orgunit",
        "orgunitsuccession",
        "sector",
        "unitofmeasure",
        "indicator",
        "targettype",
        "target",
        "datavalue",
        "valuechange",
    ],
)
def test_admin_lists_reference_data_in_vietnamese(admin_client, model):
    app = {
        "orgunit": "orgunits",
        "orgunitsuccession": "orgunits",
        "datavalue": "collection",
        "valuechange": "collection",
    }.get(model, "indicators")
    response = admin_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
