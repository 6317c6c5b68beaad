"""A unit enters and submits its June 2020 figures; the office returns them, then accepts them; the leader
approves; after approval the unit cannot change them. Ban Tiếp công dân's form, typed in by hand."""

import re

from playwright.sync_api import Page, expect

from baocao.collection.models import DataValue
from baocao.demo.loader import load_demo
from baocao.indicators.models import DataSetIndicator

FORM = "/so-lieu/nhap/BM_TPLS_BTCD/TPLS_BTCD/202006/"
# The seed's figures of Ban Tiếp công dân, as a clerk types them.
TYPED = {
    "TCD_DINH_KY": "17",
    "TCD_THUONG_XUYEN": "20",
    "DON_TIEP_NHAN": "42",
    "DON_DE_NGHI": "35",
    "DON_KHIEU_NAI": "07",
    "DON_KHONG_THAM_QUYEN": "4",
}


def field(code: str) -> str:
    member = DataSetIndicator.objects.get(data_set__code="BM_TPLS_BTCD", indicator__code=code)
    return f"#f{member.pk}"


def open_form(page: Page, live_server) -> None:
    page.get_by_role("link", name="Nhập số liệu").click()
    page.get_by_role("link", name="Mở biểu nhập").click()
    expect(page).to_have_url(re.compile(FORM))


def test_enter_submit_return_accept_approve(transactional_db, page: Page, live_server, login):
    load_demo(ward=False)  # the June 2020 demo alone: its latest month is the form's default period
    DataValue.objects.filter(org_unit__code="TPLS_BTCD", period="202006").delete()

    # The unit's clerk types the figures; each field is saved as the clerk leaves it.
    login("btcd.canbo")
    open_form(page, live_server)
    expect(page.get_by_role("button", name="Lưu và gửi số liệu")).to_have_count(0)  # staff do not submit
    first = page.locator(field("TCD_DINH_KY"))
    first.fill("17")
    first.press("Tab")
    expect(page.locator(f"{field('TCD_DINH_KY')}-msg")).to_have_text("Đã lưu")
    page.locator(field("DON_KHIEU_NAI")).fill("bảy")
    page.locator(field("DON_KHIEU_NAI")).press("Tab")
    expect(page.locator(f"{field('DON_KHIEU_NAI')}-msg")).to_contain_text("không hợp lệ")
    for code, text in TYPED.items():
        page.locator(field(code)).fill(text)
    page.locator(field("DON_KHONG_THAM_QUYEN")).press("Enter")  # keyboard only: Enter saves
    expect(page.get_by_text("Đã lưu")).to_be_visible()
    expect(page.locator(field("DON_KHIEU_NAI"))).to_have_value("7")  # read back, written the plain way
    stored = dict(
        DataValue.objects.filter(org_unit__code="TPLS_BTCD", period="202006").values_list(
            "indicator__code", "value"
        )
    )
    assert {code: int(value) for code, value in stored.items()} == {c: int(t) for c, t in TYPED.items()}

    # The unit's head submits.
    login("btcd.truong")
    open_form(page, live_server)
    page.get_by_role("button", name="Gửi số liệu", exact=True).click()  # opens the confirmation
    page.get_by_role("button", name="Lưu và gửi số liệu").click()
    expect(page.locator("#status")).to_have_text("Đã gửi")

    # The office returns it with a reason.
    login("vanphong")
    page.get_by_role("link", name="Tiếp nhận, phê duyệt").click()
    row = page.get_by_role("row").filter(has_text="Ban Tiếp công dân")
    expect(row).to_contain_text("Đã gửi")
    row.get_by_role("link", name="Xem, xử lý").click()
    page.get_by_label("Lý do trả lại (bắt buộc)").fill("Số đơn đề nghị chưa khớp sổ tiếp nhận")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.locator("#status")).to_have_text("Bị trả lại")

    # The unit sees why, corrects and submits again.
    login("btcd.truong")
    open_form(page, live_server)
    expect(page.get_by_role("alert")).to_contain_text("Số đơn đề nghị chưa khớp sổ tiếp nhận")
    page.locator(field("DON_DE_NGHI")).fill("35")
    page.get_by_role("button", name="Gửi số liệu", exact=True).click()  # opens the confirmation
    page.get_by_role("button", name="Lưu và gửi số liệu").click()
    expect(page.locator("#status")).to_have_text("Đã gửi")

    # The office accepts; the leader approves.
    login("vanphong")
    page.goto(f"{live_server.url}{FORM}")
    page.get_by_role("button", name="Tiếp nhận").click()
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận")
    login("lanhdao")
    page.goto(f"{live_server.url}{FORM}")
    page.get_by_role("button", name="Phê duyệt").click()
    expect(page.locator("#status")).to_have_text("Đã phê duyệt")

    # After approval the unit cannot change the figures.
    login("btcd.canbo")
    open_form(page, live_server)
    expect(page.locator(field("DON_TIEP_NHAN"))).to_be_disabled()
    expect(page.get_by_role("button", name="Lưu", exact=True)).to_have_count(0)
    expect(page.get_by_text("Số liệu đã phê duyệt, không sửa được")).to_be_visible()
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}{FORM}luu/",
        form={field("DON_TIEP_NHAN")[1:]: "50"},
        headers={"X-CSRFToken": token, "Referer": live_server.url},
    )
    assert response.status == 409  # the closed-form refusal, as the API answers it
    assert "phê duyệt" in response.json()["error"]
    assert (
        DataValue.objects.get(
            indicator__code="DON_TIEP_NHAN", org_unit__code="TPLS_BTCD", period="202006"
        ).value
        == 42
    )
