"""The per-unit review of a period: counts per status, the report's part II.1 sentence and annex table.

Order of the units in the sentence — by severity: first the units with contents not delivered and
overdue (more first), then those with more contents completed late, then those late by more days in
total (days from the effective deadline to the completion, or to the cut-off if still open); ties follow
the units' own order. The annex lists every unit with tasks in the period in the units' own order.
A unit is named by its :class:`ReviewName` when it has one, else by its name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from baocao.assignments.models import ReviewName, Task
from baocao.assignments.status import Item, Status, period_items
from baocao.core.numbers import format_count
from baocao.core.periods import Period, PeriodType
from baocao.orgunits.models import OrgUnit

INTRO = "còn một số đơn vị tham mưu thực hiện một số nội dung công việc chưa kịp thời và chậm tiến độ"
ALL_ON_TIME = "các đơn vị đã thực hiện đúng tiến độ các nội dung được giao"
_IN_PERIOD = {PeriodType.MONTH: "Trong tháng", PeriodType.QUARTER: "Trong quý"}


@dataclass
class UnitReview:
    unit: OrgUnit
    name: str
    items: list[Item] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def counts(self) -> dict[Status, int]:
        return {status: self.count(status) for status in Status}

    @property
    def undelivered_advisory(self) -> int:
        return sum(1 for i in self.items if i.status == Status.OPEN_OVERDUE and i.task.is_advisory)

    @property
    def has_problems(self) -> bool:
        return bool(self.count(Status.OPEN_OVERDUE) or self.count(Status.DONE_LATE))

    @property
    def severity(self) -> tuple[int, int, int, int, str]:
        late_days = sum(
            i.days_late for i in self.items if i.status in (Status.DONE_LATE, Status.OPEN_OVERDUE)
        )
        return (
            -self.count(Status.OPEN_OVERDUE),
            -self.count(Status.DONE_LATE),
            -late_days,
            self.unit.sort_order,
            self.unit.code,
        )

    @property
    def problems(self) -> str:
        """ "chưa tham mưu 01 nội dung", "03 nội dung đã hoàn thành nhưng chậm tiến độ"..."""
        parts = []
        advisory = self.undelivered_advisory
        if advisory:
            parts.append(f"chưa tham mưu {format_count(advisory)} nội dung")
        if overdue := self.count(Status.OPEN_OVERDUE) - advisory:
            parts.append(f"{format_count(overdue)} nội dung quá hạn chưa hoàn thành")
        if late := self.count(Status.DONE_LATE):
            parts.append(f"{format_count(late)} nội dung đã hoàn thành nhưng chậm tiến độ")
        return ", ".join(parts)


@dataclass
class Review:
    period: Period
    units: list[UnitReview]  # in the units' order

    @property
    def problem_units(self) -> list[UnitReview]:
        return sorted((u for u in self.units if u.has_problems), key=lambda u: u.severity)

    @property
    def totals(self) -> dict[Status, int]:
        return {status: sum(u.count(status) for u in self.units) for status in Status}

    @property
    def total(self) -> int:
        return sum(len(u.items) for u in self.units)

    @property
    def sentence(self) -> str:
        opening = _IN_PERIOD.get(self.period.type, "Trong kỳ")
        problems = self.problem_units
        if not problems:
            return f"{opening}, {ALL_ON_TIME}."
        return f"{opening}, {INTRO}: " + "; ".join(f"{u.name}: {u.problems}" for u in problems) + "."


def tasks_for(units: Iterable[OrgUnit] | QuerySet[OrgUnit]) -> QuerySet[Task]:
    return (
        Task.objects.filter(lead_unit__in=units)
        .select_related("lead_unit", "directive")
        .prefetch_related("extensions", "completions")
    )


def review(units: QuerySet[OrgUnit], period: Period) -> Review:
    """The review of ``period`` for the tasks led by ``units``."""
    names = dict(ReviewName.objects.filter(org_unit__in=units).values_list("org_unit_id", "name"))
    by_unit: dict[int, UnitReview] = {}
    for item in period_items(tasks_for(units), period):
        unit = item.task.lead_unit
        if unit.pk not in by_unit:
            by_unit[unit.pk] = UnitReview(unit, names.get(unit.pk, unit.name))
        by_unit[unit.pk].items.append(item)
    ordered = sorted(by_unit.values(), key=lambda u: (u.unit.sort_order, u.unit.code))
    return Review(period, ordered)


def _row(number: int | str, name: str, total: int, counts: dict[Status, int]) -> dict[str, Any]:
    return {
        "stt": number,
        "ten": name,
        "tong": total,
        "dung_han": counts[Status.DONE_ON_TIME],
        "cham": counts[Status.DONE_LATE],
        "trong_han": counts[Status.OPEN_ON_TIME],
        "qua_han": counts[Status.OPEN_OVERDUE],
    }


def report_data(result: Review) -> dict[str, Any]:
    """Plain data for report templates (the provider ``ra_soat``)."""
    return {
        "cau": result.sentence,
        "co_han_che": bool(result.problem_units),
        "don_vi": [_row(i, u.unit.name, len(u.items), u.counts) for i, u in enumerate(result.units, start=1)],
        "tong": _row("", "Tổng cộng", result.total, result.totals),
    }


def _sample(period: Period) -> dict[str, Any]:
    counts = {Status.DONE_ON_TIME: 2, Status.DONE_LATE: 1, Status.OPEN_ON_TIME: 0, Status.OPEN_OVERDUE: 1}
    return {
        "cau": f"Trong tháng, {INTRO}: Đơn vị thử: chưa tham mưu 01 nội dung.",
        "co_han_che": True,
        "don_vi": [_row(1, "Đơn vị thử", 4, counts)],
        "tong": _row("", "Tổng cộng", 4, counts),
    }


def report_provider(org_unit: OrgUnit | None, period: Period) -> dict[str, Any]:
    """``ra_soat`` in report templates: the review of the tasks of ``org_unit``'s subtree."""
    if org_unit is None:
        return _sample(period)
    return report_data(review(OrgUnit.objects.subtree([org_unit]), period))
