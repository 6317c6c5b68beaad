"""The office reads a past report's police paragraph back into an empty June 2020: pastes it, reviews the
proposed rows (drops one), runs a dry run, imports; the values carry the source "Từ báo cáo cũ"."""

import re

from playwright.sync_api import expect

from baocao.collection.models import ChangeSource, DataValue, Submission, ValueChange
from baocao.demo.loader import load_demo
from baocao.testing import SEED_REPORT

SEED = SEED_REPORT


def police_paragraph() -> str:
    paragraph = next(p for p in SEED.read_text(encoding="utf-8").split("\n\n") if "Phạm pháp hình sự" in p)
    return re.sub(r"<sup>d</sup>", "đ", paragraph).replace("*", "").strip()


def test_office_imports_a_past_reports_paragraph(transactional_db, page, live_server, login):
    load_demo()
    DataValue.objects.filter(period="202006").delete()
    Submission.objects.filter(period="202006").delete()
    login("vanphong")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.get_by_role("link", name="Nhập số liệu từ báo cáo cũ").click()
    page.get_by_label("Kỳ báo cáo").select_option("202006")
    page.get_by_label("Nội dung báo cáo").fill(police_paragraph())
    page.get_by_role("button", name="Đọc số liệu").click()

    rows = page.locator("#archive-rows tbody tr")
    expect(rows.first).to_be_visible()
    count = rows.count()
    assert count >= 10
    expect(page.get_by_label("Chỉ tiêu dòng 1", exact=True)).to_have_value(re.compile(r"^\w+ — "))
    page.get_by_label("Giữ dòng 2", exact=True).uncheck()  # the office drops a row
    page.get_by_role("button", name="Chạy thử (chưa ghi)").click()
    expect(page.locator("#archive-result")).to_contain_text(f"Sẽ ghi {count - 1} dòng")
    assert DataValue.objects.filter(period="202006").count() == 0

    page.get_by_role("button", name="Nhập số liệu").click()
    expect(page.locator("#archive-result")).to_contain_text(f"Đã ghi {count - 1} dòng")
    changes = ValueChange.objects.filter(period="202006", source=ChangeSource.ARCHIVE)
    assert changes.count() == count - 1
    assert all(c.source_note for c in changes)
    assert DataValue.objects.filter(period="202006").count() == count - 1
