"""Data quality in the browser: Công an thành phố's clerk types a "trong đó" figure larger than its total;
the rule's message appears under both fields as the field is saved, stays after reloading, and goes away
once the figure is corrected."""

from playwright.sync_api import Page, expect

from baocao.demo.loader import load_demo
from baocao.indicators.models import DataSetIndicator

FORM = "/so-lieu/nhap/BM_TPLS_CA/TPLS_CA/202006/"


def field(code: str) -> str:
    member = DataSetIndicator.objects.get(data_set__code="BM_TPLS_CA", indicator__code=code)
    return f"#f{member.pk}"


def test_a_violation_shows_under_the_field(transactional_db, page: Page, live_server, login):
    load_demo()
    part, total = field("MT_CHUYEN_AN_DOI_TUONG"), field("MT_DOI_TUONG")
    login("ca.canbo")
    page.goto(f"{live_server.url}{FORM}")
    expect(page.locator(f"{part}-rules")).to_have_text("")

    page.locator(part).fill("50")
    page.locator(part).press("Tab")
    expect(page.locator(f"{part}-msg")).to_have_text("Đã lưu")
    rule = "Cao (chặn phê duyệt): Tổng và các chỉ tiêu “trong đó” – Số đối tượng mua bán"
    expect(page.locator(f"{part}-rules")).to_contain_text(rule)
    expect(page.locator(f"{part}-rules")).to_contain_text("= 21 không được nhỏ hơn tổng")
    expect(page.locator(f"{total}-rules")).to_contain_text(rule)

    page.reload()
    expect(page.locator(f"{part}-rules")).to_contain_text(rule)
    expect(page.locator("#quality-panel")).to_contain_text("ở mức cao sẽ chặn phê duyệt")

    page.locator(part).fill("3")
    page.locator(part).press("Tab")
    expect(page.locator(f"{part}-msg")).to_have_text("Đã lưu")
    expect(page.locator(f"{part}-rules")).to_have_text("")
    expect(page.locator(f"{total}-rules")).to_have_text("")
