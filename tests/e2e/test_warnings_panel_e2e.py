"""The dashboard's early-warning panel in the browser (issue 19): the page comes without the projections,
then baocao/warnings_panel.js fetches the panel's fragment and puts the unit's at-risk items in place, in
the order and colours the warnings give, with the weekly list's link. No CSP violation."""

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from baocao.analytics.templatetags.early_warnings import panel_context
from baocao.core.periods import Period
from baocao.demo.loader import load_demo
from baocao.orgunits.models import OrgUnit


def test_leader_sees_the_warnings_panel_loaded_after_the_dashboard(
    transactional_db, page: Page, live_server, login
):
    load_demo()
    expected = panel_context(
        User.objects.get(username="lanhdao"), OrgUnit.objects.get(code="TPLS"), Period.parse("202006")
    )
    assert expected["total"] > 0
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login("lanhdao")
    page.goto(f"{live_server.url}/?unit=TPLS&period=202006")

    panel = page.locator("#warnings-panel")
    expect(panel).to_have_attribute("data-loaded", "true")
    expect(panel.get_by_role("heading", level=2)).to_have_text("Cảnh báo sớm")
    items = panel.locator(".warning-item")
    expect(items).to_have_count(len(expected["items"]))
    for n, w in enumerate(expected["items"]):
        item = items.nth(n)
        expect(item).to_have_attribute("data-indicator", w.indicator.code)
        expect(item).to_have_class(f"warning-item warning-{w.status.colour}")
        expect(item.get_by_role("heading", level=3)).to_have_text(w.indicator.name)
    for status, count in expected["counts"]:
        expect(panel).to_contain_text(f"{status.label[:1].upper()}{status.label[1:]}: {count}")
    panel.get_by_role("link", name="Danh sách cảnh báo và xếp hạng đơn vị").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cảnh báo sớm tháng 6/2020")
    assert violations == []
