"""A :class:`ReportDocument` as a Decree 30/2020 Word document, rendered through a docxtpl frame.

The frame (``frames/bao-cao-nd30.docx``, built by ``frames/build_frame.py``) holds the layout and the
named "BC ..." styles; office staff may edit it in Word and upload their own copy, which
:func:`validate_frame` checks first. The context the frame sees (:data:`FRAME_VARIABLES`):

- ``parent_body``, ``number_line``, ``place_date``, ``doc_type``, ``authority``, ``signer_name``: strings;
- ``issuer``, ``summary``, ``recipients``, ``signer_titles``: lists of strings, one per printed line
  (recipients without their leading "- ");
- ``body``: a list of item dicts, all with the same keys:
  ``{"kind": "heading1" | "heading2" | "heading3" | "paragraph" | "table", "text": str | RichText,
  "title": str, "columns": [{"text", "numeric"}], "rows": [[{"text", "numeric"}]]}`` — a paragraph's
  ``text`` is a ``RichText`` (use ``{{r item.text }}``); a table has ``title``, ``columns`` and ``rows``;
- ``annexes``: a list of ``{"label", "title", "attached_to", "body"}`` with ``body`` as above.

Templates run in Jinja's immutable sandbox with autoescape and ``StrictUndefined``: an uploaded frame
cannot reach Python objects, and a misspelt field fails loudly instead of printing nothing. The sandbox is
bounded like the report blocks (:mod:`baocao.reports.limits`, setting ``BAOCAO_FRAME_LIMITS``): a frame
with a macro calling itself or a loop too long is refused when uploaded, with the line of the tag.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph as DocxParagraph
from docxtpl import DocxTemplate, RichText
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError
from lxml import etree

from baocao.core.numbers import keep_units_together
from baocao.reports.charts import ChartPicture, bind_pictures
from baocao.reports.document import Annex, BodyItem, Chart, Heading, Paragraph, ReportDocument, Run, Table
from baocao.reports.limits import FRAME_LIMITS, BoundedEnvironment, RenderError, render_scope

__all__ = ["DEFAULT_FRAME", "FRAME_VARIABLES", "DocxError", "frame_context", "render_docx", "validate_frame"]

DEFAULT_FRAME = Path(__file__).with_name("frames") / "bao-cao-nd30.docx"
FRAME_VARIABLES = frozenset(
    {
        "parent_body",
        "issuer",
        "number_line",
        "place_date",
        "doc_type",
        "summary",
        "body",
        "recipients",
        "authority",
        "signer_titles",
        "signer_name",
        "annexes",
    }
)

# Uploaded frames: a Word template is a few hundred kB; refuse anything that looks like a zip bomb.
MAX_FRAME_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_RATIO = 200

# Rules under the issuer and the trích yếu are refitted to this share of their longest line (ND 30: 1/3-1/2).
RULE_SHARE = 0.4
RULE_STYLES = {"BC Gach co quan", "BC Gach trich yeu"}
GRID_STYLE = "BC Luoi bang"

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class DocxError(ValueError):
    """The Word document could not be made; the message says why, in Vietnamese."""


# --------------------------------------------------------------------------------------------- context
def _clean(text: str) -> str:
    """NFC, without the control characters XML cannot hold."""
    return _XML_INVALID.sub("", unicodedata.normalize("NFC", text))


def _print(text: str) -> str:
    """Body text for print: cleaned, numbers bound to their unit words by non-breaking spaces."""
    return keep_units_together(_clean(text))


def _rich(runs: tuple[Run, ...]) -> RichText:
    # Bind numbers to units across runs too ("<b>03</b> phường"): the substitution keeps the length, so
    # the joined text is cut back into the runs.
    texts = [_clean(run.text) for run in runs]
    printed = keep_units_together("".join(texts))
    rich, start = RichText(), 0
    for run, text in zip(runs, texts, strict=True):
        if text:
            piece = printed[start : start + len(text)]
            rich.add(piece, bold=run.bold, italic=run.italic, superscript=run.superscript)
        start += len(text)
    return rich


def _item(item: BodyItem) -> dict[str, Any]:
    base: dict[str, Any] = {"kind": "", "text": "", "title": "", "columns": [], "rows": []}
    if isinstance(item, Heading):
        if item.level not in (1, 2, 3):
            raise DocxError(f"Đề mục “{item.text}” có cấp {item.level}; chỉ hỗ trợ cấp 1, 2 và 3.")
        return base | {"kind": f"heading{item.level}", "text": _print(item.text)}
    if isinstance(item, Paragraph):
        return base | {"kind": "paragraph", "text": _rich(item.runs)}
    if isinstance(item, Chart):  # a picture and its caption in a body paragraph (reports.charts)
        return base | {"kind": "paragraph", "text": ChartPicture(item)}
    if isinstance(item, Table):
        width = len(item.columns)
        if width == 0:
            raise DocxError(f"Bảng “{item.title}” không có cột nào.")
        for number, row in enumerate(item.rows, start=1):
            if len(row) != width:
                raise DocxError(
                    f"Bảng “{item.title or item.columns[0]}”: dòng {number} có {len(row)} ô, "
                    f"khác số cột ({width})."
                )

        def cells(texts: tuple[str, ...]) -> list[dict[str, Any]]:
            return [{"text": _print(t), "numeric": i in item.numeric} for i, t in enumerate(texts)]

        return base | {
            "kind": "table",
            "title": _clean(item.title),
            "columns": cells(item.columns),
            "rows": [cells(row) for row in item.rows],
        }
    raise DocxError(f"Không hiểu phần nội dung loại {type(item).__name__}.")


def _annex(annex: Annex) -> dict[str, Any]:
    return {
        "label": _clean(annex.label),
        "title": _clean(annex.title),
        "attached_to": _clean(annex.attached_to),
        "body": [_item(item) for item in annex.items],
    }


def frame_context(document: ReportDocument) -> dict[str, Any]:
    """The values the frame's tags see; the keys are :data:`FRAME_VARIABLES`."""

    def lines(values: tuple[str, ...]) -> list[str]:
        return [_clean(v) for v in values]

    return {
        "parent_body": _clean(document.parent_body),
        "issuer": lines(document.issuer),
        "number_line": _clean(document.number_line),
        "place_date": _clean(document.place_date),
        "doc_type": _clean(document.doc_type),
        "summary": lines(document.summary),
        "body": [_item(item) for item in document.body],
        "recipients": lines(document.recipients),
        "authority": _clean(document.authority),
        "signer_titles": lines(document.signer_titles),
        "signer_name": _clean(document.signer_name),
        "annexes": [_annex(annex) for annex in document.annexes],
    }


# --------------------------------------------------------------------------------------------- frame
@functools.cache
def _environment() -> BoundedEnvironment:
    """One frame sandbox per process: it keeps the frames' compiled parts (BoundedEnvironment.from_string)."""
    return BoundedEnvironment(FRAME_LIMITS, autoescape=True, undefined=StrictUndefined)


def _package_problem(data: bytes) -> str | None:
    """Why ``data`` cannot be a frame (size, zip, zip bomb, not Word), or None."""
    if len(data) > MAX_FRAME_BYTES:
        return f"Tệp khung mẫu quá lớn ({len(data) // 1024 // 1024} MB); tối đa 20 MB."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, ValueError, OSError):
        return "Tệp không phải văn bản Word (.docx): không đọc được nội dung nén."
    unpacked = sum(entry.file_size for entry in entries)
    if (
        len(entries) > MAX_ENTRIES
        or unpacked > MAX_UNPACKED_BYTES
        or any(entry.file_size > MAX_RATIO * max(entry.compress_size, 1024) for entry in entries)
    ):
        return (
            "Tệp khung mẫu có nội dung nén bất thường (quá nhiều hoặc quá lớn khi giải nén); từ chối xử lý."
        )
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return "Tệp không phải văn bản Word (.docx): thiếu phần nội dung word/document.xml."
    return None


def _template(data: bytes) -> DocxTemplate:
    problem = _package_problem(data)
    if problem:
        raise DocxError(problem)
    template = DocxTemplate(io.BytesIO(data))
    try:
        template.init_docx()
    except Exception as exc:  # python-docx raises several types for a broken package
        raise DocxError("Tệp không phải văn bản Word (.docx) hợp lệ: không mở được.") from exc
    return template


def _near(exc: Exception) -> str:
    """The frame's text around the failing tag (docxtpl keeps the lines near a template error)."""
    near = " ".join(line.strip() for line in getattr(exc, "docx_context", ()) if line.strip())
    return f" (gần: “{near[:200]}”)" if near else ""


def _syntax_message(exc: TemplateSyntaxError) -> str:
    return f"Khung mẫu có lỗi cú pháp thẻ: {exc.message}{_near(exc)}."


def render_docx(document: ReportDocument, frame: bytes | None = None) -> bytes:
    """The report as a .docx, laid out by ``frame`` (the default frame when None)."""
    template = _template(DEFAULT_FRAME.read_bytes() if frame is None else frame)
    context = frame_context(document)
    bind_pictures(context, template)
    environment = _environment()
    try:
        with render_scope(environment):  # one budget for all the parts (body, headers, footers)
            template.render(context, jinja_env=environment, autoescape=True)
    except TemplateSyntaxError as exc:
        raise DocxError(_syntax_message(exc)) from exc
    except UndefinedError as exc:
        raise DocxError(f"Khung mẫu dùng dữ liệu không có: {exc.message}.") from exc
    except SecurityError as exc:
        raise DocxError("Khung mẫu dùng thao tác không được phép trong thẻ.") from exc
    except RenderError as exc:  # over the limits of a frame (recursion, loops, size, time)
        raise DocxError(f"Khung mẫu vượt giới hạn: {exc}{_near(exc)}") from exc
    except RecursionError as exc:
        raise DocxError("Khung mẫu lồng nhau quá sâu (thẻ hoặc macro lồng quá nhiều cấp).") from exc
    except (TemplateError, etree.LxmlError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise DocxError(f"Không tạo được văn bản Word từ khung mẫu: {exc}") from exc
    _fit_rules(template.docx)
    _fit_tables(template.docx)
    _keep_together(template.docx)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


_SAMPLE = ReportDocument(
    issuer=("ỦY BAN NHÂN DÂN", "XÃ MẪU"),
    number_line="Số: 01/BC-UBND",
    place_date="Xã Mẫu, ngày 05 tháng 01 năm 2020",
    doc_type="BÁO CÁO",
    summary=("Kiểm tra khung mẫu",),
    body=(
        Heading(1, "I.", "MỤC"),
        Table(columns=("Chỉ tiêu", "Số"), rows=(("A", "1"),), title="Bảng", numeric=frozenset({1})),
        Paragraph((Run("Nội dung "), Run("đậm", bold=True), Run("./."))),
    ),
    recipients=("Lưu: VT.",),
    authority="TM. ỦY BAN NHÂN DÂN",
    signer_titles=("CHỦ TỊCH",),
    signer_name="Nguyễn Văn A",
    parent_body="",
    annexes=(Annex("Phụ lục", "BIỂU", "(Kèm theo Báo cáo số 01/BC-UBND)", (Paragraph((Run("x"),)),)),),
)


def validate_frame(data: bytes) -> list[str]:
    """Problems (in Vietnamese) that keep ``data`` from serving as a report frame; empty when usable."""
    problem = _package_problem(data)
    if problem:
        return [problem]
    try:
        template = _template(data)
        used = template.get_undeclared_template_variables(jinja_env=_environment())
    except DocxError as exc:
        return [str(exc)]
    except TemplateSyntaxError as exc:
        return [_syntax_message(exc)]
    except Exception:  # a hostile or broken package must not crash the upload
        return ["Tệp không phải văn bản Word (.docx) hợp lệ: không đọc được nội dung."]
    problems = []
    unknown = sorted(used - FRAME_VARIABLES)
    if unknown:
        problems.append(
            "Khung mẫu dùng biến không có trong dữ liệu báo cáo: "
            + ", ".join(unknown)
            + ". Các biến có thể dùng: "
            + ", ".join(sorted(FRAME_VARIABLES))
            + "."
        )
    if "body" not in used:
        problems.append("Khung mẫu không in nội dung báo cáo (thiếu vòng lặp {%p for item in body %}).")
    if not problems:
        try:
            render_docx(_SAMPLE, data)
        except DocxError as exc:
            problems.append(f"Thử tạo báo cáo mẫu không được: {exc}")
    return problems


# --------------------------------------------------------------------------------------------- layout fixes
# Advance widths (em) of Times New Roman / Liberation Serif for the signs whose width is far from the
# average of their class: "%" is as wide as a capital, so "105,7%" needs more than four digits' room.
_PUNCTUATION = {
    "%": (0.833, 1.0),
    "&": (0.778, 0.833),
    ",": (0.25, 0.25),
    ".": (0.25, 0.25),
    ":": (0.278, 0.333),
    ";": (0.278, 0.333),
    "/": (0.278, 0.278),
    "-": (0.333, 0.333),
    "–": (0.5, 0.5),
    "(": (0.333, 0.333),
    ")": (0.333, 0.333),
}
_BREAKABLE = re.compile(r"[ \t\n]+")  # where a line may break (not at a non-breaking space)


def _text_width(text: str, size: float, bold: bool) -> int:
    """Estimated printed width (EMU) of ``text`` in Times New Roman (average advance per character class)."""
    em = 0.0
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            continue
        if char in _PUNCTUATION:  # Times New Roman's own advances (regular, bold)
            em += _PUNCTUATION[char][1 if bold else 0]
        elif char.isupper():
            em += 0.72 if bold else 0.67
        elif char.isalpha():
            em += 0.49 if bold else 0.46
        elif char.isdigit():
            em += 0.5
        elif char.isspace():
            em += 0.25
        else:
            em += 0.33
    return int(em * Pt(size))


def _style_value(paragraph: DocxParagraph, attr: str) -> Any:
    style = paragraph.style
    while style is not None:
        value = getattr(style.font, attr)
        if value is not None:
            return value
        style = style.base_style
    return None


def _fit_rules(doc: DocumentObject) -> None:
    """Give the issuer's and the trích yếu's rules 2/5 of their longest line, centred."""
    section = doc.sections[0]
    text_width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    # The rule paragraphs found by their style id read from the XML (python-docx's paragraph.style searched
    # the styles part for every paragraph of the report: a quarter of the DOCX time, issue 16).
    rule_ids = {style.style_id for style in doc.styles if style.name in RULE_STYLES}
    style_path = f"{qn('w:pPr')}/{qn('w:pStyle')}"
    for p in doc.element.body.iter(qn("w:p")):
        style_ref = p.find(style_path)
        if style_ref is None or style_ref.get(qn("w:val")) not in rule_ids:
            continue
        paragraph = DocxParagraph(p, doc._body)
        container = p.getparent()
        width = container.width if container is not None and container.tag == qn("w:tc") else text_width
        longest, above = 0, p.getprevious()
        first_style = None
        while above is not None and above.tag == qn("w:p"):
            line = DocxParagraph(above, doc._body)
            if not line.text.strip() or (first_style is not None and line.style != first_style):
                break
            first_style = line.style
            size = next((r.font.size.pt for r in line.runs if r.font.size), None)
            size = size or (_style_value(line, "size") or Pt(14)).pt
            bold = bool(_style_value(line, "bold") or any(r.bold for r in line.runs))
            longest = max(longest, _text_width(line.text, size, bold))
            above = above.getprevious()
        if not longest or not width:
            continue
        rule = min(max(int(RULE_SHARE * longest), Mm(10)), width)
        fmt = paragraph.paragraph_format
        fmt.left_indent = fmt.right_indent = Emu((width - rule) // 2)
        fmt.first_line_indent = Emu(0)


def _fit_tables(doc: DocumentObject) -> None:
    """Share each grid table's width among its columns by the length of their longest text."""
    grid_id = next((s.style_id for s in doc.styles if s.name == GRID_STYLE), None)
    if grid_id is None:
        return
    for tbl in doc.element.body.iter(qn("w:tbl")):
        style = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
        grid = tbl.find(qn("w:tblGrid"))
        if style is None or style.get(qn("w:val")) != grid_id or grid is None:
            continue
        columns = grid.findall(qn("w:gridCol"))
        rows = [tr.findall(qn("w:tc")) for tr in tbl.findall(qn("w:tr"))]
        if not rows or any(len(cells) != len(columns) for cells in rows):
            continue  # merged cells: keep docxtpl's widths
        total = sum(int(c.get(qn("w:w"), "0")) for c in columns)  # twips
        texts = [["".join(t.text or "" for t in cell.iter(qn("w:t"))) for cell in cells] for cells in rows]
        # A column needs at least its longest word (header words are bold) plus the cell margins, and
        # would like its longest text on one line (up to 6 cm; the header on two lines); the rest of the
        # width goes by that wish.
        least, wish = [], []
        for i in range(len(columns)):
            words = [(w, r == 0) for r, row in enumerate(texts) for w in _BREAKABLE.split(row[i]) if w] or [
                ("", False)
            ]
            least.append(max(_text_width(w, 13, bold) for w, bold in words) // 635 + 300)
            header = _text_width(texts[0][i], 13, True) // 2  # a header may wrap onto two lines
            longest = max([header] + [_text_width(row[i], 13, False) for row in texts[1:]]) // 635
            wish.append(max(least[-1], min(longest, 3400)))
        spare, extra = total - sum(least), sum(wish) - sum(least)
        if 0 < spare < extra:
            widths = [lo + spare * (hi - lo) // extra for lo, hi in zip(least, wish, strict=True)]
        else:
            basis = wish if spare > 0 else least
            widths = [total * w // sum(basis) for w in basis]
        for column, width in zip(columns, widths, strict=True):
            column.set(qn("w:w"), str(width))
        for cells in rows:
            for cell, width in zip(cells, widths, strict=True):
                tc_pr = cell.find(qn("w:tcPr"))
                if tc_pr is None:
                    tc_pr = OxmlElement("w:tcPr")
                    cell.insert(0, tc_pr)
                tc_w = tc_pr.find(qn("w:tcW"))
                if tc_w is None:
                    tc_w = OxmlElement("w:tcW")
                    tc_pr.insert(0, tc_w)
                tc_w.set(qn("w:w"), str(width))
                tc_w.set(qn("w:type"), "dxa")


SIGNATURE_STYLES = {"BC Noi nhan", "BC Chuc vu", "BC Nguoi ky"}
# trPr children that come after w:cantSplit in the schema's order
_AFTER_CANT_SPLIT = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del")


def _cant_split(tr: Any) -> None:
    """The row is never cut by a page break (Word's "allow row to break across pages" off)."""
    tr_pr = tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is not None:
        return
    element = OxmlElement("w:cantSplit")
    for tag in _AFTER_CANT_SPLIT:
        found = tr_pr.find(qn(tag))
        if found is not None:
            found.addprevious(element)
            return
    tr_pr.append(element)


def _has_text(element: Any) -> bool:
    return any((t.text or "").strip() for t in element.iter(qn("w:t")))


def _keep_together(doc: DocumentObject) -> None:
    """What LibreOffice and Word both honour to keep the page whole (docs/decisions/0012):

    - widow and orphan control on every paragraph (the document default);
    - the signature block (the layout table with "Nơi nhận", the title and the signer's name) on rows that
      cannot split, so it is never cut by a page break;
    - the body's end kept with it: the paragraphs before it (up to and including the last one with text,
      and the last row of a table the body may end with) keep with the next, so the block does not start a
      page alone: LibreOffice moves that paragraph (and its heading) with the block. Known limit: a last
      paragraph about a page long is not split for it (docs/decisions/0012);
    - rows of grid tables (the annexes) that cannot split.
    """
    styles = doc.styles.element
    default = styles.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    if default is not None:
        default.widowControl_val = True
    normal = next((style for style in doc.styles if style.name == "Normal"), None)
    if isinstance(normal, ParagraphStyle):
        normal.paragraph_format.widow_control = True

    ids = {s.style_id: s.name for s in doc.styles}
    grid_id = next((sid for sid, name in ids.items() if name == GRID_STYLE), None)
    body = doc.element.body
    for tbl in body.iter(qn("w:tbl")):
        style = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
        if grid_id is not None and style is not None and style.get(qn("w:val")) == grid_id:
            for tr in tbl.findall(qn("w:tr")):
                _cant_split(tr)
    for tbl in body.findall(qn("w:tbl")):
        used = {p.get(qn("w:val")) for p in tbl.iter(qn("w:pStyle"))}
        if not any(ids.get(style_id) in SIGNATURE_STYLES for style_id in used):
            continue
        for tr in tbl.findall(qn("w:tr")):
            _cant_split(tr)
        previous = tbl.getprevious()
        while previous is not None:
            if previous.tag == qn("w:p"):
                DocxParagraph(previous, doc._body).paragraph_format.keep_with_next = True
                if _has_text(previous):
                    break
            elif previous.tag == qn("w:tbl"):
                rows = previous.findall(qn("w:tr"))
                if rows:
                    _cant_split(rows[-1])
                    for p in rows[-1].iter(qn("w:p")):
                        DocxParagraph(p, doc._body).paragraph_format.keep_with_next = True
                break
            previous = previous.getprevious()
