"""State changes of targets (dự toán, kế hoạch): all-or-nothing imports with line-numbered errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.db import transaction

from baocao.accounts.permissions import Action, require_actor
from baocao.core.csvio import ImportRejected, RowError, read_rows
from baocao.core.numbers import NumberParseError, parse_number
from baocao.core.periods import Period, PeriodError
from baocao.core.users import MaybeUser, acting_user
from baocao.indicators.models import Indicator, Target, TargetType
from baocao.orgunits.models import OrgUnit


@dataclass(frozen=True, slots=True)
class TargetRow:
    line: int | None
    indicator: Indicator
    org_unit: OrgUnit
    period: Period
    target_type: TargetType
    value: Decimal
    note: str = ""


def parse_target_rows(records: Sequence[tuple[int | None, dict[str, str]]]) -> list[TargetRow]:
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in={r.get("indicator", "") for _, r in records})
    }
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r.get("org_unit", "") for _, r in records})}
    types = {
        t.code: t for t in TargetType.objects.filter(code__in={r.get("target_type", "") for _, r in records})
    }
    errors: list[RowError] = []
    rows: list[TargetRow] = []
    seen: dict[tuple[int, int, str, int], int | None] = {}
    for line, record in records:
        before = len(errors)
        indicator = indicators.get(record.get("indicator", ""))
        if indicator is None:
            errors.append(
                RowError(line, "indicator", f'không có chỉ tiêu mã "{record.get("indicator", "")}".')
            )
        unit = units.get(record.get("org_unit", ""))
        if unit is None:
            errors.append(RowError(line, "org_unit", f'không có đơn vị mã "{record.get("org_unit", "")}".'))
        target_type = types.get(record.get("target_type", ""))
        if target_type is None:
            errors.append(
                RowError(line, "target_type", f'không có loại kế hoạch mã "{record.get("target_type", "")}".')
            )
        period = value = None
        try:
            period = Period.parse(record.get("period", ""))
        except PeriodError as exc:
            errors.append(RowError(line, "period", str(exc)))
        try:
            value = parse_number(record.get("value", ""))
            if value < 0:
                errors.append(RowError(line, "value", "kế hoạch không được là số âm."))
        except NumberParseError as exc:
            errors.append(RowError(line, "value", str(exc)))
        if len(errors) > before:
            continue
        assert indicator and unit and target_type and period and value is not None
        key = (indicator.pk, unit.pk, period.id, target_type.pk)
        if key in seen:
            errors.append(RowError(line, None, f"trùng kế hoạch với dòng {seen[key]}."))
            continue
        seen[key] = line
        rows.append(TargetRow(line, indicator, unit, period, target_type, value, record.get("note", "")))
    if errors:
        raise ImportRejected(errors)
    return rows


@transaction.atomic
def save_targets(rows: Sequence[TargetRow], *, user: MaybeUser = None) -> int:
    """Write targets; the user needs MANAGE for every unit written to (None: the system)."""
    require_actor(user, Action.MANAGE, {row.org_unit.pk: row.org_unit for row in rows}.values())
    actor = acting_user(user)
    for row in rows:
        Target.objects.update_or_create(
            indicator=row.indicator,
            org_unit=row.org_unit,
            period=row.period.id,
            target_type=row.target_type,
            defaults={"value": row.value, "note": row.note, "updated_by": actor},
        )
    return len(rows)


def import_targets_csv(source: IO[str] | IO[bytes] | str | bytes, *, user: MaybeUser = None) -> int:
    records = read_rows(
        source, required=("indicator", "org_unit", "period", "target_type", "value"), optional=("note",)
    )
    return save_targets(parse_target_rows(records), user=user)
