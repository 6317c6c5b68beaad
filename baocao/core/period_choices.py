"""Periods to choose from instead of typing codes (202006, 2020Q2): the month picker of issue 17.

Each option shows the period's Vietnamese name and its Decree 09 reporting window, e.g.
"Tháng 6/2020 (15/5–14/6)", "Quý II/2020 (15/3–14/6)", "6 tháng đầu năm 2020 (15/12/2019–14/6/2020)".
The lists are centred on the domain's today (:func:`baocao.core.clock.today`), so the demo offers the
months around June 2020; a selected period outside the lists is kept as its own first option.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from baocao.core import clock
from baocao.core.periods import Period, PeriodError, PeriodType

__all__ = ["PeriodGroup", "current_period", "period_groups", "window_label"]

# How many periods of each type are offered: (back from today's, ahead of it).
SPANS: dict[PeriodType, tuple[int, int]] = {
    PeriodType.MONTH: (24, 1),
    PeriodType.QUARTER: (8, 1),
    PeriodType.HALF_YEAR: (4, 1),
    PeriodType.NINE_MONTHS: (4, 0),
    PeriodType.YEAR: (5, 0),
}

GROUP_LABELS: dict[PeriodType, str] = {
    PeriodType.MONTH: "Tháng",
    PeriodType.QUARTER: "Quý",
    PeriodType.HALF_YEAR: "6 tháng",
    PeriodType.NINE_MONTHS: "9 tháng",
    PeriodType.YEAR: "Năm",
}


@dataclass(frozen=True)
class PeriodGroup:
    label: str
    options: list[tuple[str, str]]  # (period id, label with its window)


def window_label(period: Period) -> str:
    """``"Tháng 6/2020 (15/5–14/6)"``: the name and the Decree 09 window (years shown when it spans two)."""
    start, end = period.reporting_window
    if start.year == end.year:
        window = f"{start.day}/{start.month}–{end.day}/{end.month}"
    else:
        window = f"{start.day}/{start.month}/{start.year}–{end.day}/{end.month}/{end.year}"
    return f"{period.label[:1].upper()}{period.label[1:]} ({window})"


def current_period(type_: PeriodType, today: datetime.date) -> Period:
    try:
        return Period.containing(type_, today)
    except PeriodError:  # 15/9..14/12 has no nine-month window: this year's nine months are over
        return Period.containing(PeriodType.NINE_MONTHS, today.replace(month=9, day=1))


def period_groups(
    types: list[PeriodType] | None = None,
    selected: str | None = None,
    today: datetime.date | None = None,
) -> list[PeriodGroup]:
    """Option groups for a period <select>: per type, newest first."""
    today = today or clock.today()
    groups = []
    ids: set[str] = set()
    for type_ in types or list(SPANS):
        back, ahead = SPANS[type_]
        current = current_period(type_, today)
        periods = [current.shift(n) for n in range(ahead, -back - 1, -1)]
        options = [(p.id, window_label(p)) for p in periods]
        ids.update(p.id for p in periods)
        groups.append(PeriodGroup(GROUP_LABELS[type_], options))
    if selected and selected not in ids:
        try:
            period = Period.parse(selected)
        except PeriodError:
            period = None
        if period is not None and (types is None or period.type in types):
            groups.insert(0, PeriodGroup("Kỳ đang chọn", [(period.id, window_label(period))]))
    return groups
