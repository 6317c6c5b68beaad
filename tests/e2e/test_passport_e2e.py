"""The leader clicks a figure in the June 2020 report preview and lands on its passport, with the values,
the people and the dates (issue 19, point 1)."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from baocao.collection.models import ChangeSource, DataValue, ValueChange
from baocao.collection.values import write_value
from baocao.collection.workflow import transition
from baocao.core.numbers import format_number
from baocao.demo.loader import load_demo
from baocao.testing.factories import demo_submission

User = get_user_model()


def test_leader_opens_a_figures_passport_from_the_report_preview(transactional_db, page, live_server, login):
    load_demo(ward=False)
    stored = DataValue.objects.select_related("indicator", "org_unit").get(
        indicator__code="THU_NSNN", org_unit__code="TPLS_CCT", period="202006", kind="actual"
    )
    corrected = write_value(
        User.objects.get(username="cct.canbo"),
        indicator=stored.indicator,
        org_unit=stored.org_unit,
        period="202006",
        value=stored.value + 1,
        source=ChangeSource.WEB,
    )
    submission = demo_submission("BM_TPLS_CCT", "TPLS_CCT", "202006")
    for step, who in (("submit", "cct.truong"), ("accept", "vanphong"), ("approve", "lanhdao")):
        submission = transition(submission, step, User.objects.get(username=who))
    entered = ValueChange.objects.filter(org_unit__code="TPLS_CCT", indicator__code="THU_NSNN").last()
    day = timezone.localtime(entered.changed_at).strftime("%d/%m/%Y")

    login("lanhdao")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.get_by_role("link", name="Tháng 6/2020").click()
    figure = page.locator('a.figure-link[href*="indicator=THU_NSNN"][href*="kind=actual"]').first
    expect(figure).to_have_text(format_number(corrected.value))
    figure.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Hộ chiếu số liệu: {stored.indicator.name}")
    expect(page.locator("#pp-value")).to_contain_text(format_number(corrected.value))
    stored_table = page.locator("#pp-stored")
    expect(stored_table).to_contain_text("Chi cục Thuế thành phố")
    expect(stored_table).to_contain_text(f"{format_number(stored.value)} → {format_number(corrected.value)}")
    expect(stored_table).to_contain_text(f"{day}")
    expect(stored_table).to_contain_text("Cán bộ Chi cục Thuế thành phố")
    events = page.locator("#pp-events")
    expect(events).to_contain_text("Lãnh đạo Chi cục Thuế thành phố")
    expect(events).to_contain_text("đã tiếp nhận → đã phê duyệt")
    expect(events).to_contain_text(day)
