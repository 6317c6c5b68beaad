"""Issue 19, Done when: the leader opens an at-risk item, sends an explanation request, the unit answers it,
and the answer shows on the item (the early-warning list and the item's passport)."""

import datetime

from playwright.sync_api import expect

from baocao.accounts.models import RoleAssignment
from baocao.assignments.models import ExplanationRequest
from baocao.demo.loader import load_demo

QUESTION = "Đề nghị giải trình nguyên nhân và giải pháp khắc phục trong tháng tới"
ANSWER = "Tiến độ chậm do vướng giải phóng mặt bằng; đơn vị sẽ đẩy nhanh trong quý III"


def test_leader_asks_the_unit_answers_and_the_answer_shows_on_the_item(
    transactional_db, page, live_server, login, settings
):
    settings.BAOCAO_TODAY = (
        "2020-06-16"  # the demo's day (Makefile DEMO_TODAY): its units and roles are active
    )
    load_demo()

    # The leader opens the early-warning list and picks the first at-risk item of a member unit.
    login("lanhdao")
    page.goto(f"{live_server.url}/tong-hop/canh-bao/")
    row = page.locator("#warnings-members tr.warning").first
    expect(row).to_be_visible()
    unit_code = row.get_attribute("data-unit")
    indicator_code = row.get_attribute("data-indicator")
    row.get_by_role("link", name="Yêu cầu giải trình").click()

    expect(page.get_by_role("heading", name="Yêu cầu giải trình")).to_be_visible()
    page.get_by_label("Nội dung yêu cầu").fill(QUESTION)
    deadline = page.get_by_label("Hạn giải trình").input_value()
    assert deadline  # a week ahead is offered
    page.get_by_role("button", name="Gửi yêu cầu giải trình").click()
    expect(page.get_by_text("Đã gửi yêu cầu giải trình đến")).to_be_visible()

    (made,) = ExplanationRequest.objects.select_related("task", "indicator", "org_unit")
    assert (made.org_unit.code, made.indicator.code) == (unit_code, indicator_code)
    assert made.task.deadline == datetime.date.fromisoformat(deadline)

    # The unit's clerk gets the notice, opens the task from it and answers.
    clerk = (
        RoleAssignment.objects.filter(org_unit=made.task.lead_unit, role="unit_staff")
        .select_related("user")
        .first()
    )
    assert clerk is not None, f"demo has no clerk for {made.task.lead_unit}"
    login(clerk.user.username)
    page.goto(f"{live_server.url}/thong-bao/")
    page.get_by_role("button", name="Yêu cầu giải trình").first.click()
    expect(page.get_by_role("heading", name=made.task.content)).to_be_visible()
    page.get_by_label("Kết quả").fill(ANSWER)
    page.get_by_role("button", name="Báo cáo hoàn thành").click()
    expect(page.get_by_text("Đã báo cáo hoàn thành nhiệm vụ.")).to_be_visible()

    # The leader sees the answer on the item, in the early-warning list and on the item's passport.
    login("lanhdao")
    page.goto(f"{live_server.url}/tong-hop/canh-bao/")
    row = page.locator(
        f'#warnings-members tr.warning[data-unit="{unit_code}"][data-indicator="{indicator_code}"]'
    )
    expect(row.locator(".explanation-answer")).to_contain_text(ANSWER)
    page.goto(
        f"{live_server.url}/tong-hop/ho-chieu/?indicator={indicator_code}&unit={unit_code}&period={made.period}"
    )
    expect(page.locator("#pp-explain").locator("..")).to_contain_text(ANSWER)


def test_leader_opens_the_briefing_follows_an_item_to_its_passport_and_gets_the_letter(
    transactional_db, page, live_server, login, settings
):
    settings.BAOCAO_TODAY = "2020-06-16"
    load_demo()
    login("lanhdao")
    page.goto(f"{live_server.url}/tom-tat/")
    expect(page.get_by_role("heading", name="Tóm tắt cho lãnh đạo")).to_be_visible()
    with page.expect_download() as letter:
        page.get_by_role("link", name="Dự thảo công văn chỉ đạo (Word)").click()
    assert letter.value.suggested_filename.startswith("cong-van-chi-dao-")
    at_risk = page.locator("#briefing-at-risk")
    first = at_risk.get_by_role("link").first
    expect(first).to_be_visible()
    first.click()
    expect(page.get_by_role("heading", name="Hộ chiếu số liệu")).to_be_visible()
