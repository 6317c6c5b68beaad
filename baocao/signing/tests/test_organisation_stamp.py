"""The organisation's signature on copies and annexes: top right of the page, after the leader's."""

from __future__ import annotations

import io

import pikepdf

from baocao.signing import (
    SignerSource,
    attachment_stamp,
    find_signature_block,
    find_top_right,
    leader_stamp,
    open_signer,
    organisation_stamp,
    sign_pdf,
    verify_pdf,
)
from baocao.signing.placement import text_lines
from baocao.signing.stamp import iso_signing_time

from .conftest import PASSWORD


def _widgets(pdf: bytes) -> dict[str, tuple[int, list[float]]]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return {
            str(annot.T): (index, [float(v) for v in annot.Rect])
            for index, page in enumerate(document.pages)
            for annot in page.get("/Annots", [])
            if annot.get("/FT") == "/Sig"
        }


def test_annex_gets_the_organisations_signature_top_right_after_the_leaders(report_pdf, pki, demo_signer):
    lines = text_lines(report_pdf)
    annex_page = max(line.page for line in lines)
    assert any(line.text == "Phụ lục" for line in lines if line.page == annex_page)
    with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
        signed = sign_pdf(
            report_pdf,
            signer,
            field_name="ChuKyLanhDao",
            stamp=leader_stamp(
                signer_name=demo_signer.name,
                organisation=demo_signer.organisation,
                signature_image=pki.signature_image,
                seal_image=pki.seal_image,
            ),
            placement=find_signature_block(report_pdf, demo_signer.name, titles=demo_signer.titles),
        )
    placement = find_top_right(signed, page=annex_page)
    with open_signer(SignerSource.pkcs12(pki.organisation_p12, PASSWORD)) as signer:
        both = sign_pdf(
            signed,
            signer,
            field_name="ChuKyCoQuan",
            stamp=organisation_stamp(organisation=demo_signer.organisation, document_number="01/BC-UBND"),
            placement=placement,
            expected_signer_name=demo_signer.organisation,
        )

    page, (x1, y1, x2, y2) = _widgets(both)["ChuKyCoQuan"]
    annex_lines = [line for line in lines if line.page == annex_page]
    width, height = annex_lines[0].page_width, annex_lines[0].page_height
    assert page == annex_page
    right_margin = max(line.rect.x2 for line in annex_lines)
    assert (x1 + x2) / 2 > width / 2 and x2 >= right_margin - 1 and y1 > height * 0.85, (
        "top right of the page"
    )
    assert x2 <= width and y2 <= height, "inside the page"
    assert y1 >= max(line.rect.y2 for line in annex_lines), "above the annex's first line, not over it"

    result = verify_pdf(both, [pki.ca_cert])
    assert result.valid, result.messages
    assert [s.signer_name for s in result.signatures] == [demo_signer.name, demo_signer.organisation]
    assert result.messages[0] == (
        f"2 chữ ký số hợp lệ: văn bản do {demo_signer.name}, {demo_signer.organisation} ký "
        "và không bị thay đổi sau khi ký."
    )
    assert not result.signatures[0].covers_whole_file and not result.signatures[0].modified_after_signing


def test_an_annex_signed_on_its_own_shows_number_and_time_without_image(report_pdf, pki, demo_signer):
    """Decree 30 on electronic attachments: top right of page 1, no image, số/ký hiệu and the time."""
    with open_signer(SignerSource.pkcs12(pki.organisation_p12, PASSWORD)) as signer:
        signed = sign_pdf(
            report_pdf,
            signer,
            field_name="ChuKyCoQuan",
            stamp=attachment_stamp(document_number="01/BC-UBND"),
            placement=find_top_right(report_pdf),
        )
    when = verify_pdf(signed, [pki.ca_cert]).signing_time
    assert when is not None
    page, rect = _widgets(signed)["ChuKyCoQuan"]
    assert page == 0
    inside = [
        line.text
        for line in text_lines(signed)
        if line.page == 0 and rect[0] - 1 <= line.rect.x1 and line.rect.y1 >= rect[1] - 1
    ]
    assert inside == ["Số, ký hiệu: 01/BC-UBND", f"Thời gian ký: {iso_signing_time(when)}"]
    with pikepdf.open(io.BytesIO(signed)) as document:
        widget = next(a for a in document.pages[0].Annots if a.get("/FT") == "/Sig")
        assert "/XObject" not in widget.AP.N.Resources  # no image
