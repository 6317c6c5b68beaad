"""The leaders' dashboard in the browser: the leader's home page shows the June 2020 cards with the figures
the data gives, a chart point's tooltip in Vietnamese number format, the data table behind the chart, the
print view; a card drills to the indicator by unit and on to a value's history. A value the clerk saves
is on the dashboard at the next load, with no rebuild step. No CSP violation."""

import re

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from baocao.analytics.figures import get_figures
from baocao.collection.models import DataValue
from baocao.collection.values import write_value
from baocao.core.numbers import format_number, format_percent
from baocao.demo.loader import load_demo


def revenue():
    """The city's June 2020 budget revenue (actual) as the figures layer gives it."""
    return get_figures(["TPLS"], "202006", ["THU_NSNN"]).get("THU_NSNN", "actual", "TPLS")


def watch_csp(page: Page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


def test_leader_sees_june_cards_hovers_a_chart_and_drills_to_a_values_history(
    transactional_db, page: Page, live_server, login
):
    load_demo()
    figure = revenue()
    assert figure.value is not None
    shown = format_number(figure.value)
    monthly = figure.targets["DT_THANG"]
    violations = watch_csp(page)
    login("lanhdao")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tổng quan tháng")  # the home page
    page.get_by_label("Kỳ báo cáo").select_option("202006")
    page.locator("select[name=unit]").select_option(label="Thành phố Lạng Sơn")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan tháng 6/2020 – Thành phố Lạng Sơn")

    card = page.locator('li.kf[data-indicator="THU_NSNN"][data-kind="actual"]')
    expect(card.locator(".kf-value")).to_have_text(f"{shown} {figure.indicator.unit.name}")
    expect(card).to_contain_text(f"{format_percent(monthly.ratio)} so với {monthly.name}")
    expect(card.locator("progress").first).to_have_attribute("value", str(round(monthly.ratio * 100)))
    expect(card).to_contain_text(f"so với cùng kỳ năm trước ({format_number(figure.last_year)})")

    # The trend chart: hovering June (the last month, at the plot's right edge) shows Vietnamese numbers.
    canvas = page.locator('[data-trend="THU_NSNN"] .chart-canvas')
    expect(canvas).to_be_visible()
    page.wait_for_timeout(600)  # the drawing's animation
    box = canvas.bounding_box()
    assert box is not None
    canvas.hover(position={"x": box["width"] - 40, "y": box["height"] / 2})
    expect(canvas).to_contain_text("T6/2020")  # the tooltip, drawn inside the chart's element
    expect(canvas).to_contain_text(shown)
    # The data table behind the chart.
    chart = page.locator('[data-trend="THU_NSNN"]')
    toggle = chart.get_by_role("button", name="Xem bảng số liệu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(chart.locator(".chart-table")).to_be_visible()
    expect(chart.locator(".chart-table")).to_contain_text(shown)

    # The print view: the forms and links go, the cards stay.
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Xem", exact=True)).to_be_hidden()
    expect(card.locator(".kf-value")).to_be_visible()
    page.emulate_media(media="screen")

    # Drill-down: the card → the indicator by unit → the tax office's value → its history.
    card.get_by_role("link", name=figure.indicator.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(figure.indicator.name)
    stored = DataValue.objects.get(
        indicator__code="THU_NSNN", org_unit__code="TPLS_CCT", period="202006", kind="actual"
    )
    row = page.locator("table.unit-table tr", has_text=stored.org_unit.name)
    expect(row.locator("td.num").first).to_have_text(format_number(stored.value))
    row.get_by_role("link", name=f"Lịch sử số liệu của {stored.org_unit.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Lịch sử: {figure.indicator.name}")
    expect(page.locator("main")).to_contain_text(f"{stored.org_unit.name} · tháng 6/2020")
    assert violations == []


def test_a_value_the_clerk_saves_is_on_the_next_load(transactional_db, page: Page, live_server, login):
    load_demo()
    before = revenue().value
    assert before is not None
    login("lanhdao")
    page.goto(f"{live_server.url}/?unit=TPLS&period=202006")
    value = page.locator('li.kf[data-indicator="THU_NSNN"][data-kind="actual"] .kf-number')
    expect(value).to_have_text(format_number(before))

    stored = DataValue.objects.get(
        indicator__code="THU_NSNN", org_unit__code="TPLS_CCT", period="202006", kind="actual"
    )
    clerk = User.objects.get(username="cct.canbo")
    write_value(
        clerk, indicator=stored.indicator, org_unit=stored.org_unit, period="202006", value=before + 25
    )
    after = revenue().value
    assert after == before + 25

    page.reload()
    expect(value).to_have_text(format_number(after))
    expect(page.locator('li.kf[data-indicator="THU_NSNN"][data-kind="actual"]')).to_contain_text(
        re.compile(re.escape(format_percent(revenue().targets["DT_THANG"].ratio)))
    )
