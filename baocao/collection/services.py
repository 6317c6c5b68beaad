"""The small-batch executor of value writes: rows checked in Python and written through the ORM.

Only the action layer (collection.values.write_values) calls :func:`write_rows`; views, the API, the
Excel and CSV imports and commands all go through that action, so nothing else saves a DataValue. The
set-based executor for large files is collection.bulk; both apply the rules of collection.rules, raise
the same errors and write the same values and change log (tested property by property).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from baocao.accounts.permissions import Action, units_for
from baocao.collection import rules
from baocao.collection.models import DataValue, ValueChange
from baocao.collection.types import (
    DETAIL_ROWS,
    ClosedValues,
    Conflict,
    ErrorList,
    Record,
    RowError,
    RowOutcome,
    Staged,
    ValueConflict,
    WriteResult,
)
from baocao.core import clock
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import Indicator
from baocao.orgunits.models import OrgUnit
from baocao.orgunits.services import localities

__all__ = ["latest_month", "write_rows"]

Authorize = Callable[[list[OrgUnit]], None]


def write_rows(
    records: Iterable[Record],
    *,
    actor: User | None,
    source: str,
    dry_run: bool,
    authorize: Authorize,
    versions: Mapping[int, int] | None = None,
    detail_rows: int = DETAIL_ROWS,
) -> WriteResult:
    """Check and write rows all-or-nothing in the order of collection.values: rows, codes, duplicates,
    rules, permission (``authorize``), closed forms, then versions (``versions``: line → the version the
    writer loaded, 0 when they saw no value)."""
    result = WriteResult(batch=uuid.uuid4().hex, dry_run=dry_run, executor="orm")
    errors = ErrorList()
    staged: list[Staged] = []
    for line, record in records:
        row, problems = rules.check_record(line, record)
        for problem in problems:
            errors.add(problem)
        if row is not None:
            staged.append(row)
    result.total = len(staged)
    # Inside write_values' transaction, whose savepoint undoes it on an error: no savepoint of its own.
    with transaction.atomic(savepoint=False):
        indicators = {
            i.code: i
            for i in Indicator.objects.select_related("unit").filter(code__in={r.indicator for r in staged})
        }
        units = {u.code: u for u in OrgUnit.objects.filter(code__in={r.org_unit for r in staged})}
        limits = {code: rules.limits(i) for code, i in indicators.items()}
        first: dict[tuple[str, str, str, str], int] = {}
        for row in staged:
            indicator, unit = indicators.get(row.indicator), units.get(row.org_unit)
            if indicator is None:
                errors.add(RowError(row.line, "indicator", f'không có chỉ tiêu mã "{row.indicator}".'))
            if unit is None:
                errors.add(RowError(row.line, "org_unit", f'không có đơn vị mã "{row.org_unit}".'))
            if row.key in first:
                errors.add(
                    RowError(
                        row.line,
                        None,
                        f"trùng số liệu với dòng {first[row.key]} (cùng chỉ tiêu, đơn vị, kỳ, loại).",
                    )
                )
            else:
                first[row.key] = row.line
            if indicator is not None and (wrong := rules.value_problem(limits[row.indicator], row.value)):
                errors.add(RowError(row.line, "value", wrong))
            if unit is not None and (wrong := rules.unit_problem(unit, Period.parse(row.period))):
                errors.add(RowError(row.line, "org_unit", wrong))
        errors.reject()
        if not staged:
            return result
        authorize(sorted({units[r.org_unit] for r in staged}, key=lambda u: u.code))
        for error in rules.closed_problems(
            (r.line, indicators[r.indicator], units[r.org_unit], r.period) for r in staged
        ):
            errors.add(error)
        errors.reject(ClosedValues)
        existing = {
            (dv.indicator_id, dv.org_unit_id, dv.period, dv.kind): dv
            # Lock the values only: PostgreSQL refuses FOR UPDATE on the outer join to updated_by (nullable).
            for dv in DataValue.objects.select_for_update(of=("self",))
            .filter(
                period__in={r.period for r in staged},
                indicator_id__in={i.pk for i in indicators.values()},
                org_unit_id__in={u.pk for u in units.values()},
            )
            .select_related("updated_by")
        }

        def current_of(row: Staged) -> DataValue | None:
            key = (indicators[row.indicator].pk, units[row.org_unit].pk, row.period, row.kind)
            return existing.get(key)

        if versions:
            _check_versions(staged, versions, current_of)
        return _write(staged, indicators, units, current_of, actor, source, result, detail_rows)


def _check_versions(
    staged: list[Staged], versions: Mapping[int, int], current_of: Callable[[Staged], DataValue | None]
) -> None:
    """The one conflict rule: a row sent with the version its writer loaded is refused when the stored
    version differs — whoever saved since — unless the stored value and comment already are the ones
    sent (nothing would change). Nothing is written when any row conflicts."""
    conflicts: list[Conflict] = []
    errors = ErrorList()
    for row in staged:
        if row.line not in versions:
            continue
        current = current_of(row)
        if (current.version if current else 0) == versions[row.line]:
            continue
        if current is None:
            errors.add(RowError(row.line, "value", "Số liệu đã bị xóa bởi người khác; hãy tải lại trang."))
        elif current.value != row.value or current.comment != row.comment:
            conflicts.append(Conflict(row.line, current, row.value))
    errors.reject()
    if conflicts:
        raise ValueConflict(conflicts)


def _write(
    staged: list[Staged],
    indicators: dict[str, Indicator],
    units: dict[str, OrgUnit],
    current_of: Callable[[Staged], DataValue | None],
    actor: User | None,
    source: str,
    result: WriteResult,
    detail_rows: int,
) -> WriteResult:
    to_create: list[DataValue] = []
    to_update: list[DataValue] = []
    changes: list[ValueChange] = []
    for row in sorted(staged, key=lambda r: r.line):
        indicator, unit, current = indicators[row.indicator], units[row.org_unit], current_of(row)
        old_value, old_comment = (current.value, current.comment) if current else (None, "")
        if current is None:
            action = "created"
            to_create.append(
                DataValue(
                    indicator=indicator,
                    org_unit=unit,
                    period=row.period,
                    kind=row.kind,
                    value=row.value,
                    comment=row.comment,
                    created_by=actor,
                    updated_by=actor,
                )
            )
        elif current.value != row.value or current.comment != row.comment:
            action = "updated"
            current.value, current.comment, current.updated_by = row.value, row.comment, actor
            current.version += 1
            to_update.append(current)
        else:
            action = "unchanged"
        if action != "unchanged":
            changes.append(_change(row, indicator, unit, old_value, old_comment, actor, source, result.batch))
        if result.dry_run and len(result.rows) < detail_rows:
            result.rows.append(
                RowOutcome(
                    row.line,
                    row.indicator,
                    row.org_unit,
                    row.period,
                    row.kind,
                    row.value,
                    old_value,
                    action,
                    row.comment,
                    old_comment,
                )
            )
    result.created, result.updated = len(to_create), len(to_update)
    result.unchanged = result.total - result.created - result.updated
    if result.dry_run:
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
    row: Staged,
    indicator: Indicator,
    unit: OrgUnit,
    old: Decimal | None,
    old_comment: str,
    actor: User | None,
    source: str,
    batch: str,
) -> ValueChange:
    return ValueChange(
        indicator=indicator,
        org_unit=unit,
        period=row.period,
        kind=row.kind,
        old_value=old,
        new_value=row.value,
        old_comment=old_comment,
        new_comment=row.comment,
        changed_by=actor,
        source=source,
        batch=batch,
        source_note=row.note,
    )


def latest_month(
    units: Iterable[OrgUnit] | None = None, indicator_ids: Iterable[int] | None = None
) -> Period | None:
    """The month of the most recent stored values (None when nothing is stored): the default period of
    the pages that show one. ``units`` (a user's units): only their values — a ward formed in 2025 must not
    move the default of the old city's users to a month their units never reported; ``indicator_ids``: only
    those indicators' values (a dashboard's key figures). Months after the clock's month are not read: the
    demo served as of 16/6/2020 opens on June 2020, not on the ward demo's 2025 months."""
    values = DataValue.objects.all() if units is None else DataValue.objects.filter(org_unit__in=units)
    values = values.filter(period__lte=Period.containing(PeriodType.MONTH, clock.today()).id)
    if indicator_ids is not None:
        values = values.filter(indicator_id__in=indicator_ids)
    latest = (
        values.filter(period__regex=r"^\d{6}$")
        .order_by("-period")
        .values_list("period", flat=True)
        .first()  # LIMIT 1: `if queryset` fetched every stored period (seconds for a province's millions)
    )
    return Period.parse(latest) if latest else None


def latest_month_for(user: User | AnonymousUser) -> Period | None:
    """:func:`latest_month` of the user's localities (the subtrees of the administrative units above the
    units they may see; everything for the superuser): the default period of their pages."""
    if user.is_superuser:
        return latest_month()
    return latest_month(localities(units_for(user, Action.VIEW)))
