"""Finding things in the browser (issue 17, point 4): the header's search, the sortable and filterable
tasks table in Vietnamese order, and the month picker of report creation."""

import datetime

from playwright.sync_api import Page, expect

from baocao.assignments.models import Task
from baocao.demo.loader import load_demo
from baocao.orgunits.models import OrgUnit


def test_typing_without_accents_in_the_header_finds_the_indicator(
    transactional_db, page: Page, live_server, login
):
    load_demo(ward=False)
    login("lanhdao")
    page.goto(f"{live_server.url}/bao-cao/")
    box = page.get_by_label("Tìm kiếm", exact=True)
    box.fill("thu ngan sach")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Chỉ tiêu")).to_be_visible()
    page.get_by_role("link", name="Thu ngân sách nhà nước trên địa bàn").click()
    expect(page).to_have_url(f"{live_server.url}/tong-hop/tong-quan/chi-tieu/?indicator=THU_NSNN")
    expect(page.locator("main")).to_contain_text("Thu ngân sách nhà nước trên địa bàn")


def test_the_tasks_table_filters_without_accents_and_sorts_in_vietnamese_order(
    transactional_db, page: Page, live_server, login
):
    load_demo(ward=False)
    unit = OrgUnit.objects.get(code="TPLS_PGDDT")
    for content, deadline in [
        ("Đôn đốc thu học phí Xyzw", 20),
        ("Dọn vệ sinh trường lớp Xyzw", 25),
        ("Ăn bán trú an toàn Xyzw", 22),
        ("An ninh trường học Xyzw", 28),
    ]:
        Task.objects.create(
            content=content,
            lead_unit=unit,
            assigned_on=datetime.date(2020, 5, 5),
            deadline_kind="once",
            deadline=datetime.date(2099, 6, deadline),
        )
    errors: list[str] = []  # CSP refusals and script errors would leave the table inert
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login("vanphong")
    page.goto(f"{live_server.url}/nhiem-vu/")
    table = page.locator("table[data-table-tools]")
    page.get_by_label("Lọc nhiệm vụ (có dấu hoặc không dấu)").fill("xyzw")
    expect(page.locator(".table-filter-status")).to_have_text(
        "Hiển thị 4/" + str(table.locator("tbody tr").count()) + " dòng."
    )
    visible = table.locator("tbody tr:visible td:first-child a")

    table.get_by_role("button", name="Nhiệm vụ").click()
    expect(visible).to_have_text(
        [
            "An ninh trường học Xyzw",
            "Ăn bán trú an toàn Xyzw",
            "Dọn vệ sinh trường lớp Xyzw",
            "Đôn đốc thu học phí Xyzw",
        ]
    )
    expect(table.locator("th", has_text="Nhiệm vụ")).to_have_attribute("aria-sort", "ascending")
    table.get_by_role("button", name="Nhiệm vụ").click()
    expect(visible.first).to_have_text("Đôn đốc thu học phí Xyzw")

    table.get_by_role("button", name="Hạn").click()
    expect(visible).to_have_text(
        [
            "Đôn đốc thu học phí Xyzw",
            "Ăn bán trú an toàn Xyzw",
            "Dọn vệ sinh trường lớp Xyzw",
            "An ninh trường học Xyzw",
        ]
    )
    page.get_by_label("Lọc nhiệm vụ (có dấu hoặc không dấu)").fill("don doc")
    expect(visible).to_have_text(["Đôn đốc thu học phí Xyzw"])
    assert not [e for e in errors if "favicon" not in e], errors


def test_a_report_draft_is_made_by_choosing_a_month(
    transactional_db, page: Page, live_server, login, settings
):
    load_demo(ward=False)
    settings.BAOCAO_TODAY = "2020-07-10"
    login("vanphong")
    page.goto(f"{live_server.url}/bao-cao/")
    picker = page.locator("select[name=period]").first
    expect(picker.locator("option:checked")).to_have_text("Tháng 7/2020 (15/6–14/7)")
    picker.select_option(label="Tháng 5/2020 (15/4–14/5)")
    page.get_by_role("button", name="Lập dự thảo").first.click()
    expect(page.locator("main")).to_contain_text("tháng 5/2020")
