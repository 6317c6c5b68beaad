"""The month-end estimate in the browser (issue 19): the tax office's clerk opens the June 2020 form, sees
the revenue estimate suggested from the figure to the 14th and June of last year, accepts it, and finds it
in the form's "Ước thực hiện" cell; nothing was written before the click. No CSP violation."""

from playwright.sync_api import Page, expect

from baocao.analytics.forecast import MonthEstimate, month_end_estimate, rounded
from baocao.collection.models import DataValue, Submission
from baocao.core.numbers import format_number
from baocao.demo.loader import load_demo
from baocao.testing.factories import demo_submission


def stored_estimate():
    return DataValue.objects.filter(
        indicator__code="THU_NSNN", org_unit__code="TPLS_CCT", period="202006", kind="estimate"
    ).first()


def test_clerk_accepts_the_suggested_june_revenue_estimate(transactional_db, page: Page, live_server, login):
    load_demo()
    submission = demo_submission("BM_TPLS_CCT", "TPLS_CCT", "202006")
    Submission.objects.filter(pk=submission.pk).update(status="draft")
    stored_estimate().delete()  # the office has not estimated the month yet
    suggestion = month_end_estimate("TPLS_CCT", "202006", "THU_NSNN")
    assert isinstance(suggestion, MonthEstimate)
    indicator = DataValue.objects.filter(indicator__code="THU_NSNN").first().indicator
    shown = format_number(rounded(suggestion.value, indicator))
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    login("cct.canbo")
    page.goto(f"{live_server.url}/so-lieu/nhap/BM_TPLS_CCT/TPLS_CCT/202006/")
    box = page.locator('.estimate-suggestion[data-indicator="THU_NSNN"]')
    expect(box).to_contain_text(f"Gợi ý ước thực hiện cả tháng: {shown} triệu đồng")
    expect(box).to_contain_text("từ số đến ngày 14")
    assert stored_estimate() is None

    box.get_by_role("button", name="Dùng số gợi ý").click()
    page.wait_for_load_state()

    expect(page.get_by_text("Đã ghi ước thực hiện")).to_be_visible()
    cell = page.locator('tr[data-indicator="THU_NSNN"][data-kind="estimate"] input.value')
    expect(cell).to_have_value(shown)
    expect(box).to_contain_text("đang dùng số gợi ý này")
    assert stored_estimate().value == rounded(suggestion.value, indicator)
    assert not violations
