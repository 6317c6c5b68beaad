"""The set-based bulk path for data values: import and export in the layout of DHIS2's dataValueSets
(indicator, org_unit, period, kind, value, comment), as CSV or JSON, streamed both ways.

Import (:func:`import_values`), whatever the size of the file:

1. rows are read as a stream and checked one by one for what needs no database (period id, kind,
   number notation, precision, text types), then loaded in chunks into a temporary staging table —
   ``COPY`` on PostgreSQL, ``executemany`` on SQLite; memory holds one chunk, never the file;
2. everything else is checked in bulk with SQL over the staging table: unknown codes, units outside
   their validity, whole numbers, negative and out-of-range values, duplicates in the file, the
   user's ENTER role, values of forms that are submitted, accepted, approved or locked;
3. one ``INSERT ... ON CONFLICT (indicator, org_unit, period, kind) DO UPDATE ... WHERE`` the value or
   comment differs writes the values, and the change log gets one ``ValueChange`` per created or
   changed value, all tagged with the import's ``batch`` (docs/decisions/0005-bulk-path.md). An
   unchanged row writes nothing, so uploading the same file twice changes nothing the second time.

All-or-nothing: any error rejects the whole file (:class:`ImportRejected`, every error with its row).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from baocao.accounts.permissions import Action, units_for
from baocao.collection.models import (
    EDITABLE_STATUSES,
    ChangeSource,
    DataValue,
    Submission,
    SubmissionStatus,
    ValueChange,
    ValueKind,
)
from baocao.collection.readers import Record
from baocao.collection.services import (
    _KIND_ALIASES,
    VALUE_COLUMNS,
    check_precision,
    check_unit_in_period,
    check_value,
)
from baocao.core.csvio import ImportRejected, RowError
from baocao.core.numbers import NumberParseError, format_number, parse_number
from baocao.core.periods import Period, PeriodError
from baocao.core.text import clean, nfc, search_key
from baocao.core.users import MaybeUser, acting_user
from baocao.indicators.models import DataSetIndicator, Indicator, UnitOfMeasure
from baocao.orgunits.models import OrgUnit

__all__ = [
    "BulkResult",
    "ClosedValues",
    "RowOutcome",
    "export_csv",
    "export_json",
    "import_values",
]

CHUNK_ROWS = 5000
MAX_ERRORS = 1000  # listed errors; the count of the others is given
DETAIL_ROWS = 1000  # rows listed one by one in a dry run's result


class ClosedValues(ImportRejected):
    """Rows touch values of forms that are submitted, accepted, approved or locked."""


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What a dry run would do with one row: ``created``, ``updated`` or ``unchanged``."""

    row: int
    indicator: str
    org_unit: str
    period: str
    kind: str
    value: Decimal
    old_value: Decimal | None
    action: str


@dataclass
class BulkResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    batch: str = ""
    dry_run: bool = False
    rows: list[RowOutcome] = field(default_factory=list)

    def summary(self) -> str:
        verb = "Sẽ ghi" if self.dry_run else "Đã ghi"
        return (
            f"{verb} {self.total} dòng: {self.created} số liệu mới, {self.updated} số liệu sửa, "
            f"{self.unchanged} không đổi."
        )


class _Errors:
    """Row errors, the first MAX_ERRORS kept (memory stays bounded on a bad million-row file)."""

    def __init__(self) -> None:
        self.items: list[RowError] = []
        self.count = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(error)

    def reject(self, kind: type[ImportRejected] = ImportRejected) -> None:
        if not self.count:
            return
        errors = sorted(self.items, key=lambda e: (e.line or 0, e.column or ""))
        if self.count > len(errors):
            errors.append(RowError(None, None, f"... và còn lỗi khác (chỉ liệt kê {len(errors)} lỗi đầu)."))
        raise kind(errors)


# ------------------------------------------------------------------------------------ checking a row


@dataclass(frozen=True, slots=True)
class _Staged:
    line: int
    indicator: str
    org_unit: str
    period: str
    kind: str
    value: Decimal
    comment: str
    window: tuple[Any, Any]


_period_cache: dict[str, Period | str] = {}


def _period(text: str) -> Period | str:
    """Period.parse with a small cache (a file repeats a few periods a million times)."""
    cached = _period_cache.get(text)
    if cached is None:
        try:
            cached = Period.parse(text)
        except PeriodError as exc:
            cached = str(exc)
        if len(_period_cache) < 10_000:
            _period_cache[text] = cached
    return cached


def _text(record: dict[str, Any], column: str, errors: list[RowError], line: int) -> str:
    value = record.get(column)
    if value is None:
        return ""
    if isinstance(value, str):
        return clean(value) if column != "comment" else nfc(value).strip()
    errors.append(
        RowError(line, column, f"phải là chuỗi ký tự, không phải {json.dumps(value, default=str)}.")
    )
    return ""


def _check_row(line: int, record: dict[str, Any]) -> tuple[_Staged | None, list[RowError]]:
    if "_error" in record:
        return None, [RowError(line, None, record["_error"])]
    errors = [RowError(line, c, "cột không được hỗ trợ.") for c in record if c not in VALUE_COLUMNS]
    indicator, unit = _text(record, "indicator", errors, line), _text(record, "org_unit", errors, line)
    period_text, kind_text = _text(record, "period", errors, line), _text(record, "kind", errors, line)
    comment = _text(record, "comment", errors, line)
    if not indicator:
        errors.append(RowError(line, "indicator", "thiếu mã chỉ tiêu."))
    if not unit:
        errors.append(RowError(line, "org_unit", "thiếu mã đơn vị."))
    period = _period(period_text)
    if isinstance(period, str):
        errors.append(RowError(line, "period", period))
    kind = _KIND_ALIASES.get(search_key(kind_text or ValueKind.ACTUAL))
    if kind is None:
        errors.append(
            RowError(
                line,
                "kind",
                f'loại số liệu "{kind_text}" không hợp lệ; dùng actual (thực hiện), '
                "estimate (ước thực hiện) hoặc cumulative (lũy kế).",
            )
        )
    raw = record.get("value")
    value: Decimal | None = None
    if raw is None or raw == "":
        errors.append(RowError(line, "value", "thiếu giá trị."))
    elif isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        errors.append(RowError(line, "value", f"phải là số hoặc chuỗi số, không phải {json.dumps(raw)}."))
    else:
        try:
            value = parse_number(raw)
        except NumberParseError as exc:
            errors.append(RowError(line, "value", str(exc)))
        else:
            if problem := check_precision(value):
                errors.append(RowError(line, "value", problem))
    if errors:
        return None, errors
    assert isinstance(period, Period) and kind is not None and value is not None
    return _Staged(line, indicator, unit, period.id, kind, value, comment, period.reporting_window), []


# ------------------------------------------------------------------------------------- the staging table


def _tables() -> dict[str, str]:
    return {
        "dv": DataValue._meta.db_table,
        "vc": ValueChange._meta.db_table,
        "ind": Indicator._meta.db_table,
        "uom": UnitOfMeasure._meta.db_table,
        "ou": OrgUnit._meta.db_table,
        "sub": Submission._meta.db_table,
        "mem": DataSetIndicator._meta.db_table,
    }


class _Stage:
    """A temporary table holding the checked rows of one import, with SQL over it."""

    COLUMNS = "line, indicator_code, org_unit_code, period, kind, value, comment, win_start, win_end"

    def __init__(self) -> None:
        self.name = f"bulk_stage_{uuid.uuid4().hex[:12]}"
        self.postgres = connection.vendor == "postgresql"
        self.t = _tables() | {"stage": self.name}
        # Rows whose codes resolve: the source of every later check and of the write.
        self.src = (
            "SELECT s.line, i.id AS indicator_id, u.id AS org_unit_id, s.period, s.kind, s.value, s.comment "
            f"FROM {self.name} s JOIN {self.t['ind']} i ON i.code = s.indicator_code "
            f"JOIN {self.t['ou']} u ON u.code = s.org_unit_code"
        )

    def sql(self, text: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(text.format(**self.t, src=self.src), params)
            return list(cursor.fetchall()) if cursor.description else []

    def create(self) -> None:
        temp = "TEMPORARY" if self.postgres else "TEMP"
        self.sql(
            f"CREATE {temp} TABLE {{stage}} (line bigint NOT NULL, indicator_code varchar(50) NOT NULL, "
            "org_unit_code varchar(50) NOT NULL, period varchar(10) NOT NULL, kind varchar(10) NOT NULL, "
            "value decimal(24, 4) NOT NULL, comment text NOT NULL, win_start date NOT NULL, "
            "win_end date NOT NULL)"
        )

    def drop(self) -> None:
        self.sql("DROP TABLE IF EXISTS {stage}")

    def load(self, rows: Sequence[_Staged]) -> None:
        values = [
            (r.line, r.indicator, r.org_unit, r.period, r.kind, r.value, r.comment, *r.window) for r in rows
        ]
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {self.name} ({self.COLUMNS}) FROM STDIN") as copy:
                    for item in values:
                        copy.write_row(item)
            else:
                ops = connection.ops
                cursor.executemany(
                    f"INSERT INTO {self.name} ({self.COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (*v[:5], ops.adapt_decimalfield_value(v[5], 24, 4), v[6], str(v[7]), str(v[8]))
                        for v in values
                    ],
                )

    # -- checks in bulk ------------------------------------------------------------------------------

    def unknown_codes(self, errors: _Errors) -> None:
        for column, table, what in (("indicator", "ind", "chỉ tiêu"), ("org_unit", "ou", "đơn vị")):
            found = self.sql(
                f"SELECT s.line, s.{column}_code FROM {{stage}} s LEFT JOIN {{{table}}} x "
                f"ON x.code = s.{column}_code WHERE x.id IS NULL ORDER BY s.line LIMIT {MAX_ERRORS + 1}"
            )
            for line, code in found:
                errors.add(RowError(line, column, f'không có {what} mã "{code}".'))

    def bad_values(self, errors: _Errors) -> None:
        """Whole numbers, negative counts and amounts, min/max: SQL finds the rows, check_value words them."""
        found = self.sql(
            "SELECT s.line, i.id, s.value FROM {stage} s JOIN {ind} i ON i.code = s.indicator_code "
            "JOIN {uom} m ON m.id = i.unit_id WHERE (i.value_type = 'integer' AND s.value <> ROUND(s.value)) "
            "OR (m.dimension IN ('count', 'money', 'area', 'mass') AND s.value < 0) "
            "OR (i.min_value IS NOT NULL AND s.value < i.min_value) "
            f"OR (i.max_value IS NOT NULL AND s.value > i.max_value) ORDER BY s.line LIMIT {MAX_ERRORS + 1}"
        )
        indicators = Indicator.objects.select_related("unit").in_bulk({i for _, i, _ in found})
        for line, indicator_id, value in found:
            problem = check_value(indicators[indicator_id], Decimal(str(value)))
            errors.add(RowError(line, "value", problem or "giá trị ngoài khoảng cho phép."))

    def units_out_of_validity(self, errors: _Errors) -> None:
        found = self.sql(
            "SELECT s.line, u.id, s.period FROM {stage} s JOIN {ou} u ON u.code = s.org_unit_code "
            "WHERE u.valid_from > s.win_end OR (u.valid_to IS NOT NULL AND u.valid_to < s.win_start) "
            f"ORDER BY s.line LIMIT {MAX_ERRORS + 1}"
        )
        units = OrgUnit.objects.in_bulk({u for _, u, _ in found})
        for line, unit_id, period in found:
            problem = check_unit_in_period(units[unit_id], Period.parse(period))
            errors.add(RowError(line, "org_unit", problem or "đơn vị không có hiệu lực trong kỳ."))

    def duplicates(self, errors: _Errors) -> None:
        found = self.sql(
            "SELECT s.line, d.first_line FROM {stage} s JOIN (SELECT indicator_code, org_unit_code, period, "
            "kind, MIN(line) AS first_line FROM {stage} GROUP BY indicator_code, org_unit_code, period, kind "
            "HAVING COUNT(*) > 1) d ON d.indicator_code = s.indicator_code AND "
            "d.org_unit_code = s.org_unit_code AND d.period = s.period AND d.kind = s.kind "
            f"WHERE s.line <> d.first_line ORDER BY s.line LIMIT {MAX_ERRORS + 1}"
        )
        for line, first in found:
            errors.add(
                RowError(line, None, f"trùng số liệu với dòng {first} (cùng chỉ tiêu, đơn vị, kỳ, loại).")
            )

    def check_permission(self, user: MaybeUser) -> None:
        if user is None or (user.is_active and user.is_superuser):
            return
        used = {
            pk
            for (pk,) in self.sql(
                "SELECT DISTINCT u.id FROM {stage} s JOIN {ou} u ON u.code = s.org_unit_code"
            )
        }
        allowed = set(units_for(user, Action.ENTER).filter(pk__in=used).values_list("pk", flat=True))
        refused = OrgUnit.objects.filter(pk__in=used - allowed).order_by("code")
        if refused:
            names = ", ".join(f"{u.name} ({u.code})" for u in refused[:20])
            raise PermissionDenied(f"Bạn không có quyền {Action.ENTER.label} của {names}.")

    def closed_forms(self, errors: _Errors) -> None:
        editable = ", ".join(f"'{s}'" for s in sorted(EDITABLE_STATUSES))
        found = self.sql(
            "SELECT s.line, s.indicator_code, u.name, s.period, MIN(sub.status) FROM {stage} s "
            "JOIN {ind} i ON i.code = s.indicator_code JOIN {ou} u ON u.code = s.org_unit_code "
            "JOIN {sub} sub ON sub.org_unit_id = u.id AND sub.period = s.period "
            f"AND sub.status NOT IN ({editable}) "
            "JOIN {mem} m ON m.data_set_id = sub.data_set_id AND m.indicator_id = i.id "
            f"GROUP BY s.line, s.indicator_code, u.name, s.period ORDER BY s.line LIMIT {MAX_ERRORS + 1}"
        )
        for line, code, unit_name, period, status in found:
            errors.add(
                RowError(
                    line,
                    "value",
                    f"Số liệu {code} của {unit_name} {Period.parse(period).label} "
                    f"{SubmissionStatus(status).label.lower()}, không sửa được; "
                    "cần được trả lại hoặc mở lại trước.",
                )
            )

    # -- outcome and write ----------------------------------------------------------------------------

    _CLASSIFY = (
        "CASE WHEN d.id IS NULL THEN 'created' WHEN d.value <> s.value OR d.comment <> s.comment "
        "THEN 'updated' ELSE 'unchanged' END"
    )
    _JOIN_OLD = (
        "LEFT JOIN {dv} d ON d.indicator_id = s.indicator_id AND d.org_unit_id = s.org_unit_id "
        "AND d.period = s.period AND d.kind = s.kind"
    )

    def counts(self) -> tuple[int, int]:
        ((created, updated),) = self.sql(
            "SELECT COALESCE(SUM(CASE WHEN d.id IS NULL THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN d.id IS NOT NULL AND (d.value <> s.value OR d.comment <> s.comment) "
            f"THEN 1 ELSE 0 END), 0) FROM ({{src}}) s {self._JOIN_OLD}"
        )
        return int(created), int(updated)

    def outcomes(self, limit: int) -> list[RowOutcome]:
        found = self.sql(
            "SELECT s.line, i.code, u.code, s.period, s.kind, s.value, d.value, "
            f"{self._CLASSIFY} FROM ({{src}}) s {self._JOIN_OLD} JOIN {{ind}} i ON i.id = s.indicator_id "
            f"JOIN {{ou}} u ON u.id = s.org_unit_id ORDER BY s.line LIMIT {int(limit)}"
        )
        decimal = DataValue._meta.get_field("value")
        return [
            RowOutcome(
                line,
                ind,
                unit,
                period,
                kind,
                decimal.to_python(value),
                None if old is None else decimal.to_python(old),
                action,
            )
            for line, ind, unit, period, kind, value, old, action in found
        ]

    def write(self, user_id: int | None, source: str, batch: str) -> tuple[int, int]:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params = {"now": now, "user": user_id, "source": source, "batch": batch}
        insert_values = (
            "INSERT INTO {dv} (indicator_id, org_unit_id, period, kind, value, comment, created_at, "
            "created_by_id, updated_at, updated_by_id, version) "
            "SELECT indicator_id, org_unit_id, period, kind, value, comment, "
            "%(now)s, %(user)s, %(now)s, %(user)s, 1 FROM ({src}) s WHERE TRUE "
            "ON CONFLICT (indicator_id, org_unit_id, period, kind) DO UPDATE SET value = excluded.value, "
            "comment = excluded.comment, updated_at = excluded.updated_at, "
            "updated_by_id = excluded.updated_by_id, version = {dv}.version + 1 "
            "WHERE {dv}.value <> excluded.value OR {dv}.comment <> excluded.comment"
        )
        audit_columns = (
            "INSERT INTO {vc} (indicator_id, org_unit_id, period, kind, old_value, new_value, old_comment, "
            "new_comment, changed_at, changed_by_id, source, batch) "
        )
        if self.postgres:
            # One statement: every sub-statement sees the same snapshot, so `old` holds the values
            # before the upsert, and the audit gets exactly the rows the upsert created or changed.
            ((created, changed),) = self.sql(
                f"WITH old AS (SELECT d.id, d.value, d.comment FROM ({{src}}) s JOIN {{dv}} d "
                "ON d.indicator_id = s.indicator_id AND d.org_unit_id = s.org_unit_id "
                "AND d.period = s.period AND d.kind = s.kind), "
                f"up AS ({insert_values} "
                "RETURNING id, indicator_id, org_unit_id, period, kind, value, comment), "
                f"audit AS ({audit_columns} SELECT up.indicator_id, up.org_unit_id, up.period, up.kind, "
                "old.value, up.value, COALESCE(old.comment, ''), up.comment, %(now)s, %(user)s, %(source)s, "
                "%(batch)s FROM up LEFT JOIN old ON old.id = up.id RETURNING old_value) "
                "SELECT COUNT(*) FILTER (WHERE old_value IS NULL), COUNT(*) FROM audit",
                params,
            )
            return int(created), int(changed) - int(created)
        # SQLite: the transaction holds the database's write lock, so two statements are as good as one.
        created, updated = self.counts()
        self.sql(
            f"{audit_columns} SELECT s.indicator_id, s.org_unit_id, s.period, s.kind, d.value, s.value, "
            "COALESCE(d.comment, ''), s.comment, %(now)s, %(user)s, %(source)s, %(batch)s "
            f"FROM ({{src}}) s {self._JOIN_OLD} "
            "WHERE d.id IS NULL OR d.value <> s.value OR d.comment <> s.comment",
            params,
        )
        self.sql(insert_values, params)
        return created, updated


# ------------------------------------------------------------------------------------------- import


def import_values(
    records: Iterable[Record],
    *,
    user: MaybeUser = None,
    source: str = ChangeSource.API,
    dry_run: bool = False,
    detail_rows: int = DETAIL_ROWS,
) -> BulkResult:
    """Import rows (line or position, {column: value}) all-or-nothing through the staging table.

    Raises ImportRejected (every bad row), PermissionDenied (a unit the user may not enter values
    for; checked when ``user`` is given) or ClosedValues (values of closed forms)."""
    result = BulkResult(batch=uuid.uuid4().hex, dry_run=dry_run)
    errors = _Errors()
    with transaction.atomic():
        stage = _Stage()
        stage.create()
        chunk: list[_Staged] = []
        for line, record in records:
            staged, problems = _check_row(line, record)
            for problem in problems:
                errors.add(problem)
            if staged is not None:
                chunk.append(staged)
                result.total += 1
            if len(chunk) >= CHUNK_ROWS:
                stage.load(chunk)
                chunk = []
        stage.load(chunk)
        if result.total:
            stage.unknown_codes(errors)
            stage.duplicates(errors)
            stage.bad_values(errors)
            stage.units_out_of_validity(errors)
        errors.reject()
        if result.total:
            stage.check_permission(user)
            stage.closed_forms(errors)
            errors.reject(ClosedValues)
        if dry_run:
            result.created, result.updated = stage.counts()
            result.rows = stage.outcomes(detail_rows)
        elif result.total:
            actor = acting_user(user)
            result.created, result.updated = stage.write(actor.pk if actor else None, source, result.batch)
        result.unchanged = result.total - result.created - result.updated
        stage.drop()
    return result


# ------------------------------------------------------------------------------------------- export


def export_rows(queryset: QuerySet[DataValue]) -> Iterator[tuple[str, str, str, str, Decimal, str]]:
    """Rows of the values in a stable order, read with a server-side cursor in chunks."""
    rows = queryset.order_by("period", "org_unit__code", "indicator__code", "kind").values_list(
        "indicator__code", "org_unit__code", "period", "kind", "value", "comment"
    )
    return rows.iterator(chunk_size=2000)


def export_csv(queryset: QuerySet[DataValue]) -> Iterator[str]:
    """The CSV file (header first), in pieces of about a hundred rows; values in Vietnamese notation."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(VALUE_COLUMNS)
    for count, (indicator, unit, period, kind, value, comment) in enumerate(export_rows(queryset), 1):
        writer.writerow([indicator, unit, period, kind, format_number(value), comment])
        if count % 100 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def export_json(queryset: QuerySet[DataValue]) -> Iterator[str]:
    """``{"dataValues": [...]}`` with exact JSON numbers, in pieces of about a hundred rows."""
    pieces = ['{"dataValues": [']
    first = True
    for indicator, unit, period, kind, value, comment in export_rows(queryset):
        obj = json.dumps(
            {"indicator": indicator, "org_unit": unit, "period": period, "kind": kind}, ensure_ascii=False
        )
        pieces.append(
            f'{"" if first else ","}\n{obj[:-1]}, "value": {_json_number(value)}, '
            f'"comment": {json.dumps(comment, ensure_ascii=False)}}}'
        )
        first = False
        if len(pieces) >= 100:
            yield "".join(pieces)
            pieces = []
    pieces.append("\n]}\n")
    yield "".join(pieces)
