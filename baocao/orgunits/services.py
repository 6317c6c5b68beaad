"""State changes of org units. A merge closes the old units and opens the successor; the
values stored against the old units stay where they are (history is never rewritten)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from baocao.orgunits.models import OrgUnit, OrgUnitSuccession, OrgUnitType, SuccessionKind


@transaction.atomic
def merge_units(
    predecessors: Sequence[OrgUnit],
    *,
    code: str,
    name: str,
    type: OrgUnitType,
    parent: OrgUnit | None,
    effective_date: datetime.date,
    legal_basis: str = "",
) -> OrgUnit:
    """Merge `predecessors` into a new unit valid from `effective_date`."""
    if not predecessors:
        raise ValidationError("Cần ít nhất một đơn vị cũ để sáp nhập.")
    locked = list(
        OrgUnit.objects.select_for_update().filter(pk__in=[u.pk for u in predecessors]).order_by("pk")
    )
    last_day = effective_date - datetime.timedelta(days=1)
    for unit in locked:
        if unit.valid_to is not None and unit.valid_to < last_day:
            raise ValidationError(
                f"Đơn vị {unit.code} ({unit.name}) đã hết hiệu lực từ {unit.valid_to:%d/%m/%Y}."
            )
        if unit.valid_from > last_day:
            raise ValidationError(
                f"Đơn vị {unit.code} ({unit.name}) chỉ có hiệu lực từ {unit.valid_from:%d/%m/%Y}, "
                f"không thể sáp nhập từ {effective_date:%d/%m/%Y}."
            )
    successor = OrgUnit(code=code, name=name, type=type, parent=parent, valid_from=effective_date)
    successor.full_clean()
    successor.save()
    for unit in locked:
        unit.valid_to = last_day
        unit.save(update_fields=["valid_to"])
        OrgUnitSuccession.objects.create(
            predecessor=unit,
            successor=successor,
            kind=SuccessionKind.MERGE,
            effective_date=effective_date,
            legal_basis=legal_basis,
        )
    return successor
