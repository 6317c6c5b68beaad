"""Build the default Word frame of a report, ``bao-cao-nd30.docx``, with python-docx.

The frame is a docxtpl template laid out per Decree 30/2020 (vn-rules.md §2). Office staff may open it
in Word, restyle the named "BC ..." styles, and upload their own copy; this script is the reviewable
source of the committed default. Regenerate after editing::

    .venv/bin/python -m baocao.reports.frames.build_frame

The output is byte-for-byte reproducible (fixed zip timestamps and core properties), so a test can
check that the committed file matches this script.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterable
from copy import deepcopy
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Length, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

FRAME_PATH = Path(__file__).with_name("bao-cao-nd30.docx")
FONT = "Times New Roman"

# Page (vn-rules.md §2.1): A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = Mm(210 - 30 - 15)
# Header table: the Quốc hiệu (12 pt bold, about 88 mm) needs the wider right column.
HEADER_COLUMNS = (Mm(65), Mm(100))
FOOTER_COLUMNS = (Mm(75), Mm(90))
# Tiêu ngữ rule: as long as "Độc lập - Tự do - Hạnh phúc" in 13 pt bold (56 mm in Times metrics).
MOTTO_RULE = Mm(56)
# Issuer and trích yếu rules: a default width; the renderer refits them to 2/5 of the longest line.
ISSUER_RULE = Mm(20)
SUMMARY_RULE = Mm(45)

STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


# --------------------------------------------------------------------------------------------- XML helpers
def _insert_before(parent: etree._Element, child: etree._Element, successors: Iterable[str]) -> None:
    """Insert ``child`` before the first existing successor tag (schema order), else append it."""
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def _set_fonts(rpr: etree._Element) -> None:
    """Times New Roman for every script slot, no theme fonts, black."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{slot}"), FONT)


def _rule(ppr: etree._Element) -> None:
    """A solid 0.75 pt bottom border: the short rules under the issuer, the motto and the trích yếu."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    _insert_before(ppr, border, ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc"))


def _borders(tbl_pr: etree._Element, value: str) -> None:
    """Table borders: ``single`` (a grid) or ``nil`` (a layout table)."""
    old = tbl_pr.find(qn("w:tblBorders"))
    if old is not None:
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    _insert_before(tbl_pr, borders, ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))


def _cell_margins(tbl_pr: etree._Element, left: int, right: int) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge, width in (("left", left), ("right", right)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(width))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    _insert_before(tbl_pr, margins, ("w:tblLook",))


# --------------------------------------------------------------------------------------------- styles
def _defaults(doc: DocumentObject) -> None:
    """docDefaults and Normal: Times New Roman 14, black, Vietnamese, single spacing, no space after."""
    styles = doc.styles.element
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    ppr = styles.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    assert rpr is not None and ppr is not None
    _set_fonts(rpr)
    rpr.find(qn("w:sz")).set(qn("w:val"), "28")
    rpr.find(qn("w:szCs")).set(qn("w:val"), "28")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    spacing = ppr.find(qn("w:spacing"))
    spacing.attrib.clear()
    for key, value in (("after", "0"), ("line", "240"), ("lineRule", "auto")):
        spacing.set(qn(f"w:{key}"), value)

    # Keep only the styles every document has; Word's built-ins use theme fonts (Calibri) and colours.
    keep = {"Normal", "Default Paragraph Font", "Normal Table", "No List"}
    for style in list(doc.styles):
        if style.name not in keep:
            styles.remove(style.element)
    normal = doc.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(14)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "000000")
    normal.element.get_or_add_rPr().append(color)


def _style(
    doc: DocumentObject,
    name: str,
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align: str = "center",
    first_line: Length | None = None,
    before: float = 0,
    after: float = 0,
    line: float = 1.0,
    keep_next: bool = False,
    rule: bool = False,
    indent: int | None = None,
) -> ParagraphStyle:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    if rule:
        _rule(style.element.get_or_add_pPr())
    font = style.font
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    fmt = style.paragraph_format
    fmt.alignment = ALIGN[align]
    fmt.first_line_indent = first_line
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = line
    fmt.keep_with_next = keep_next
    if indent is not None:
        fmt.left_indent = fmt.right_indent = Emu(indent)
    return style


def _styles(doc: DocumentObject) -> None:
    """The named styles staff restyle in Word (sizes within the ranges of vn-rules.md §2.2)."""
    _style(doc, "BC Co quan chu quan", size=13)
    _style(doc, "BC Co quan ban hanh", size=13, bold=True)
    _style(doc, "BC Gach co quan", size=2, rule=True, indent=(HEADER_COLUMNS[0] - ISSUER_RULE) // 2)
    _style(doc, "BC So ky hieu", size=13, before=6)
    _style(doc, "BC Quoc hieu", size=12, bold=True)
    _style(doc, "BC Tieu ngu", size=13, bold=True)
    _style(doc, "BC Gach tieu ngu", size=2, rule=True, indent=(HEADER_COLUMNS[1] - MOTTO_RULE) // 2)
    _style(doc, "BC Dia danh", size=13, italic=True, before=6)
    _style(doc, "BC Ten loai", size=14, bold=True, before=24, keep_next=True)
    _style(doc, "BC Trich yeu", size=14, bold=True, keep_next=True)
    _style(doc, "BC Gach trich yeu", size=2, rule=True, after=12, indent=(TEXT_WIDTH - SUMMARY_RULE) // 2)
    for name, bold in (("BC Noi dung", False), ("BC Muc 1", True), ("BC Muc 2", True), ("BC Muc 3", True)):
        # Headings are indented like paragraphs, as Vietnamese reports print them.
        _style(doc, name, bold=bold, keep_next=bold, align="justify", first_line=Cm(1.27), after=6, line=1.15)
    _style(doc, "BC Ten bang", size=14, bold=True, before=6, after=6, keep_next=True)
    _style(doc, "BC Bang", size=13, align="left", before=2, after=2)
    _style(doc, "BC Bang so", size=13, align="right", before=2, after=2)
    _style(doc, "BC Bang tieu de", size=13, bold=True, before=2, after=2)
    _style(doc, "BC Sau bang", size=6)
    _style(doc, "BC Noi nhan", size=12, bold=True, italic=True, align="left", before=6)
    _style(doc, "BC Noi nhan muc", size=11, align="left")
    _style(doc, "BC Chuc vu", size=14, bold=True, before=0)
    _style(doc, "BC Nguoi ky", size=14, bold=True)
    _style(doc, "BC Phu luc", size=14, bold=True)
    _style(doc, "BC Ten phu luc", size=14, bold=True)
    _style(doc, "BC Kem theo", size=14, italic=True, after=12)
    _style(doc, "BC So trang", size=13)
    _style(doc, "BC Ngat", size=1)

    grid = doc.styles.add_style("BC Luoi bang", WD_STYLE_TYPE.TABLE)
    grid.base_style = doc.styles["Normal Table"]
    tbl_pr = grid.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        _insert_before(grid.element, tbl_pr, ("w:trPr", "w:tcPr", "w:tblStylePr"))
    _borders(tbl_pr, "single")


# --------------------------------------------------------------------------------------------- content
def _para(container: DocumentObject | _Cell, text: str, style: str) -> Paragraph:
    return container.add_paragraph(text, style=style)


def _first(cell: _Cell, text: str, style: str) -> Paragraph:
    """Fill the empty paragraph every new cell has."""
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    paragraph.add_run(text)
    return paragraph


def _layout_table(doc: DocumentObject, widths: tuple[Mm, Mm]) -> Table:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    _borders(tbl_pr, "nil")
    _cell_margins(tbl_pr, 0, 0)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    return table


def _grid_table(doc: DocumentObject) -> None:
    """A table whose columns and rows are docxtpl loops: ``{%tc for %}`` cells in ``{%tr for %}`` rows.

    Every row has three cells: the loop tag, the repeated cell, the closing tag; docxtpl drops the tag
    cells and widens the grid, and the renderer then fits the column widths to the content."""
    table = doc.add_table(rows=4, cols=3)
    table.style = "BC Luoi bang"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table._tbl.tblPr, "single")
    third = TEXT_WIDTH // 3
    for column in table.columns:
        column.width = third
        for cell in column.cells:
            cell.width = third
    header, row_open, row, row_close = table.rows
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    _first(header.cells[0], "{%tc for col in item.columns %}", "BC Bang")
    _first(header.cells[1], "{{ col.text }}", "BC Bang tieu de")
    _first(header.cells[2], "{%tc endfor %}", "BC Bang")
    _first(row_open.cells[0], "{%tr for row in item.rows %}", "BC Bang")
    _first(row.cells[0], "{%tc for cell in row %}", "BC Bang")
    cell = row.cells[1]
    _first(cell, "{%p if cell.numeric %}", "BC Bang")
    _para(cell, "{{ cell.text }}", "BC Bang so")
    _para(cell, "{%p else %}", "BC Bang")
    _para(cell, "{{ cell.text }}", "BC Bang")
    _para(cell, "{%p endif %}", "BC Bang")
    _first(row.cells[2], "{%tc endfor %}", "BC Bang")
    _first(row_close.cells[0], "{%tr endfor %}", "BC Bang")


def _items(doc: DocumentObject, items: str) -> None:
    """One template paragraph per kind of body item, each with its own style."""
    _para(doc, f"{{%p for item in {items} %}}", "Normal")
    _para(doc, '{%p if item.kind == "heading1" %}', "Normal")
    _para(doc, "{{ item.text }}", "BC Muc 1")
    _para(doc, '{%p elif item.kind == "heading2" %}', "Normal")
    _para(doc, "{{ item.text }}", "BC Muc 2")
    _para(doc, '{%p elif item.kind == "heading3" %}', "Normal")
    _para(doc, "{{ item.text }}", "BC Muc 3")
    _para(doc, '{%p elif item.kind == "paragraph" %}', "Normal")
    _para(doc, "{{r item.text }}", "BC Noi dung")
    _para(doc, '{%p elif item.kind == "table" %}', "Normal")
    _para(doc, "{%p if item.title %}", "Normal")
    _para(doc, "{{ item.title }}", "BC Ten bang")
    _para(doc, "{%p endif %}", "Normal")
    _grid_table(doc)
    _para(doc, "", "BC Sau bang")  # two tables in a row would otherwise merge into one
    _para(doc, "{%p endif %}", "Normal")
    _para(doc, "{%p endfor %}", "Normal")


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field (complex field, as Word writes it)."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        run = paragraph.add_run()
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.add_text(text or "")


def _page_setup(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = section.footer_distance = Mm(10)
    section.gutter = Mm(0)
    section.start_type = WD_SECTION.NEW_PAGE
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style = doc.styles["BC So trang"]
    _page_field(header)
    section.first_page_header.paragraphs[0].style = doc.styles["BC So trang"]
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    sect_pr = section._sectPr
    _insert_before(sect_pr, numbering, ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg"))


def build_frame() -> bytes:
    doc = Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _defaults(doc)
    _styles(doc)
    _page_setup(doc)

    # Header: ô 2 and ô 3 on the left, ô 1 and ô 4 on the right.
    left, right = _layout_table(doc, HEADER_COLUMNS).rows[0].cells
    _first(left, "{%p if parent_body %}", "BC Co quan chu quan")
    _para(left, "{{ parent_body }}", "BC Co quan chu quan")
    _para(left, "{%p endif %}", "BC Co quan chu quan")
    _para(left, "{%p for line in issuer %}", "BC Co quan ban hanh")
    _para(left, "{{ line }}", "BC Co quan ban hanh")
    _para(left, "{%p endfor %}", "BC Co quan ban hanh")
    _para(left, "", "BC Gach co quan")
    _para(left, "{{ number_line }}", "BC So ky hieu")
    _first(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BC Quoc hieu")
    _para(right, "Độc lập - Tự do - Hạnh phúc", "BC Tieu ngu")
    _para(right, "", "BC Gach tieu ngu")
    _para(right, "{{ place_date }}", "BC Dia danh")

    # Ô 5a: tên loại and trích yếu; ô 6: the body.
    _para(doc, "{{ doc_type }}", "BC Ten loai")
    _para(doc, "{%p for line in summary %}", "BC Trich yeu")
    _para(doc, "{{ line }}", "BC Trich yeu")
    _para(doc, "{%p endfor %}", "BC Trich yeu")
    _para(doc, "", "BC Gach trich yeu")
    _items(doc, "body")

    # Footer: ô 9b on the left, ô 7a-7b on the right.
    left, right = _layout_table(doc, FOOTER_COLUMNS).rows[0].cells
    _first(left, "Nơi nhận:", "BC Noi nhan")
    _para(left, "{%p for line in recipients %}", "BC Noi nhan muc")
    _para(left, "- {{ line }}", "BC Noi nhan muc")
    _para(left, "{%p endfor %}", "BC Noi nhan muc")
    _first(right, "{{ authority }}", "BC Chuc vu")
    _para(right, "{%p for line in signer_titles %}", "BC Chuc vu")
    _para(right, "{{ line }}", "BC Chuc vu")
    _para(right, "{%p endfor %}", "BC Chuc vu")
    for _ in range(4):
        _para(right, "", "BC Chuc vu")  # room for the signature and the seal
    _para(right, "{{ signer_name }}", "BC Nguoi ky")

    # Annexes: each starts with a section break (ending the previous section), so it begins on a new
    # page and its page numbers restart at 1; every section has the same page setup and headers.
    _para(doc, "{%p for annex in annexes %}", "Normal")
    brk = _para(doc, "", "BC Ngat")
    brk._p.get_or_add_pPr().append(deepcopy(doc.sections[-1]._sectPr))
    _para(doc, "{{ annex.label }}", "BC Phu luc")
    _para(doc, "{{ annex.title }}", "BC Ten phu luc")
    _para(doc, "{{ annex.attached_to }}", "BC Kem theo")
    _items(doc, "annex.body")
    _para(doc, "{%p endfor %}", "Normal")
    _para(doc, "", "BC Ngat")

    props = doc.core_properties
    props.title = "Khung báo cáo theo Nghị định 30/2020/NĐ-CP"
    props.author = props.last_modified_by = "baocao"
    props.created = props.modified = datetime.datetime(2020, 1, 1)
    props.revision = 1
    props.comments = "Sinh bởi baocao/reports/frames/build_frame.py"

    # python-docx's own template carries a thumbnail of an unrelated page and Word 2010's copy of its
    # Calibri styles; neither belongs in the frame (Word regenerates both on save).
    for rels, reltype in ((doc.part.package.rels, RT.THUMBNAIL), (doc.part.rels, STYLES_WITH_EFFECTS)):
        for rel_id in [key for key, rel in rels.items() if rel.reltype == reltype]:
            del rels[rel_id]

    raw = io.BytesIO()
    doc.save(raw)
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed timestamps so that the build is reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main() -> None:
    FRAME_PATH.write_bytes(build_frame())
    print(f"Đã ghi {FRAME_PATH}")


if __name__ == "__main__":
    main()
