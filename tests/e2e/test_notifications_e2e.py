"""Workflow communication in the browser: the office returns a form and the unit's clerk finds the notice in
the inbox (badge in the header, a link to the form) and an e-mail in the file backend; the leader approves
three forms at once from the receiving table, confirmed in a dialog, with a result per form."""

import re
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from baocao.collection.models import Submission, SubmissionStatus
from baocao.collection.workflow import transition
from baocao.demo.loader import load_demo
from baocao.testing.factories import demo_submission
from tests.e2e.test_axe_e2e import AXE, serious_violations

FORM = "/so-lieu/nhap/BM_TPLS_BTCD/TPLS_BTCD/202006/"
REASON = "Số đơn đề nghị chưa khớp sổ tiếp nhận"


def user(name: str) -> User:
    return User.objects.get(username=name)


def mails(folder) -> list:
    """The messages Django's file backend wrote: one file per connection, messages separated by a line of
    79 dashes."""
    separator = b"\n" + b"-" * 79 + b"\n"
    return [
        message_from_bytes(chunk.strip(b"\n"))
        for path in sorted(folder.glob("*.log"))
        for chunk in path.read_bytes().split(separator)
        if chunk.strip()
    ]


def test_a_return_reaches_the_clerks_inbox_and_mailbox(
    transactional_db, page: Page, live_server, login, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    load_demo(ward=False)
    clerk = user("btcd.canbo")
    clerk.email = "btcd.canbo@langson.gov.vn"
    clerk.save()
    transition(demo_submission("BM_TPLS_BTCD", "TPLS_BTCD", "202006"), "submit", user("btcd.truong"))

    login("vanphong")
    page.get_by_role("link", name="Tiếp nhận, phê duyệt").click()
    row = page.get_by_role("row").filter(has_text="Ban Tiếp công dân")
    row.get_by_role("link", name="Xem, xử lý").click()
    page.get_by_label("Lý do trả lại (bắt buộc)").fill(REASON)
    page.get_by_role("button", name="Trả lại").click()
    expect(page.get_by_text("Trả lại: xong.")).to_be_visible()

    login("btcd.canbo")
    badge = page.locator("#notice-badge")
    expect(badge).to_have_text("Thông báo (1 chưa đọc)")
    badge.click()
    notice = page.get_by_role("button", name="Ban Tiếp công dân, tháng 6/2020 bị trả lại")
    expect(notice).to_be_visible()
    expect(page.get_by_text(f"Lý do: {REASON}")).to_be_visible()
    notice.click()
    expect(page).to_have_url(re.compile(FORM))
    expect(page.locator("#notice-badge")).to_have_text("Thông báo")  # read now

    subjects = {m["To"]: str(make_header(decode_header(m["Subject"]))) for m in mails(tmp_path)}
    assert "Chờ tiếp nhận" in subjects.pop("vanphong@langson.example")  # the submission, before
    # The return: the unit's clerk and its head, one e-mail each.
    assert sorted(subjects) == ["btcd.canbo@langson.gov.vn", "btcd.truong@langson.example"]
    assert all("Ban Tiếp công dân, tháng 6/2020 bị trả lại" in subject for subject in subjects.values())
    (mail,) = [m for m in mails(tmp_path) if m["To"] == "btcd.canbo@langson.gov.vn"]
    body = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert f"Lý do: {REASON}" in body
    assert f"{FORM}" in body


def test_the_leader_approves_three_forms_at_once(transactional_db, page: Page, live_server, login):
    load_demo(ward=False)
    forms = {"BM_TPLS_BTCD": "btcd", "BM_TPLS_CA": "ca", "BM_TPLS_PKT": "pkt"}
    for data_set, unit in forms.items():
        submission = demo_submission(data_set, f"TPLS_{unit.upper()}", "202006")
        submission = transition(submission, "submit", user(f"{unit}.truong"))
        transition(submission, "accept", user("vanphong"))

    login("lanhdao")
    page.get_by_role("link", name="Tiếp nhận, phê duyệt").click()
    expect(page.locator("h1")).to_contain_text("tháng 6/2020")
    names = ["Ban Tiếp công dân", "Công an thành phố", "Phòng Kinh tế"]
    for name in names:
        page.get_by_role("checkbox", name=re.compile(f"^Chọn .* – {name}$")).check()
    page.get_by_role("button", name="Phê duyệt các biểu đã chọn").click()
    dialog = page.locator("#bulk-confirm")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Phê duyệt 3 biểu đã chọn?")
    expect(dialog.get_by_role("listitem")).to_have_count(3)
    dialog.get_by_role("button", name="Đồng ý phê duyệt").click()

    results = page.locator(".messages li")
    expect(results).to_have_count(3)
    for name in names:
        expect(results.filter(has_text=re.compile(f"^Đã duyệt: .* – {name}\\.$"))).to_have_count(1)
        expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("Đã phê duyệt")
    approved = Submission.objects.filter(period="202006", status=SubmissionStatus.APPROVED)
    assert sorted(approved.values_list("data_set__code", flat=True)) == sorted(forms)


def test_cancelling_the_confirmation_approves_nothing(transactional_db, page: Page, live_server, login):
    load_demo(ward=False)
    submission = transition(demo_submission("BM_TPLS_CA", "TPLS_CA", "202006"), "submit", user("ca.truong"))
    transition(submission, "accept", user("vanphong"))
    login("lanhdao")
    page.get_by_role("link", name="Tiếp nhận, phê duyệt").click()
    page.get_by_role("checkbox", name=re.compile("Công an thành phố$")).check()
    page.get_by_role("button", name="Phê duyệt các biểu đã chọn").click()
    page.locator("#bulk-confirm").get_by_role("button", name="Hủy").click()
    expect(page.locator("#bulk-confirm")).to_be_hidden()
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.ACCEPTED


@pytest.mark.skipif(AXE is None, reason="Cần axe-core: npm install (make setup)")
def test_inbox_and_receiving_table_with_checkboxes_pass_axe(transactional_db, page: Page, live_server, login):
    load_demo(ward=False)
    submission = transition(demo_submission("BM_TPLS_CA", "TPLS_CA", "202006"), "submit", user("ca.truong"))
    transition(submission, "return", user("vanphong"), reason="Thiếu số vụ")
    transition(submission, "submit", user("ca.truong"))
    login("vanphong")
    page.goto(f"{live_server.url}/so-lieu/tiep-nhan/?period=202006")
    expect(page.get_by_role("checkbox", name=re.compile("Công an thành phố$"))).to_be_visible()
    assert serious_violations(page) == []
    login("ca.canbo")
    page.goto(f"{live_server.url}/thong-bao/")
    expect(page.get_by_role("button", name=re.compile("bị trả lại"))).to_be_visible()
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/thong-bao/cai-dat/")
    assert serious_violations(page) == []
