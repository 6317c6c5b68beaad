"""Month-end estimates (ước thực hiện) and year-end projections, as suggestions a person accepts or
overrides — nothing here writes a value (docs/decisions/0027-estimates-projections-warnings.md).

Two problems, each with a pure function over numbers (what the backtest in bench/bench_forecast.py
measures) and a reader over the figures layer:

- **Month-end estimate.** On the cut-off day D of a month (the 14th, Decree 09), the period's ``actual``
  value holds the part of the calendar month up to D ("tính đến ngày 14/6 số thu trong tháng được …") and
  its ``estimate`` value the whole month ("ước thực hiện tháng 6"). That is how the demo stores the part of
  a month: for a past year's same month both are stored, the actual to day D and the estimate of the whole
  month as finally reported. The share s of the month reached by day D in past years (actual ÷ estimate,
  mean over up to three years) gives part ÷ s; the shipped estimate weights it by s and gives the rest
  (1 − s) to "the part plus the rest of last year's month" — early in a month (a small, noisy part) it
  leans on last year's rest. The range comes from the past years' smallest and largest shares.
- **Year-end projection** of an indicator that adds up over the months (its year to date), the same way
  over the year: the seasonal profile of past years (the share s of the year's total reached by the same
  month) gives year-to-date ÷ s, weighted by s, and "year to date plus the rest of last year" takes 1 − s.
  Public investment disbursement is back-loaded: a straight line over-reads a slow first half, and a
  profile alone amplifies its noise; the range says how much the past years' profiles varied.

The methods were chosen by the backtest of bench/bench_forecast.py (bench/RESULTS.md): each next to the
straight line (part × days ÷ D; year to date × 12 ÷ m), "same as last year" and the plain share/profile.

Too little history (no past year for an estimate, fewer than ``MIN_YEARS`` complete past years for a
projection) is an ``Unavailable`` answer whose text is "chưa đủ dữ liệu để dự báo", never a number.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from baocao.analytics.figures import FigureSet, get_figures_for_periods
from baocao.collection.models import ValueKind
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import Aggregation, Indicator, ValueType
from baocao.orgunits.models import OrgUnit

__all__ = [
    "MIN_YEARS",
    "NOT_ENOUGH",
    "YEARS_BACK",
    "MonthEstimate",
    "Projection",
    "Unavailable",
    "blended_month_estimate",
    "blended_projection",
    "estimate_month_end",
    "is_cumulative",
    "last_year_month",
    "last_year_total",
    "month_end_estimate",
    "project_year_end",
    "projection_periods",
    "projections_from",
    "rounded",
    "seasonal_projection",
    "share_of_month_estimate",
    "straight_line_month",
    "straight_line_year",
]

NOT_ENOUGH = "chưa đủ dữ liệu để dự báo"
#: Complete past years a year-end projection needs (one year gives no range, only a guess).
MIN_YEARS = 2
#: How many past years the seasonal profile reads at most.
YEARS_BACK = 3
_TWELVE = Decimal(12)


@dataclass(frozen=True, slots=True)
class Unavailable:
    """No number: why (Vietnamese), starting with "chưa đủ dữ liệu để dự báo" when history is short."""

    reason: str

    @property
    def available(self) -> bool:
        return False

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True, slots=True)
class MonthEstimate:
    value: Decimal
    low: Decimal
    high: Decimal
    part: Decimal  # the part of the month to the cut-off day
    day: int  # the cut-off day D
    shares: tuple[Decimal, ...]  # the share of the month reached by day D in each past year used
    years: tuple[int, ...]
    method: str = "share_of_month"

    @property
    def available(self) -> bool:
        return True

    @property
    def mean_share(self) -> Decimal:
        return sum(self.shares, Decimal(0)) / len(self.shares)


@dataclass(frozen=True, slots=True)
class Projection:
    value: Decimal
    low: Decimal
    high: Decimal
    ytd: Decimal
    month: int  # the last month of the year to date
    shares: tuple[Decimal, ...]  # share of the year's total reached by that month, per past year
    years: tuple[int, ...]
    method: str = "seasonal"

    @property
    def available(self) -> bool:
        return True


# --- pure functions (what the backtest measures) -------------------------------------------------------


def share_of_month_estimate(
    part: Decimal, day: int, history: Sequence[tuple[int, Decimal, Decimal]]
) -> MonthEstimate | Unavailable:
    """The whole month from its ``part`` to day ``day`` and the same month of past years as
    (year, part to the same day, whole month) triples; past years with a whole month of zero or no part
    are left out."""
    usable = [(y, p, w) for y, p, w in history if w > 0 and p >= 0]
    if not usable:
        return Unavailable(
            f"{NOT_ENOUGH}: chưa có số liệu cùng tháng của năm trước (đến ngày {day} và cả tháng)."
        )
    shares = tuple(p / w for _, p, w in usable)
    mean = sum(shares, Decimal(0)) / len(shares)
    if mean == 0:
        return Unavailable(f"{NOT_ENOUGH}: những năm trước đến ngày {day} chưa phát sinh số liệu.")
    highest, lowest = max(shares), min(shares)
    return MonthEstimate(
        value=part / mean,
        low=part / highest if highest else part / mean,
        high=part / lowest if lowest else part / mean,
        part=part,
        day=day,
        shares=shares,
        years=tuple(y for y, _, _ in usable),
    )


def blended_month_estimate(
    part: Decimal, day: int, history: Sequence[tuple[int, Decimal, Decimal]]
) -> MonthEstimate | Unavailable:
    """The share-of-month estimate weighted by the share of the month already reached (s̄), the rest
    taken from "the part plus the rest of the month as in past years": part/s̄ × s̄ + (part + mean rest)
    × (1 − s̄). Early in a month (a small, noisy part) it leans on the past years' rest of the month."""
    ratio = share_of_month_estimate(part, day, history)
    if not isinstance(ratio, MonthEstimate):
        return ratio
    latest = max((y, p, w) for y, p, w in history if w > 0 and p >= 0)
    share = min(ratio.mean_share, Decimal(1))
    rest = latest[2] - latest[1]  # the rest of last year's month (its level, where the mean would lag)
    value, low, high = _blend(ratio.value, ratio.low, ratio.high, share, part + rest)
    return MonthEstimate(
        value=value,
        low=low,
        high=high,
        part=part,
        day=day,
        shares=ratio.shares,
        years=ratio.years,
        method="blended",
    )


def _blend(
    value: Decimal, low: Decimal, high: Decimal, share: Decimal, additive: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """The shipped blend (docs/decisions/0027): the share-based ``value`` weighted by the share already
    reached, the rest given to ``additive`` (the part so far + last year's remainder); its range moved
    with it and kept around the blended value."""
    blended = value * share + additive * (1 - share)
    spread = blended - value
    return blended, min(low + spread, blended), max(high + spread, blended)


def straight_line_month(part: Decimal, day: int, year: int, month: int) -> Decimal:
    """Baseline: the part of the month continued at the same pace to the month's last day."""
    return part * calendar.monthrange(year, month)[1] / day


def last_year_month(history: Sequence[tuple[int, Decimal, Decimal]]) -> Decimal | None:
    """Baseline: last year's whole month (the most recent past year in ``history``)."""
    return max(history)[2] if history else None


def seasonal_projection(
    ytd: Decimal, month: int, history: Sequence[tuple[int, Decimal, Decimal]], *, min_years: int = MIN_YEARS
) -> Projection | Unavailable:
    """The year's total from the year to date at the end of ``month`` and past years as (year, year to
    date at the same month, whole year) triples."""
    usable = [(y, c, t) for y, c, t in history if t > 0 and c >= 0]
    if len(usable) < min_years:
        return Unavailable(
            f"{NOT_ENOUGH}: cần số liệu cả năm của ít nhất {min_years} năm trước, mới có {len(usable)}."
        )
    shares = tuple(c / t for _, c, t in usable)
    mean = sum(shares, Decimal(0)) / len(shares)
    if mean == 0:
        return Unavailable(f"{NOT_ENOUGH}: những năm trước đến tháng {month} chưa phát sinh số liệu.")
    highest, lowest = max(shares), min(shares)
    value = ytd / mean
    return Projection(
        value=value,
        low=ytd / highest if highest else value,
        high=ytd / lowest if lowest else value,
        ytd=ytd,
        month=month,
        shares=shares,
        years=tuple(y for y, _, _ in usable),
    )


def blended_projection(
    ytd: Decimal, month: int, history: Sequence[tuple[int, Decimal, Decimal]], *, min_years: int = MIN_YEARS
) -> Projection | Unavailable:
    """The seasonal projection weighted by the share of the year already reached (s̄), the rest taken from
    "the year to date plus the rest of the year as in past years": early in a back-loaded year (a small,
    noisy year to date) it leans on the past years' remainder."""
    seasonal = seasonal_projection(ytd, month, history, min_years=min_years)
    if not isinstance(seasonal, Projection):
        return seasonal
    latest = max((y, c, t) for y, c, t in history if t > 0 and c >= 0)
    share = min(sum(seasonal.shares, Decimal(0)) / len(seasonal.shares), Decimal(1))
    rest = latest[2] - latest[1]  # the rest of last year (its level, where the mean would lag growth)
    value, low, high = _blend(seasonal.value, seasonal.low, seasonal.high, share, ytd + rest)
    return Projection(
        value=value,
        low=low,
        high=high,
        ytd=ytd,
        month=month,
        shares=seasonal.shares,
        years=seasonal.years,
        method="blended",
    )


def straight_line_year(ytd: Decimal, month: int) -> Decimal:
    """Baseline: the year to date continued at the same monthly pace to December."""
    return ytd * _TWELVE / month


def last_year_total(history: Sequence[tuple[int, Decimal, Decimal]]) -> Decimal | None:
    """Baseline: last year's total."""
    return max(history)[2] if history else None


def rounded(value: Decimal, indicator: Indicator) -> Decimal:
    """A suggested value as the office would write it: whole numbers for whole-number indicators and
    amounts of 100 or more, one decimal below."""
    places = 0 if indicator.whole_numbers or abs(value) >= 100 else 1
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- readers over the figures layer -------------------------------------------------------------------


def is_cumulative(indicator: Indicator) -> bool:
    """Whether the indicator's months add up to a year that a year plan is compared with."""
    return (
        indicator.aggregation_across_periods == Aggregation.SUM
        and indicator.value_type != ValueType.PERCENT
        and indicator.unit.dimension != "percent"
    )


def _code(unit: OrgUnit | str) -> str:
    return unit.code if isinstance(unit, OrgUnit) else unit


def _month(period: Period | str) -> Period:
    period = Period.parse(period) if isinstance(period, str) else period
    if period.type != PeriodType.MONTH:
        # A quarter or a half year is projected from its last month.
        period = period.months()[-1]
    return period


def month_end_estimate(
    org_unit: OrgUnit | str, period: Period | str, indicator_code: str, *, years_back: int = YEARS_BACK
) -> MonthEstimate | Unavailable:
    """The suggested whole-month estimate of ``indicator_code`` for the unit (its subtree) and a month,
    from the month's actual to the cut-off day and the same month of up to ``years_back`` past years."""
    month = _month(period)
    past = [Period.month(month.year - k, month.index) for k in range(1, years_back + 1)]
    sets = get_figures_for_periods(
        [_code(org_unit)], [month, *past], [indicator_code], kinds=[ValueKind.ACTUAL, ValueKind.ESTIMATE]
    )
    unit = sets[0].org_units[0].code
    day = month.cutoff_date.day
    part = sets[0].figures[(indicator_code, unit, ValueKind.ACTUAL)].value
    if part is None:
        return Unavailable(
            f"{NOT_ENOUGH}: {month.label} chưa có số liệu thực hiện đến ngày {day} để ước cả tháng."
        )
    history = []
    for figure_set in sets[1:]:
        partial = figure_set.figures[(indicator_code, unit, ValueKind.ACTUAL)].value
        whole = figure_set.figures[(indicator_code, unit, ValueKind.ESTIMATE)].value
        if partial is not None and whole is not None:
            history.append((figure_set.period.year, partial, whole))
    return blended_month_estimate(part, day, history)


estimate_month_end = month_end_estimate


def projection_periods(period: Period | str, years_back: int = YEARS_BACK) -> list[Period]:
    """The months a projection at ``period`` reads: the month, and for each past year the same month and
    December (their year to date: the share of the year reached, and the year's total)."""
    month = _month(period)
    periods = [month]
    for k in range(1, years_back + 1):
        periods.append(Period.month(month.year - k, month.index))
        periods.append(Period.month(month.year - k, 12))
    return periods


def _ytd(figure_set: FigureSet, code: str, unit: str) -> Decimal | None:
    actual = figure_set.figures.get((code, unit, ValueKind.ACTUAL))
    if actual is not None and actual.ytd is not None and actual.ytd_comparable:
        return actual.ytd
    cumulative = figure_set.figures.get((code, unit, ValueKind.CUMULATIVE))
    if cumulative is not None and cumulative.value is not None:
        return cumulative.value
    return None


def _has(figure_set: FigureSet, code: str, unit: str) -> bool:
    return any(
        (f := figure_set.figures.get((code, unit, kind))) is not None and f.value is not None
        for kind in (ValueKind.ACTUAL, ValueKind.CUMULATIVE)
    )


def projections_from(
    sets: Sequence[FigureSet], code: str, unit: str, *, min_years: int = MIN_YEARS
) -> Projection | Unavailable:
    """The year-end projection of one indicator and unit from the FigureSets of ``projection_periods``
    (read once for many indicators and units)."""
    current = sets[0]
    month = current.period.index
    ytd = _ytd(current, code, unit)
    if ytd is None:
        return Unavailable(f"{NOT_ENOUGH}: {current.period.label} chưa có số liệu lũy kế từ đầu năm.")
    history = []
    for at_month, december in zip(sets[1::2], sets[2::2], strict=True):
        reached = _ytd(at_month, code, unit)
        total = _ytd(december, code, unit)
        # A past year counts only with a value of its own in that month and in December: a year stored
        # in part (the demo's June 2019 alone) would otherwise read as a year reached by June.
        if (
            reached is not None
            and total is not None
            and _has(at_month, code, unit)
            and _has(december, code, unit)
        ):
            history.append((at_month.period.year, reached, total))
    return blended_projection(ytd, month, history, min_years=min_years)


def project_year_end(
    org_unit: OrgUnit | str, period: Period | str, indicator_code: str, *, years_back: int = YEARS_BACK
) -> Projection | Unavailable:
    """The year-end projection of a cumulative indicator for the unit (its subtree) from the year to
    date at ``period`` and the seasonal profile of up to ``years_back`` past years."""
    periods = projection_periods(period, years_back)
    sets = get_figures_for_periods(
        [_code(org_unit)], periods, [indicator_code], kinds=[ValueKind.ACTUAL, ValueKind.CUMULATIVE]
    )
    indicator = sets[0].indicators[indicator_code]
    if not is_cumulative(indicator):
        return Unavailable(
            f"Chỉ tiêu {indicator.code} không cộng dồn theo tháng nên không dự báo cả năm theo kế hoạch năm."
        )
    return projections_from(sets, indicator_code, sets[0].org_units[0].code)
