"""The issued report as PDF/A-2b (issue 18, item 2): made by the real LibreOffice, checked by
:mod:`baocao.reports.pdfa_check` (pikepdf + poppler), with its metadata in Vietnamese."""

from __future__ import annotations

import dataclasses
import io
import shutil
from typing import Any

import pikepdf
import pytest

from baocao.core.periods import Period
from baocao.reports.pdf import INSTALL_HINT, PdfMetadata, convert_to_pdf, find_soffice
from baocao.reports.pdfa_check import PdfaError, check_pdfa, require_pdfa
from baocao.testing.factories import computed_from_demo, june_report_docx

JUNE = Period.month(2020, 6)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> tuple[bytes, PdfMetadata]:
    """The demo report of June 2020 as Word, and the metadata its issued PDF carries."""
    return computed_from_demo(django_db_blocker, june_report_docx)


@pytest.fixture(scope="module")
def issued(demo: tuple[bytes, PdfMetadata]) -> bytes:
    if find_soffice() is None:
        pytest.skip(f"Chưa cài LibreOffice để tạo PDF: {INSTALL_HINT}")
    if shutil.which("pdffonts") is None:
        pytest.skip("Thiếu pdffonts: apt-get install poppler-utils")
    docx, metadata = demo
    return convert_to_pdf(docx, pdfa=True, metadata=metadata)


@pytest.fixture(scope="module")
def plain(demo: tuple[bytes, PdfMetadata], issued: bytes) -> bytes:
    return convert_to_pdf(demo[0])


def _codes(pdf: bytes, **kwargs: Any) -> set[str]:
    return {finding.code for finding in check_pdfa(pdf, **kwargs)}


def test_the_issued_demo_pdf_is_pdfa_2b(issued: bytes, demo: tuple[bytes, PdfMetadata]) -> None:
    assert check_pdfa(issued, expected=demo[1]) == []
    require_pdfa(issued, expected=demo[1])  # does not raise


def test_its_metadata_is_vietnamese_in_info_and_xmp(issued: bytes, demo: tuple[bytes, PdfMetadata]) -> None:
    metadata = demo[1]
    assert "Lạng Sơn" in metadata.author and "tháng 6" in metadata.title.lower()
    with pikepdf.open(io.BytesIO(issued)) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == metadata.title
        assert str(info["/Author"]) == metadata.author
        assert str(info["/Subject"]) == metadata.subject
        # the keywords as given: LibreOffice alone would have split "kinh tế - xã hội" into single words
        assert str(info["/Keywords"]) == f"báo cáo, kinh tế - xã hội, {JUNE.label}"
        xmp = pdf.open_metadata()
        assert xmp["dc:title"] == metadata.title
        assert list(xmp["dc:creator"]) == [metadata.author]
        assert xmp["dc:description"] == metadata.subject
        assert xmp["pdf:Keywords"] == str(info["/Keywords"])
        assert xmp.pdfa_status == "2B"


def test_a_plain_pdf_fails_with_named_findings(plain: bytes) -> None:
    findings = check_pdfa(plain)
    codes = {f.code for f in findings}
    assert {"xmp-missing", "output-intent"} <= codes
    messages = " ".join(f.message for f in findings)
    assert "siêu dữ liệu XMP" in messages and "OutputIntent" in messages
    with pytest.raises(PdfaError, match="chưa đạt PDF/A-2b"):
        require_pdfa(plain)


def _tampered(pdf: bytes, change: Any, **save: Any) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        change(document)
        out = io.BytesIO()
        document.save(out, **save)
    return out.getvalue()


def test_javascript_an_unembedded_font_and_disagreeing_metadata_are_named(issued: bytes) -> None:
    def spoil(document: pikepdf.Pdf) -> None:
        action = document.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS="app.alert('x')")
        )
        document.Root.OpenAction = action
        font = document.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
        )
        document.pages[0].Resources.Font.FHelv = font
        document.docinfo["/Title"] = "Tiêu đề khác"  # the XMP still says the old one

    findings = check_pdfa(_tampered(issued, spoil))
    codes = {f.code for f in findings}
    assert {"javascript", "font-not-embedded", "metadata-mismatch"} <= codes
    assert any("Helvetica" in f.message and "không được nhúng" in f.message for f in findings)
    assert any("tiêu đề" in f.message for f in findings if f.code == "metadata-mismatch")


def test_an_encrypted_copy_fails(issued: bytes) -> None:
    encrypted = _tampered(issued, lambda _: None, encryption=pikepdf.Encryption(owner="chu", user=""))
    assert "encrypted" in _codes(encrypted)


def test_other_metadata_than_expected_is_named(issued: bytes, demo: tuple[bytes, PdfMetadata]) -> None:
    other = dataclasses.replace(demo[1], author="Ủy ban nhân dân xã Mẫu")
    findings = check_pdfa(issued, expected=other)
    assert [f.code for f in findings] == ["metadata-value"]
    assert "Ủy ban nhân dân xã Mẫu" in findings[0].message


def test_something_that_is_not_a_pdf() -> None:
    assert _codes(b"not a pdf") == {"not-pdf"}
