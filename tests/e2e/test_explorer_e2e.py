"""The data explorer in the browser: the leader finds an indicator by typing its name without accents,
sees the pivot and the chart (hovering a point shows a Vietnamese-formatted value), opens the data table
behind the chart, and downloads the table (XLSX, CSV) and the chart (PNG, SVG). No CSP violation."""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from baocao.analytics.figures import get_figures
from baocao.core.numbers import format_number
from baocao.demo.loader import load_demo


def test_choose_by_typing_without_accents_see_pivot_and_chart_export(
    transactional_db, page: Page, live_server, login
):
    load_demo()
    june = get_figures(["TPLS"], "202006", ["THU_NSNN"]).value("THU_NSNN")
    assert june is not None
    shown = format_number(june)  # "9.050": the seed's figure, written the Vietnamese way
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login("lanhdao")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Khai thác số liệu").click()
    expect(page.get_by_role("heading", name="Khai thác số liệu")).to_be_visible()

    page.get_by_label("Tìm theo tên hoặc mã").fill("thu ngan sach")
    found = page.locator("#indicator-results button", has_text="(THU_NSNN,")
    expect(found).to_contain_text("Thu ngân sách nhà nước trên địa bàn")  # found without typing its accents
    found.click()
    expect(page.locator("#indicator-chosen input[value=THU_NSNN]")).to_be_checked()
    page.get_by_label("Từ kỳ").fill("202001")
    page.get_by_label("Đến kỳ").fill("202006")
    page.get_by_role("button", name="Xem", exact=True).click()

    # The address holds the selection; the pivot shows the June figure.
    assert "indicator=THU_NSNN" in page.url and "from=202001" in page.url and "to=202006" in page.url
    pivot = page.locator("#pivot")
    expect(pivot).to_contain_text("Thu ngân sách nhà nước trên địa bàn")
    expect(pivot.locator("tbody tr").first.locator("td.num").last).to_have_text(shown)

    # The chart: hovering June's point shows the value with Vietnamese grouping.
    canvas = page.locator("#explorer-chart .chart-canvas")
    expect(canvas).to_be_visible()
    page.wait_for_timeout(600)  # the drawing's animation
    box = canvas.bounding_box()
    assert box is not None
    # June is the last category, at the plot's right edge (the grid keeps 36 px on the right).
    canvas.hover(position={"x": box["width"] - 40, "y": box["height"] / 2})
    expect(canvas).to_contain_text("T6/2020")  # the tooltip, drawn inside the chart's element
    expect(canvas).to_contain_text(shown)
    # Screen readers hear the same formatted values (ECharts' aria description).
    expect(canvas).to_have_attribute("aria-label", re.compile(rf"T6/2020: {re.escape(shown)}"))

    # The helpers every chart formats with (axes, tooltips, tables): Vietnamese grouping and decimal comma.
    formatted = page.evaluate(
        "[1425, 22.6, -1234.5, 879.1, null].map((v, i) =>"
        " i === 1 ? BaocaoCharts.formatPercent(v) : BaocaoCharts.formatNumber(v))"
    )
    assert formatted == ["1.425", "22,6%", "-1.234,5", "879,1", ""]

    # The data table behind the chart, for screen readers and printing.
    toggle = page.get_by_role("button", name="Xem bảng số liệu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(page.locator("#explorer-chart .chart-table")).to_be_visible()
    expect(page.locator("#explorer-chart .chart-table")).to_contain_text(shown)

    # Exports: the table as XLSX (same number) and CSV, the chart as PNG and SVG.
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bảng Excel (.xlsx)").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))["Số liệu"]
    assert (
        sheet.cell(2, 1).value == "THU_NSNN" and format_number(sheet.cell(2, sheet.max_column).value) == shown
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bảng CSV").click()
    assert shown in open(download.value.path(), encoding="utf-8").read()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải ảnh PNG").click()
    assert open(download.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải ảnh SVG").click()
    assert download.value.suggested_filename.endswith(".svg")
    assert open(download.value.path(), encoding="utf-8").read().lstrip().startswith("<svg")

    # Bars instead of lines: the address keeps the choice.
    page.locator("#chart-type").select_option("bar")
    expect(page).to_have_url(re.compile("chart=bar"))
    assert violations == []
