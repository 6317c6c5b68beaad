"""Shared types of the value write path: the columns of a value file, a staged row, the result of a
write, what a dry run would do with a row, and the errors a write raises. Every module of the write path
(rules, the two executors, the action layer, the surfaces) imports them from here, never from each
other's private names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from baocao.collection.models import DataValue, ValueKind
from baocao.core.csvio import ImportRejected, RowError
from baocao.core.numbers import format_number
from baocao.core.periods import Period
from baocao.core.text import search_key
from baocao.indicators.models import Indicator
from baocao.orgunits.models import OrgUnit

__all__ = [
    "DETAIL_ROWS",
    "KIND_ALIASES",
    "MAX_ERRORS",
    "VALUE_COLUMNS",
    "ClosedValues",
    "Conflict",
    "ErrorList",
    "ImportRejected",
    "Record",
    "RowError",
    "RowOutcome",
    "Staged",
    "ValueConflict",
    "ValueRow",
    "WriteResult",
]

VALUE_COLUMNS = ("indicator", "org_unit", "period", "kind", "value", "comment")
# Where a row was read from (the sentence of a past report, for the archive import): kept in the change
# log (ValueChange.source_note), not a column of files or exports. Only the small-batch executor writes it.
NOTE_COLUMN = "source_note"

# Kinds accepted in files: the code or the Vietnamese label, with or without accents.
KIND_ALIASES = {search_key(k): k for k in ValueKind.values} | {
    search_key(label): value for value, label in ValueKind.choices
}

MAX_ERRORS = 1000  # listed errors; the count of the others is given
DETAIL_ROWS = 1000  # rows listed one by one in a dry run's result

Record = tuple[int, dict[str, Any]]  # (line or position from 1, {column: value})


@dataclass(frozen=True, slots=True)
class Staged:
    """One row that passed the checks needing no database: codes as given, period id, kind, value."""

    line: int
    indicator: str
    org_unit: str
    period: str
    kind: str
    value: Decimal
    comment: str
    window: tuple[Any, Any]  # the period's reporting window (first day, last day)
    note: str = ""  # where the row was read from (NOTE_COLUMN), for the change log

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.indicator, self.org_unit, self.period, self.kind)


@dataclass(frozen=True, slots=True)
class ValueRow:
    """One row read from a form (the Excel upload): objects resolved, value parsed."""

    line: int | None
    indicator: Indicator
    org_unit: OrgUnit
    period: Period
    kind: str
    value: Decimal
    comment: str = ""

    def record(self) -> Record:
        """The row as the action layer's record."""
        return (
            self.line or 0,
            {
                "indicator": self.indicator.code,
                "org_unit": self.org_unit.code,
                "period": self.period.id,
                "kind": self.kind,
                "value": self.value,
                "comment": self.comment,
            },
        )


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What a write did (or a dry run would do) with one row: ``created``, ``updated`` or ``unchanged``."""

    row: int
    indicator: str
    org_unit: str
    period: str
    kind: str
    value: Decimal
    old_value: Decimal | None
    action: str
    comment: str = ""
    old_comment: str = ""


@dataclass
class WriteResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    batch: str = ""
    dry_run: bool = False
    executor: str = ""  # "orm" (small batches) or "sql" (set-based); see collection.values
    rows: list[RowOutcome] = field(default_factory=list)  # a dry run's rows, the first DETAIL_ROWS

    def summary(self) -> str:
        verb = "Sẽ ghi" if self.dry_run else "Đã ghi"
        return (
            f"{verb} {self.total} dòng: {self.created} số liệu mới, {self.updated} số liệu sửa, "
            f"{self.unchanged} không đổi."
        )


class ClosedValues(ImportRejected):
    """Rows touch values of forms that are submitted, accepted, approved or locked."""


@dataclass(frozen=True)
class Conflict:
    """A row whose value changed since the writer loaded it (the version they sent is not current)."""

    line: int
    current: DataValue
    attempted: Decimal


class ValueConflict(Exception):
    """Someone saved values after the user loaded them (optimistic locking); nothing was written."""

    def __init__(self, conflicts: Sequence[Conflict]):
        self.conflicts = list(conflicts)
        first = self.conflicts[0]
        self.current, self.attempted = first.current, first.attempted
        super().__init__(
            f"Số liệu đã được {self.current.updated_by or 'người khác'} sửa thành "
            f"{format_number(self.current.value)} (phiên bản {self.current.version}) trong khi bạn nhập "
            f"{format_number(self.attempted)}. Hãy xem lại và lưu lại nếu vẫn muốn thay đổi."
        )


class ErrorList:
    """Row errors, the first MAX_ERRORS kept (memory stays bounded on a bad million-row file)."""

    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.count = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(error)

    def reject(self, kind: type[ImportRejected] = ImportRejected) -> None:
        """Raise ``kind`` listing the errors by line and column, if there are any."""
        if not self.count:
            return
        errors = sorted(self.items, key=lambda e: (e.line or 0, e.column or "", e.message))
        if self.count > len(errors):
            errors.append(RowError(None, None, f"... và còn lỗi khác (chỉ liệt kê {len(errors)} lỗi đầu)."))
        raise kind(errors)
