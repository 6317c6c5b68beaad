"""A unit reports its overdue task done; the office returns it with a reason; the unit sees it returned."""

from playwright.sync_api import expect

from baocao.assignments.models import Completion, Task
from baocao.demo.loader import load_demo

CONTENT = "Tham mưu kế hoạch tổ chức các hoạt động văn hóa, thể thao chào mừng Đại hội Đảng bộ thành phố"
REASON = "Kế hoạch chưa được Lãnh đạo UBND thành phố thông qua"


def test_unit_reports_done_and_office_returns_it(transactional_db, page, live_server, login):
    load_demo()
    task = Task.objects.get(code="NV2020-023")

    # The unit's clerk finds the overdue task from the reminder panel on the home page.
    login("ttvhtt.canbo")
    panel = page.get_by_role("region", name="Nhắc việc")
    expect(panel).to_contain_text("1 nhiệm vụ quá hạn")
    panel.get_by_role("link", name=CONTENT[:60]).click()  # long contents are shortened in lists
    expect(page.get_by_role("heading", name=CONTENT)).to_be_visible()
    expect(page.get_by_text("Chưa tham mưu", exact=True)).to_be_visible()
    page.get_by_label("Ngày hoàn thành").fill("2020-06-12")
    page.get_by_label("Văn bản minh chứng").first.fill("Tờ trình số 25/TTr-TTVHTT")
    page.get_by_role("button", name="Báo cáo hoàn thành").click()
    expect(page.get_by_text("Đã báo cáo hoàn thành nhiệm vụ.")).to_be_visible()
    expect(page.get_by_text("Hoàn thành quá hạn (chậm tiến độ)")).to_be_visible()

    # The office does not accept it.
    login("vanphong")
    page.goto(f"{live_server.url}/nhiem-vu/{task.pk}/")
    page.get_by_label("Lý do trả lại").fill(REASON)
    page.get_by_role("button", name="Trả lại").click()
    expect(page.get_by_text("Đã trả lại báo cáo hoàn thành")).to_be_visible()

    # The unit sees it returned, with the reason, and the task counts as not delivered again.
    login("ttvhtt.canbo")
    page.goto(f"{live_server.url}/nhiem-vu/")
    page.get_by_role("link", name=CONTENT[:60]).click()
    expect(page.get_by_role("status")).to_contain_text(REASON)
    expect(page.get_by_text("Chưa tham mưu", exact=True)).to_be_visible()
    (completion,) = Completion.objects.filter(task=task)
    assert completion.is_returned and completion.return_reason == REASON
