"""Signing a LibreOffice report with the demo PKI, and verifying it: pyHanko, poppler's pdfsig, changes."""

from __future__ import annotations

import asyncio
import io
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from baocao.signing import (
    SignerSource,
    find_signature_block,
    leader_stamp,
    open_signer,
    sign_pdf,
    verify_pdf,
)
from baocao.signing.placement import text_lines
from baocao.signing.stamp import iso_signing_time

from .conftest import PASSWORD, pdfsig, require_tools


@pytest.fixture(scope="module")
def signed(report_pdf, pki, demo_signer) -> bytes:
    placement = find_signature_block(
        report_pdf, demo_signer.name, titles=(demo_signer.authority, *demo_signer.titles)
    )
    stamp = leader_stamp(
        signer_name=demo_signer.name,
        organisation=demo_signer.organisation,
        signature_image=pki.signature_image,
        seal_image=pki.seal_image,
    )
    with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
        return sign_pdf(
            report_pdf,
            signer,
            field_name="ChuKyLanhDao",
            stamp=stamp,
            placement=placement,
            reason="Ban hành báo cáo",
            location=demo_signer.place,
            expected_signer_name=demo_signer.name,
        )


def test_signed_report_is_valid_whole_file_for_pyhanko_and_pdfsig(
    signed, report_pdf, pki, demo_signer, tmp_path
):
    assert signed.startswith(report_pdf), "incremental update: the original bytes are kept as they were"

    result = verify_pdf(signed, [pki.ca_cert])
    assert result.valid, result.messages
    assert result.intact and result.covers_whole_file and not result.modified_after_signing
    assert result.signer_name == demo_signer.name
    assert result.messages[0].startswith("Chữ ký số hợp lệ: văn bản do " + demo_signer.name)

    report = pdfsig(signed, tmp_path)
    assert "Signature Field Name: ChuKyLanhDao" in report
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES
    assert "Total document signed" in report
    assert "Signature Validation: Signature is Valid." in report


def test_one_changed_byte_after_signing_fails_verification(signed, pki, tmp_path):
    original = verify_pdf(signed, [pki.ca_cert])
    assert original.valid
    # A byte of the report's own content (inside the signed range, in the first half of the file).
    changed = bytearray(signed)
    position = len(signed) // 4
    changed[position] ^= 0x01
    result = verify_pdf(bytes(changed), [pki.ca_cert])

    assert not result.valid and not result.intact
    assert result.messages[0] == "Chữ ký số KHÔNG hợp lệ: văn bản đã bị thay đổi sau khi ký."
    assert "Signature is Valid." not in pdfsig(bytes(changed), tmp_path)


def test_appended_content_after_signing_is_reported_as_a_change(signed, pki):
    """Someone opens the signed file and adds an incremental update that changes the text."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.add_stream_to_page(
        0, writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 100 100 50 50 re f"))
    )
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue(), [pki.ca_cert])

    assert not result.valid
    assert result.modified_after_signing
    assert result.messages[0] == "Chữ ký số KHÔNG hợp lệ: văn bản đã bị thay đổi sau khi ký."


def test_bytes_appended_after_the_signature_are_named_not_passed_off_as_another_signature(signed, pki):
    """Bytes added after the signed file's end (not an incremental update, not a signature): the verdict
    says why it fails instead of a bare "KHÔNG hợp lệ", and no line claims a later signature was added."""
    result = verify_pdf(signed + b"\n% them sau khi ky\n", [pki.ca_cert])

    assert not result.valid and not result.covers_whole_file
    assert result.messages[0].startswith("Chữ ký số KHÔNG hợp lệ: tệp có thêm dữ liệu sau chữ ký cuối cùng")
    assert not any("chữ ký số khác" in m for m in result.messages)


def test_stamp_is_placed_on_the_signers_name_in_the_signature_block(signed, report_pdf, demo_signer):
    names = [line for line in text_lines(report_pdf) if line.text == demo_signer.name]
    assert len(names) == 1
    name = names[0]
    titles = [
        line for line in text_lines(report_pdf) if line.text in demo_signer.titles and line.page == name.page
    ]
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        widgets = [
            (index, [float(v) for v in annot.Rect])
            for index, page in enumerate(pdf.pages)
            for annot in page.get("/Annots", [])
            if annot.get("/FT") == "/Sig"
        ]
    assert len(widgets) == 1
    page, (x1, y1, x2, y2) = widgets[0]
    assert page == name.page
    assert x1 <= name.rect.x1 and name.rect.x2 <= x2 and y1 <= name.rect.y1 and name.rect.y2 <= y2
    # centred on the name, reaching up to the title lines ("canh giữa chức vụ và họ tên")
    assert abs((x1 + x2) / 2 - (name.rect.x1 + name.rect.x2) / 2) < 1
    assert titles and y2 >= min(t.rect.y1 for t in titles)


def test_info_line_prints_signer_organisation_and_iso_time_in_an_embedded_font(
    signed, pki, demo_signer, tmp_path
):
    require_tools("pdffonts", "pdftotext")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    when = verify_pdf(signed, [pki.ca_cert]).signing_time
    assert when is not None
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert f"Người ký: {demo_signer.name}" in text
    assert f"Thời gian ký: {iso_signing_time(when)}" in text
    assert iso_signing_time(when).endswith("+07:00")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    info_fonts = [row.split() for row in fonts.splitlines()[2:] if "CID TrueType" in row]
    assert len(info_fonts) == 1, fonts  # the info line's font, added by the signature
    assert info_fonts[0][0].split("+")[-1] in {"LiberationSerif", "TimesNewRomanPSMT"}
    assert info_fonts[0][-5] == "yes", "embedded"


def test_garbage_unsigned_and_untrusted_files_give_messages_not_errors(report_pdf, signed, tmp_path):
    assert verify_pdf(b"", []).messages == ("Tệp này không phải tệp PDF.",)
    assert verify_pdf(b"\x00garbage" * 1000, []).messages == ("Tệp này không phải tệp PDF.",)
    broken = verify_pdf(b"%PDF-1.7\n" + b"\xff" * 5000, [])
    assert not broken.valid and broken.messages
    assert verify_pdf(report_pdf, []).messages == ("Tệp PDF không có chữ ký số.",)
    truncated = verify_pdf(signed[: len(signed) - 2000], [])
    assert not truncated.valid and truncated.messages
    untrusted = verify_pdf(signed, [])
    assert not untrusted.valid
    assert any("không do tổ chức chứng thực tin cậy cấp" in m for m in untrusted.messages)
    assert verify_pdf(signed, [Path(tmp_path / "missing.pem")]).valid is False


def test_a_long_organisation_name_wraps_inside_the_field(report_pdf, pki, demo_signer):
    organisation = f"{demo_signer.organisation} và các cơ quan chuyên môn trực thuộc"
    placement = find_signature_block(report_pdf, demo_signer.name, titles=demo_signer.titles)
    stamp = leader_stamp(
        signer_name=demo_signer.name, organisation=organisation, signature_image=None, seal_image=None
    )
    with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
        signed = sign_pdf(report_pdf, signer, field_name="ChuKy", stamp=stamp, placement=placement)
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        rect = next(
            [float(v) for v in annot.Rect]
            for page in pdf.pages
            for annot in page.get("/Annots", [])
            if annot.get("/FT") == "/Sig"
        )
    info = [
        line
        for line in text_lines(signed)
        if line.page == placement.page and line.rect.y2 < placement.text_area.y2
    ]
    printed = " ".join(line.text for line in info)
    assert f"Cơ quan: {organisation}" in printed
    assert len([line for line in info if line.rect.x1 >= rect[0] - 1 and line.rect.x2 <= rect[2] + 1]) >= 4
    for line in info:
        assert rect[0] - 1 <= line.rect.x1 and line.rect.x2 <= rect[2] + 1 and rect[1] - 1 <= line.rect.y1, (
            line
        )


def test_signing_and_verifying_work_where_an_event_loop_already_runs(report_pdf, pki):
    """A thread that already runs an event loop (Playwright's sync API in the test process, an ASGI
    server) made pyHanko's `asyncio.run` refuse: signing and verification then run in a thread of their
    own."""

    async def sign_and_verify_inside_a_loop():
        with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
            signed = sign_pdf(report_pdf, signer, field_name="ChuKyTrongVongLap")
        return verify_pdf(signed, [pki.ca_cert])

    # A thread of its own, so that the loop is this test's whatever ran before it in the process.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(asyncio.run, sign_and_verify_inside_a_loop()).result()
    assert result.valid, result.messages
