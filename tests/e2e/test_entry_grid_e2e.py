"""The entry grid with the keyboard alone (issue 17, point 1): the police's whole June 2020 form typed
with arrows and Enter and a 10-row block pasted from the clipboard (a bad cell outlined, Ctrl+Z taking
the whole block back), a comment opened with Shift+F2, never a page reload; the banner's next step for
the clerk and the head, whose "Gửi" asks for confirmation; at a phone's width the page does not scroll
sideways while the grid scrolls inside itself with the indicator names fixed.

The numbers are made up (not the seed report's)."""

from decimal import Decimal

from playwright.sync_api import Page, expect

from baocao.collection.models import DataValue
from baocao.demo.loader import load_demo
from baocao.indicators.models import DataSetIndicator

FORM = "/so-lieu/nhap/BM_TPLS_CA/TPLS_CA/202006/"
# The 10-row block as a spreadsheet puts it on the clipboard: Vietnamese and plain number formats.
# Pasted into the third cell: from HS_CHET (a count) to MT_VIEN_NEN; the 8th and 9th take grams.
BLOCK = ["3", "2", "1.250.000", "6", "9", "4", "2", "1.234,5", "87.25", "40"]
BLOCK_VALUES = [3, 2, 1250000, 6, 9, 4, 2, Decimal("1234.5"), Decimal("87.25"), 40]


def form_codes() -> list[str]:
    return [
        m.indicator.code
        for m in DataSetIndicator.objects.filter(data_set__code="BM_TPLS_CA")
        .select_related("indicator")
        .order_by("sort_order", "pk")
    ]


def key_of(code: str) -> str:
    return f"f{DataSetIndicator.objects.get(data_set__code='BM_TPLS_CA', indicator__code=code).pk}"


def focused_name(page: Page) -> str:
    return page.evaluate("document.activeElement.name || ''")


def copy(page: Page, lines: list[str]) -> None:
    """Put a block on the system clipboard as a spreadsheet does (CRLF line ends, a final line end)."""
    page.evaluate("text => navigator.clipboard.writeText(text)", "\r\n".join(lines) + "\r\n")


def stored() -> dict[str, Decimal]:
    return dict(
        DataValue.objects.filter(org_unit__code="TPLS_CA", period="202006").values_list(
            "indicator__code", "value"
        )
    )


def test_whole_form_by_keyboard_with_a_pasted_block_and_the_next_step(
    transactional_db, page: Page, live_server, login
):
    load_demo(ward=False)
    DataValue.objects.filter(org_unit__code="TPLS_CA", period="202006").delete()
    codes = form_codes()
    assert codes[2] == "HS_CHET" and codes[11] == "MT_VIEN_NEN"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    login("ca.canbo")
    page.goto(f"{live_server.url}{FORM}")
    expect(page.locator("#next-step")).to_contain_text("Chưa nhập")
    page.evaluate("window.__samePage = true")  # gone if anything reloads the page

    # Type the first two cells: Enter saves and goes down; ↑ ↓ move; Tab goes to the next value.
    page.locator(f"#{key_of(codes[0])}").focus()
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    assert focused_name(page) == key_of(codes[1])
    expect(page.locator(f"#{key_of(codes[0])}-msg")).to_have_text("Đã lưu")
    page.keyboard.press("ArrowUp")
    assert focused_name(page) == key_of(codes[0])
    page.keyboard.press("Backspace")  # a blank does not erase a saved value: it says so and keeps it
    page.keyboard.press("Shift+Enter")
    expect(page.locator(f"#{key_of(codes[0])}")).to_have_value("2")
    expect(page.locator(f"#{key_of(codes[0])}-msg")).to_contain_text("không xóa số đã lưu")
    page.keyboard.press("ArrowDown")
    page.keyboard.type("8")
    page.keyboard.press("Tab")  # one Tab stop per value: straight to the next value
    assert focused_name(page) == key_of(codes[2])

    # Paste a 10-row block with a bad cell: checked at once, the bad cell outlined with its message.
    bad = list(BLOCK)
    bad[3] = "sáu"
    below = page.locator(f"#{key_of(codes[15])}")
    top_before = below.bounding_box()["y"]
    copy(page, bad)
    page.keyboard.press("Control+V")
    third = page.locator(f"#{key_of(codes[5])}")
    expect(third).to_have_attribute("aria-invalid", "true")
    assert below.bounding_box()["y"] == top_before  # the message appeared without moving the table
    expect(page.locator(f"#{key_of(codes[5])}-msg")).to_contain_text("sáu")
    expect(page.locator("#grid-status")).to_contain_text("Ctrl+Z")
    assert [page.locator(f"#{key_of(c)}").input_value() for c in codes[2:12]] == bad
    # One Ctrl+Z takes the whole block back.
    page.keyboard.press("Control+Z")
    assert [page.locator(f"#{key_of(c)}").input_value() for c in codes[2:12]] == [""] * 10
    expect(third).not_to_have_attribute("aria-invalid", "true")
    assert set(stored()) == {codes[0], codes[1]}  # nothing of the block was written

    # The good block: checked, then Enter saves all ten at once.
    copy(page, BLOCK)
    page.keyboard.press("Control+V")
    expect(page.locator("#grid-status")).to_contain_text("Bấm Enter để lưu cả khối", timeout=15_000)
    page.keyboard.press("Enter")
    expect(page.locator("#grid-status")).to_contain_text("Đã lưu 10 ô", timeout=15_000)
    assert [stored()[c] for c in codes[2:12]] == BLOCK_VALUES
    assert focused_name(page) == key_of(codes[3])

    # A comment on demand: Shift+F2 opens it, Enter saves it and returns to the value.
    page.keyboard.press("Shift+F2")
    page.keyboard.type("Có một vụ lớn")
    page.keyboard.press("Enter")
    assert focused_name(page) == key_of(codes[3])
    expect(page.locator(f"#{key_of(codes[3])}-comment-text")).to_have_text("Có một vụ lớn")

    # The rest of the form with ↓ and Enter.
    for _ in range(12 - 3):
        page.keyboard.press("ArrowDown")
    assert focused_name(page) == key_of(codes[12])
    rest = {code: str(20 + i) for i, code in enumerate(codes[12:])}
    for code in codes[12:]:
        page.keyboard.type(rest[code])
        page.keyboard.press("Enter")
    # Saves run one after another; each re-runs the form's checks, so the last answer may take a while.
    expect(page.locator(f"#{key_of(codes[-1])}-msg")).to_have_text("Đã lưu", timeout=30_000)
    values = stored()
    assert set(values) == set(codes)
    assert all(values[c] == int(t) for c, t in rest.items())
    comment = DataValue.objects.get(
        indicator__code=codes[3], org_unit__code="TPLS_CA", period="202006"
    ).comment
    assert comment == "Có một vụ lớn"
    assert page.evaluate("window.__samePage") is True  # never reloaded
    expect(page.locator("#next-step")).to_contain_text("Đang nhập")
    page.reload()
    expect(page.locator("#next-step")).to_have_text("Đang nhập — chờ trưởng đơn vị gửi", use_inner_text=True)

    # The head: the banner says to submit; "Gửi số liệu" asks first, listing the open warnings.
    login("ca.truong")
    page.goto(f"{live_server.url}{FORM}")
    expect(page.locator("#next-step")).to_contain_text("bấm “Gửi số liệu” để gửi văn phòng")
    page.get_by_role("button", name="Gửi số liệu", exact=True).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("cảnh báo kiểm tra số liệu")
    page.keyboard.press("Escape")  # changed their mind: nothing sent
    expect(dialog).to_be_hidden()
    expect(page.locator("#status")).to_have_text("Đang nhập")
    page.get_by_role("button", name="Gửi số liệu", exact=True).click()
    dialog.get_by_role("button", name="Lưu và gửi số liệu").click()
    expect(page.locator("#status")).to_have_text("Đã gửi")

    login("ca.canbo")
    page.goto(f"{live_server.url}{FORM}")
    expect(page.locator("#next-step")).to_contain_text("Đã gửi — chờ văn phòng tiếp nhận")


def test_entry_page_on_a_phone(transactional_db, page: Page, live_server, login):
    load_demo(ward=False)
    page.set_viewport_size({"width": 390, "height": 844})
    login("ca.canbo")
    page.goto(f"{live_server.url}{FORM}")
    expect(page.locator("#next-step")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    grid = page.locator(".grid-scroll")
    assert grid.evaluate("el => el.scrollWidth > el.clientWidth")  # the grid scrolls inside itself
    name = page.locator("table.grid tbody th.name").first
    left = name.bounding_box()["x"]
    grid.evaluate("el => { el.scrollLeft = 400; }")
    assert grid.evaluate("el => el.scrollLeft") > 0
    assert abs(name.bounding_box()["x"] - left) < 1  # the indicator names stay in place
    value = page.locator("input.value").first
    value.focus()  # a value is reachable beside its name
    box = value.bounding_box()
    assert box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # A refused value: its reason is in a column off screen, so the status line says it, in view.
    value.fill("-3")
    value.press("Enter")
    status = page.locator("#grid-status")
    expect(status).to_contain_text("không nhận số âm")
    row_name = page.locator("table.grid tbody th.name").first.inner_text().strip()
    expect(status).to_contain_text(row_name)
    box = status.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 844
    page.goto(f"{live_server.url}/so-lieu/nhap/?period=202006")  # the forms list too
    expect(page.get_by_role("link", name="Mở biểu nhập")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
