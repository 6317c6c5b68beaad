"""A report as a finished document: what the Word frame, the PDF and the HTML preview all show.

The report builder (:mod:`baocao.reports.building`) turns a report type's outline and blocks, rendered over
the figures, into one :class:`ReportDocument`. Every output reads only this structure, so the preview,
the DOCX and the PDF cannot disagree. All text is final (NFC, numbers already formatted); the outputs
only lay it out in the format of Decree 30/2020.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Annex",
    "BodyItem",
    "Chart",
    "Heading",
    "Paragraph",
    "ReportDocument",
    "Run",
    "Table",
    "document_from_json",
    "document_to_json",
    "failed_block",
]


@dataclass(frozen=True)
class Run:
    """A piece of text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    superscript: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph (justified, first-line indent). ``runs`` joined give its text."""

    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Heading:
    """A section heading. ``level`` 1 is "I. NHỮNG KẾT QUẢ ĐẠT ĐƯỢC", 2 is "1. Kinh tế", 3 is "2.1. ...".

    ``number`` is the label with its dot ("I.", "1.", "2.1."); ``title`` is the text as it is printed
    (level 1 titles are already upper case)."""

    level: int
    number: str
    title: str

    @property
    def text(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass(frozen=True)
class Table:
    """A table: header ``columns`` and ``rows`` of cell texts. Columns whose index is in ``numeric``
    are right-aligned. ``title`` (optional) is printed above the table, bold and centred."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Chart:
    """A chart drawn on the server (reports.charts): a PNG ``image`` printed ``width_mm`` wide, its caption
    ``title`` and ``description``, its values as text (the picture's alternative text)."""

    title: str
    image: bytes
    width_mm: int
    description: str = ""

    @property
    def text(self) -> str:
        return self.title


BodyItem = Heading | Paragraph | Table | Chart


@dataclass(frozen=True)
class Annex:
    """An appendix printed after the signature, on its own pages numbered from 1.

    ``label`` is "Phụ lục" (or "Phụ lục I", "Phụ lục II" when there are several); ``title`` is upper
    case ("BIỂU TỔNG HỢP ..."); ``attached_to`` is the italic line under it,
    "(Kèm theo Báo cáo số .../BC-UBND ngày ... của ...)"."""

    label: str
    title: str
    attached_to: str
    items: tuple[BodyItem, ...]


@dataclass(frozen=True)
class ReportDocument:
    """Everything printed in one report, in the cells of Decree 30/2020 (vn-rules.md §2.2).

    - ``parent_body``: ô 2, the directly superior body in upper case ("" when there is none);
    - ``issuer``: ô 2, the issuing body in upper case, one item per printed line
      ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ LẠNG SƠN");
    - ``number_line``: ô 3, "Số: 125/BC-UBND" (a draft leaves the number blank: "Số:      /BC-UBND");
    - ``place_date``: ô 4, "TP. Lạng Sơn, ngày 05 tháng 6 năm 2020";
    - ``doc_type``: ô 5a, "BÁO CÁO"; ``summary``: the trích yếu, one item per printed line;
    - ``body``: ô 6, headings, paragraphs and tables in order; the last paragraph ends with "./.";
    - ``recipients``: ô 9b, each item is one line without its leading "- " ("UBND tỉnh;" ... "Lưu: VT.");
    - ``authority`` and ``signer_titles``: ô 7a ("TM. ỦY BAN NHÂN DÂN", then "CHỦ TỊCH" or
      "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"); ``signer_name``: ô 7b;
    - ``annexes``: appendices after the signature;
    - ``failed_blocks``: the blocks that could not be made (a figure without data, a template over its
      limits, any template error), each "where: why"; they are printed as :func:`failed_block` in place,
      shown at the top of the draft, and a report with any of them cannot be issued.
    """

    issuer: tuple[str, ...]
    number_line: str
    place_date: str
    doc_type: str
    summary: tuple[str, ...]
    body: tuple[BodyItem, ...]
    recipients: tuple[str, ...]
    authority: str
    signer_titles: tuple[str, ...]
    signer_name: str
    parent_body: str = ""
    annexes: tuple[Annex, ...] = field(default=())
    failed_blocks: tuple[str, ...] = field(default=())

    def plain_text(self) -> str:
        """The body's text, one line per heading, paragraph or table row (for search and comparison)."""
        lines: list[str] = []
        for item in self.body:
            if isinstance(item, Table):
                lines.append(" | ".join(item.columns))
                lines.extend(" | ".join(row) for row in item.rows)
            else:
                lines.append(item.text)
        return "\n".join(lines)


def _item_to_json(item: BodyItem) -> dict[str, Any]:
    data = asdict(item)
    if isinstance(item, Table):
        data["numeric"] = sorted(item.numeric)
    if isinstance(item, Chart):
        data["image"] = base64.b64encode(item.image).decode("ascii")
    data["type"] = type(item).__name__.lower()
    return data


def _item_from_json(data: dict[str, Any]) -> BodyItem:
    data = dict(data)
    match data.pop("type"):
        case "heading":
            return Heading(**data)
        case "paragraph":
            return Paragraph(tuple(Run(**run) for run in data["runs"]))
        case "table":
            return Table(
                columns=tuple(data["columns"]),
                rows=tuple(tuple(row) for row in data["rows"]),
                title=data["title"],
                numeric=frozenset(data["numeric"]),
            )
        case "chart":
            return Chart(
                data["title"], base64.b64decode(data["image"]), data["width_mm"], data["description"]
            )
    raise ValueError(f"Không nhận ra phần tử văn bản: {data!r}")


def document_to_json(document: ReportDocument) -> dict[str, Any]:
    """A JSON-ready dict (kept with an issued report so it shows exactly as issued)."""
    data = asdict(document)
    data["body"] = [_item_to_json(item) for item in document.body]
    data["annexes"] = [
        {**asdict(annex), "items": [_item_to_json(item) for item in annex.items]}
        for annex in document.annexes
    ]
    return data


def document_from_json(data: dict[str, Any]) -> ReportDocument:
    data = dict(data)
    body = tuple(_item_from_json(item) for item in data.pop("body"))
    annexes = tuple(
        Annex(a["label"], a["title"], a["attached_to"], tuple(_item_from_json(i) for i in a["items"]))
        for a in data.pop("annexes")
    )
    return ReportDocument(
        issuer=tuple(data["issuer"]),
        number_line=data["number_line"],
        place_date=data["place_date"],
        doc_type=data["doc_type"],
        summary=tuple(data["summary"]),
        body=body,
        recipients=tuple(data["recipients"]),
        authority=data["authority"],
        signer_titles=tuple(data["signer_titles"]),
        signer_name=data["signer_name"],
        parent_body=data.get("parent_body", ""),
        annexes=annexes,
        failed_blocks=tuple(data.get("failed_blocks", ())),
    )


def failed_block(reason: str) -> Paragraph:
    """What a draft prints in place of a block that could not be made: "[chưa lập được: lý do]"."""
    return Paragraph((Run(f"[chưa lập được: {reason}]", italic=True),))
