"""Phones: at 390 px the archive import (office) and the narrative history (a unit's clerk) never
scroll sideways as a whole; the archive's text box and report-type list widened the page to 843 px."""

import pytest
from playwright.sync_api import Page

from baocao.demo.loader import load_demo
from tests.e2e.test_phone_pages_e2e import OVERFLOWING, PHONE, page_width


@pytest.mark.parametrize(
    ("username", "path"),
    [("vanphong", "/bao-cao/nhap-bao-cao-cu/"), ("ca.canbo", "/so-lieu/noi-dung/TPLS_CA/202006/lich-su/")],
)
def test_archive_import_and_narrative_history_fit_a_phone(
    transactional_db, page: Page, live_server, login, username, path
):
    load_demo(ward=False)
    page.set_viewport_size(PHONE)
    login(username)
    page.goto(f"{live_server.url}{path}")
    assert page_width(page) <= PHONE["width"], page.evaluate(OVERFLOWING, PHONE["width"])
