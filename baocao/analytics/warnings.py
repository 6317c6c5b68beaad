"""Early warnings (cảnh báo sớm): each indicator with a year plan or a direction gets a status — on track,
at risk, off track or not assessable — for a unit (its subtree) and each of its member units, from the
year-end projection against the plan (analytics.forecast) or, without a plan, from the deviation of the
year to date (or the month) from the same months of past years. At-risk items come first.

`warnings_for(user, unit, period)` is the one entry point (the warnings page, the dashboard, the monthly
briefing, explanation requests): it scopes by the user's rights and reads every figure in the queries of
one figures-layer call (docs/decisions/0027-estimates-projections-warnings.md).
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404

from baocao.accounts.permissions import Action, MaybeUser, units_for
from baocao.analytics.dashboard import GREEN, RED, card_status
from baocao.analytics.figures import FigureSet, TargetFigure, get_figures_for_periods
from baocao.analytics.forecast import (
    NOT_ENOUGH,
    YEARS_BACK,
    Projection,
    Unavailable,
    is_cumulative,
    projection_periods,
    projections_from,
)
from baocao.collection.models import ValueKind
from baocao.core.numbers import format_number, format_percent
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import DataSetIndicator, Direction, Indicator
from baocao.orgunits.models import OrgUnit

__all__ = [
    "Status",
    "UnitRank",
    "Warning",
    "evaluate",
    "rank_units",
    "warnings_for",
]


class Status(enum.StrEnum):
    OFF_TRACK = "off_track"
    AT_RISK = "at_risk"
    NOT_ASSESSABLE = "not_assessable"
    ON_TRACK = "on_track"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def colour(self) -> str:
        """The dashboard's colour words (baocao.css): red, amber, neutral, green."""
        return _COLOURS[self]

    @property
    def order(self) -> int:
        return _ORDER[self]


_LABELS = {
    Status.OFF_TRACK: "không đạt",
    Status.AT_RISK: "có nguy cơ không đạt",
    Status.NOT_ASSESSABLE: "chưa đánh giá được",
    Status.ON_TRACK: "đúng tiến độ",
}
_COLOURS = {
    Status.OFF_TRACK: "red",
    Status.AT_RISK: "amber",
    Status.NOT_ASSESSABLE: "neutral",
    Status.ON_TRACK: "green",
}
# At-risk items first: off track, at risk, then those without a judgement, then those on track.
_ORDER = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.NOT_ASSESSABLE: 2, Status.ON_TRACK: 3}


@dataclass(frozen=True, slots=True)
class Warning:
    """One indicator of one unit (its subtree) at a period."""

    indicator: Indicator
    unit: OrgUnit
    period: Period
    status: Status
    explanation: str  # Vietnamese, one or two sentences naming the figures compared
    projection: Projection | Unavailable | None  # year-end projection (cumulative indicators) or None
    plan: TargetFigure | None  # the year plan compared with, if any
    value: Decimal | None  # the year to date (judged against a plan) or the month's value (by direction)
    expected: Decimal | None  # without a plan: the mean of the same month of past years
    is_subtree: bool  # True for the unit asked for (its whole subtree), False for a member unit

    @property
    def low(self) -> Decimal | None:
        return self.projection.low if isinstance(self.projection, Projection) else None

    @property
    def high(self) -> Decimal | None:
        return self.projection.high if isinstance(self.projection, Projection) else None

    @property
    def projected(self) -> Decimal | None:
        return self.projection.value if isinstance(self.projection, Projection) else None

    @property
    def plan_ratio(self) -> Decimal | None:
        if self.plan is None or self.projected is None or not self.plan.value:
            return None
        return self.projected / self.plan.value

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        return (self.status.order, 0 if self.is_subtree else 1, self.indicator.sort_order, self.unit.code)


@dataclass(frozen=True, slots=True)
class UnitRank:
    """A member unit's place: most off-track items first, then most at-risk ones."""

    place: int
    unit: OrgUnit
    off_track: int
    at_risk: int
    on_track: int
    not_assessable: int


def _year_plan(figure_set: FigureSet, code: str, unit: str) -> TargetFigure | None:
    figure = figure_set.figures.get((code, unit, ValueKind.ACTUAL))
    if figure is None:
        return None
    plans = [t for t in figure.targets.values() if t.period.type == PeriodType.YEAR]
    return plans[0] if plans else None


def _n(value: Decimal, indicator: Indicator) -> str:
    if value == value.to_integral_value():
        return f"{format_number(value.to_integral_value())} {indicator.unit.name}"
    return f"{format_number(value, 0 if abs(value) >= 100 else 1)} {indicator.unit.name}"


def _past_mean(
    sets: Sequence[FigureSet], code: str, unit: str, cumulative: bool
) -> tuple[Decimal | None, int]:
    values = []
    for at_month in sets[1::2]:
        figure = at_month.figures.get((code, unit, ValueKind.ACTUAL))
        if figure is None:
            continue
        value = figure.ytd if cumulative else figure.value
        if value is not None:
            values.append(value)
    return (sum(values, Decimal(0)) / len(values) if values else None), len(values)


def evaluate(
    sets: Sequence[FigureSet], indicator: Indicator, unit: OrgUnit, *, is_subtree: bool = True
) -> Warning | None:
    """The warning of one indicator and unit from the FigureSets of ``forecast.projection_periods``; None
    for an indicator with neither a year plan nor a direction (nothing to judge it by)."""
    code, current = indicator.code, sets[0]
    period = current.period
    cumulative = is_cumulative(indicator)
    plan = _year_plan(current, code, unit.code) if cumulative else None
    if plan is None and indicator.direction not in (Direction.UP, Direction.DOWN):
        return None
    projection: Projection | Unavailable | None = (
        projections_from(sets, code, unit.code) if cumulative else None
    )
    figure = current.figures.get((code, unit.code, ValueKind.ACTUAL))
    value = figure.ytd if figure is not None and plan is not None else None
    expected: Decimal | None = None

    def warning(status: Status, text: str) -> Warning:
        return Warning(indicator, unit, period, status, text, projection, plan, value, expected, is_subtree)

    if plan is not None:
        if not isinstance(projection, Projection):
            reason = projection.reason.rstrip(".") if projection is not None else NOT_ENOUGH
            return warning(Status.NOT_ASSESSABLE, f"Kế hoạch năm {_n(plan.value, indicator)}: {reason}.")
        down = indicator.direction == Direction.DOWN
        reach = (
            f"Dự báo cả năm {_n(projection.value, indicator)} (khoảng {format_number(projection.low, 0)} – "
            f"{format_number(projection.high, 0)}), bằng {format_percent(projection.value / plan.value)} "
            f"{plan.name} {_n(plan.value, indicator)}"
            if plan.value
            else f"Dự báo cả năm {_n(projection.value, indicator)}"
        )
        meets_low = projection.high <= plan.value if down else projection.low >= plan.value
        misses_high = projection.low > plan.value if down else projection.high < plan.value
        if meets_low:
            return warning(Status.ON_TRACK, f"{reach}: dự kiến đạt kế hoạch.")
        if misses_high:
            return warning(Status.OFF_TRACK, f"{reach}: cả khoảng dự báo đều không đạt kế hoạch.")
        return warning(Status.AT_RISK, f"{reach}: kế hoạch nằm trong khoảng dự báo, có nguy cơ không đạt.")

    # Without a plan: the month against the same month of past years (like for like even when a past year
    # is stored only in part, which a year to date would not be).
    value = figure.value if figure is not None else None
    expected, years = _past_mean(sets, code, unit.code, False)
    what = period.label
    if value is None:
        return warning(Status.NOT_ASSESSABLE, f"{NOT_ENOUGH}: chưa có số liệu {what}.")
    if expected is None:
        return warning(Status.NOT_ASSESSABLE, f"{NOT_ENOUGH}: chưa có số liệu cùng kỳ các năm trước.")
    change = card_status(value, expected, indicator.direction, indicator.warning_band)
    compared = (
        f"{what[:1].upper()}{what[1:]}: {_n(value, indicator)}, {change.text} so với bình quân cùng kỳ "
        f"{years} năm trước ({_n(expected, indicator)})"
    )
    if change.colour == GREEN:
        return warning(Status.ON_TRACK, f"{compared}: đúng chiều mong muốn.")
    if change.colour == RED:
        return warning(
            Status.OFF_TRACK,
            f"{compared}: xấu đi quá ngưỡng cảnh báo {format_number(indicator.warning_band)}%.",
        )
    return warning(
        Status.AT_RISK, f"{compared}: xấu đi trong ngưỡng cảnh báo {format_number(indicator.warning_band)}%."
    )


def _concerns(sets: Sequence[FigureSet], code: str, unit_code: str) -> bool:
    """Whether an indicator is the unit's business: its subtree reported it in one of the periods looked
    at, or it has a year plan. Others (the budget for the police) would only say "chưa có số liệu"."""
    for figure_set in sets:
        figure = figure_set.figures.get((code, unit_code, ValueKind.ACTUAL))
        if figure is not None and figure.value is not None:
            return True
    return _year_plan(sets[0], code, unit_code) is not None


def _scoped_unit(user: MaybeUser, unit: OrgUnit | str) -> OrgUnit:
    visible = units_for(user, Action.VIEW)
    code = unit.code if isinstance(unit, OrgUnit) else unit
    found = visible.filter(code=code).first()
    if found is None:
        raise Http404(f"Không có đơn vị mã {code} trong phạm vi được xem.")
    return found


def warnings_for(
    user: MaybeUser,
    unit: OrgUnit | str,
    period: Period | str,
    *,
    indicator_codes: Iterable[str] | None = None,
    members: bool = True,
    years_back: int = YEARS_BACK,
) -> list[Warning]:
    """The warnings of ``unit`` (its whole subtree) and, with ``members``, of each member unit (its
    children) at ``period``, at-risk items first (off track, at risk, not assessable, on track; the unit's
    own before its members'). Indicators with neither a year plan nor a direction are left out.
    Raises Http404 when the user may not see the unit."""
    scoped = _scoped_unit(user, unit)
    period = Period.parse(period) if isinstance(period, str) else period
    units = [scoped]
    if members:
        units.extend(scoped.children.all().order_by("sort_order", "code"))
    codes = None if indicator_codes is None else list(indicator_codes)
    # "Lũy kế" values are read only for the indicators a form asks them for (the year to date of the
    # others is the figures layer's own): building a cumulative Figure for every indicator because one form
    # asks for one doubled the Figures built (most of warnings_for's time; bench/RESULTS.md).
    asked = DataSetIndicator.objects.filter(kind=ValueKind.CUMULATIVE)
    if codes is not None:
        asked = asked.filter(indicator__code__in=codes)
    cumulative_codes = sorted(set(asked.values_list("indicator__code", flat=True)))
    periods = projection_periods(period, years_back)
    sets = get_figures_for_periods(units, periods, codes, kinds=[ValueKind.ACTUAL])
    if cumulative_codes:
        extra = get_figures_for_periods(units, periods, cumulative_codes, kinds=[ValueKind.CUMULATIVE])
        sets = [
            FigureSet(s.period, s.org_units, s.indicators, {**s.figures, **e.figures})
            for s, e in zip(sets, extra, strict=True)
        ]
    result = []
    for indicator in sets[0].indicators.values():
        for n, member in enumerate(units):
            if not _concerns(sets, indicator.code, member.code):
                continue
            found = evaluate(sets, indicator, member, is_subtree=n == 0)
            if found is not None:
                result.append(found)
    result.sort(key=lambda w: w.sort_key)
    return result


def rank_units(warnings: Iterable[Warning]) -> list[UnitRank]:
    """The member units ranked by their warnings: most off-track items first, then most at risk (ties
    share a place)."""
    counts: dict[str, Counter[Status]] = defaultdict(Counter)
    units: dict[str, OrgUnit] = {}
    for w in warnings:
        if w.is_subtree:
            continue
        counts[w.unit.code][w.status] += 1
        units[w.unit.code] = w.unit
    ordered = sorted(
        units.values(),
        key=lambda u: (
            -counts[u.code][Status.OFF_TRACK],
            -counts[u.code][Status.AT_RISK],
            u.sort_order,
            u.code,
        ),
    )
    ranks: list[UnitRank] = []
    previous: tuple[int, int] | None = None
    place = 0
    for position, u in enumerate(ordered, start=1):
        key = (counts[u.code][Status.OFF_TRACK], counts[u.code][Status.AT_RISK])
        if key != previous:
            place, previous = position, key
        c = counts[u.code]
        ranks.append(
            UnitRank(
                place, u, c[Status.OFF_TRACK], c[Status.AT_RISK], c[Status.ON_TRACK], c[Status.NOT_ASSESSABLE]
            )
        )
    return ranks
