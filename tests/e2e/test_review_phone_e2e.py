"""At a phone's width (390 px) the pages of the dashboard and of the signed reports stay usable: the page
itself never scrolls sideways (a wide table scrolls inside its own box)."""

import pytest
from playwright.sync_api import Page, expect

from baocao.demo.loader import load_demo

PHONE = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(
    "path",
    [
        "/tong-hop/tong-quan/chi-tieu/?indicator=THU_NSNN&kind=actual&unit=TPLS&period=202006",
        "/?unit=TPLS&period=202006",
        "/tong-hop/kham-pha/?indicator=THU_NSNN&indicator=HS_VU&unit=TPLS&from=202001&to=202006",
    ],
)
def test_the_leader_reads_the_dashboard_pages_on_a_phone(
    transactional_db, page: Page, live_server, login, path
):
    load_demo(ward=False)
    page.set_viewport_size(PHONE)
    login("lanhdao")
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("main")).to_contain_text("tháng 6/2020")
    assert page_width(page) <= PHONE["width"]
