"""Excel: import a task list (dry run, all or nothing) and export the per-unit table of a period.

The task list is the first sheet, one task per row under a header row (column order free):
Số, ký hiệu văn bản | Loại văn bản | Ngày văn bản | Cơ quan ban hành | Trích yếu | Mã nhiệm vụ |
Nội dung nhiệm vụ | Đơn vị chủ trì | Đơn vị phối hợp | Ngày giao | Hạn hoàn thành | Hằng tháng trước ngày |
Lặp lại đến ngày | Tham mưu. Units are written by code (TPLS_PKT; several separated by commas); dates as
05/6/2020 or as Excel dates; "Tham mưu": x / có. Every row goes through the same services as the pages
inside one transaction; any error rolls everything back and every error is reported with the sheet, the
row and the column.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from baocao.accounts.permissions import MaybeUser
from baocao.assignments import services
from baocao.assignments.review import Review
from baocao.assignments.status import STATUS_ORDER
from baocao.core import safexlsx
from baocao.core.cells import append_row  # text cells as text, never formulas
from baocao.core.csvio import ImportRejected, RowError
from baocao.core.dates import DateParseError, parse_date
from baocao.core.text import clean, search_key

COLUMNS = {  # header → field
    "Số, ký hiệu văn bản": "number",
    "Loại văn bản": "kind",
    "Ngày văn bản": "issued_on",
    "Cơ quan ban hành": "issuer",
    "Trích yếu": "summary",
    "Mã nhiệm vụ": "code",
    "Nội dung nhiệm vụ": "content",
    "Đơn vị chủ trì": "lead_unit",
    "Đơn vị phối hợp": "cooperating_units",
    "Ngày giao": "assigned_on",
    "Hạn hoàn thành": "deadline",
    "Hằng tháng trước ngày": "monthly_day",
    "Lặp lại đến ngày": "recurs_until",
    "Tham mưu": "is_advisory",
}
REQUIRED = ("content", "lead_unit", "assigned_on")
DATES = ("issued_on", "assigned_on", "deadline", "recurs_until")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000


@dataclass(frozen=True, slots=True)
class SheetError(RowError):
    sheet: str = ""

    def __str__(self) -> str:
        where = RowError.__str__(self)  # slots dataclass: no zero-argument super()
        return f"Trang “{self.sheet}”, {where[:1].lower()}{where[1:]}"


@dataclass(frozen=True)
class ImportResult:
    count: int
    dry_run: bool


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date()
    return clean(str(value)) if value is not None and not isinstance(value, datetime.date) else value


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime.date) else parse_date(str(value))


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Nhiệm vụ"
    append_row(sheet, list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return _save(book)


# What a workbook that opened may still raise while its sheet is read (an empty workbook: IndexError).
_UNREADABLE: tuple[type[Exception], ...] = (*safexlsx.READING_ERRORS, IndexError)


def import_tasks_xlsx(user: MaybeUser, data: bytes, dry_run: bool = False) -> ImportResult:
    """Create the tasks of an Excel file, all or nothing; ``dry_run`` checks everything and writes nothing.
    Raises :class:`ImportRejected` listing every problem."""
    if len(data) > MAX_BYTES:
        raise ImportRejected([RowError(None, None, f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB.")])
    try:
        book = safexlsx.open_workbook(data, data_only=True)
        sheet = book.worksheets[0]
        rows = list(safexlsx.iter_rows(sheet, values_only=True, max_row=MAX_ROWS + 1))
    except safexlsx.WorkbookRejected as exc:
        raise ImportRejected([RowError(None, None, str(exc))]) from None
    except _UNREADABLE:  # parsed lazily: a hostile sheet fails here
        raise ImportRejected([RowError(None, None, safexlsx.NOT_A_WORKBOOK)]) from None
    if not rows:
        raise ImportRejected([SheetError(None, None, "trang tính rỗng.", sheet.title)])
    known = {search_key(h): f for h, f in COLUMNS.items()}
    header = [known.get(search_key(str(h or ""))) for h in rows[0]]
    labels = {f: h for h, f in COLUMNS.items()}
    errors: list[RowError] = [
        SheetError(1, get_column_letter(i), f"cột “{h}” không được hỗ trợ.", sheet.title)
        for i, (h, f) in enumerate(zip(rows[0], header, strict=True), start=1)
        if h not in (None, "") and f is None
    ]
    errors += [
        SheetError(1, labels[f], "thiếu cột bắt buộc.", sheet.title) for f in REQUIRED if f not in header
    ]
    if errors:
        raise ImportRejected(errors)
    letter = {f: f"{get_column_letter(i)} ({labels[f]})" for i, f in enumerate(header, start=1) if f}

    def problem(line: int, field: str | None, message: str) -> None:
        errors.append(SheetError(line, letter.get(field or "", None), message, sheet.title))

    count = 0
    with transaction.atomic():
        for line, raw in enumerate(rows[1:], start=2):
            values = {f: _cell(v) for f, v in zip(header, raw, strict=False) if f}
            if not any(values.values()):
                continue
            try:
                dates = {f: _date(values.get(f)) for f in DATES}
            except DateParseError as exc:
                field = next(f for f in DATES if values.get(f) == exc.text)
                problem(line, field, str(exc))
                continue
            missing = [
                f for f in ("assigned_on", *(("issued_on",) if values.get("number") else ())) if not dates[f]
            ]
            for field in missing:
                problem(line, field, "chưa nhập ngày.")
            day = values.get("monthly_day")
            if day and not (str(day).isascii() and str(day).isdigit() and len(str(day)) < 3):
                problem(line, "monthly_day", f"“{day}” không phải số ngày (1–31).")
            if missing or (day and not (str(day).isascii() and str(day).isdigit() and len(str(day)) < 3)):
                continue
            try:
                with transaction.atomic():
                    directive = None
                    if values.get("number"):
                        directive = services.create_directive(
                            user,
                            number=values["number"],
                            kind=values.get("kind") or "",
                            issued_on=dates["issued_on"],  # type: ignore[arg-type]  # checked above
                            issuer=values.get("issuer") or "",
                            summary=values.get("summary") or "",
                        )
                    services.create_task(
                        user,
                        code=values.get("code") or "",
                        directive=directive,
                        content=values.get("content") or "",
                        lead_unit=values.get("lead_unit"),
                        cooperating_units=[
                            c for c in str(values.get("cooperating_units") or "").split(",") if c
                        ],
                        assigned_on=dates["assigned_on"],  # type: ignore[arg-type]  # checked above
                        deadline=dates["deadline"],
                        monthly_day=int(day) if day else None,
                        recurs_until=dates["recurs_until"],
                        is_advisory=str(values.get("is_advisory") or "").lower() in {"x", "có", "co", "1"},
                    )
                count += 1
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        problem(line, field if field in letter else None, message)
        if errors:
            raise ImportRejected(errors)
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(count, dry_run)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def review_xlsx(result: Review) -> bytes:
    """The per-unit table of a period, as on the page and in the report's annex."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Nhiệm vụ {result.period.id}"
    append_row(sheet, [f"Biểu tổng hợp tình hình thực hiện nhiệm vụ {result.period.label}"])
    append_row(sheet, ["STT", "Đơn vị", "Tổng số", *(s.label for s in STATUS_ORDER)])
    for i, unit in enumerate(result.units, start=1):
        append_row(sheet, [i, unit.unit.name, len(unit.items), *(unit.count(s) for s in STATUS_ORDER)])
    append_row(sheet, ["", "Tổng cộng", result.total, *(result.totals[s] for s in STATUS_ORDER)])
    for cell in (*sheet[1], *sheet[2], *sheet[sheet.max_row]):
        cell.font = Font(bold=True)
    sheet.column_dimensions["B"].width = 40
    append_row(sheet, [])
    append_row(sheet, [result.sentence])
    return _save(book)
