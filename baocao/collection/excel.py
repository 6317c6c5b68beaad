"""A unit's data set for a period as an Excel form (.xlsx, one sheet “Số liệu”) and back.

The form carries its identification (data set, unit and period codes) in fixed cells of row 2, one
row per field of the data set with the previous values, and the values to fill in. Reading it back
is defensive: the file's size and its zip directory are checked before openpyxl sees it, the sheet
is streamed (read-only) and reading stops as soon as it has more rows than the form has fields.
Every problem is collected and reported in Vietnamese with the sheet, row and column; nothing is
written unless the whole file is valid (collection.values.write_values).
"""

from __future__ import annotations

import datetime
import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from baocao.analytics.figures import get_figures
from baocao.collection.models import ChangeSource, DataValue, ValueKind
from baocao.collection.rules import unit_problem, value_problem
from baocao.collection.types import ClosedValues, RowOutcome, ValueRow, WriteResult
from baocao.collection.values import write_values
from baocao.core import safexlsx
from baocao.core.cells import set_cell
from baocao.core.csvio import ImportRejected, RowError
from baocao.core.numbers import NumberParseError, parse_number
from baocao.core.periods import Period
from baocao.core.text import clean, search_key
from baocao.core.users import MaybeUser
from baocao.indicators.models import DataSet, DataSetIndicator, Indicator
from baocao.orgunits.models import OrgUnit

__all__ = [
    "COLUMNS",
    "CONTENT_TYPE",
    "MAX_FILE_SIZE",
    "SHEET",
    "PreviewRow",
    "export_form",
    "file_name",
    "import_form",
    "preview",
    "read_form",
]

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Số liệu"
COLUMNS = (
    "Mã chỉ tiêu",
    "Tên chỉ tiêu",
    "Loại số liệu",
    "Mã loại",
    "Đơn vị tính",
    "Kỳ trước",
    "Cùng kỳ năm trước",
    "Giá trị kỳ này",
    "Ghi chú",
)
CODE, NAME, KIND_LABEL, KIND, UNIT, PREVIOUS, LAST_YEAR, VALUE, COMMENT = range(len(COLUMNS))
WIDTHS = (26, 62, 16, 12, 14, 16, 18, 18, 40)
ID_ROW, HINT_ROW, HEADER_ROW, FIRST_ROW = 2, 3, 4, 5
ID_LABELS = {1: "Mã biểu", 3: "Mã đơn vị", 5: "Mã kỳ"}  # column index of the value → its label

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 30 * 1024 * 1024  # all members of the zip together, as declared in its directory
MAX_MEMBERS = 500
MAX_BLANK_ROWS = 1000  # empty rows tolerated after the form's rows before the file is refused
MAX_COMMENT = 2000

_KINDS = {search_key(k): k for k in ValueKind.values} | {search_key(lbl): k for k, lbl in ValueKind.choices}
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+\d+))?"')


class SheetError(RowError):
    """A problem located on the sheet: printed with the sheet, the row and the column header."""

    __slots__ = ()

    def __str__(self) -> str:
        where = [f"Trang “{SHEET}”"]
        if self.line is not None:
            where.append(f"dòng {self.line}")
        if self.column:
            where.append(f"cột “{self.column}”")
        return f"{', '.join(where)}: {self.message}"


def _fatal(message: str) -> ImportRejected:
    return ImportRejected([RowError(None, None, message)])


def file_name(data_set: DataSet, org_unit: OrgUnit, period: Period) -> str:
    return f"{data_set.code.lower()}-{org_unit.code.lower()}-{period.id}.xlsx"


def _members(data_set: DataSet) -> list[DataSetIndicator]:
    return list(
        data_set.members.select_related("indicator__unit", "indicator__parent").order_by("sort_order", "pk")
    )


def _kind_label(kind: str) -> str:
    return str(ValueKind(kind).label) if kind in ValueKind.values else kind


def _cell_number(value: Decimal | None) -> int | Decimal | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------


def export_form(data_set: DataSet, org_unit: OrgUnit, period: Period) -> bytes:
    """The form of ``data_set`` for ``org_unit`` and ``period`` with the stored values and comments."""
    members = _members(data_set)
    figures = get_figures(
        [org_unit],
        period,
        {m.indicator.code for m in members},
        kinds={m.kind for m in members} or {ValueKind.ACTUAL},
        rollup=False,
    )
    stored = {
        (v.indicator_id, v.kind): v
        for v in DataValue.objects.filter(
            org_unit=org_unit, period=period.id, indicator__in=[m.indicator_id for m in members]
        )
    }
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    unit = "" if org_unit.name in data_set.name else f" – {org_unit.name}"
    set_cell(sheet, 1, 1, f"{data_set.name}{unit} – {period.label}")
    sheet["A1"].font = Font(bold=True, size=13)
    grey = Font(italic=True, color="606060")
    for column, label in ID_LABELS.items():
        set_cell(sheet, ID_ROW, column, f"{label}:").font = grey
    set_cell(sheet, ID_ROW, 2, data_set.code).font = Font(bold=True)
    set_cell(sheet, ID_ROW, 4, org_unit.code).font = Font(bold=True)
    set_cell(sheet, ID_ROW, 6, period.id).font = Font(bold=True)
    set_cell(
        sheet,
        HINT_ROW,
        1,
        f"Nhập vào cột “{COLUMNS[VALUE]}” và “{COLUMNS[COMMENT]}”; để trống nếu chưa có số liệu. "
        "Không sửa các ô mã, không thêm trang, dòng, công thức hay gộp ô. "
        f"Kỳ trước: {period.previous().label}; cùng kỳ năm trước: {period.same_period_last_year().label}.",
    ).font = grey
    header_fill = PatternFill("solid", fgColor="EEF1F4")
    input_fill = PatternFill("solid", fgColor="FFF8DC")
    for index, (title, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True)):
        cell = set_cell(sheet, HEADER_ROW, index + 1, title)
        cell.font, cell.fill = Font(bold=True), header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    for row, member in enumerate(members, start=FIRST_ROW):
        indicator, kind = member.indicator, member.kind
        figure = figures.get(indicator.code, kind, org_unit.code)
        current = stored.get((indicator.pk, kind))
        values: list[Any] = [
            indicator.code,
            indicator.name,
            _kind_label(kind),
            kind,
            indicator.unit.name,
            _cell_number(figure.previous),
            _cell_number(figure.last_year),
            _cell_number(current.value if current else None),
            current.comment if current else None,
        ]
        number_format = "#,##0" if indicator.whole_numbers else "#,##0.0###"
        for index, value in enumerate(values):
            cell = set_cell(sheet, row, index + 1, value)  # text as text, never a formula
            if index in (PREVIOUS, LAST_YEAR, VALUE):
                cell.number_format = number_format
        sheet.cell(row, NAME + 1).alignment = Alignment(
            wrap_text=True, indent=2 if indicator.parent_id else 0
        )
        sheet.cell(row, VALUE + 1).fill = input_fill
        sheet.cell(row, COMMENT + 1).fill = input_fill
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------


def _check_container(data: bytes) -> None:
    """Refuse what is not an .xlsx of a sensible size before openpyxl unpacks anything."""
    not_a_workbook = (
        "Tệp không phải bảng tính Excel (.xlsx). Hãy tải biểu mẫu về, nhập số liệu rồi lưu dạng .xlsx."
    )
    if len(data) > MAX_FILE_SIZE:
        raise _fatal(f"Tệp quá lớn ({len(data) / 1024 / 1024:.1f} MB); biểu mẫu Excel tối đa 5 MB.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _fatal(not_a_workbook) from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _fatal(not_a_workbook)
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
        raise _fatal("Tệp Excel khi giải nén quá lớn so với một biểu mẫu; tệp bị từ chối.")


def _merged_cells(data: bytes) -> list[RowError]:
    """Merged cells, found in the worksheet XML (read-only mode of openpyxl does not see them)."""
    errors: list[RowError] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                for column, row, end in _MERGE.findall(archive.read(name)):
                    cells = f"{column.decode()}{row.decode()}" + (f":{end.decode()}" if end else "")
                    errors.append(
                        SheetError(
                            int(row), None, f"các ô {cells} bị gộp (merge); hãy bỏ gộp ô rồi tải lên lại."
                        )
                    )
    return errors


def _plain(value: object) -> str:
    """A cell as text: numbers without a spurious “.0”, text cleaned (NFC, spaces)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value))


def _shown(value: object) -> str:
    text = _plain(value)
    return text if len(text) <= 40 else f"{text[:40]}…"


def _to_decimal(value: object) -> Decimal:
    """A value cell as a Decimal; ValueError with the Vietnamese reason otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"“{_shown(value)}” là giá trị đúng/sai, không phải là số")
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise ValueError(f"“{_shown(value)}” là ngày giờ, không phải là số")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"“{value}” không phải là số")
        return Decimal(str(value))  # the shortest text that reads back as this float
    try:
        return parse_number(str(value))
    except NumberParseError as exc:
        raise ValueError(f"“{_shown(value)}” không phải là số ({exc.reason})") from None
    except InvalidOperation:
        raise ValueError(f"“{_shown(value)}” không phải là số") from None


def _check_identification(row: Sequence[Any], expected: dict[int, str]) -> list[RowError]:
    errors: list[RowError] = []
    for index, want in expected.items():
        got = _plain(row[index].value) if index < len(row) else ""
        if got != want:
            cell = f"{get_column_letter(index + 1)}{ID_ROW}"
            found = f"ghi “{got}”" if got else "bị trống"
            errors.append(
                SheetError(
                    ID_ROW,
                    ID_LABELS[index],
                    f"ô {cell} {found}, nhưng bạn đang tải lên cho “{want}”. Hãy tải đúng biểu mẫu của "
                    "biểu, đơn vị và kỳ này về, nhập số liệu rồi tải lên lại.",
                )
            )
    return errors


def _check_header(row: Sequence[Any]) -> list[RowError]:
    errors: list[RowError] = []
    for index, want in enumerate(COLUMNS):
        got = _plain(row[index].value) if index < len(row) else ""
        if got != want:
            errors.append(
                SheetError(
                    HEADER_ROW,
                    want,
                    f"tiêu đề cột {get_column_letter(index + 1)} là “{got}”, không đúng mẫu.",
                )
            )
    return errors


@dataclass
class _Form:
    """What a sheet is read against: the data set's fields for one unit and period."""

    data_set: DataSet
    org_unit: OrgUnit
    period: Period
    fields: dict[tuple[str, str], DataSetIndicator]
    seen: dict[tuple[str, str], int]
    errors: list[RowError]


def read_form(data: bytes, data_set: DataSet, org_unit: OrgUnit, period: Period) -> list[ValueRow]:
    """The values filled in a form of ``data_set`` for ``org_unit`` and ``period``; rows whose value is
    empty are skipped. Raises ImportRejected listing every problem."""
    if period.type != data_set.period_type:
        raise _fatal(f"Biểu “{data_set.name}” không báo cáo theo kỳ {period.label}.")
    if not data_set.org_units.filter(pk=org_unit.pk).exists():
        raise _fatal(f"{org_unit.name} không phải báo cáo biểu “{data_set.name}”.")
    if problem := unit_problem(org_unit, period):
        raise _fatal(problem[:1].upper() + problem[1:])
    _check_container(data)
    try:
        workbook = safexlsx.open_workbook(data, data_only=False)
    except safexlsx.WorkbookRejected as exc:
        raise _fatal(str(exc)) from None
    try:
        names = workbook.sheetnames
        if SHEET not in names:
            listed = ", ".join(f"“{n}”" for n in names)
            raise _fatal(f"Tệp không có trang “{SHEET}” (tệp có trang {listed}); đừng đổi tên trang tính.")
        if len(names) > 1:
            extra = ", ".join(f"“{n}”" for n in names if n != SHEET)
            raise _fatal(
                f"Tệp có {len(names)} trang tính; biểu mẫu chỉ có trang “{SHEET}”. Hãy xóa trang {extra}."
            )
        fields = {(m.indicator.code, m.kind): m for m in _members(data_set)}
        form = _Form(data_set, org_unit, period, fields, seen={}, errors=_merged_cells(data))
        return _read_sheet(workbook[SHEET], form)
    except safexlsx.WorkbookRejected as exc:  # a row openpyxl could not parse
        raise _fatal(str(exc)) from None
    except safexlsx.READING_ERRORS:  # parsed lazily: a hostile sheet fails here, not at opening
        raise _fatal(safexlsx.NOT_A_WORKBOOK) from None
    finally:
        workbook.close()


def _read_sheet(sheet: Any, form: _Form) -> list[ValueRow]:
    """Stream the rows; stop at the first row beyond what the form can hold."""
    last_row = FIRST_ROW + len(form.fields) + MAX_BLANK_ROWS
    rows: list[ValueRow] = []
    filled = 0
    number = 0
    for number, cells in enumerate(safexlsx.iter_rows(sheet), start=1):
        if number == ID_ROW:
            expected = {1: form.data_set.code, 3: form.org_unit.code, 5: form.period.id}
            if problems := _check_identification(cells, expected):
                raise ImportRejected(problems)
        elif number == HEADER_ROW and (problems := _check_header(cells)):
            raise ImportRejected(problems)
        if number > last_row:
            raise ImportRejected([_too_long(number, f"dài hơn {last_row} dòng"), *form.errors])
        if number < FIRST_ROW or all(_plain(c.value) == "" for c in cells):
            continue
        filled += 1
        if filled > len(form.fields):
            raise ImportRejected(
                [_too_long(number, f"có nhiều dòng hơn {len(form.fields)} chỉ tiêu của biểu"), *form.errors]
            )
        problems = _formulas(number, cells)
        for index in range(len(COLUMNS), len(cells)):
            if _plain(cells[index].value):
                column = get_column_letter(index + 1)
                problems.append(SheetError(number, column, "có dữ liệu ngoài các cột của biểu mẫu."))
        if problems:
            form.errors += problems
        elif (row := _read_row(number, cells, form)) is not None:
            rows.append(row)
    if number < HEADER_ROW:
        raise _fatal(f"Trang “{SHEET}” trống hoặc không phải biểu mẫu tải từ hệ thống.")
    if form.errors:
        raise ImportRejected(sorted(form.errors, key=lambda e: e.line or 0))
    return rows


def _too_long(number: int, what: str) -> RowError:
    return SheetError(
        number,
        None,
        f"trang tính {what}; tệp bị từ chối (đã dừng đọc ở dòng này). "
        "Không thêm dòng vào biểu mẫu; hãy tải biểu mẫu về và nhập lại.",
    )


def _formulas(number: int, cells: Sequence[Any]) -> list[RowError]:
    errors: list[RowError] = []
    for index, cell in enumerate(cells):
        # Only a real formula cell: a text cell starting with "=" is text (our own download writes a
        # comment such as "=HYPERLINK(...)" as text, and it must come back unchanged).
        if cell.data_type == "f":
            text = str(getattr(cell.value, "text", None) or cell.value)
            column = COLUMNS[index] if index < len(COLUMNS) else get_column_letter(index + 1)
            errors.append(
                SheetError(
                    number,
                    column,
                    f"ô {get_column_letter(index + 1)}{number} chứa công thức “{text[:40]}”; "
                    "hãy nhập số trực tiếp (sao chép rồi dán giá trị).",
                )
            )
    return errors


def _read_row(number: int, cells: Sequence[Any], form: _Form) -> ValueRow | None:
    """One data row as a ValueRow; None when its value is empty or it has problems (added to the form)."""

    def cell(index: int) -> Any:
        return cells[index].value if index < len(cells) else None

    def error(column: int, message: str) -> ValueRow | None:
        form.errors.append(SheetError(number, COLUMNS[column], message))
        return None

    code, kind_text = _plain(cell(CODE)), _plain(cell(KIND))
    kind = _KINDS.get(search_key(kind_text or ValueKind.ACTUAL), "")  # empty: actual, as in CSV files
    member = form.fields.get((code, kind))
    if not code:
        return error(CODE, "thiếu mã chỉ tiêu.")
    if member is None:
        kinds = [k for c, k in form.fields if c == code]
        if not kinds:
            return error(CODE, f"mã chỉ tiêu “{code}” không có trong biểu {form.data_set.code}.")
        listed = ", ".join(kinds)
        return error(
            KIND, f"loại số liệu “{kind_text}” không có cho chỉ tiêu {code} trong biểu (dùng: {listed})."
        )
    if (code, kind) in form.seen:
        return error(
            CODE,
            f"chỉ tiêu {code} ({_kind_label(kind).lower()}) đã có ở dòng {form.seen[(code, kind)]}; "
            "mỗi chỉ tiêu chỉ được một dòng.",
        )
    form.seen[(code, kind)] = number
    raw = cell(VALUE)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None  # no value given
    try:
        value = _to_decimal(raw)
    except ValueError as exc:
        return error(VALUE, f"{exc}.")
    if problem := value_problem(member.indicator, value):
        return error(VALUE, f"“{_shown(raw)}”: {problem}")
    comment = _plain(cell(COMMENT))
    if len(comment) > MAX_COMMENT:
        return error(COMMENT, f"ghi chú dài quá {MAX_COMMENT} ký tự.")
    return ValueRow(number, member.indicator, form.org_unit, form.period, kind, value, comment)


# --------------------------------------------------------------------------------------------------------
# Importing
# --------------------------------------------------------------------------------------------------------


def import_form(
    data: bytes, data_set: DataSet, org_unit: OrgUnit, period: Period, user: MaybeUser, dry_run: bool
) -> WriteResult:
    """Read the form and write its values through the value action, all-or-nothing (nothing at all with
    ``dry_run``). Raises ImportRejected (bad file, closed data set) or PermissionDenied."""
    rows = read_form(data, data_set, org_unit, period)
    try:
        return write_values(user, [row.record() for row in rows], source=ChangeSource.EXCEL, dry_run=dry_run)
    except ImportRejected as exc:  # name the sheet and the column of the file in the messages
        kind = ClosedValues if isinstance(exc, ClosedValues) else ImportRejected
        raise kind(
            [
                SheetError(e.line, COLUMNS[VALUE], e.message)
                if e.line is not None and e.column == "value"
                else e
                for e in exc.errors
            ]
        ) from None


@dataclass(frozen=True)
class PreviewRow:
    """One row of a dry run: the value stored now and the value of the file."""

    row: ValueRow
    old_value: Decimal | None
    old_comment: str
    status: str  # mới, sửa, không đổi

    @property
    def kind_label(self) -> str:
        return _kind_label(self.row.kind)


_STATUS = {"created": "mới", "updated": "sửa", "unchanged": "không đổi"}


def preview(outcomes: Sequence[RowOutcome]) -> list[PreviewRow]:
    """The rows of a dry run (WriteResult.rows) with their indicators, for the page."""
    indicators = {
        i.code: i
        for i in Indicator.objects.select_related("unit").filter(code__in={o.indicator for o in outcomes})
    }
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={o.org_unit for o in outcomes})}
    return [
        PreviewRow(
            ValueRow(
                o.row,
                indicators[o.indicator],
                units[o.org_unit],
                Period.parse(o.period),
                o.kind,
                o.value,
                o.comment,
            ),
            o.old_value,
            o.old_comment,
            _STATUS[o.action],
        )
        for o in outcomes
    ]
