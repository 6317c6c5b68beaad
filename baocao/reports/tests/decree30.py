"""A Decree 30/2020 checker for a report's DOCX: vn-rules.md §2.6, item by item.

``decree30_problems(docx, year=...)`` reads the document back with python-docx and returns precise
problems (empty when the document complies). Formatting is resolved the way Word resolves it: direct
formatting, then the character style, the paragraph style and its ``basedOn`` chain, the table style,
and finally ``docDefaults``. It knows nothing of the renderer: it finds the Decree 30 cells by their
position and text, so it also judges frames that staff edited in Word.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt
from lxml import etree

FONT = "Times New Roman"
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
NUMBER = re.compile(r"^Số: (\d{2,}|\s*)/BC-[A-ZĐ0-9-]+$")
DATE = re.compile(
    r"^(?P<place>[^,]+), ngày (0[1-9]|[12]\d|3[01]|\s*) tháng (01|02|[3-9]|1[0-2]) năm (?P<year>\d{4})$"
)
ROMAN_HEADING = re.compile(r"^[IVXLC]+\.\s")


def _on(element: etree._Element | None) -> bool | None:
    """A toggle property (w:b, w:i, w:titlePg): None when absent."""
    if element is None:
        return None
    return element.get(qn("w:val"), "true").lower() not in {"0", "false", "off"}


def _text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _mm(emu: int) -> str:
    return f"{Emu(emu).mm:.1f}".replace(".", ",") + " mm"


def _pt(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _width(text: str, size: float, bold: bool) -> int:
    """Estimated width (EMU) of a line in Times New Roman, from average advances per character class."""
    em = 0.0
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            continue
        if char.isupper():
            em += 0.72 if bold else 0.67
        elif char.isalpha():
            em += 0.49 if bold else 0.46
        elif char.isdigit():
            em += 0.5
        else:
            em += 0.25 if char.isspace() else 0.33
    return int(em * Pt(size))


@dataclass
class Para:
    """A paragraph's effective formatting."""

    element: etree._Element
    text: str
    sizes: set[float] = field(default_factory=set)
    bold: bool = False
    italic: bool = False
    align: str = "left"
    first_line: int = 0
    after: int = 0
    line: tuple[str, float] = ("auto", 1.0)
    left: int = 0
    right: int = 0
    rule: bool = False

    @property
    def size(self) -> float | None:
        return next(iter(self.sizes)) if len(self.sizes) == 1 else None

    def short(self) -> str:
        return f"“{self.text[:40]}{'…' if len(self.text) > 40 else ''}”"


class Checker:
    def __init__(self, doc: DocumentObject, year: int) -> None:
        self.doc = doc
        self.year = year
        self.problems: list[str] = []
        styles = doc.styles.element
        self.styles = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
        self.default = {
            s.get(qn("w:type")): s.get(qn("w:styleId"))
            for s in styles.findall(qn("w:style"))
            if s.get(qn("w:default")) in {"1", "true", "on"}
        }
        self.rpr_default = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        self.ppr_default = styles.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
        self.used_styles: set[str] = set()

    def problem(self, text: str) -> None:
        self.problems.append(text)

    # ----------------------------------------------------------------------------------- resolution
    def _chain(self, style_id: str | None) -> list[etree._Element]:
        chain: list[etree._Element] = []
        while style_id and style_id in self.styles and len(chain) < 20:
            self.used_styles.add(style_id)
            style = self.styles[style_id]
            chain.append(style)
            based = style.find(qn("w:basedOn"))
            style_id = based.get(qn("w:val")) if based is not None else None
        return chain

    def _pstyle(self, p: etree._Element) -> str | None:
        ref = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        return ref.get(qn("w:val")) if ref is not None else self.default.get("paragraph")

    def _table_style(self, p: etree._Element) -> list[etree._Element]:
        tbl = next((a for a in p.iterancestors(qn("w:tbl"))), None)
        if tbl is None:
            return []
        ref = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
        return self._chain(ref.get(qn("w:val")) if ref is not None else self.default.get("table"))

    def rprs(self, r: etree._Element, p: etree._Element) -> list[etree._Element]:
        """rPr elements from the most to the least specific."""
        found = [r.find(qn("w:rPr"))]
        ref = r.find(f"{qn('w:rPr')}/{qn('w:rStyle')}")
        if ref is not None:
            found += [s.find(qn("w:rPr")) for s in self._chain(ref.get(qn("w:val")))]
        found += [s.find(qn("w:rPr")) for s in self._chain(self._pstyle(p))]
        found += [s.find(qn("w:rPr")) for s in self._table_style(p)]
        found.append(self.rpr_default)
        return [e for e in found if e is not None]

    def pprs(self, p: etree._Element) -> list[etree._Element]:
        found = [p.find(qn("w:pPr"))] + [s.find(qn("w:pPr")) for s in self._chain(self._pstyle(p))]
        found += [s.find(qn("w:pPr")) for s in self._table_style(p)]
        found.append(self.ppr_default)
        return [e for e in found if e is not None]

    @staticmethod
    def first(chain: list[etree._Element], tag: str, attr: str | None = None) -> etree._Element | None:
        path = "/".join(qn(part) for part in tag.split("/"))
        for pr in chain:
            element = pr.find(path)
            if element is not None and (attr is None or element.get(qn(attr)) is not None):
                return element
        return None

    def para(self, p: etree._Element) -> Para:
        runs = [r for r in p.iter(qn("w:r")) if "".join(t.text or "" for t in r.iter(qn("w:t"))).strip()]
        info = Para(p, "".join(t.text or "" for t in p.iter(qn("w:t"))).strip())
        flags: dict[str, list[bool]] = {"b": [], "i": []}
        for r in runs:
            chain = self.rprs(r, p)
            size = self.first(chain, "w:sz", "w:val")
            info.sizes.add(int(size.get(qn("w:val"))) / 2 if size is not None else 10.0)
            for tag in flags:
                flags[tag].append(bool(_on(self.first(chain, f"w:{tag}"))))
        info.bold = bool(runs) and all(flags["b"])
        info.italic = bool(runs) and all(flags["i"])
        chain = self.pprs(p)
        jc = self.first(chain, "w:jc", "w:val")
        align = jc.get(qn("w:val"), "left") if jc is not None else "left"
        info.align = {"both": "justify", "distribute": "justify", "start": "left", "end": "right"}.get(
            align, align
        )
        first = self.first(chain, "w:ind", "w:firstLine")
        hanging = self.first(chain, "w:ind", "w:hanging")
        if first is not None:
            info.first_line = Emu(int(first.get(qn("w:firstLine"))) * 635)
        elif hanging is not None:
            info.first_line = -Emu(int(hanging.get(qn("w:hanging"))) * 635)
        for side, names in (("left", ("w:left", "w:start")), ("right", ("w:right", "w:end"))):
            for name in names:
                ind = self.first(chain, "w:ind", name)
                if ind is not None:
                    setattr(info, side, int(ind.get(qn(name))) * 635)
                    break
        after = self.first(chain, "w:spacing", "w:after")
        info.after = int(after.get(qn("w:after"))) * 635 if after is not None else 0
        line = self.first(chain, "w:spacing", "w:line")
        rule = self.first(chain, "w:spacing", "w:lineRule")
        kind = rule.get(qn("w:lineRule")) if rule is not None else "auto"
        if line is not None:
            value = int(line.get(qn("w:line")))
            info.line = (kind, value / 240 if kind == "auto" else value / 20)
        bottom = self.first(chain, "w:pBdr/w:bottom")
        info.rule = bottom is not None and bottom.get(qn("w:val")) not in {"nil", "none"}
        return info

    # ----------------------------------------------------------------------------------- helpers
    def check_size(self, info: Para, what: str, low: float, high: float) -> None:
        if not info.sizes:
            return
        if info.size is None:
            self.problem(f"{what} {info.short()}: cỡ chữ không đồng nhất ({sorted(info.sizes)}).")
        elif not low <= info.size <= high:
            wanted = _pt(low) if low == high else f"{_pt(low)}–{_pt(high)}"
            self.problem(f"{what} {info.short()}: cỡ chữ {_pt(info.size)}, phải {wanted}.")

    def check_format(
        self,
        info: Para,
        what: str,
        *,
        bold: bool | None = None,
        italic: bool | None = None,
        upper: bool = False,
    ) -> None:
        if bold is not None and info.bold != bold:
            self.problem(f"{what} {info.short()}: {'phải' if bold else 'không được'} in đậm.")
        if italic is not None and info.italic != italic:
            self.problem(f"{what} {info.short()}: {'phải' if italic else 'không được'} in nghiêng.")
        if upper and info.text != info.text.upper():
            self.problem(f"{what} {info.short()}: phải viết in hoa.")

    def check_rule(
        self, rule: Para | None, lines: list[Para], container: int, what: str, share: tuple[float, float]
    ) -> None:
        if rule is None or not rule.rule:
            self.problem(f"Thiếu đường kẻ dưới {what}.")
            return
        width = container - rule.left - rule.right
        longest = max((_width(i.text, i.size or 14, i.bold) for i in lines), default=0)
        if longest and not share[0] <= width / longest <= share[1]:
            self.problem(
                f"Đường kẻ dưới {what} dài {_mm(width)}, bằng {width / longest:.0%} dòng chữ "
                f"(phải {share[0]:.0%}–{share[1]:.0%})."
            )
        if abs(rule.left - rule.right) > Mm(1) and rule.align != "center":
            self.problem(f"Đường kẻ dưới {what} không ở giữa.")

    def cell_width(self, tc: etree._Element) -> int:
        tc_w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
        width = int(tc_w.get(qn("w:w"), "0")) * 635 if tc_w is not None else 0
        tbl = next(tc.iterancestors(qn("w:tbl")))
        margins = 0
        for side in ("left", "right"):
            found = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}/{qn('w:' + side)}")
            margins += int(found.get(qn("w:w"))) * 635 if found is not None else 108 * 635
        return width - margins

    def paragraphs(self, container: etree._Element) -> list[Para]:
        return [self.para(p) for p in container.findall(qn("w:p"))]

    def blocks(self, blocks: list[etree._Element]) -> list[Para | etree._Element]:
        """Paragraphs (as Para) and tables, without empty paragraphs."""
        out: list[Para | etree._Element] = []
        for block in blocks:
            if block.tag == qn("w:tbl"):
                out.append(block)
            elif block.tag == qn("w:p"):
                info = self.para(block)
                if info.text:
                    out.append(info)
        return out

    # ----------------------------------------------------------------------------------- checks
    def run(self) -> list[str]:
        sections = self.split_sections()
        self.check_pages()
        self.check_main(sections[0])
        for number, blocks in enumerate(sections[1:], start=1):
            self.check_annex(number, blocks)
        self.check_page_numbers()
        self.check_fonts_and_text()
        return self.problems

    def split_sections(self) -> list[list[etree._Element]]:
        sections: list[list[etree._Element]] = [[]]
        for block in self.doc.element.body:
            if block.tag == qn("w:sectPr"):
                continue
            sections[-1].append(block)
            if block.tag == qn("w:p") and block.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                sections.append([])
        if not sections[-1] and len(sections) > 1:
            sections.pop()
        return sections

    def check_pages(self) -> None:
        """§2.1: A4 portrait, margins top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm."""
        limits = {
            "trên": ("top_margin", 20, 25),
            "dưới": ("bottom_margin", 20, 25),
            "trái": ("left_margin", 30, 35),
            "phải": ("right_margin", 15, 20),
        }
        for number, section in enumerate(self.doc.sections, start=1):
            width, height = section.page_width or 0, section.page_height or 0
            if abs(width - Mm(210)) > Mm(1) or abs(height - Mm(297)) > Mm(1):
                self.problem(
                    f"Phần {number}: khổ giấy {_mm(width)} × {_mm(height)}, phải A4 dọc 210 × 297 mm."
                )
            for name, (attr, low, high) in limits.items():
                value = getattr(section, attr) or 0
                if not Mm(low) - Mm(0.1) <= value <= Mm(high) + Mm(0.1):
                    self.problem(f"Phần {number}: lề {name} {_mm(value)}, phải {low}–{high} mm.")

    def check_main(self, blocks: list[etree._Element]) -> None:
        items = self.blocks(blocks)
        if (
            not items
            or isinstance(items[0], Para)
            or len(items[0].findall(f"{qn('w:tr')}/{qn('w:tc')}")) != 2
        ):
            self.problem("Đầu văn bản phải là bảng hai cột (cơ quan ban hành | Quốc hiệu, Tiêu ngữ).")
            return
        header = items[0]
        if self.has_borders(header):
            self.problem("Bảng đầu văn bản không được có đường viền.")
        left, right = header.findall(f"{qn('w:tr')}/{qn('w:tc')}")
        self.check_issuer(left)
        self.check_national(right)
        footer_at = next(
            (i for i, b in enumerate(items) if not isinstance(b, Para) and "Nơi nhận" in _text(b)),
            None,
        )
        if footer_at is None:
            self.problem("Thiếu bảng cuối văn bản (Nơi nhận | chữ ký).")
            footer_at = len(items)
        else:
            self.check_footer(items[footer_at])
        middle = blocks[
            blocks.index(header) + 1 : blocks.index(items[footer_at]) if footer_at < len(items) else None
        ]
        self.check_title_and_body(middle)

    def check_issuer(self, cell: etree._Element) -> None:
        """Ô 2 and ô 3: parent body (not bold), issuer (bold) with a short rule, then "Số: ..."."""
        paras = self.paragraphs(cell)
        number_at = next((i for i, p in enumerate(paras) if p.text.startswith("Số")), None)
        if number_at is None:
            self.problem("Thiếu dòng số, ký hiệu (“Số: .../BC-...”) dưới tên cơ quan ban hành.")
            number_at = len(paras)
        above = [p for p in paras[:number_at] if p.text]
        issuer = [p for p in above if p.bold]
        parents = [p for p in above if not p.bold]
        if not issuer:
            self.problem("Thiếu tên cơ quan ban hành (in hoa, đậm).")
        if parents and issuer and paras.index(parents[-1]) > paras.index(issuer[0]):
            self.problem(f"Tên cơ quan ban hành {parents[-1].short()}: phải in đậm.")
        for p in parents:
            self.check_format(p, "Tên cơ quan chủ quản", upper=True)
            self.check_size(p, "Tên cơ quan chủ quản", 12, 13)
        for p in issuer:
            self.check_format(p, "Tên cơ quan ban hành", upper=True)
            self.check_size(p, "Tên cơ quan ban hành", 12, 13)
            if p.align != "center":
                self.problem(f"Tên cơ quan ban hành {p.short()}: phải căn giữa.")
        if len({p.size for p in issuer}) > 1:
            self.problem("Các dòng tên cơ quan ban hành không cùng cỡ chữ.")
        if issuer:
            last = paras.index(issuer[-1])
            rule = next((p for p in paras[last:number_at] if p.rule), None)
            self.check_rule(rule, issuer, self.cell_width(cell), "tên cơ quan ban hành", (0.3, 0.55))
        if number_at < len(paras):
            number = paras[number_at]
            if not NUMBER.match(number.text):
                self.problem(f"Số, ký hiệu {number.short()} không đúng mẫu “Số: 05/BC-UBND”.")
            self.check_size(number, "Số, ký hiệu", 13, 13)
            self.check_format(number, "Số, ký hiệu", bold=False, italic=False)
            if number.align != "center":
                self.problem("Số, ký hiệu phải căn giữa dưới tên cơ quan ban hành.")

    def check_national(self, cell: etree._Element) -> None:
        """Ô 1 and ô 4: Quốc hiệu, Tiêu ngữ with a rule as long as it, then the italic place and date."""
        paras = self.paragraphs(cell)
        lines = [p for p in paras if p.text]
        if len(lines) < 3:
            self.problem("Cột phải của bảng đầu văn bản phải có Quốc hiệu, Tiêu ngữ và địa danh, ngày tháng.")
            return
        quoc_hieu, tieu_ngu, date = lines[:3]
        if quoc_hieu.text.replace("HOÀ", "HÒA") != QUOC_HIEU:
            self.problem(f"Quốc hiệu {quoc_hieu.short()} phải là “{QUOC_HIEU}”.")
        self.check_format(quoc_hieu, "Quốc hiệu", bold=True, italic=False, upper=True)
        self.check_size(quoc_hieu, "Quốc hiệu", 12, 13)
        if tieu_ngu.text != TIEU_NGU:
            self.problem(f"Tiêu ngữ {tieu_ngu.short()} phải đúng “{TIEU_NGU}”.")
        self.check_format(tieu_ngu, "Tiêu ngữ", bold=True, italic=False)
        self.check_size(tieu_ngu, "Tiêu ngữ", 13, 14)
        between = paras[paras.index(tieu_ngu) : paras.index(date)]
        rule = next((p for p in between if p.rule), None)
        self.check_rule(rule, [tieu_ngu], self.cell_width(cell), "Tiêu ngữ", (0.85, 1.15))
        self.check_format(date, "Địa danh, ngày tháng", italic=True)
        self.check_size(date, "Địa danh, ngày tháng", 13, 14)
        match = DATE.match(date.text)
        if not match:
            self.problem(
                f"Địa danh, ngày tháng {date.short()} không đúng mẫu “Hà Nội, ngày 05 tháng 01 năm 2020” "
                "(ngày dưới 10 và tháng 1, 2 có số 0 phía trước)."
            )
        else:
            if not match["place"][:1].isupper():
                self.problem(f"Địa danh {match['place']!r} phải viết hoa chữ cái đầu.")
            if int(match["year"]) != self.year:
                self.problem(f"Năm ban hành {match['year']} khác năm đánh số {self.year}.")

    def check_title_and_body(self, blocks: list[etree._Element]) -> None:
        items = self.blocks(blocks)
        if not items or not isinstance(items[0], Para):
            self.problem("Thiếu tên loại văn bản (“BÁO CÁO”) sau bảng đầu văn bản.")
            return
        doc_type = items[0]
        self.check_format(doc_type, "Tên loại văn bản", bold=True, italic=False, upper=True)
        self.check_size(doc_type, "Tên loại văn bản", 13, 14)
        if doc_type.align != "center":
            self.problem("Tên loại văn bản phải căn giữa.")
        at = blocks.index(doc_type.element) + 1
        summary: list[Para] = []
        while at < len(blocks) and blocks[at].tag == qn("w:p"):
            info = self.para(blocks[at])
            if not info.text or info.align != "center" or not info.bold:
                break
            summary.append(info)
            at += 1
        if not summary:
            self.problem("Thiếu trích yếu (in đậm, căn giữa) dưới tên loại văn bản.")
        for line in summary:
            self.check_size(line, "Trích yếu", 13, 14)
            if line.text == line.text.upper():
                self.problem(f"Trích yếu {line.short()}: viết thường, không viết in hoa cả dòng.")
        rule = self.para(blocks[at]) if at < len(blocks) and blocks[at].tag == qn("w:p") else None
        if summary and rule is not None and not rule.text and not rule.rule and at + 1 < len(blocks):
            rule = self.para(blocks[at + 1]) if blocks[at + 1].tag == qn("w:p") else rule
        if summary:
            section = self.doc.sections[0]
            text_width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
            self.check_rule(rule, summary, text_width, "trích yếu", (0.3, 0.55))
        start = blocks.index(rule.element) + 1 if rule is not None else at
        self.check_body(blocks[start:], "Nội dung", final=True)

    def check_body(self, blocks: list[etree._Element], label: str, *, final: bool) -> None:
        """§2.1 body text: justified, 13-14 pt throughout, first-line indent, spacing; tables with a grid."""
        items = self.blocks(blocks)
        issues: dict[str, list[Para]] = {}
        sizes: set[float] = set()
        texts = [i for i in items if isinstance(i, Para)]
        for at, item in enumerate(items):
            if not isinstance(item, Para):
                self.check_table(item, label)
                continue
            if at + 1 < len(items) and not isinstance(items[at + 1], Para):
                if not item.bold or item.align != "center":
                    issues.setdefault("tên bảng phải in đậm, căn giữa", []).append(item)
                continue
            sizes |= item.sizes
            if item.align != "justify":
                issues.setdefault("phải căn đều hai bên", []).append(item)
            if item.size is None or not 13 <= item.size <= 14:
                issues.setdefault("cỡ chữ phải 13–14", []).append(item)
            if not any(abs(item.first_line - Cm(v)) <= Cm(0.03) for v in (1.0, 1.27)):
                issues.setdefault(f"thụt đầu dòng {_mm(item.first_line)}, phải 1 cm hoặc 1,27 cm", []).append(
                    item
                )
            if item.after < Pt(6):
                issues.setdefault("khoảng cách sau đoạn phải từ 6 pt", []).append(item)
            kind, value = item.line
            size = item.size or 14
            if not (1.0 <= value <= 1.5 if kind == "auto" else size <= value <= 1.5 * 1.15 * size):
                issues.setdefault("giãn dòng phải từ một dòng đến 1,5 dòng", []).append(item)
            if ROMAN_HEADING.match(item.text) and (not item.bold or item.text != item.text.upper()):
                issues.setdefault("đề mục La Mã phải in hoa, đậm", []).append(item)
        for issue, where in issues.items():
            self.problem(f"{label}: {issue} ({len(where)} đoạn, ví dụ {where[0].short()}).")
        if len(sizes) > 1:
            self.problem(f"{label}: cỡ chữ không thống nhất ({', '.join(_pt(s) for s in sorted(sizes))}).")
        if final and (not texts or not texts[-1].text.endswith("./.")):
            self.problem(f"{label}: đoạn cuối phải kết thúc bằng “./.”.")

    def has_borders(self, tbl: etree._Element, *, all_edges: bool = False) -> bool:
        """Whether the table shows borders (any edge, or all six edges)."""
        prs = [tbl.find(qn("w:tblPr"))]
        ref = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
        prs += [s.find(qn("w:tblPr")) for s in self._chain(ref.get(qn("w:val")) if ref is not None else None)]
        visible = []
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            found = self.first([p for p in prs if p is not None], f"w:tblBorders/w:{edge}")
            visible.append(found is not None and found.get(qn("w:val")) not in {"nil", "none"})
        return all(visible) if all_edges else any(visible)

    def check_table(self, tbl: etree._Element, label: str) -> None:
        rows = tbl.findall(qn("w:tr"))
        name = f"{label}: bảng “{_text(rows[0])[:30] if rows else ''}”"
        if not self.has_borders(tbl, all_edges=True):
            self.problem(f"{name} phải có đường kẻ ô.")
        for number, row in enumerate(rows):
            for tc in row.findall(qn("w:tc")):
                for info in self.paragraphs(tc):
                    if not info.text:
                        continue
                    if number == 0 and not info.bold:
                        self.problem(f"{name}: dòng tiêu đề phải in đậm ({info.short()}).")
                    if info.size is None or not 12 <= info.size <= 14:
                        self.problem(f"{name}: cỡ chữ trong bảng phải 12–14 ({info.short()}).")

    def check_footer(self, tbl: etree._Element) -> None:
        """Ô 9b on the left; ô 7a-7b on the right."""
        cells = tbl.findall(f"{qn('w:tr')}/{qn('w:tc')}")
        if len(cells) != 2:
            self.problem("Bảng cuối văn bản phải có hai cột (Nơi nhận | chữ ký).")
            return
        if self.has_borders(tbl):
            self.problem("Bảng cuối văn bản không được có đường viền.")
        lines = [p for p in self.paragraphs(cells[0]) if p.text]
        if not lines or lines[0].text != "Nơi nhận:":
            self.problem("Cột trái cuối văn bản phải bắt đầu bằng “Nơi nhận:”.")
            return
        self.check_format(lines[0], "“Nơi nhận:”", bold=True, italic=True)
        self.check_size(lines[0], "“Nơi nhận:”", 12, 12)
        items = lines[1:]
        if not items:
            self.problem("Nơi nhận: thiếu danh sách nơi nhận.")
        for at, item in enumerate(items):
            self.check_size(item, "Nơi nhận", 11, 11)
            self.check_format(item, "Nơi nhận", bold=False, italic=False)
            last = at == len(items) - 1
            if not item.text.startswith("- "):
                self.problem(f"Nơi nhận {item.short()}: mỗi dòng bắt đầu bằng “- ”.")
            if last and not (item.text.startswith("- Lưu: VT") and item.text.endswith(".")):
                self.problem(
                    f"Nơi nhận: dòng cuối {item.short()} phải là “- Lưu: VT, ...” và kết thúc bằng “.”."
                )
            if not last and not item.text.endswith(";"):
                self.problem(f"Nơi nhận {item.short()}: phải kết thúc bằng “;”.")
        paras = self.paragraphs(cells[1])
        signed = [p for p in paras if p.text]
        if len(signed) < 2:
            self.problem("Thiếu quyền hạn, chức vụ hoặc họ tên người ký.")
            return
        *titles, name = signed
        if not titles[0].text.startswith("TM. "):
            self.problem(f"Quyền hạn người ký {titles[0].short()} phải là “TM. ...” (thay mặt tập thể).")
        for title in titles:
            self.check_format(title, "Chức vụ người ký", bold=True, italic=False, upper=True)
            self.check_size(title, "Chức vụ người ký", 13, 14)
        self.check_format(name, "Họ tên người ký", bold=True, italic=False)
        self.check_size(name, "Họ tên người ký", 13, 14)
        if name.text == name.text.upper():
            self.problem(f"Họ tên người ký {name.short()}: viết hoa chữ cái đầu, không in hoa cả.")
        if re.match(r"^(GS|PGS|TS|ThS|KS|BS|CN)\.?\s", name.text):
            self.problem(f"Họ tên người ký {name.short()}: không ghi học hàm, học vị.")
        for p in signed:
            if p.align != "center":
                self.problem(f"Chữ ký: {p.short()} phải căn giữa.")
        if paras.index(name) - paras.index(titles[-1]) < 3:
            self.problem("Chữ ký: thiếu khoảng trống để ký giữa chức vụ và họ tên.")

    def check_annex(self, number: int, blocks: list[etree._Element]) -> None:
        items = self.blocks(blocks)
        heads = [i for i in items[:3] if isinstance(i, Para)]
        label = f"Phụ lục {number}"
        if len(heads) < 3:
            self.problem(f"{label}: thiếu nhãn “Phụ lục”, tên phụ lục hoặc dòng “(Kèm theo ...)”.")
            return
        tag, title, attached = heads
        if not tag.text.startswith("Phụ lục"):
            self.problem(f"{label}: dòng đầu {tag.short()} phải là “Phụ lục ...”.")
        self.check_format(tag, label, bold=True, italic=False)
        self.check_size(tag, label, 14, 14)
        self.check_format(title, f"{label}, tên", bold=True, upper=True)
        self.check_size(title, f"{label}, tên", 13, 14)
        self.check_format(attached, f"{label}, dòng kèm theo", italic=True)
        self.check_size(attached, f"{label}, dòng kèm theo", 13, 14)
        if not (attached.text.startswith("(Kèm theo") and attached.text.endswith(")")):
            self.problem(f"{label}: dòng {attached.short()} phải có dạng “(Kèm theo ...)”.")
        for p in heads:
            if p.align != "center":
                self.problem(f"{label}: {p.short()} phải căn giữa.")
        self.check_body(blocks[blocks.index(attached.element) + 1 :], label, final=False)

    @staticmethod
    def has_page_field(element: etree._Element) -> bool:
        instructions = [e.get(qn("w:instr"), "") for e in element.iter(qn("w:fldSimple"))]
        instructions += [e.text or "" for e in element.iter(qn("w:instrText"))]
        return any(re.search(r"\bPAGE\b", i) for i in instructions)

    def check_page_numbers(self) -> None:
        """Page numbers: PAGE centred in the header, 13-14 pt, upright; none on page 1; annexes from 1."""
        for number, section in enumerate(self.doc.sections, start=1):
            where = "Văn bản" if number == 1 else f"Phụ lục {number - 1}"
            start = section._sectPr.find(qn("w:pgNumType"))
            start_at = start.get(qn("w:start")) if start is not None else None
            header = section.header._element
            fields = [p for p in header.iter(qn("w:p")) if self.has_page_field(p)]
            if not fields:
                self.problem(f"{where}: đầu trang thiếu trường số trang (PAGE).")
            for p in fields:
                info = self.para(p)
                if info.align != "center":
                    self.problem(f"{where}: số trang phải căn giữa ở đầu trang.")
                self.check_size(info, f"{where}: số trang", 13, 14)
                self.check_format(info, f"{where}: số trang", italic=False)
            if number == 1:
                if not section.different_first_page_header_footer:
                    self.problem("Văn bản: trang 1 không được hiện số trang (đặt “trang đầu khác”, titlePg).")
                elif self.has_page_field(section.first_page_header._element):
                    self.problem("Văn bản: đầu trang của trang 1 có số trang.")
                if start_at not in (None, "1"):
                    self.problem(f"Văn bản: số trang phải bắt đầu từ 1 (đang là {start_at}).")
            else:
                if start_at != "1":
                    self.problem(f"{where}: số trang của phụ lục phải đánh lại từ 1.")
                if section.start_type not in (WD_SECTION.NEW_PAGE, WD_SECTION.ODD_PAGE, WD_SECTION.EVEN_PAGE):
                    self.problem(f"{where}: phụ lục phải bắt đầu ở trang mới.")

    def headers(self) -> list[etree._Element]:
        parts: dict[int, etree._Element] = {}
        for section in self.doc.sections:
            for part in (
                section.header,
                section.first_page_header,
                section.footer,
                section.first_page_footer,
            ):
                if not part.is_linked_to_previous:
                    parts[id(part._element)] = part._element
        return list(parts.values())

    def check_fonts_and_text(self) -> None:
        """Times New Roman only (runs, used styles, docDefaults), black or automatic text, NFC."""
        fonts: dict[str, str] = {}
        colours: dict[str, str] = {}
        not_nfc: list[str] = []
        for root in [self.doc.element.body, *self.headers()]:
            for p in root.iter(qn("w:p")):
                for r in p.iter(qn("w:r")):
                    text = "".join(t.text or "" for t in r.iter(qn("w:t")))
                    if not text.strip():
                        continue
                    if text != unicodedata.normalize("NFC", text):
                        not_nfc.append(text)
                    chain = self.rprs(r, p)
                    for slot, theme in (
                        ("ascii", "asciiTheme"),
                        ("hAnsi", "hAnsiTheme"),
                        ("cs", "cstheme"),
                        ("eastAsia", "eastAsiaTheme"),
                    ):
                        found = next(
                            (
                                f
                                for pr in chain
                                if (f := pr.find(qn("w:rFonts"))) is not None
                                and (f.get(qn(f"w:{slot}")) or f.get(qn(f"w:{theme}")))
                            ),
                            None,
                        )
                        if found is None:
                            fonts.setdefault("(không đặt, Word dùng phông mặc định)", text)
                        elif found.get(qn(f"w:{theme}")):
                            fonts.setdefault(f"phông theo chủ đề {found.get(qn(f'w:{theme}'))}", text)
                        elif found.get(qn(f"w:{slot}")) != FONT:
                            fonts.setdefault(found.get(qn(f"w:{slot}")), text)
                    colour = self.first(chain, "w:color")
                    if colour is not None and (
                        colour.get(qn("w:themeColor"))
                        or colour.get(qn("w:val"), "auto") not in {"auto", "000000"}
                    ):
                        colours.setdefault(colour.get(qn("w:themeColor")) or colour.get(qn("w:val")), text)
        for font, text in fonts.items():
            self.problem(f"Phông chữ phải là Times New Roman, có chữ dùng {font} (ví dụ “{text[:30]}”).")
        for colour, text in colours.items():
            self.problem(f"Chữ phải màu đen, có chữ màu {colour} (ví dụ “{text[:30]}”).")
        if not_nfc:
            self.problem(f"Văn bản phải ở dạng Unicode NFC (ví dụ “{not_nfc[0][:30]}”).")
        for style_id in sorted(self.used_styles):
            for f in self.styles[style_id].iter(qn("w:rFonts")):
                bad = {v for k, v in f.attrib.items() if v != FONT}
                if bad:
                    self.problem(
                        f"Kiểu “{style_id}” đặt phông khác Times New Roman: {', '.join(sorted(bad))}."
                    )
        defaults = self.rpr_default.find(qn("w:rFonts")) if self.rpr_default is not None else None
        if defaults is None or any(
            defaults.get(qn(f"w:{slot}")) != FONT for slot in ("ascii", "hAnsi", "cs", "eastAsia")
        ):
            self.problem(
                "Mặc định của tài liệu (docDefaults) phải đặt phông Times New Roman cho mọi bảng mã."
            )


def decree30_problems(docx: bytes, *, year: int) -> list[str]:
    """Every way ``docx`` departs from Decree 30/2020 (vn-rules.md §2.6); empty when it complies."""
    return Checker(Document(io.BytesIO(docx)), year).run()
