"""State changes of data values. Views, the API, management commands and imports all call these;
nothing else saves a DataValue. Each operation is one transaction and writes the change log."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, TYPE_CHECKING, cast

from django.contrib.auth.models import User as UserModel
from django.db import transaction
from django.utils import timezone

from baocao.accounts.permissions import Action, require
from baocao.collection.models import (
    EDITABLE_STATUSES,
    ChangeSource,
    DataValue,
    Submission,
    ValueChange,
    ValueKind,
)
from baocao.core.csvio import ImportRejected, RowError, write_rows
from baocao.core.numbers import NumberParseError, format_number, parse_number
from baocao.core.periods import Period, PeriodError
from baocao.core.text import search_key
from baocao.core.users import MaybeUser, acting_user
from baocao.indicators.models import DataSetIndicator, Dimension, Indicator
from baocao.orgunits.models import OrgUnit

VALUE_COLUMNS = ("indicator", "org_unit", "period", "kind", "value", "comment")

# Kinds accepted in files: the code or the Vietnamese label, with or without accents.
_KIND_ALIASES = {search_key(k): k for k in ValueKind.values} | {
    search_key(label): value for value, label in ValueKind.choices
}

User = MaybeUser

if TYPE_CHECKING:
    from baocao.collection.bulk import BulkResult


class ValueConflict(Exception):
    """Someone saved the value after the user loaded it (optimistic locking)."""

    def __init__(self, current: DataValue, attempted: Decimal):
        self.current = current
        self.attempted = attempted
        super().__init__(
            f"Số liệu đã được {current.updated_by or 'người khác'} sửa thành {format_number(current.value)} "
            f"(phiên bản {current.version}) trong khi bạn nhập {format_number(attempted)}. "
            "Hãy xem lại và lưu lại nếu vẫn muốn thay đổi."
        )


@dataclass(frozen=True, slots=True)
class ValueRow:
    """One validated row: objects resolved, value parsed."""

    line: int | None
    indicator: Indicator
    org_unit: OrgUnit
    period: Period
    kind: str
    value: Decimal
    comment: str = ""

    @property
    def key(self) -> tuple[int, int, str, str]:
        return (self.indicator.pk, self.org_unit.pk, self.period.id, self.kind)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    batch: str = ""
    dry_run: bool = False
    rows: list[ValueRow] = field(default_factory=list)

    def summary(self) -> str:
        verb = "Sẽ ghi" if self.dry_run else "Đã ghi"
        return (
            f"{verb} {len(self.rows)} dòng: {self.created} số liệu mới, {self.updated} số liệu sửa, "
            f"{self.unchanged} không đổi."
        )


def check_value(indicator: Indicator, value: Decimal) -> str | None:
    """A Vietnamese message when `value` cannot be stored for `indicator`, else None."""
    if indicator.whole_numbers and value != value.to_integral_value():
        return (
            f"chỉ tiêu {indicator.code} ({indicator.unit.name}) chỉ nhận số nguyên, "
            f"không nhận {format_number(value)}."
        )
    if (
        indicator.unit.dimension in {Dimension.COUNT, Dimension.MONEY, Dimension.AREA, Dimension.MASS}
        and value < 0
    ):
        return f"chỉ tiêu {indicator.code} không nhận số âm ({format_number(value)})."
    if indicator.min_value is not None and value < indicator.min_value:
        return f"giá trị {format_number(value)} nhỏ hơn mức tối thiểu {format_number(indicator.min_value)}."
    if indicator.max_value is not None and value > indicator.max_value:
        return f"giá trị {format_number(value)} lớn hơn mức tối đa {format_number(indicator.max_value)}."
    return check_precision(value)


def check_precision(value: Decimal) -> str | None:
    """A Vietnamese message when `value` does not fit the stored column (24 digits, 4 decimals)."""
    if abs(value) >= Decimal("1e20") or value != value.quantize(Decimal("0.0001")):
        return "giá trị quá lớn hoặc có quá 4 chữ số thập phân."
    return None


def check_unit_in_period(org_unit: OrgUnit, period: Period) -> str | None:
    start, end = period.reporting_window
    if org_unit.valid_from > end or (org_unit.valid_to is not None and org_unit.valid_to < start):
        until = f"{org_unit.valid_to:%d/%m/%Y}" if org_unit.valid_to else "nay"
        return (
            f"đơn vị {org_unit.code} ({org_unit.name}) chỉ có hiệu lực từ {org_unit.valid_from:%d/%m/%Y} "
            f"đến {until}, không có trong {period.label}."
        )
    return None


def parse_value_rows(records: Sequence[tuple[int | None, dict[str, str]]]) -> list[ValueRow]:
    """Validate raw rows (line, {column: text}); every problem is collected, then the file rejected."""
    indicator_codes = {r.get("indicator", "") for _, r in records}
    unit_codes = {r.get("org_unit", "") for _, r in records}
    indicators = {
        i.code: i for i in Indicator.objects.select_related("unit").filter(code__in=indicator_codes)
    }
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=unit_codes)}
    errors: list[RowError] = []
    rows: list[ValueRow] = []
    seen: dict[tuple[int, int, str, str], int | None] = {}
    for line, record in records:
        row_errors: list[RowError] = []
        indicator = indicators.get(record.get("indicator", ""))
        if indicator is None:
            row_errors.append(
                RowError(line, "indicator", f'không có chỉ tiêu mã "{record.get("indicator", "")}".')
            )
        unit = units.get(record.get("org_unit", ""))
        if unit is None:
            row_errors.append(
                RowError(line, "org_unit", f'không có đơn vị mã "{record.get("org_unit", "")}".')
            )
        period: Period | None = None
        try:
            period = Period.parse(record.get("period", ""))
        except PeriodError as exc:
            row_errors.append(RowError(line, "period", str(exc)))
        kind = _KIND_ALIASES.get(search_key(record.get("kind", "") or ValueKind.ACTUAL))
        if kind is None:
            row_errors.append(
                RowError(
                    line,
                    "kind",
                    f'loại số liệu "{record.get("kind", "")}" không hợp lệ; dùng actual (thực hiện), '
                    "estimate (ước thực hiện) hoặc cumulative (lũy kế).",
                )
            )
        value: Decimal | None = None
        try:
            value = parse_number(record.get("value", ""))
        except NumberParseError as exc:
            row_errors.append(RowError(line, "value", str(exc)))
        if indicator is not None and value is not None and (problem := check_value(indicator, value)):
            row_errors.append(RowError(line, "value", problem))
        if unit is not None and period is not None and (problem := check_unit_in_period(unit, period)):
            row_errors.append(RowError(line, "org_unit", problem))
        if row_errors:
            errors += row_errors
            continue
        assert indicator is not None and unit is not None and period is not None
        assert kind is not None and value is not None
        row = ValueRow(line, indicator, unit, period, kind, value, record.get("comment", ""))
        if row.key in seen:
            errors.append(
                RowError(
                    line, None, f"trùng số liệu với dòng {seen[row.key]} (cùng chỉ tiêu, đơn vị, kỳ, loại)."
                )
            )
            continue
        seen[row.key] = line
        rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return rows


def _refuse_closed(rows: Sequence[ValueRow]) -> None:
    """Values of a data set that was submitted (and not returned), accepted, approved or locked cannot be
    changed silently: the unit must get it back (returned, or reopened by a leader) first."""
    closed = Submission.objects.filter(
        org_unit_id__in={r.org_unit.pk for r in rows}, period__in={r.period.id for r in rows}
    ).exclude(status__in=EDITABLE_STATUSES)
    if not closed.exists():
        return
    status_of: dict[tuple[int, int, str], str] = {}
    members = DataSetIndicator.objects.filter(data_set_id__in=closed.values("data_set_id")).values_list(
        "data_set_id", "indicator_id"
    )
    indicators_of: dict[int, set[int]] = {}
    for data_set_id, indicator_id in members:
        indicators_of.setdefault(data_set_id, set()).add(indicator_id)
    for submission in closed:
        for indicator_id in indicators_of.get(submission.data_set_id, ()):
            status_of[(indicator_id, submission.org_unit_id, submission.period)] = (
                submission.get_status_display()
            )
    errors = [
        RowError(
            row.line,
            "value",
            f"Số liệu {row.indicator.code} của {row.org_unit.name} {row.period.label} "
            f"{status_of[(row.indicator.pk, row.org_unit.pk, row.period.id)].lower()}, không sửa được; "
            "cần được trả lại hoặc mở lại trước.",
        )
        for row in rows
        if (row.indicator.pk, row.org_unit.pk, row.period.id) in status_of
    ]
    if errors:
        raise ImportRejected(errors)


@transaction.atomic
def save_values(
    rows: Sequence[ValueRow], *, user: User = None, source: str = ChangeSource.COMMAND, dry_run: bool = False
) -> ImportResult:
    """Write validated rows all-or-nothing: create or update, bump versions, log every change."""
    result = ImportResult(batch=uuid.uuid4().hex, dry_run=dry_run, rows=list(rows))
    if not rows:
        return result
    if user is not None:
        require(user, Action.ENTER, {row.org_unit.pk: row.org_unit for row in rows}.values())
    _refuse_closed(rows)
    actor = acting_user(user)
    existing: dict[tuple[int, int, str, str], DataValue] = {}
    periods = {r.period.id for r in rows}
    lookup = DataValue.objects.select_for_update().filter(
        period__in=periods,
        indicator_id__in={r.indicator.pk for r in rows},
        org_unit_id__in={r.org_unit.pk for r in rows},
    )
    for dv in lookup:
        existing[(dv.indicator_id, dv.org_unit_id, dv.period, dv.kind)] = dv
    to_create: list[DataValue] = []
    to_update: list[DataValue] = []
    changes: list[ValueChange] = []
    for row in rows:
        current = existing.get(row.key)
        if current is None:
            to_create.append(
                DataValue(
                    indicator=row.indicator,
                    org_unit=row.org_unit,
                    period=row.period.id,
                    kind=row.kind,
                    value=row.value,
                    comment=row.comment,
                    created_by=actor,
                    updated_by=actor,
                )
            )
            changes.append(_change(row, None, "", actor, source, result.batch))
        elif current.value != row.value or current.comment != row.comment:
            changes.append(_change(row, current.value, current.comment, actor, source, result.batch))
            current.value, current.comment, current.updated_by = row.value, row.comment, actor
            current.version += 1
            to_update.append(current)
        else:
            result.unchanged += 1
    result.created, result.updated = len(to_create), len(to_update)
    if dry_run:
        return result
    DataValue.objects.bulk_create(to_create, batch_size=1000)
    now = timezone.now()
    for dv in to_update:
        dv.updated_at = now  # bulk_update does not apply auto_now
    DataValue.objects.bulk_update(
        to_update, ["value", "comment", "updated_by", "updated_at", "version"], batch_size=1000
    )
    ValueChange.objects.bulk_create(changes, batch_size=1000)
    return result


def _change(
    row: ValueRow,
    old: Decimal | None,
    old_comment: str,
    actor: UserModel | None,
    source: str,
    batch: str,
) -> ValueChange:
    return ValueChange(
        indicator=row.indicator,
        org_unit=row.org_unit,
        period=row.period.id,
        kind=row.kind,
        old_value=old,
        new_value=row.value,
        old_comment=old_comment,
        new_comment=row.comment,
        changed_by=actor,
        source=source,
        batch=batch,
    )


@transaction.atomic
def set_value(
    *,
    indicator: Indicator,
    org_unit: OrgUnit,
    period: Period | str,
    kind: str = ValueKind.ACTUAL,
    value: Decimal | str,
    comment: str = "",
    user: User = None,
    source: str = ChangeSource.WEB,
    expected_version: int | None = None,
) -> DataValue:
    """Save one value. `expected_version` is the version the user loaded (0 = they saw no value);
    a different current version raises ValueConflict and nothing is written."""
    period = Period.parse(period) if isinstance(period, str) else period
    parsed = parse_number(value) if isinstance(value, str) else value
    problems = [p for p in (check_value(indicator, parsed), check_unit_in_period(org_unit, period)) if p]
    if problems:
        raise ImportRejected([RowError(None, "value", p) for p in problems])
    current = (
        DataValue.objects.select_for_update()
        .filter(indicator=indicator, org_unit=org_unit, period=period.id, kind=kind)
        .first()
    )
    if expected_version is not None and (current.version if current else 0) != expected_version:
        if current is None:
            raise ImportRejected(
                [RowError(None, "value", "Số liệu đã bị xóa bởi người khác; hãy tải lại trang.")]
            )
        raise ValueConflict(current, parsed)
    row = ValueRow(None, indicator, org_unit, period, kind, parsed, comment)
    save_values([row], user=user, source=source)
    return DataValue.objects.select_related("indicator", "org_unit", "updated_by").get(
        indicator=indicator, org_unit=org_unit, period=period.id, kind=kind
    )


def import_values_csv(
    source: IO[str] | IO[bytes] | str | bytes,
    *,
    user: User = None,
    via: str = ChangeSource.CSV,
    dry_run: bool = False,
) -> BulkResult:
    """Import a CSV of values (columns indicator, org_unit, period, kind, value, comment): every bad row
    is reported by line number and nothing is written unless the whole file is valid. Runs the
    set-based bulk path (collection.bulk), streamed."""
    from baocao.collection import bulk, readers

    stream: IO[bytes]
    if isinstance(source, str | bytes):
        stream = io.BytesIO(source.encode("utf-8") if isinstance(source, str) else source)
    elif isinstance(source.read(0), bytes):
        stream = cast(IO[bytes], source)  # a binary file is streamed, whatever its size
    else:
        stream = io.BytesIO(cast(IO[str], source).read().encode("utf-8"))
    return bulk.import_values(readers.iter_csv_records(stream), user=user, source=via, dry_run=dry_run)


def export_values_csv(out: IO[str], periods: Iterable[Period], unit_code: str | None = None) -> int:
    """Write values of the periods (optionally one unit and its subtree) in the import format."""
    queryset = DataValue.objects.filter(period__in=[p.id for p in periods])
    if unit_code:
        unit = OrgUnit.objects.filter(code=unit_code).first()
        if unit is None:
            raise ImportRejected([RowError(None, "unit", f'không có đơn vị mã "{unit_code}".')])
        queryset = queryset.filter(org_unit__in=OrgUnit.objects.subtree([unit]))
    rows = queryset.order_by("period", "org_unit__code", "indicator__code", "kind").values_list(
        "indicator__code", "org_unit__code", "period", "kind", "value", "comment"
    )
    count = 0

    def lines() -> Iterable[list[str]]:
        nonlocal count
        for indicator, unit, period_id, kind, value, comment in rows.iterator(chunk_size=2000):
            count += 1
            yield [indicator, unit, period_id, kind, format_number(value), comment]

    write_rows(out, VALUE_COLUMNS, lines())
    return count


def latest_month() -> Period | None:
    """The month of the most recent stored values (None when nothing is stored): the default period of
    the pages that show one."""
    latest = (
        DataValue.objects.filter(period__regex=r"^\d{6}$")
        .order_by("-period")
        .values_list("period", flat=True)
    )
    return Period.parse(latest[0]) if latest else None
