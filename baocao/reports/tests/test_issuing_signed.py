"""Ký số và ban hành (issue 18): the leader issues the June 2020 report with a digital signature; the
signed PDF/A is stored with the issued report and offered on its page; every bad input (wrong password,
expired or not-yet-valid certificate, another person's certificate, LibreOffice failing) leaves the report
a draft with a Vietnamese message; the annex is a separately signed attachment where the report type says
so; the verification page and command answer for a good, a modified and a garbage file; a clerk cannot
sign. The signing keys are the demo PKI (``make_demo_pki``) made in a temporary directory."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from baocao.reports.document import document_from_json
from baocao.reports.errors import ReportError, TemplateProblems
from baocao.reports.issuing import pdf_metadata, server_key_for, sign_and_issue
from baocao.reports.models import SIGNING_DIGITAL, ReportRun, RunEventKind, RunStatus
from baocao.reports.pdf import find_soffice
from baocao.reports.pdfa_check import check_pdfa
from baocao.reports.runs import issue_run, update_run
from baocao.reports.template_files import export_report_types, import_report_types
from baocao.signing.demo_pki import DemoPki, issue_certificate, make_ca, make_demo_pki, write_pkcs12
from baocao.signing.keys import SignerSource

PASSWORD = "mat-khau-thu-nghiem"
ISSUE_DATE = dt.date(2020, 6, 16)
ORGANISATION = "Ủy ban nhân dân thành phố Lạng Sơn"


def needs_tools():
    if find_soffice() is None or shutil.which("pdfsig") is None:
        pytest.skip(
            "Cần LibreOffice và poppler: "
            "apt-get install libreoffice-writer-nogui fonts-liberation2 poppler-utils"
        )


@pytest.fixture
def run(demo, settings):
    settings.BAOCAO_PDF_IN_THREAD = False
    run = ReportRun.objects.select_related("report_type", "org_unit").get()
    return update_run(run, number=125, issue_date=ISSUE_DATE, signer_name="", signer_titles="", recipients="")


@pytest.fixture
def pki(run, tmp_path, settings) -> DemoPki:
    """The demo PKI for the report's signer (named from the report type, not typed here), configured as
    the installation's keys."""
    made = make_demo_pki(
        tmp_path / "ky-so",
        leader_name=run.report_type.signer_name,
        organisation=ORGANISATION,
        password=PASSWORD,
    )
    settings.BAOCAO_SIGNING_PKCS12 = str(made.leader_p12)
    settings.BAOCAO_SIGNING_ORG_PKCS12 = str(made.organisation_p12)
    settings.BAOCAO_SIGNING_PASSWORD = PASSWORD
    settings.BAOCAO_SIGNING_PKCS11_LIBRARY = ""
    settings.BAOCAO_SIGNING_SIGNATURE_IMAGE = str(made.signature_image)
    settings.BAOCAO_SIGNING_SEAL_IMAGE = str(made.seal_image)
    settings.BAOCAO_SIGNING_TRUST_ROOTS = [str(made.ca_cert)]
    settings.BAOCAO_SIGNING_TSA_URL = ""
    return made


def leader():
    return User.objects.get(username="lanhdao")


def sign(run, pki, source=None, **options):
    return sign_and_issue(
        leader(),
        run,
        source or SignerSource.pkcs12(pki.leader_p12, PASSWORD),
        signature_image=pki.signature_image,
        seal_image=pki.seal_image,
        **options,
    )


def pdfsig(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "ky-so.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "van-ban.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60).stdout


def one_byte_changed(data: bytes) -> bytes:
    """The signed file with one signed byte changed: the second byte of the binary comment line under the
    header (the file still opens everywhere; only the signature can tell)."""
    position = data.index(b"\n") + 2
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def assert_still_draft(run):
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert run.signed_pdf is None and run.document is None and run.issued_by is None
    assert not run.events.exists()


def test_leader_signs_and_issues_the_report_and_verification_holds(run, pki, tmp_path, client):
    needs_tools()
    issued = sign(run, pki)
    issued.refresh_from_db()
    assert issued.status == RunStatus.ISSUED and issued.issued_by == leader()
    assert issued.events.get().kind == RunEventKind.SIGNED
    signed = bytes(issued.signed_pdf)
    assert signed.startswith(b"%PDF")
    assert issued.signature["holder"] == run.report_type.signer_name
    assert "khối chữ ký" in issued.signature["placement"]  # the stamp found the signature block

    report = pdfsig(signed, tmp_path)
    assert "Signature is Valid" in report
    assert "Total document signed" in report
    assert f"Signer Certificate Common Name: {run.report_type.signer_name}" in report
    text = pdf_text(signed, tmp_path)
    assert "Số: 125/BC-UBND" in text and "Người ký:" in text  # the document and the Decree 30 info line
    document = document_from_json(issued.document)
    assert check_pdfa(signed, expected=pdf_metadata(issued, document)) == []  # PDF/A-2b, Vietnamese metadata

    # the page offers the signed PDF; "Tạo và tải PDF" gives the same signed file
    client.force_login(leader())
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert "Tải PDF đã ký số" in page and "Ký số và ban hành</button>" not in page
    download = client.get(reverse("reports:signed_file", args=[run.pk, "van-ban"]))
    assert download.content == signed and download["Content-Type"] == "application/pdf"
    assert client.post(reverse("reports:pdf", args=[run.pk])).content == signed

    # verification: the page (linked from the report list) and the command, good / one byte changed / garbage
    assert reverse("reports:verify") in client.get(reverse("reports:list")).content.decode()
    answer = client.post(reverse("reports:verify"), {"file": SimpleUploadedFile("bc.pdf", signed)})
    page = answer.content.decode()
    assert answer.status_code == 200 and "Chữ ký số hợp lệ" in page
    assert run.report_type.signer_name in page and "Văn bản bị thay đổi sau khi ký</th><td>Không" in page
    changed = one_byte_changed(signed)
    page = client.post(
        reverse("reports:verify"), {"file": SimpleUploadedFile("sua.pdf", changed)}
    ).content.decode()
    assert "Chữ ký số không hợp lệ" in page and "đã bị thay đổi sau khi ký" in page
    page = client.post(
        reverse("reports:verify"), {"file": SimpleUploadedFile("rac.pdf", b"\x00rac" * 1000)}
    ).content.decode()
    assert "Tệp này không phải tệp PDF" in page

    good, bad = tmp_path / "tot.pdf", tmp_path / "sua.pdf"
    good.write_bytes(signed)
    bad.write_bytes(changed)
    out = io.StringIO()
    call_command("verify_pdf", str(good), stdout=out)
    assert (
        "Kết quả: Chữ ký số HỢP LỆ" in out.getvalue()
        and f"Người ký: {run.report_type.signer_name}" in out.getvalue()
    )
    # pyHanko's validation: whole file covered, not changed since
    assert "Chữ ký bao trùm toàn bộ tệp: Có" in out.getvalue()
    assert "Văn bản bị thay đổi sau khi ký: Không" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("verify_pdf", str(bad), stdout=out)
    assert "Văn bản bị thay đổi sau khi ký: Có" in out.getvalue()
    assert "Signature is Valid" not in pdfsig(changed, tmp_path)


def _certificate(tmp_path: Path, name: str, **validity) -> Path:
    ca = make_ca()
    key, cert = issue_certificate(ca, name, organisation=ORGANISATION, **validity)
    return write_pkcs12(tmp_path / f"{len(list(tmp_path.iterdir()))}.p12", key, cert, ca.cert, PASSWORD)


def test_each_bad_input_leaves_the_report_a_draft_with_a_vietnamese_message(run, pki, tmp_path, monkeypatch):
    name = run.report_type.signer_name
    now = dt.datetime.now(dt.UTC)
    cases = [
        (SignerSource.pkcs12(pki.leader_p12, "sai-mat-khau"), "Mật khẩu / mã PIN không đúng"),
        (
            SignerSource.pkcs12(
                _certificate(
                    tmp_path,
                    name,
                    not_before=now - dt.timedelta(days=400),
                    not_after=now - dt.timedelta(days=30),
                ),
                PASSWORD,
            ),
            "đã hết hạn",
        ),
        (
            SignerSource.pkcs12(
                _certificate(
                    tmp_path,
                    name,
                    not_before=now + dt.timedelta(days=30),
                    not_after=now + dt.timedelta(days=400),
                ),
                PASSWORD,
            ),
            "chưa có hiệu lực",
        ),
        (SignerSource.pkcs12(_certificate(tmp_path, "Nguyễn Văn Khác"), PASSWORD), "không phải của người ký"),
    ]
    for source, message in cases:
        with pytest.raises(ReportError, match=message) as caught:
            sign(run, pki, source)
        assert str(caught.value).startswith("Chưa ký số và ban hành được:")
        assert_still_draft(run)

    # LibreOffice failing (a binary that exits with an error) is a message too, and nothing is issued
    monkeypatch.setenv("BAOCAO_SOFFICE", shutil.which("false") or "/bin/false")
    with pytest.raises(ReportError, match="Chưa ký số và ban hành được: LibreOffice không chuyển được"):
        sign(run, pki)
    assert_still_draft(run)


def test_the_page_shows_the_message_and_the_report_stays_a_draft(run, pki, client):
    client.force_login(leader())
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert "Ký số và ban hành</button>" in page and "leader.p12" in page
    response = client.post(reverse("reports:sign", args=[run.pk]), {"secret": "sai-mat-khau"}, follow=True)
    assert "Chưa ký số và ban hành được: Mật khẩu / mã PIN không đúng." in response.content.decode()
    assert_still_draft(run)


def test_a_clerk_or_the_office_cannot_sign(run, pki, client):
    source = SignerSource.pkcs12(pki.leader_p12, PASSWORD)
    for username in ("ca.canbo", "vanphong"):
        with pytest.raises(PermissionDenied):
            sign_and_issue(User.objects.get(username=username), run, source)
    assert_still_draft(run)
    client.force_login(User.objects.get(username="ca.canbo"))  # does not even see the city's report
    assert client.post(reverse("reports:sign", args=[run.pk]), {"secret": PASSWORD}).status_code == 404
    client.force_login(User.objects.get(username="vanphong"))  # sees it, may not issue
    assert client.post(reverse("reports:sign", args=[run.pk]), {"secret": PASSWORD}).status_code == 403
    assert (
        "Ký số và ban hành</button>"
        not in client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    )
    assert_still_draft(run)


def test_a_report_type_that_requires_signing_refuses_the_unsigned_issue(run, pki, client):
    run.report_type.signing = SIGNING_DIGITAL
    run.report_type.save()
    with pytest.raises(ReportError, match="bắt buộc ký số"):
        issue_run(run, leader())
    assert_still_draft(run)
    client.force_login(leader())
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert "Ký số và ban hành</button>" in page and "Ban hành báo cáo" not in page


def images_in(xobject: Any) -> list[Any]:
    """The image XObjects an appearance stream draws, through nested form XObjects."""
    found = []
    for child in xobject.get("/Resources", {}).get("/XObject", {}).values():
        found += [child] if child.get("/Subtype") == "/Image" else images_in(child)
    return found


def test_the_annex_is_a_separately_signed_attachment_with_the_organisations_signature(run, pki, tmp_path):
    needs_tools()
    run.report_type.annex_attachment = True
    run.report_type.save()
    issued = sign(run, pki)
    main, annex = bytes(issued.signed_pdf), bytes(issued.signed_annex_pdf)
    annex_title = issued.document["annexes"][0]["title"]
    main_text, annex_text = (" ".join(pdf_text(data, tmp_path).split()) for data in (main, annex))
    assert annex_title not in main_text and "Số: 125/BC-UBND" in main_text
    assert annex_title in annex_text and "Báo cáo số 125/BC-UBND" in annex_text  # "Kèm theo Báo cáo số ..."
    assert "Số: 125/BC-UBND" not in annex_text  # none of the report's own pages
    # Decree 30 on a separately signed attachment: no image, the number and code and the time only
    assert "Số, ký hiệu: 125/BC-UBND" in annex_text and "Thời gian ký: " in annex_text
    assert f"Cơ quan: {ORGANISATION}" not in annex_text
    report = pdfsig(annex, tmp_path)
    assert "Signature is Valid" in report and "Total document signed" in report
    assert f"Signer Certificate Common Name: {ORGANISATION}" in report
    assert issued.signature["annex_holder"] == ORGANISATION
    expected = pdf_metadata(issued, document_from_json(issued.document), annex=True)
    assert check_pdfa(annex, expected=expected) == []  # the attachment is PDF/A-2b too, titled as the annex
    assert check_pdfa(main) == []
    with pikepdf.open(io.BytesIO(annex)) as document:
        first = document.pages[0]
        widgets = [a for a in first.get("/Annots", []) if a.get("/FT") == "/Sig"]
        assert widgets, "the organisation's visible signature is on the annex's first page"
        x1, y1, _, _ = (float(v) for v in widgets[0].Rect)
        width, height = float(first.mediabox[2]), float(first.mediabox[3])
        assert x1 > width / 2 and y1 > height * 2 / 3  # top right
        assert not images_in(widgets[0].AP.N), "no seal or other image on the attachment's signature"


def test_the_report_types_yaml_carries_the_signing_rules(run):
    report_type = run.report_type
    report_type.signing, report_type.annex_attachment = SIGNING_DIGITAL, True
    report_type.save()
    text = export_report_types([report_type])
    assert "signing: digital" in text and "annex_attachment: true" in text
    report_type.signing, report_type.annex_attachment = "optional", False
    report_type.save()
    import_report_types(text)
    report_type.refresh_from_db()
    assert (report_type.signing, report_type.annex_attachment) == (SIGNING_DIGITAL, True)
    with pytest.raises(TemplateProblems) as caught:
        import_report_types(
            text.replace("signing: digital", "signing: giay").replace(
                "annex_attachment: true", "annex_attachment: co"
            )
        )
    assert any("signing phải là optional hoặc digital" in p for p in caught.value.problems)
    assert any("annex_attachment phải là true hoặc false" in p for p in caught.value.problems)


def test_the_key_of_the_signer_is_the_configured_one_unlocked_by_what_they_type(run, pki, settings, client):
    """The leader signs with the installation's key (PKCS#12 file or PKCS#11 token); the password or PIN
    is what they type, never the one in the settings; a clerk has no key; without a key file the page
    says what to configure instead of failing."""
    key = server_key_for(leader())
    assert key is not None and key.kind == "pkcs12" and key.path == pki.leader_p12
    assert key.source("go-vao").password == "go-vao"
    assert server_key_for(User.objects.get(username="ca.canbo")) is None

    settings.BAOCAO_SIGNING_PKCS11_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so"
    settings.BAOCAO_SIGNING_PKCS11_TOKEN, settings.BAOCAO_SIGNING_PKCS11_KEY = "token-ubnd", "lanh-dao"
    settings.BAOCAO_SIGNING_PKCS11_PIN = "pin-trong-cau-hinh"
    key = server_key_for(leader())
    source = key.source("123456")
    assert (source.kind, source.token_label, source.key_label, source.pin) == (
        "pkcs11",
        "token-ubnd",
        "lanh-dao",
        "123456",
    )
    assert "token «token-ubnd»" in key.label

    settings.BAOCAO_SIGNING_PKCS11_LIBRARY = ""
    settings.BAOCAO_SIGNING_PKCS12 = str(pki.directory / "khong-co.p12")
    assert server_key_for(leader()) is None
    client.force_login(leader())
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert "Máy chủ chưa có khóa ký số cho tài khoản của bạn" in page
    response = client.post(reverse("reports:sign", args=[run.pk]), {"secret": PASSWORD}, follow=True)
    assert "Chưa ký số được: máy chủ chưa có khóa ký số" in response.content.decode()
    assert_still_draft(run)
