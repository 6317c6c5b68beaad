"""The signature goes where the document puts the signer — found in the PDF, whatever the report's length."""

from __future__ import annotations

import unicodedata

import pytest

from baocao.reports.docx import render_docx
from baocao.reports.pdf import convert_to_pdf
from baocao.signing import PlacementNotFoundError, find_signature_block
from baocao.signing.placement import text_lines

from .conftest import report_document


@pytest.mark.parametrize("paragraphs", [0, 14, 24])
def test_stamp_area_covers_the_name_and_reaches_the_titles_at_any_length(report_pdf, demo_signer, paragraphs):
    pdf = convert_to_pdf(render_docx(report_document(demo_signer, paragraphs=paragraphs)))
    lines = text_lines(pdf)
    name = next(line for line in lines if line.text == demo_signer.name)
    placement = find_signature_block(
        pdf, demo_signer.name, titles=(demo_signer.authority, *demo_signer.titles)
    )

    assert placement.found and placement.page == name.page
    assert placement.box.contains(name.rect)
    assert placement.keep_clear is not None and placement.keep_clear.contains(name.rect)
    assert 0 <= placement.box.x1 and placement.box.x2 <= name.page_width
    assert 0 <= placement.box.y1 and placement.box.y2 <= name.page_height
    # the images go above the name, up to the title lines of the same page when they are there
    titles = [line for line in lines if line.page == name.page and line.text in demo_signer.titles]
    assert placement.image_area.y1 >= name.rect.y2
    if titles:
        assert placement.image_area.y2 >= max(t.rect.y1 for t in titles)
    # no body paragraph under the images: only the title lines share their height in the column
    column = [
        line
        for line in lines
        if line.page == name.page
        and line.rect.x2 > placement.box.x1
        and line.rect.x1 < placement.box.x2
        and line.rect.y1 < placement.image_area.y2 - 1
        and line.rect.y2 > placement.image_area.y1 + 1
    ]
    assert {line.text for line in column} <= {demo_signer.authority, *demo_signer.titles}


def test_a_document_without_the_signers_name_falls_back_and_says_so(report_pdf):
    placement = find_signature_block(report_pdf, "Người Không Có Tên")
    assert not placement.found
    assert placement.note.startswith("Không tìm thấy họ tên người ký «Người Không Có Tên» trong văn bản")
    assert placement.note.endswith("chữ ký được đặt ở góc dưới bên phải trang cuối.")
    with pytest.raises(PlacementNotFoundError, match="Không tìm thấy họ tên người ký «Người Không Có Tên»"):
        find_signature_block(report_pdf, "Người Không Có Tên", strict=True)


def test_the_name_is_found_in_decomposed_unicode_too(report_pdf, demo_signer):
    nfd = unicodedata.normalize("NFD", demo_signer.name)
    assert nfd != demo_signer.name
    assert find_signature_block(report_pdf, nfd).found
