"""The dashboard's key-figure cards as data: which card set a unit sees, and loading/dumping card sets and
the indicators' judgement (whether up is good, the amber band) as plain rows (YAML in the demo,
`baocao/demo/data/key-figures.yaml`; the locality bundle carries the same rows).

A row of a card set: ``{report_type: CODE | org_unit: CODE | neither, indicator: CODE, kind: actual,
target_types: [CODE...], title: "", show_trend: true, sort_order: 10}``. Loading replaces every card set
named in the rows (so loading twice changes nothing) in one transaction, after checking every row; any
problem rejects the whole document with the row and field named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from baocao.accounts.permissions import Action, MaybeUser, is_superuser, require_actor, units_for
from baocao.analytics.models import KeyFigureCard
from baocao.collection.models import ValueKind
from baocao.core.csvio import ImportRejected, RowError
from baocao.indicators.models import Direction, Indicator, TargetType
from baocao.orgunits.models import OrgUnit

__all__ = [
    "cards_for",
    "dump_cards",
    "dump_directions",
    "load_cards",
    "load_directions",
    "load_key_figures",
]

_CARD_FIELDS = {
    "report_type",
    "org_unit",
    "indicator",
    "kind",
    "target_types",
    "title",
    "show_trend",
    "sort_order",
}
_KINDS = {str(k.value): str(k.value) for k in ValueKind} | {
    str(k.label).lower(): str(k.value) for k in ValueKind
}
_DIRECTIONS = {str(d.value): str(d.value) for d in Direction} | {
    str(d.label).lower(): str(d.value) for d in Direction
}


def _require_managing_somewhere(actor: MaybeUser) -> None:
    """Before reading the rows: the actor manages reference data somewhere (the exact units are checked once
    the rows are read), so one without the right learns nothing from the validation."""
    if actor is not None and not is_superuser(actor) and not units_for(actor, Action.MANAGE).exists():
        raise PermissionDenied(f"Bạn không có quyền {Action.MANAGE.label}.")


def _roots() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(parent__isnull=True))


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _report_types() -> dict[str, Any]:
    """The report types by code, reached through the card's relation: analytics imports nothing of reports
    (it sits below them in the layers)."""
    model = KeyFigureCard._meta.get_field("report_type").related_model
    return {r.code: r for r in model._default_manager.select_related("org_unit")}  # type: ignore[union-attr]


@transaction.atomic
def load_cards(rows: Sequence[Mapping[str, Any]], actor: MaybeUser = None) -> int:
    """Replace the card sets named in ``rows`` by those rows; returns the number of cards written.

    Permission: MANAGE for the unit of each set (a report type's unit, the unit, or every root unit for the
    default set)."""
    _require_managing_somewhere(actor)
    errors: list[RowError] = []
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[_text(r, "indicator") for r in rows])}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[_text(r, "org_unit") for r in rows])}
    target_types = {t.code: t for t in TargetType.objects.all()}
    report_types = _report_types() if any(_text(r, "report_type") for r in rows) else {}
    built: list[tuple[KeyFigureCard, list[TargetType]]] = []
    keys: dict[tuple[int | None, int | None], OrgUnit | None] = {}
    seen: set[tuple[int | None, int | None, int, str]] = set()
    for number, row in enumerate(rows, start=1):
        where = f"thẻ {number}"
        if not isinstance(row, Mapping):
            errors.append(RowError(number, None, "mỗi thẻ phải là một bảng khóa: giá trị."))
            continue
        unknown = sorted(set(map(str, row)) - _CARD_FIELDS)
        if unknown:
            errors.append(RowError(number, unknown[0], f"{where}: trường không có trong mẫu thẻ."))
        report_code, unit_code = _text(row, "report_type"), _text(row, "org_unit")
        report_type = unit = None
        if report_code and unit_code:
            errors.append(
                RowError(number, "org_unit", f"{where}: chỉ ghi loại báo cáo hoặc đơn vị, không ghi cả hai.")
            )
        if report_code:
            report_type = report_types.get(report_code)
            if report_type is None:
                errors.append(
                    RowError(number, "report_type", f'{where}: không có loại báo cáo mã "{report_code}".')
                )
        if unit_code:
            unit = units.get(unit_code)
            if unit is None:
                errors.append(RowError(number, "org_unit", f'{where}: không có đơn vị mã "{unit_code}".'))
        indicator = indicators.get(_text(row, "indicator"))
        if indicator is None:
            errors.append(
                RowError(number, "indicator", f'{where}: không có chỉ tiêu mã "{_text(row, "indicator")}".')
            )
        kind = _KINDS.get((_text(row, "kind") or ValueKind.ACTUAL.value).lower())
        if kind is None:
            errors.append(
                RowError(
                    number, "kind", f"{where}: loại số liệu phải là thực hiện, ước thực hiện hoặc lũy kế."
                )
            )
        types: list[TargetType] = []
        raw_types = row.get("target_types") or []
        if not isinstance(raw_types, list):
            errors.append(
                RowError(number, "target_types", f"{where}: các loại kế hoạch ghi thành danh sách.")
            )
            raw_types = []
        for code in raw_types:
            target_type = target_types.get(str(code))
            if target_type is None:
                errors.append(
                    RowError(number, "target_types", f'{where}: không có loại kế hoạch mã "{code}".')
                )
            else:
                types.append(target_type)
        sort_order = row.get("sort_order", number * 10)
        if isinstance(sort_order, bool) or not isinstance(sort_order, int) or sort_order < 0:
            errors.append(RowError(number, "sort_order", f"{where}: thứ tự phải là số nguyên không âm."))
            sort_order = 0
        show_trend = row.get("show_trend", True)
        if not isinstance(show_trend, bool):
            errors.append(RowError(number, "show_trend", f"{where}: show_trend là true hoặc false."))
        title = _text(row, "title")
        if len(title) > 255:
            errors.append(RowError(number, "title", f"{where}: tiêu đề dài quá 255 ký tự."))
        if indicator is None or kind is None:
            continue
        key = (report_type.pk if report_type else None, unit.pk if unit else None)
        if (*key, indicator.pk, kind) in seen:
            errors.append(
                RowError(number, "indicator", f"{where}: bộ thẻ này đã có thẻ {indicator.code} ({kind}).")
            )
        seen.add((*key, indicator.pk, kind))
        keys[key] = report_type.org_unit if report_type else unit
        card = KeyFigureCard(
            report_type=report_type,
            org_unit=unit,
            indicator=indicator,
            kind=kind,
            title=title,
            show_trend=bool(show_trend),
            sort_order=sort_order,
        )
        built.append((card, types))
    if errors:
        raise ImportRejected(errors)
    owners = [u for u in keys.values() if u is not None]
    require_actor(actor, Action.MANAGE, owners + (_roots() if None in keys.values() else []))
    for report_type_id, unit_id in keys:
        KeyFigureCard.objects.filter(report_type_id=report_type_id, org_unit_id=unit_id).delete()
    KeyFigureCard.objects.bulk_create([card for card, _types in built])
    through = KeyFigureCard.target_types.through
    through.objects.bulk_create(
        [through(keyfigurecard_id=card.pk, targettype_id=t.pk) for card, types in built for t in types]
    )
    return len(built)


@transaction.atomic
def load_directions(rows: Sequence[Mapping[str, Any]], actor: MaybeUser = None) -> int:
    """Set whether up is good and the amber band of the indicators in ``rows``
    (``{code, direction: up|down|none, warning_band: 5}``). Indicators are shared reference data:
    MANAGE over every root unit."""
    _require_managing_somewhere(actor)
    if not rows:
        return 0
    errors: list[RowError] = []
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[_text(r, "code") for r in rows])}
    changes: list[Indicator] = []
    for number, row in enumerate(rows, start=1):
        code = _text(row, "code")
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(RowError(number, "code", f'không có chỉ tiêu mã "{code}".'))
            continue
        direction = _DIRECTIONS.get((_text(row, "direction") or Direction.NONE.value).lower())
        if direction is None:
            errors.append(
                RowError(number, "direction", f"{code}: chiều đánh giá là up (tăng là tốt), down hoặc none.")
            )
        try:
            band = Decimal(str(row.get("warning_band", 5)))
        except InvalidOperation:
            band = Decimal(-1)
        if not band.is_finite() or not Decimal(0) <= band <= Decimal(100) or band != round(band, 2):
            errors.append(
                RowError(number, "warning_band", f"{code}: ngưỡng cảnh báo là số phần trăm từ 0 đến 100.")
            )
        if direction is not None:
            indicator.direction, indicator.warning_band = direction, band
            changes.append(indicator)
    if errors:
        raise ImportRejected(errors)
    require_actor(actor, Action.MANAGE, _roots())
    Indicator.objects.bulk_update(changes, ["direction", "warning_band"])
    return len(changes)


def load_key_figures(document: Mapping[str, Any], actor: MaybeUser = None) -> dict[str, int]:
    """A document ``{indicators: [...], cards: [...]}`` (key-figures.yaml), all or nothing."""
    with transaction.atomic():
        return {
            "indicator_directions": load_directions(document.get("indicators") or [], actor),
            "key_figure_cards": load_cards(document.get("cards") or [], actor),
        }


def dump_cards() -> list[dict[str, Any]]:
    """Every card as a plain row (the form `load_cards` reads)."""
    rows = []
    cards = KeyFigureCard.objects.select_related("report_type", "org_unit", "indicator").prefetch_related(
        "target_types"
    )
    for card in cards.order_by("report_type__code", "org_unit__code", "sort_order", "pk"):
        row: dict[str, Any] = {}
        if card.report_type is not None:
            row["report_type"] = card.report_type.code
        if card.org_unit is not None:
            row["org_unit"] = card.org_unit.code
        row["indicator"] = card.indicator.code
        row["kind"] = card.kind
        types = sorted(card.target_types.all(), key=lambda t: (t.sort_order, t.code))
        if types:
            row["target_types"] = [t.code for t in types]
        if card.title:
            row["title"] = card.title
        if not card.show_trend:
            row["show_trend"] = False
        row["sort_order"] = card.sort_order
        rows.append(row)
    return rows


def dump_directions() -> list[dict[str, Any]]:
    """The indicators whose judgement differs from the default (not judged, 5%), as plain rows."""
    default_band = Indicator._meta.get_field("warning_band").default
    changed = Indicator.objects.filter(~Q(direction=Direction.NONE) | ~Q(warning_band=default_band))
    return [
        {"code": code, "direction": direction, "warning_band": float(band)}
        for code, direction, band in changed.order_by("code").values_list("code", "direction", "warning_band")
    ]


def cards_for(unit: OrgUnit, period_type: str | None = None) -> list[KeyFigureCard]:
    """The card set of ``unit``'s dashboard: that of the nearest unit up its tree (itself first) that has
    one — its own cards, else those of its report type (one of ``period_type`` preferred) —, else the
    default set. One query (with the plans to show: two)."""
    chain = [int(part) for part in unit.path.strip("/").split("/") if part] or [unit.pk]
    depth = {pk: n for n, pk in enumerate(chain)}
    cards = list(
        KeyFigureCard.objects.filter(
            Q(org_unit_id__in=chain)
            | Q(report_type__org_unit_id__in=chain, report_type__is_active=True)
            | Q(org_unit__isnull=True, report_type__isnull=True)
        )
        .select_related("indicator__unit", "indicator__sector", "report_type")
        .prefetch_related("target_types")
        .order_by("sort_order", "pk")
    )

    def rank(card: KeyFigureCard) -> tuple[int, int, int, str]:
        if card.org_unit_id is not None:
            return (depth[card.org_unit_id], 2, 0, "")
        if card.report_type is not None:
            report_type = card.report_type
            same_type = int(period_type is not None and report_type.period_type == period_type)
            return (depth[report_type.org_unit_id], 1, same_type, report_type.code)
        return (-1, 0, 0, "")

    if not cards:
        return []
    best = max(rank(c) for c in cards)
    return [c for c in cards if rank(c) == best]
