"""Ký số và ban hành in the browser (issue 18): the office fills in the number and date of June 2020, the
leader (lanhdao) signs and issues it with the password of the key on the server, the page offers the
signed PDF, and the verification page accepts the downloaded file (uploaded with set_input_files). The
keys are the demo PKI (``make_demo_pki``), made for the report's signer in a temporary directory."""

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from baocao.demo.loader import load_demo
from baocao.reports.models import ReportRun, RunStatus
from baocao.reports.pdf import find_soffice
from baocao.signing.demo_pki import make_demo_pki


@pytest.fixture
def demo_keys(tmp_path, settings):
    load_demo(ward=False)  # the June 2020 demo alone: its one draft report
    signer = ReportRun.objects.select_related("report_type").get().report_type.signer_name
    pki = make_demo_pki(
        tmp_path / "ky-so",
        leader_name=signer,
        organisation="Ủy ban nhân dân thành phố Lạng Sơn",
        password=settings.BAOCAO_SIGNING_PASSWORD,
    )
    settings.BAOCAO_SIGNING_PKCS12 = str(pki.leader_p12)
    settings.BAOCAO_SIGNING_ORG_PKCS12 = str(pki.organisation_p12)
    settings.BAOCAO_SIGNING_PKCS11_LIBRARY = ""
    settings.BAOCAO_SIGNING_SIGNATURE_IMAGE = str(pki.signature_image)
    settings.BAOCAO_SIGNING_SEAL_IMAGE = str(pki.seal_image)
    settings.BAOCAO_SIGNING_TRUST_ROOTS = [str(pki.ca_cert)]
    settings.BAOCAO_SIGNING_TSA_URL = ""
    return signer


def test_leader_signs_june_2020_and_the_verification_page_accepts_it(
    transactional_db, page, live_server, login, demo_keys, settings, tmp_path
):
    if find_soffice() is None or shutil.which("pdfsig") is None:
        pytest.skip("Cần LibreOffice và poppler: apt-get install libreoffice-writer-nogui poppler-utils")
    login("vanphong")  # the office numbers and dates the report
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.get_by_role("link", name="Tháng 6/2020").click()
    page.get_by_label("Số văn bản").fill("125")
    page.get_by_label("Ngày ban hành (dd/mm/yyyy)").fill("16/6/2020")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu số, ngày, người ký và nơi nhận.")).to_be_visible()
    report_url = page.url

    login("lanhdao")
    page.goto(report_url)
    secret = page.get_by_label("Mật khẩu khóa ký số hoặc mã PIN của token")
    secret.fill("sai-mat-khau")
    page.get_by_role("button", name="Ký số và ban hành").click()
    expect(page.get_by_text("Chưa ký số và ban hành được: Mật khẩu / mã PIN không đúng.")).to_be_visible()
    assert ReportRun.objects.get().status == RunStatus.DRAFT

    page.get_by_label("Mật khẩu khóa ký số hoặc mã PIN của token").fill(settings.BAOCAO_SIGNING_PASSWORD)
    page.get_by_role("button", name="Ký số và ban hành").click()
    expect(page.get_by_text("Đã ký số và ban hành báo cáo.")).to_be_visible(timeout=120_000)
    expect(page.get_by_text(f"Ký số bởi {demo_keys}")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải PDF đã ký số").click()
    signed = Path(tmp_path / download.value.suggested_filename)
    download.value.save_as(signed)
    stored = ReportRun.objects.get().signed_pdf
    assert stored is not None and signed.read_bytes() == bytes(stored)
    report = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature is Valid" in report and "Total document signed" in report

    page.get_by_role("link", name="Kiểm tra chữ ký số").click()
    page.get_by_label("Tệp PDF (tối đa 20 MB)").set_input_files(str(signed))
    page.get_by_role("button", name="Kiểm tra").click()
    result = page.get_by_role("status")
    expect(result).to_contain_text("Chữ ký số hợp lệ")
    expect(result).to_contain_text(demo_keys)
    expect(result).to_contain_text("Văn bản bị thay đổi sau khi ký")
    expect(page.get_by_role("row", name="Văn bản bị thay đổi sau khi ký")).to_contain_text("Không")
