"""The organisation's signature on copies and annexes: top right of the page, after the leader's."""

from __future__ import annotations

import io

import pikepdf

from baocao.signing import (
    SignerSource,
    find_signature_block,
    find_top_right,
    leader_stamp,
    open_signer,
    organisation_stamp,
    sign_pdf,
    verify_pdf,
)
from baocao.signing.placement import text_lines

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
