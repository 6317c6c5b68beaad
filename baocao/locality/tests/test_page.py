"""The administrator's bundle page (/dia-phuong/, issue 13 item 1): upload, dry run grouped by kind with
what is created, changed (old → new) and left alone, then "Áp dụng" applies exactly what was shown; the
set-password links of new users; the export of one's own subtree; the history of imports."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from baocao.indicators.models import Target
from baocao.locality.models import LocalityImport
from baocao.locality.tests.page_helpers import FILES, upload, workbook, zipped
from baocao.orgunits.models import OrgUnit
from baocao.testing.factories import make_unit, make_user

pytestmark = pytest.mark.django_db

URL = "/dia-phuong/"


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    """Uploads kept between the dry run and "Áp dụng" go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "locality-uploads"


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("quantri", superuser=True))
    return client


def _check(client, data: bytes, name: str = "tinh-thu.zip"):
    return client.post(URL + "chay-thu/", {"file": upload(name, data)})


def _digest(page: str) -> str:
    match = re.search(r'name="plan" value="([0-9a-f]{64})"', page)
    assert match, "no Áp dụng form on the page"
    return match.group(1)


def test_the_dry_run_lists_what_will_be_created_grouped_by_kind_and_writes_nothing(admin_client):
    response = _check(admin_client, zipped(FILES))

    page = response.content.decode()
    assert response.status_code == 200, page
    assert "Kết quả chạy thử" in page and "Chưa có gì được ghi" in page
    assert "Sẽ tạo mới" in page
    for key in ("TINH_THU", "PHUONG_A", "XA_B", "THU_NS", "pa.quantri"):
        assert key in page
    assert "org-units.csv, dòng 3" in page  # each object with the file and line it comes from
    assert "Áp dụng" in page
    assert not OrgUnit.objects.exists() and not User.objects.filter(username="pa.quantri").exists()
    assert not LocalityImport.objects.exists()


def test_apply_imports_what_was_shown_records_it_and_gives_the_new_users_set_password_links(
    admin_client, uploads
):
    page = _check(admin_client, zipped(FILES)).content.decode()
    assert len(list(uploads.iterdir())) == 1  # kept on the server between the two steps

    response = admin_client.post(URL + "ap-dung/", {"plan": _digest(page)})

    page = response.content.decode()
    assert response.status_code == 200, page
    assert "Đã áp dụng bộ cấu hình “tinh-thu-2025”" in page
    assert list(uploads.iterdir()) == []  # and removed once applied
    assert 'PHUONG_A <span class="muted">(tạo mới)</span>' in page  # what was done, by kind
    assert set(OrgUnit.objects.values_list("code", flat=True)) == {"TINH_THU", "PHUONG_A", "XA_B"}
    # the bundle's numbers are read the Vietnamese way
    assert Target.objects.get(indicator__code="THU_NS").value == Decimal("2990000")
    assert Target.objects.get(indicator__code="TAI_NAN").value == Decimal("7800")
    link = re.search(r"http://testserver/dat-mat-khau/[^/<\s]+/[^/<\s]+/", page)
    assert link, page
    assert not User.objects.get(username="pa.quantri").has_usable_password()
    record = LocalityImport.objects.get()
    assert record.actor.username == "quantri" and record.bundle_name == "tinh-thu-2025"
    assert "Lịch sử nhập bộ cấu hình" in page and record.bundle_sha256[:12] in page

    # the link works: the new user sets a password and signs in
    admin_client.logout()
    form_page = admin_client.get(link.group(0), follow=True)
    assert form_page.status_code == 200
    posted = admin_client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(0),
        {"new_password1": "Mat-khau-moi-2025", "new_password2": "Mat-khau-moi-2025"},
    )
    assert posted.status_code == 302
    assert User.objects.get(username="pa.quantri").check_password("Mat-khau-moi-2025")


def test_the_same_bundle_again_changes_nothing_and_offers_nothing_to_apply(admin_client):
    page = _check(admin_client, zipped(FILES)).content.decode()
    admin_client.post(URL + "ap-dung/", {"plan": _digest(page)})

    page = _check(admin_client, zipped(FILES)).content.decode()

    assert "Không có gì thay đổi" in page
    assert 'name="plan"' not in page
    assert "0 tạo mới" in page and "0 thay đổi" in page


def test_a_changed_field_is_shown_old_and_new_and_the_workbook_is_the_same_bundle(admin_client):
    page = _check(admin_client, zipped(FILES)).content.decode()
    admin_client.post(URL + "ap-dung/", {"plan": _digest(page)})
    renamed = {**FILES, "org-units.csv": FILES["org-units.csv"].replace("Xã Bình Minh", "Xã Bình Minh Mới")}

    response = _check(admin_client, workbook(renamed), "tinh-thu.xlsx")

    page = response.content.decode()
    assert response.status_code == 200, page
    assert "Sẽ thay đổi (1)" in page
    assert re.search(
        r"<td>name</td><td class=\"old\">Xã Bình Minh</td><td class=\"new\">Xã Bình Minh Mới</td>", page
    )
    admin_client.post(URL + "ap-dung/", {"plan": _digest(page)})
    assert OrgUnit.objects.get(code="XA_B").name == "Xã Bình Minh Mới"


def test_nothing_is_applied_when_the_database_changed_since_the_dry_run(admin_client):
    page = _check(admin_client, zipped(FILES)).content.decode()
    shown = _digest(page)
    make_unit("TINH_THU", "Tỉnh Thử (tạo ở nơi khác)", "province")  # someone else, meanwhile

    response = admin_client.post(URL + "ap-dung/", {"plan": shown})

    page = response.content.decode()
    assert response.status_code == 409
    assert "Dữ liệu đã thay đổi từ lúc chạy thử nên chưa áp dụng gì" in page
    assert list(OrgUnit.objects.values_list("code", flat=True)) == ["TINH_THU"]
    assert not LocalityImport.objects.exists()
    assert "Sẽ thay đổi" in page  # the new dry run: the province now exists and its name changes
    admin_client.post(URL + "ap-dung/", {"plan": _digest(page)})
    assert OrgUnit.objects.get(code="TINH_THU").name == "Tỉnh Thử"


def test_apply_refuses_without_a_dry_run_or_with_the_plan_of_another_upload(admin_client):
    response = admin_client.post(URL + "ap-dung/", {"plan": "0" * 64})
    assert response.status_code == 400
    assert "hãy tải tệp lên và bấm “Chạy thử” trước" in response.content.decode()

    first = _digest(_check(admin_client, zipped(FILES)).content.decode())
    other = {**FILES, "sectors.csv": "code,name\nKT,Kinh tế\nXH,Xã hội\n"}
    _check(admin_client, zipped(other))  # a second tab
    response = admin_client.post(URL + "ap-dung/", {"plan": first})

    assert response.status_code == 409
    assert "không phải của tệp tải lên gần nhất" in response.content.decode()
    assert not OrgUnit.objects.exists()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("org-units.csv", b"0" * (60 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("rac.zip", b"\x00\x01 not a zip at all" * 100, "không phải tệp ZIP hay sổ Excel"),
        ("rac.zip", b"PK\x03\x04" + b"\xff" * 500, "không phải ZIP hay Excel (.xlsx) đọc được"),
        ("la.zip", zipped({"la.csv": "a,b\n1,2\n"}), "tệp không thuộc bộ cấu hình"),
        (
            "sai.zip",
            zipped({"org-units.csv": "code,name,type,valid_from\nX,Xã X,hanh_tinh,2025-07-01\n"}),
            "org-units.csv, dòng 2",
        ),
        ("rong.zip", b"", "Tệp tải lên rỗng"),
        ("bom.zip", _bomb(), "quá lớn (tối đa 50 MB khi giải nén)"),  # 60 MB of one byte, zipped to ~60 KB
    ],
)
def test_garbage_is_refused_in_vietnamese_never_a_500_and_nothing_is_written(
    admin_client, name, data, message
):
    response = _check(admin_client, data, name)

    page = response.content.decode()
    assert response.status_code == 400, page
    assert message in page
    assert 'name="plan"' not in page
    assert not OrgUnit.objects.exists()


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(admin_client, settings):
    big = b"PK\x03\x04" + b"0" * (20 * 1024 * 1024)

    response = _check(admin_client, big, "to.zip")

    assert response.status_code == 400
    assert "quá lớn: tối đa 20 MB" in response.content.decode()


def test_a_server_that_cannot_keep_the_upload_says_so_and_offers_nothing_to_apply(
    admin_client, settings, tmp_path
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the uploads folder should be")
    settings.MEDIA_ROOT = blocked

    response = _check(admin_client, zipped(FILES))

    page = response.content.decode()
    assert response.status_code == 503
    assert "Máy chủ không lưu được tệp tạm" in page and "Sẽ tạo mới" in page
    assert 'name="plan"' not in page


def test_only_administrators_open_the_page_and_see_it_in_the_menu(client, admin_client):
    assert 'href="/dia-phuong/"' in admin_client.get("/dia-phuong/").content.decode()
    city = make_unit("C", "Thành phố Thử", "city")
    client.force_login(make_user("canbo", "unit_staff", city))
    assert client.get(URL).status_code == 403
    assert client.post(URL + "chay-thu/", {"file": upload("a.zip", zipped(FILES))}).status_code == 403
    assert 'href="/dia-phuong/"' not in client.get("/bao-cao/").content.decode()
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_the_export_downloads_the_current_bundle_which_reimports_unchanged(admin_client):
    page = _check(admin_client, zipped(FILES)).content.decode()
    admin_client.post(URL + "ap-dung/", {"plan": _digest(page)})

    response = admin_client.get(URL + "tai-ve/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "bo-cau-hinh-toan-bo/org-units.csv" in names

    page = _check(admin_client, response.content, "bo-cau-hinh.zip").content.decode()
    assert "Không có gì thay đổi" in page

    workbook_response = admin_client.get(URL + "tai-ve/?dinh_dang=xlsx")
    assert workbook_response.status_code == 200
    page = _check(admin_client, workbook_response.content, "bo-cau-hinh.xlsx").content.decode()
    assert "Không có gì thay đổi" in page


def test_a_unit_administrator_exports_only_their_own_subtree(client, admin_client):
    page = _check(admin_client, zipped(FILES)).content.decode()
    admin_client.post(URL + "ap-dung/", {"plan": _digest(page)})
    client.force_login(make_user("pa.admin", "admin", OrgUnit.objects.get(code="PHUONG_A")))

    response = client.get(URL + "tai-ve/?don_vi=PHUONG_A")
    files = zipfile.ZipFile(io.BytesIO(response.content))
    units = files.read("bo-cau-hinh-PHUONG_A/org-units.csv").decode()

    assert "PHUONG_A" in units and "XA_B" not in units
    assert client.get(URL + "tai-ve/?don_vi=XA_B").status_code == 404
    assert client.get(URL + "tai-ve/?don_vi=TINH_THU").status_code == 404
