"""Signing last keeps a PDF/A-2b file PDF/A: what the signature adds follows the PDF/A rules it touches.

No PDF/A validator is installed here (veraPDF needs Java), so this checks the rules a signature could
break, with pikepdf and poppler: the original bytes untouched (incremental update), the PDF/A
identification, the Info dictionary and the XMP metadata unchanged and in agreement (§6.6), every font
embedded (§6.2.11, the info line's font included), the widget annotation printable and not hidden with a
normal appearance (§6.3), the output intent kept, no NeedAppearances."""

from __future__ import annotations

import io
import subprocess

import pikepdf
import pytest

from baocao.reports.docx import render_docx
from baocao.reports.pdf import convert_to_pdf
from baocao.signing import SignerSource, find_signature_block, leader_stamp, open_signer, sign_pdf, verify_pdf

from .conftest import PASSWORD, pdfsig, report_document, require_tools

PRINT, HIDDEN, INVISIBLE, NOVIEW = 4, 2, 1, 32


@pytest.fixture(scope="module")
def pdfa(report_pdf, demo_signer) -> bytes:  # report_pdf: skips without LibreOffice
    return convert_to_pdf(render_docx(report_document(demo_signer)), pdfa=True)


def test_signed_pdfa_stays_pdfa(pdfa, pki, demo_signer, tmp_path):
    require_tools("pdffonts")
    with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
        signed = sign_pdf(
            pdfa,
            signer,
            field_name="ChuKyLanhDao",
            stamp=leader_stamp(
                signer_name=demo_signer.name,
                organisation=demo_signer.organisation,
                signature_image=pki.signature_image,
                seal_image=pki.seal_image,
            ),
            placement=find_signature_block(pdfa, demo_signer.name, titles=demo_signer.titles),
        )
    assert signed.startswith(pdfa)
    with pikepdf.open(io.BytesIO(pdfa)) as before, pikepdf.open(io.BytesIO(signed)) as after:
        assert before.open_metadata().get("pdfaid:part") == "2"
        assert after.open_metadata().get("pdfaid:part") == "2"
        assert after.open_metadata().get("pdfaid:conformance") == "B"
        assert dict(after.docinfo) == dict(before.docinfo)
        assert after.open_metadata().get("pdf:Producer") == str(after.docinfo["/Producer"])
        assert "/OutputIntents" in after.Root
        assert not after.Root.AcroForm.get("/NeedAppearances", False)
        widgets = [
            annot for page in after.pages for annot in page.get("/Annots", []) if annot.get("/FT") == "/Sig"
        ]
        assert len(widgets) == 1
        flags = int(widgets[0].F)
        assert flags & PRINT and not flags & (HIDDEN | INVISIBLE | NOVIEW)
        assert "/N" in widgets[0].AP
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert len(rows) >= 2 and any("CID TrueType" in row for row in rows)
    assert all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column
    assert verify_pdf(signed, [pki.ca_cert]).valid
    assert "Signature Validation: Signature is Valid." in pdfsig(signed, tmp_path)
