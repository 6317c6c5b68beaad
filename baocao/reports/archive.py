"""Archive import: a past report's text read back into data (issue 14, point 5; decision 0024).

The office pastes the text of a past report (or uploads it as .docx), chooses the period and the report
type; :func:`read_archive` proposes the values the text states for that period through the recogniser's
``propose_values`` (indicator, unit, kind, value and the sentence each came from) and lists the numbers it
could not place. The office reviews the rows (corrects a value or an indicator, drops rows) and
:func:`import_archive` writes them through the one write path (``collection.values.write_values``): a dry
run first, then all-or-nothing, each change logged with the source "Từ báo cáo cũ" and its sentence.

Bad input never ends in a server error: text beyond :data:`MAX_TEXT_CHARS`, a file that is not a .docx or
too large, a .docx without text, HTML and scripts pasted from the web (reduced to their text) are refused
or cleaned with a Vietnamese message (:class:`ArchiveError`); numbers that cannot be placed are listed.
"""

from __future__ import annotations

import html.parser
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import docx
from django.core.exceptions import PermissionDenied

from baocao.accounts.permissions import Action, require
from baocao.collection.models import ChangeSource
from baocao.collection.types import Record, WriteResult
from baocao.collection.values import write_values
from baocao.core import numbers
from baocao.core.periods import Period
from baocao.core.users import MaybeUser
from baocao.indicators.models import Indicator
from baocao.orgunits.models import OrgUnit
from baocao.reports.recognizer import Mention, find_mentions, propose_values
from baocao.reports.recognizer.matching import unit_words

__all__ = [
    "MAX_DOCX_BYTES",
    "MAX_TEXT_CHARS",
    "ArchiveError",
    "ArchiveRow",
    "Reading",
    "clean_text",
    "import_archive",
    "read_archive",
    "read_docx",
]

MAX_TEXT_CHARS = 200_000  # a year's monthly report is ~40.000 characters; a 200.000 paste is still read
MAX_DOCX_BYTES = 5 * 1024 * 1024  # the file as uploaded
MAX_DOCX_UNPACKED = 40 * 1024 * 1024  # its parts unpacked (a zip bomb is refused before docx opens it)
MAX_ROWS = 2_000  # rows sent back from the review table
IMPORT_ACTION = Action.COMPILE  # the office (and the administrator) prepare reports for units in scope

KINDS = {"actual": "Thực hiện", "estimate": "Ước thực hiện", "cumulative": "Lũy kế"}


class ArchiveError(ValueError):
    """Input the archive import cannot read; the message is Vietnamese and says what to do."""


@dataclass(frozen=True)
class ArchiveRow:
    """A proposed value (line numbers start at 1 in the review table)."""

    line: int
    code: str
    name: str
    org_unit: str
    kind: str
    value: Decimal
    unit: str
    number: str  # the number as written in the sentence ("9.050 triệu đồng")
    sentence: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def value_text(self) -> str:
        return numbers.format_number(self.value)


@dataclass(frozen=True)
class Unplaced:
    """A number of the text no indicator was proposed for (the office may bind it in the review)."""

    number: str  # as written, with its unit word
    value: Decimal  # in the unit written
    sentence: str
    unit_word: str = ""  # "triệu đồng", "vụ", ...: a money amount is converted to the indicator's unit

    @property
    def number_value(self) -> str:
        return numbers.format_number(self.value)


@dataclass
class Reading:
    """What a past report's text states: the proposed rows and the numbers left in the text."""

    text: str
    period: Period
    org_unit: OrgUnit
    rows: list[ArchiveRow] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


# --------------------------------------------------------------------------------------------- input


class _TextOnly(html.parser.HTMLParser):
    """The text of pasted HTML: scripts, styles and comments dropped, block ends become line breaks."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}
    )
    HIDDEN = frozenset({"script", "style", "head", "title", "noscript", "template", "iframe", "object"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def clean_text(raw: str) -> str:
    """Plain NFC text of a paste: HTML reduced to its text (no script survives), control characters
    dropped, line breaks normalised. Refused beyond :data:`MAX_TEXT_CHARS`."""
    if len(raw) > MAX_TEXT_CHARS * 4:  # not even worth cleaning (HTML may be four times its text)
        raise ArchiveError(_too_long(len(raw)))
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if _TAG.search(text):
        parser = _TextOnly()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r"\n\s*\n\s*", "\n\n", text).strip()
    if len(text) > MAX_TEXT_CHARS:
        raise ArchiveError(_too_long(len(text)))
    return text


def _too_long(length: int) -> str:
    return (
        f"Văn bản dài {numbers.format_count(length)} ký tự, vượt giới hạn "
        f"{numbers.format_count(MAX_TEXT_CHARS)} ký tự của một lần nhập: hãy chia báo cáo thành nhiều phần."
    )


def read_docx(data: bytes) -> str:
    """The text of an uploaded .docx (paragraphs and table cells, in order), cleaned as a paste."""
    if len(data) > MAX_DOCX_BYTES:
        raise ArchiveError(
            f"Tệp .docx nặng {numbers.format_count(len(data) // 1024)} KB, vượt giới hạn "
            f"{numbers.format_count(MAX_DOCX_BYTES // 1024)} KB."
        )
    not_docx = (
        "Tệp tải lên không phải tệp Word .docx đọc được: hãy lưu báo cáo dưới dạng .docx hoặc dán văn bản."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "word/document.xml" not in names:
                raise ArchiveError(not_docx)
            if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNPACKED:
                raise ArchiveError("Tệp .docx giải nén quá lớn, không đọc được.")
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ArchiveError(not_docx) from error
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on a damaged package; all mean "not readable"
        raise ArchiveError(not_docx) from error
    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = [
                        "".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                        for cell in row
                        if cell.tag.endswith("}tc")
                    ]
                    blocks.append(" | ".join(c for c in cells if c))
    text = clean_text("\n\n".join(b for b in blocks if b.strip()))
    if not text:
        raise ArchiveError("Tệp .docx không có chữ nào: đây không phải một báo cáo.")
    return text


# ------------------------------------------------------------------------------------------ proposing


def read_archive(
    text: str, *, user: MaybeUser, org_unit: OrgUnit, period: Period, report_type: Any = None
) -> Reading:
    """The values ``text`` (a past report of ``org_unit`` for ``period``) states, for review. Nothing is
    written. The user must be allowed to import for ``org_unit`` (PermissionDenied otherwise)."""
    require(user, IMPORT_ACTION, org_unit)
    text = clean_text(text)
    reading = Reading(text=text, period=period, org_unit=org_unit)
    if not text:
        return reading
    proposals = propose_values(text, report_type=report_type, org_unit=org_unit, period=period)
    placed = {(p.mention.start, p.mention.end) for p in proposals}
    allowed = set(OrgUnit.objects.filter(path__startswith=org_unit.path).values_list("code", flat=True))
    for proposal in proposals:
        if proposal.org_unit not in allowed:
            placed.discard((proposal.mention.start, proposal.mention.end))
            continue
        reading.rows.append(
            ArchiveRow(
                line=len(reading.rows) + 1,
                code=proposal.code,
                name=proposal.name,
                org_unit=proposal.org_unit,
                kind=proposal.kind,
                value=proposal.value,
                unit=proposal.unit,
                number=_as_written(text, proposal.mention),
                sentence=proposal.sentence.strip(),
            )
        )
    for mention in find_mentions(text, unit_words()):
        if (mention.start, mention.end) not in placed:
            reading.unplaced.append(
                Unplaced(_as_written(text, mention), mention.value, mention.sentence.strip())
            )
    return reading


def _as_written(text: str, mention: Mention) -> str:
    return " ".join(text[mention.start : max(mention.end, mention.unit_end)].split())


# ------------------------------------------------------------------------------------------ importing


def import_archive(
    user: MaybeUser,
    rows: Iterable[Mapping[str, Any]],
    *,
    org_unit: OrgUnit,
    period: Period,
    dry_run: bool,
) -> WriteResult:
    """Write the reviewed ``rows`` ({line, indicator, org_unit, kind, value, sentence}) for ``period``
    through the one write path: all-or-nothing, source "Từ báo cáo cũ", each change keeping its sentence.

    Permission is decided here: the user must be allowed to import (the office's ``compile``) for
    ``org_unit`` and every row's unit must lie within it. ImportRejected names the bad rows."""
    require(user, IMPORT_ACTION, org_unit)
    records: list[Record] = []
    codes = set()
    for row in rows:
        codes.add(str(row.get("org_unit", "")))
        records.append(
            (
                int(row["line"]),
                {
                    "indicator": str(row.get("indicator", "")),
                    "org_unit": str(row.get("org_unit", "")),
                    "period": period.id,
                    "kind": str(row.get("kind", "actual")),
                    "value": row.get("value", ""),
                    "source_note": unicodedata.normalize("NFC", str(row.get("sentence", "")))[:2000],
                },
            )
        )
    if len(records) > MAX_ROWS:
        raise ArchiveError(f"Quá nhiều dòng ({len(records)}); tối đa {MAX_ROWS} dòng một lần nhập.")
    outside = OrgUnit.objects.filter(code__in=codes).exclude(path__startswith=org_unit.path)
    if outside.exists():
        names = ", ".join(u.name for u in outside)
        raise PermissionDenied(
            f"Đơn vị {names} không thuộc {org_unit.name}: không được nhập số liệu cho đơn vị này."
        )
    units = list(OrgUnit.objects.filter(code__in=codes))
    require(user, IMPORT_ACTION, units)
    return write_values(user, records, source=ChangeSource.ARCHIVE, dry_run=dry_run, action=IMPORT_ACTION)


def indicator_choices(org_unit: OrgUnit) -> list[tuple[str, str, str]]:
    """(code, name, unit) of the indicators a row may be corrected to, for the review table's picker."""
    return [
        (i.code, i.name, i.unit.name)
        for i in Indicator.objects.filter(is_active=True)
        .select_related("unit")
        .order_by("sort_order", "code")
    ]


def rows_from_review(form: Mapping[str, str], org_unit: OrgUnit) -> list[dict[str, str]]:
    """The rows the office kept in the review table (posted as ``keep_N``, ``indicator_N``, ``kind_N``,
    ``value_N``, ``sentence_N``; unplaced numbers as ``u_indicator_N``, ``u_value_N``, ``u_sentence_N``
    when an indicator was picked for them). The indicator is the picker's text up to its first " — ";
    the unit is the indicator's responsible unit (``org_unit`` when none)."""
    picked: list[tuple[int, str, str, str, str, str]] = []
    line = 0
    for prefix, kept in (("", True), ("u_", False)):
        count_text = str(form.get(f"{prefix}count", "0") or "0")
        count = min(int(count_text), MAX_ROWS) if count_text.isdigit() else 0
        for i in range(1, count + 1):
            code = str(form.get(f"{prefix}indicator_{i}", "")).split(" — ", 1)[0].strip()
            if (kept and not form.get(f"keep_{i}")) or not code:
                continue
            line += 1
            picked.append(
                (
                    line,
                    code,
                    str(form.get(f"{prefix}kind_{i}", "actual")),
                    str(form.get(f"{prefix}value_{i}", "")),
                    str(form.get(f"{prefix}sentence_{i}", "")),
                    "" if kept else str(form.get(f"u_unit_{i}", "")),
                )
            )
    codes = {p[1] for p in picked}
    units = dict(Indicator.objects.filter(code__in=codes).values_list("code", "unit__name"))
    picked = [(n, c, k, _converted(v, w, units.get(c, "")), t, w) for n, c, k, v, t, w in picked]
    responsible = {
        i.code: (i.responsible_unit.code if i.responsible_unit else org_unit.code)
        for i in Indicator.objects.filter(code__in=codes).select_related("responsible_unit")
    }
    return [
        {
            "line": str(line),
            "indicator": code,
            "org_unit": responsible.get(code, org_unit.code),
            "kind": kind,
            "value": value,
            "sentence": sentence,
        }
        for line, code, kind, value, sentence, _ in picked
    ]


MONEY_UNITS = ("đồng", "nghìn đồng", "triệu đồng", "tỷ đồng")


def _converted(value: str, written_unit: str, indicator_unit: str) -> str:
    """An unplaced amount written in one money unit, in the indicator's (1,5 tỷ đồng → 1.500 triệu
    đồng); anything else as typed (the write path reports a value it cannot read, naming the row)."""
    if written_unit == indicator_unit or written_unit not in MONEY_UNITS or indicator_unit not in MONEY_UNITS:
        return value
    try:
        amount = numbers.parse_number(value)
    except ValueError:
        return value
    return numbers.format_number(numbers.convert_scale(amount, written_unit, indicator_unit))
