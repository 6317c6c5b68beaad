"""A figure's passport (hộ chiếu số liệu, issue 19 point 1; docs/decisions/0026-figure-passport.md): one
page per figure — indicator × unit (its subtree) × period × kind — saying what it is, how it was computed,
which stored values it is built from (by unit), where each came from (entry, Excel, CSV, API, archive
import with its sentence), who entered, submitted, accepted and approved it and when.

Scoped by the user's rights (the unit must be one they may view; :class:`PassportNotFound` otherwise,
which the page answers with a 404 that reveals nothing) and a fixed number of queries whatever the size of
the subtree: the unit, the indicator, the figures layer's fixed plan, the stored values, their change
log, and the status events of the forms that hold them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from baocao.accounts.permissions import Action, units_for
from baocao.analytics.figures import Figure, get_figures
from baocao.collection.models import (
    DataValue,
    SubmissionEvent,
    SubmissionStatus,
    ValueChange,
    ValueKind,
)
from baocao.core.numbers import format_number, parse_number
from baocao.core.periods import Period, PeriodError
from baocao.core.users import MaybeUser
from baocao.indicators.models import Aggregation, Indicator
from baocao.orgunits.models import OrgUnit

__all__ = ["Passport", "PassportNotFound", "build_passport", "frozen_figure", "passport_url", "step_label"]

# The workflow steps a reader asks about, by the status they lead to.
STEP_LABELS = {
    SubmissionStatus.SUBMITTED: "Gửi",
    SubmissionStatus.RETURNED: "Trả lại",
    SubmissionStatus.ACCEPTED: "Tiếp nhận",
    SubmissionStatus.APPROVED: "Phê duyệt",
    SubmissionStatus.LOCKED: "Khóa",
    SubmissionStatus.DRAFT: "Mở lại",
}

ACROSS_UNITS = {
    Aggregation.SUM: "cộng các giá trị của đơn vị và mọi đơn vị trực thuộc",
    Aggregation.LAST: "lấy giá trị cuối kỳ của từng đơn vị rồi cộng",
    Aggregation.AVERAGE: "trung bình các giá trị của các đơn vị",
    Aggregation.NONE: "không cộng qua các đơn vị: chỉ số của chính đơn vị",
}
ACROSS_PERIODS = {
    Aggregation.SUM: "cộng các kỳ từ đầu năm (lũy kế)",
    Aggregation.LAST: "lấy giá trị của kỳ cuối",
    Aggregation.AVERAGE: "trung bình các kỳ từ đầu năm",
    Aggregation.NONE: "không cộng qua các kỳ",
}


class PassportNotFound(LookupError):
    """The figure cannot be shown: unknown indicator, kind or period, or a unit the user may not view."""


def passport_url(indicator: str, unit: str, period: str, kind: str, run: int | None = None) -> str:
    query = {"indicator": indicator, "unit": unit, "period": period, "kind": kind}
    if run is not None:
        query["run"] = str(run)
    return f"{reverse('analytics:passport')}?{urlencode(query)}"


@dataclass
class StoredValue:
    """One stored value the figure is built from, with its change log (oldest first)."""

    value: DataValue
    changes: list[ValueChange] = field(default_factory=list)
    passport: str = ""

    @property
    def entered(self) -> ValueChange | None:
        return self.changes[0] if self.changes else None


@dataclass
class FrozenFigure:
    """The figure as an issued report printed it, beside today's."""

    run_title: str
    issued_at: datetime.datetime | None
    issued: str | None
    today: str | None
    difference: str | None

    @property
    def changed(self) -> bool:
        return self.issued != self.today


@dataclass
class Passport:
    indicator: Indicator
    unit: OrgUnit
    period: Period
    kind: str
    figure: Figure
    stored: list[StoredValue]
    events: list[SubmissionEvent]
    frozen: FrozenFigure | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(ValueKind(self.kind).label)

    @property
    def window(self) -> tuple[datetime.date, datetime.date]:
        return self.period.reporting_window

    @property
    def across_units(self) -> str:
        return ACROSS_UNITS.get(Aggregation(self.indicator.aggregation_across_units), "")

    @property
    def across_periods(self) -> str:
        if self.kind == ValueKind.CUMULATIVE:
            return "số lũy kế: lấy số lũy kế mới nhất trong năm của từng đơn vị"
        return ACROSS_PERIODS.get(Aggregation(self.indicator.aggregation_across_periods), "")

    @property
    def stored_total(self) -> Decimal | None:
        values = [s.value.value for s in self.stored]
        return sum(values, Decimal(0)) if values else None

    @property
    def comments(self) -> list[tuple[OrgUnit, str]]:
        return [(s.value.org_unit, s.value.comment) for s in self.stored if s.value.comment]


def build_passport(
    user: MaybeUser, indicator_code: str, unit_code: str, period_id: str, kind: str
) -> Passport:
    """The passport of one figure, as ``user`` may see it (PassportNotFound: a Vietnamese message)."""
    if kind not in ValueKind.values:
        raise PassportNotFound(
            f"Không có loại số liệu “{kind[:20]}”; chọn một trong: "
            + ", ".join(map(str, ValueKind.labels))
            + "."
        )
    try:
        period = Period.parse(period_id)
    except PeriodError as exc:
        raise PassportNotFound(f"Kỳ “{period_id[:20]}” không hợp lệ: {exc}") from None
    unit = units_for(user, Action.VIEW).filter(code=unit_code).first()
    if unit is None:
        raise PassportNotFound(
            f"Không có đơn vị mã “{unit_code[:50]}” hoặc bạn không được xem số liệu của đơn vị này."
        )
    indicator = Indicator.objects.select_related("unit", "sector").filter(code=indicator_code).first()
    if indicator is None:
        raise PassportNotFound(f"Không có chỉ tiêu mã “{indicator_code[:50]}”.")
    figure = get_figures([unit], period, [indicator.code], kinds=[kind]).get(indicator.code, kind, unit.code)
    subtree = OrgUnit.objects.subtree([unit])
    if indicator.aggregation_across_units == Aggregation.NONE:
        subtree = OrgUnit.objects.filter(pk=unit.pk)
    values = list(
        DataValue.objects.filter(indicator=indicator, period=period.id, kind=kind, org_unit__in=subtree)
        .select_related("org_unit", "created_by", "updated_by")
        .order_by("org_unit__path")
    )
    unit_ids = [v.org_unit_id for v in values]
    changes: defaultdict[int, list[ValueChange]] = defaultdict(list)
    for change in (
        ValueChange.objects.filter(indicator=indicator, period=period.id, kind=kind, org_unit__in=unit_ids)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    ):
        changes[change.org_unit_id].append(change)
    events = list(
        SubmissionEvent.objects.filter(
            submission__org_unit__in=unit_ids,
            submission__period=period.id,
            submission__data_set__members__indicator=indicator,
        )
        .select_related("changed_by", "submission__org_unit", "submission__data_set")
        .order_by("changed_at", "pk")
        .distinct()
    )
    stored = [
        StoredValue(
            v,
            changes[v.org_unit_id],
            passport_url(indicator.code, v.org_unit.code, period.id, kind)
            if v.org_unit_id != unit.pk
            else "",
        )
        for v in values
    ]
    return Passport(indicator, unit, period, kind, figure, stored, events)


def frozen_figure(
    passport: Passport, title: str, issued_at: datetime.datetime | None, figures: dict[str, dict[str, object]]
) -> FrozenFigure | None:
    """The figure an issued report kept (its ``figures`` snapshot, by ``CODE|kind``) next to today's."""
    kept = figures.get(f"{passport.indicator.code}|{passport.kind}")
    if kept is None:
        return None
    issued = kept.get("value")
    today = None if passport.figure.value is None else format_number(passport.figure.value)
    difference = None
    if isinstance(issued, str) and passport.figure.value is not None:
        difference = format_number(passport.figure.value - parse_number(issued))
    return FrozenFigure(title, issued_at, issued if isinstance(issued, str) else None, today, difference)


def step_label(event: SubmissionEvent) -> str:
    return STEP_LABELS.get(SubmissionStatus(event.to_status), event.get_to_status_display())
