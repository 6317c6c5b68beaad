"""The office downloads the June 2020 report as Word in one click and gets its PDF from the progress page."""

import io

from docx import Document
from playwright.sync_api import expect

from baocao.demo.loader import load_demo


def test_office_downloads_word_and_pdf(transactional_db, page, live_server, login, settings):
    # The web process converts, as under `make run`; on PostgreSQL the procrastinate worker's path (kill a
    # worker, the page still ends "Đã tạo xong") is baocao/reports/tests/test_job_recovery.py.
    settings.BAOCAO_JOB_QUEUE = "thread"
    load_demo()
    login("vanphong")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    expect(page.get_by_role("heading", name="Báo cáo", exact=True)).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải Word (.docx)").first.click()
    data = open(download.value.path(), "rb").read()
    # numbers are bound to their units by non-breaking spaces in print
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs).replace("\u00a0", " ")
    assert "Phạm pháp hình sự xảy ra 07 vụ" in text

    page.get_by_role("link", name="Tháng 6/2020").click()
    expect(page.get_by_text("Phạm pháp hình sự xảy ra")).to_be_visible()
    page.get_by_role("button", name="Tạo và tải PDF").click()
    expect(page.get_by_role("status")).to_contain_text("Đang tạo tệp PDF")  # the request did not wait
    expect(page.get_by_role("status")).to_contain_text("Đã tạo xong tệp PDF", timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải PDF").click()
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")
