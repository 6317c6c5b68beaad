"""State changes of org units. A merge closes the old units and opens the successor; the
values stored against the old units stay where they are (history is never rewritten)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from baocao.core.numbers import format_number
from baocao.orgunits.models import (
    OrgUnit,
    OrgUnitQuerySet,
    OrgUnitSuccession,
    OrgUnitType,
    SuccessionKind,
)


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


@transaction.atomic
def split_unit(
    predecessor: OrgUnit,
    parts: Sequence[tuple[OrgUnit, Decimal | None]],
    *,
    effective_date: datetime.date,
    closes: bool = True,
    legal_basis: str = "",
) -> list[OrgUnitSuccession]:
    """Record that parts of ``predecessor`` went to other units on ``effective_date``: each part is a
    successor and the share of the predecessor it took (0 < share ≤ 1; None: not known, which makes the
    additive "cùng kỳ" of that successor not comparable until it is known, docs/decisions/0016).

    ``closes``: the predecessor ceased (a split: its validity ends the day before) — else it keeps the rest
    of its area (a partial transfer). The shares taken from one unit on one day add up to at most 1.
    Each successor must exist on ``effective_date``. Nothing is written when any check fails."""
    if not parts:
        raise ValidationError("Cần ít nhất một đơn vị nhận phần chuyển sang.")
    unit = OrgUnit.objects.select_for_update().get(pk=predecessor.pk)
    last_day = effective_date - datetime.timedelta(days=1)
    if unit.valid_from > last_day or (unit.valid_to is not None and unit.valid_to < last_day):
        raise ValidationError(
            f"Đơn vị {unit.code} ({unit.name}) không còn hiệu lực ngày {last_day:%d/%m/%Y}, "
            f"không thể chia tách từ {effective_date:%d/%m/%Y}."
        )
    earlier = OrgUnitSuccession.objects.filter(predecessor=unit, effective_date=effective_date).exclude(
        successor__in=[successor for successor, _share in parts]
    )
    total = sum((s.share for s in earlier if s.share is not None), Decimal(0))
    for successor, share in parts:
        if successor.pk == unit.pk:
            raise ValidationError(f"Đơn vị {unit.code} không thể nhận phần của chính nó.")
        if share is not None and not Decimal(0) < share <= 1:
            raise ValidationError(
                f"Tỷ lệ chuyển sang {successor.code} phải lớn hơn 0 và không quá 1 "
                f"(đang là {format_number(share)})."
            )
        if not successor.is_active_on(effective_date):
            raise ValidationError(
                f"Đơn vị {successor.code} ({successor.name}) "
                f"không có hiệu lực ngày {effective_date:%d/%m/%Y}."
            )
        total += share or 0
    if total > 1:
        raise ValidationError(
            f"Tổng tỷ lệ các phần của {unit.code} chuyển đi từ {effective_date:%d/%m/%Y} là "
            f"{format_number(total)}, lớn hơn 1."
        )
    kind = SuccessionKind.SPLIT if closes else SuccessionKind.TRANSFER
    links = []
    for successor, share in parts:
        link, _ = OrgUnitSuccession.objects.update_or_create(
            predecessor=unit,
            successor=successor,
            defaults={
                "kind": kind,
                "share": share,
                "effective_date": effective_date,
                "legal_basis": legal_basis,
            },
        )
        links.append(link)
    if closes:
        unit.valid_to = last_day
        unit.save(update_fields=["valid_to"])
    return links


def localities(units: Iterable[OrgUnit]) -> OrgUnitQuerySet:
    """The localities of ``units``: the subtree of the nearest administrative unit at or above each (the
    old city for a clerk of its police; the ward for a ward's department). A read: the scope of a page's
    default period, so that one locality's newer data does not move another's (docs/decisions/0016)."""
    units = list(units)
    ancestor_ids = {int(part) for unit in units for part in unit.path.strip("/").split("/") if part}
    administrative = sorted(
        OrgUnit.objects.filter(pk__in=ancestor_ids).administrative(), key=lambda u: -len(u.path)
    )
    roots = {}
    for unit in units:
        root = next((a for a in administrative if unit.path.startswith(a.path)), unit)
        roots[root.pk] = root
    return OrgUnit.objects.subtree(list(roots.values()))
