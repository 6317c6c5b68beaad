"""The Word output: a realistic report renders to a Decree 30 document, and the checker can fail."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as Run_

from baocao.reports.document import Annex, Heading, Paragraph, ReportDocument, Run, Table
from baocao.reports.docx import DEFAULT_FRAME, FRAME_VARIABLES, DocxError, render_docx, validate_frame
from baocao.reports.frames.build_frame import build_frame
from baocao.reports.tests.decree30 import decree30_problems


def P(*parts: str | Run) -> Paragraph:
    return Paragraph(tuple(Run(p) if isinstance(p, str) else p for p in parts))


BUDGET = Table(
    title="Kết quả thu, chi ngân sách tháng 6/2020",
    columns=("STT", "Chỉ tiêu", "Đơn vị tính", "Thực hiện tháng 6", "So cùng kỳ (%)"),
    rows=(
        ("1", "Thu ngân sách nhà nước", "triệu đồng", "27.644", "87,6"),
        ("2", "Chi ngân sách nhà nước", "triệu đồng", "24.169", "105,0"),
        ("3", "Giải ngân vốn đầu tư công", "triệu đồng", "28.718", "25,0"),
    ),
    numeric=frozenset({3, 4}),
)

ANNEX_TABLE = Table(
    columns=("STT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch năm", "Thực hiện tháng 6", "Lũy kế 6 tháng"),
    rows=tuple(
        (f"{i}", name, unit, plan, month, total)
        for i, (name, unit, plan, month, total) in enumerate(
            (
                ("Tổng mức bán lẻ hàng hóa", "tỷ đồng", "4.620", "385", "2.210"),
                ("Thu ngân sách nhà nước", "triệu đồng", "635.000", "27.644", "287.306"),
                ("Giấy phép xây dựng", "giấy phép", "900", "76", "412"),
                ("Giấy chứng nhận quyền sử dụng đất", "giấy", "150", "10", "64"),
                ("Phạm pháp hình sự", "vụ", "", "07", "31"),
                ("Lượt tiếp công dân", "lượt", "", "17", "96"),
            ),
            start=1,
        )
    ),
    numeric=frozenset({3, 4, 5}),
)


def sample_report(**changes: object) -> ReportDocument:
    """The June 2020 report of UBND thành phố Lạng Sơn, abridged from the seed."""
    body = (
        Heading(1, "I.", "NHỮNG KẾT QUẢ ĐẠT ĐƯỢC"),
        Heading(2, "1.", "Kinh tế"),
        P(
            "Hoạt động thương mại và cung ứng hàng hóa diễn ra trên thị trường tiếp tục được duy trì ổn định "
            "và phát triển, tổng mức lưu chuyển hàng hóa bán lẻ và doanh thu dịch vụ tiêu dùng trong tháng "
            "ước đạt 385 tỷ đồng."
        ),
        P(
            "Tổ chức khảo sát hệ thống mương thủy lợi phục vụ công tác tưới tiêu cho vụ Hè năm 2020; phun "
            "khử trùng tiêu độc theo Kế hoạch."
        ),
        P(
            "Công tác thu ngân sách nhà nước tính đến ngày 14/6/2020 số thu trong tháng được 9.050 triệu "
            "đồng đạt 22,6% dự toán tháng; đạt 41,3% Dự toán tỉnh giao."
        ),
        P(
            "Trong tháng, đã kiểm tra 41 vụ buôn bán, vận chuyển hàng hóa nhập lậu và vệ sinh ATTP, trong đó "
            "có 40 vụ vi phạm (",
            Run("xử phạt VPHC 40 vụ với số tiền 105,2 triệu đồng", italic=True),
            ").",
        ),
        BUDGET,
        Heading(2, "2.", "Quản lý đô thị và đầu tư xây dựng cơ bản"),
        Heading(3, "2.1.", "Quản lý đô thị"),
        P(
            "Cấp 76 giấy phép xây dựng; tổ chức kiểm tra 81 công trình xây dựng, trong đó: 54 công trình có "
            "GPXD; 27 công trình miễn GPXD."
        ),
        P(
            "Thực hiện tốt công tác quản lý, vận hành hệ thống chiếu sáng công cộng; công tác quản lý, duy "
            "trì, chăm sóc cây xanh, vườn hoa, công viên tạo cảnh quan môi trường đô thị."
        ),
        P(
            "Tổ chức thu tiền thuê nhà chung cư và nhà ở cũ thuộc sở hữu nhà nước đối với 57 hộ, với tổng số "
            "tiền 202,8 triệu đồng."
        ),
        Heading(3, "2.2.", "Đầu tư xây dựng cơ bản"),
        P(
            "Tiếp tục chỉ đạo, tổ chức thực hiện các dự án đầu tư xây dựng theo danh mục được giao chỉ tiêu "
            "Kế hoạch vốn năm 2020 là 113.879 triệu đồng, bố trí vốn cho 46 danh mục dự án."
        ),
        Heading(2, "3.", "Tài nguyên và Môi trường, đất đai, giải phóng mặt bằng"),
        P(
            "Cấp 10 Giấy chứng nhận/10 hộ gia đình, cá nhân/09 thửa với diện tích 879,1 m",
            Run("2", superscript=True),
            "; cấp GCN do chuyển mục đích 01 Giấy chứng nhận với diện tích 632,9 m",
            Run("2", superscript=True),
            ".",
        ),
        P(
            "Ban hành 02 Quyết định xử phạt vi phạm hành chính trong lĩnh vực đất đai với tổng số tiền "
            "xử phạt là 9.000.000 đồng."
        ),
        Heading(2, "4.", "Văn hoá - xã hội"),
        P(
            "Chỉ đạo các trường thực hiện nghiêm túc kế hoạch giáo dục học kỳ II theo hướng dẫn của Bộ và Sở "
            "GDĐT, chuẩn bị tốt các điều kiện ôn và thi học kỳ."
        ),
        P(
            "Duy trì tốt công tác chăm sóc sức khỏe nhân dân. Tổng giá trị hoạt động cứu trợ nhân đạo đạt: ",
            Run("125.118.000", bold=True),
            " đồng.",
        ),
        P(
            "Làm tốt công tác BHXH, BHYT, giải quyết đầy đủ kịp thời, đúng quy định trong việc thanh toán "
            "các chế độ."
        ),
        Heading(2, "5.", "Quốc phòng - an ninh - Đối ngoại"),
        P(
            "Thực hiện tốt các nhiệm vụ quốc phòng quân sự địa phương. Phạm pháp hình sự xảy ra ",
            Run("07", bold=True),
            " vụ, làm chết ",
            Run("01", bold=True),
            " người, bị thương ",
            Run("06", bold=True),
            " người (",
            Run("tăng 03 vụ so với tháng trước", italic=True),
            ").",
        ),
        P(
            "Tổ chức 261 ca với 1.425 lượt cán bộ chiến sĩ tuần tra kiểm soát phát hiện lập biên bản 908 "
            "trường hợp vi phạm Luật giao thông đường bộ."
        ),
        Heading(2, "6.", "Công tác Nội vụ, Thanh tra, Tư pháp"),
        P(
            "Thực hiện đầy đủ các chính sách đối với công chức, viên chức; bổ nhiệm vào chức danh nghề "
            "nghiệp và xếp lương đối với 07 viên chức."
        ),
        P(
            "Trong tháng đã tổ chức tiếp công dân theo định kỳ được 17 lượt công dân; tiếp nhận 42 đơn (35 "
            "đề nghị, 07 khiếu nại)."
        ),
        Heading(1, "II.", "NHIỆM VỤ TRỌNG TÂM THÁNG 7/2020"),
        Heading(2, "1.", "Lĩnh vực kinh tế"),
        P(
            "Tiếp tục thực hiện các giải pháp thúc đẩy phát triển kinh tế, tháo gỡ khó khăn cho doanh nghiệp "
            "bị ảnh hưởng bởi dịch bệnh COVID-19."
        ),
        P(
            "Tập trung chỉ đạo thu ngân sách nhà nước, phấn đấu hoàn thành dự toán được giao; đẩy nhanh tiến "
            "độ giải ngân vốn đầu tư công."
        ),
        Heading(2, "2.", "Lĩnh vực Quốc phòng - an ninh"),
        P(
            "Tiếp tục thực hiện tốt các nhiệm vụ quốc phòng quân sự địa phương. Tăng cường tuần tra kiểm "
            "soát, phát hiện xử lý nghiêm các hành vi vi phạm TTATGT./."
        ),
    )
    values: dict[str, object] = {
        "parent_body": "",
        "issuer": ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ LẠNG SƠN"),
        "number_line": "Số: 125/BC-UBND",
        "place_date": "TP. Lạng Sơn, ngày 05 tháng 6 năm 2020",
        "doc_type": "BÁO CÁO",
        "summary": (
            "Tình hình phát triển kinh tế - xã hội, quốc phòng - an ninh",
            "tháng 6/2020, nhiệm vụ công tác tháng 7/2020",
        ),
        "body": body,
        "recipients": (
            "UBND tỉnh;",
            "Sở KH&ĐT tỉnh;",
            "Cục Thống kê tỉnh;",
            "TT Thành ủy;",
            "TT HĐND TP;",
            "CT, các PCT UBND TP;",
            "Trang TTĐT thành phố;",
            "Lưu: VT.",
        ),
        "authority": "TM. ỦY BAN NHÂN DÂN",
        "signer_titles": ("CHỦ TỊCH",),
        "signer_name": "Lê Trí Thức",
        "annexes": (
            Annex(
                label="Phụ lục",
                title="BIỂU TỔNG HỢP MỘT SỐ CHỈ TIÊU KINH TẾ - XÃ HỘI THÁNG 6/2020",
                attached_to=(
                    "(Kèm theo Báo cáo số 125/BC-UBND ngày 05 tháng 6 năm 2020 của UBND thành phố Lạng Sơn)"
                ),
                items=(ANNEX_TABLE,),
            ),
        ),
    }
    values.update(changes)
    return ReportDocument(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_docx(sample_report())


def paragraphs(doc: DocumentObject) -> list[DocxParagraph]:
    """Every paragraph of the body, tables included, in document order."""
    return [DocxParagraph(p, doc._body) for p in doc.element.body.iter(qn("w:p"))]


def style(paragraph: DocxParagraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def find(doc: DocumentObject, text: str) -> DocxParagraph:
    return next(p for p in paragraphs(doc) if text in spaced(p.text))


def spaced(text: str) -> str:
    """The text with the non-breaking spaces that bind numbers to their units read as spaces."""
    return text.replace("\u00a0", " ")


def run(doc: DocumentObject, text: str) -> Run_:
    """The first run with text in the paragraph containing ``text``."""
    return next(r for r in find(doc, text).runs if r.text)


def body_texts(doc: DocumentObject) -> list[str]:
    """Headings, paragraphs and table rows (" | "-joined) between the trích yếu and the signature."""
    out: list[str] = []
    started = False
    for block in doc.iter_inner_content():
        if isinstance(block, DocxParagraph):
            if started and block.text.strip():
                out.append(spaced(block.text))
            started = started or style(block) == "BC Gach trich yeu"
        elif started:
            if "Nơi nhận:" in block.cell(0, 0).text:
                break
            out.extend(" | ".join(spaced(cell.text) for cell in row.cells) for row in block.rows)
    return out


# --------------------------------------------------------------------------------------------- compliance
def test_rendered_report_complies_with_decree_30(rendered: bytes) -> None:
    assert decree30_problems(rendered, year=2020) == []


def test_draft_without_number_and_day_complies() -> None:
    draft = sample_report(
        number_line="Số:      /BC-UBND",
        place_date="TP. Lạng Sơn, ngày      tháng 6 năm 2020",
        parent_body="",
        signer_titles=("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    )
    assert decree30_problems(render_docx(draft), year=2020) == []


def test_parent_body_is_printed_upright_above_the_issuer() -> None:
    doc = Document(io.BytesIO(render_docx(sample_report(parent_body="UBND TỈNH LẠNG SƠN"))))
    left = [p for p in doc.tables[0].cell(0, 0).paragraphs if p.text]
    assert [p.text for p in left[:3]] == ["UBND TỈNH LẠNG SƠN", "ỦY BAN NHÂN DÂN", "THÀNH PHỐ LẠNG SƠN"]
    assert decree30_problems(render_docx(sample_report(parent_body="UBND TỈNH LẠNG SƠN")), year=2020) == []


def _mutate(data: bytes, change: Callable[[DocumentObject], object]) -> bytes:
    doc = Document(io.BytesIO(data))
    change(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _set_text(paragraph: DocxParagraph, text: str) -> None:
    runs = [r for r in paragraph.runs if r.text]
    runs[0].text = text
    for other in runs[1:]:
        other.text = ""


def _drop_annex_restart(doc: DocumentObject) -> None:
    doc.sections[1]._sectPr.remove(doc.sections[1]._sectPr.find(qn("w:pgNumType")))


def _drop_summary_rule(doc: DocumentObject) -> None:
    rule = next(p for p in paragraphs(doc) if style(p) == "BC Gach trich yeu")
    rule.style = doc.styles["Normal"]


MUTATIONS: dict[str, tuple[Callable[[DocumentObject], object], str]] = {
    "left margin": (lambda d: setattr(d.sections[0], "left_margin", Mm(25)), "lề trái 25,0 mm"),
    "letter paper": (lambda d: setattr(d.sections[1], "page_width", Mm(216)), "Phần 2: khổ giấy"),
    "body font": (lambda d: setattr(run(d, "tưới tiêu").font, "name", "Arial"), "Arial"),
    "date format": (
        lambda d: _set_text(find(d, "ngày 05"), "TP. Lạng Sơn, ngày 5 tháng 06 năm 2020"),
        "Địa danh, ngày tháng",
    ),
    "body alignment": (
        lambda d: setattr(find(d, "tưới tiêu"), "alignment", WD_ALIGN_PARAGRAPH.LEFT),
        "phải căn đều hai bên (1 đoạn",
    ),
    "body size": (lambda d: setattr(run(d, "tưới tiêu").font, "size", Pt(12)), "cỡ chữ"),
    "motto not bold": (lambda d: setattr(run(d, "Độc lập"), "bold", False), "Tiêu ngữ"),
    "motto text": (lambda d: _set_text(find(d, "Độc lập"), "Độc lập – Tự do – Hạnh phúc"), "Tiêu ngữ"),
    "number line": (lambda d: _set_text(find(d, "Số: 125"), "Số: 5/BC-UBND"), "Số, ký hiệu"),
    "no page-1 exception": (
        lambda d: setattr(d.sections[0], "different_first_page_header_footer", False),
        "trang 1",
    ),
    "annex numbering": (_drop_annex_restart, "đánh lại từ 1"),
    "summary rule": (_drop_summary_rule, "Thiếu đường kẻ dưới trích yếu"),
    "last recipient": (lambda d: _set_text(find(d, "Lưu: VT"), "- Lưu: VT"), "dòng cuối"),
    "recipient size": (lambda d: setattr(run(d, "UBND tỉnh;").font, "size", Pt(13)), "Nơi nhận"),
    "signer not bold": (lambda d: setattr(run(d, "Lê Trí Thức"), "bold", False), "Họ tên người ký"),
    "red text": (
        lambda d: setattr(run(d, "tưới tiêu").font.color, "rgb", RGBColor(0xFF, 0, 0)),
        "màu FF0000",
    ),
    "not NFC": (lambda d: _set_text(find(d, "tưới tiêu"), "To\u0302\u0309 chức khảo sát."), "NFC"),
    "no end mark": (lambda d: _set_text(find(d, "TTATGT./."), "Tăng cường tuần tra."), "./."),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_checker_names_each_violation(rendered: bytes, name: str) -> None:
    change, expected = MUTATIONS[name]
    problems = decree30_problems(_mutate(rendered, change), year=2020)
    assert any(expected in problem for problem in problems), problems


def test_checker_compares_the_year(rendered: bytes) -> None:
    assert decree30_problems(rendered, year=2021) == ["Năm ban hành 2020 khác năm đánh số 2021."]


# --------------------------------------------------------------------------------------------- content
def test_autoescape_keeps_markup_characters() -> None:
    tricky = 'Giá trị & < > "<mới>"'
    report = sample_report(
        summary=(f"Trích yếu {tricky}",),
        body=(
            Heading(2, "1.", f"Mục {tricky}"),
            P(f"Đoạn {tricky}", Run(" đậm & <b>", bold=True), "./."),
            Table(columns=("A", tricky), rows=(("x", tricky),)),
        ),
        recipients=(f"Nơi {tricky};", "Lưu: VT."),
    )
    doc = Document(io.BytesIO(render_docx(report)))
    texts = [p.text for p in paragraphs(doc)]
    for expected in (
        f"Trích yếu {tricky}",
        f"1. Mục {tricky}",
        f"Đoạn {tricky} đậm & <b>./.",
        f"- Nơi {tricky};",
    ):
        assert expected in texts
    assert texts.count(tricky) == 2  # header cell and data cell


def test_body_order_equals_document_order(rendered: bytes) -> None:
    expected: list[str] = []
    for item in sample_report().body:
        if isinstance(item, Table):
            expected += [item.title] if item.title else []
            expected += [" | ".join(item.columns)] + [" | ".join(row) for row in item.rows]
        else:
            expected.append(item.text)
    assert body_texts(Document(io.BytesIO(rendered))) == expected


def test_runs_keep_bold_italic_and_superscript(rendered: bytes) -> None:
    doc = Document(io.BytesIO(rendered))
    area = find(doc, "879,1 m")
    assert [r.text for r in area.runs if r.font.superscript] == ["2", "2"]
    crime = find(doc, "Phạm pháp hình sự xảy ra")
    assert [r.text for r in crime.runs if r.bold] == ["07", "01", "06"]
    assert [spaced(r.text) for r in crime.runs if r.italic] == ["tăng 03 vụ so với tháng trước"]
    styles = {style(find(doc, text)) for text in ("I. NHỮNG", "1. Kinh tế", "2.1. Quản lý", "Cấp 76")}
    assert styles == {"BC Muc 1", "BC Muc 2", "BC Muc 3", "BC Noi dung"}


@pytest.mark.parametrize("width", range(2, 9))
def test_tables_of_any_width_render_as_word_tables(width: int) -> None:
    columns = tuple(f"Cột {i}" for i in range(width))
    rows = tuple(tuple(f"{r}.{c}" if c else f"Dòng {r}" for c in range(width)) for r in range(3))
    table = Table(columns=columns, rows=rows, title="Bảng thử", numeric=frozenset(range(1, width)))
    doc = Document(io.BytesIO(render_docx(sample_report(body=(table, P("Kết thúc./."))))))
    grid = next(t for t in doc.tables if t.style is not None and t.style.name == "BC Luoi bang")
    assert len(grid.columns) == width
    assert [[c.text for c in row.cells] for row in grid.rows] == [list(columns), *map(list, rows)]
    assert {style(c.paragraphs[0]) for c in grid.rows[0].cells} == {"BC Bang tieu de"}
    assert {style(c.paragraphs[0]) for c in grid.rows[1].cells[1:]} == {"BC Bang so"}
    assert style(grid.rows[1].cells[0].paragraphs[0]) == "BC Bang"
    assert doc.styles["BC Bang tieu de"].font.bold
    assert doc.styles["BC Bang so"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_a_report_without_annexes_has_one_section() -> None:
    data = render_docx(sample_report(annexes=()))
    doc = Document(io.BytesIO(data))
    assert len(doc.sections) == 1
    assert not any(p.text.startswith("Phụ lục") for p in paragraphs(doc))
    assert decree30_problems(data, year=2020) == []


def test_each_annex_gets_its_own_section() -> None:
    annexes = tuple(
        Annex(
            f"Phụ lục {n}",
            f"BIỂU SỐ {n}",
            "(Kèm theo Báo cáo số 125/BC-UBND ngày 05 tháng 6 năm 2020)",
            (BUDGET,),
        )
        for n in ("I", "II")
    )
    data = render_docx(sample_report(annexes=annexes))
    doc = Document(io.BytesIO(data))
    assert len(doc.sections) == 3
    assert decree30_problems(data, year=2020) == []


def test_bad_content_raises_docx_error() -> None:
    ragged = Table(columns=("A", "B"), rows=(("1",),))
    with pytest.raises(DocxError, match="dòng 1 có 1 ô"):
        render_docx(sample_report(body=(ragged,)))
    with pytest.raises(DocxError, match="cấp 4"):
        render_docx(sample_report(body=(Heading(4, "a)", "x"),)))


# --------------------------------------------------------------------------------------------- frames
def _frame(*lines: str) -> bytes:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_default_frame_is_valid_and_matches_its_build_script() -> None:
    assert validate_frame(DEFAULT_FRAME.read_bytes()) == []
    assert build_frame() == DEFAULT_FRAME.read_bytes(), (
        "chạy lại: python -m baocao.reports.frames.build_frame"
    )


def test_validate_frame_rejects_random_bytes() -> None:
    problems = validate_frame(os.urandom(4096))
    assert len(problems) == 1 and "không phải văn bản Word" in problems[0]


def test_validate_frame_reports_syntax_errors() -> None:
    problems = validate_frame(
        _frame("{%p for item in body %}", "{{ item.text }}", "{%p endfor %}", "{{ issuer | }}")
    )
    assert len(problems) == 1 and "lỗi cú pháp" in problems[0]
    with pytest.raises(DocxError, match="lỗi cú pháp"):
        render_docx(sample_report(), _frame("{{ issuer[ }}"))


def test_validate_frame_reports_unknown_variables() -> None:
    problems = validate_frame(
        _frame("{{ ten_don_vi }}", "{%p for item in body %}", "{{ item.text }}", "{%p endfor %}")
    )
    assert len(problems) == 1 and "ten_don_vi" in problems[0]
    assert problems[0].count(",") >= len(FRAME_VARIABLES) - 1  # lists what may be used


def test_validate_frame_requires_the_body_loop() -> None:
    assert any("body" in p for p in validate_frame(_frame("{{ signer_name }}")))


def test_frames_run_in_a_sandbox() -> None:
    hostile = _frame("{%p for item in body %}", "{{ item.__class__.__mro__ }}", "{%p endfor %}")
    problems = validate_frame(hostile)
    assert problems and "Thử tạo báo cáo mẫu không được" in problems[0]


def test_validate_frame_refuses_zip_bombs_and_huge_files() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    assert "bất thường" in validate_frame(bomb.getvalue())[0]
    assert "quá lớn" in validate_frame(b"PK" + b"\0" * (21 * 1024 * 1024))[0]
    with pytest.raises(DocxError, match="bất thường"):
        render_docx(sample_report(), bomb.getvalue())
