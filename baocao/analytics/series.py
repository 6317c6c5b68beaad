"""Trend series: an indicator's months for a unit (its subtree), the same months a year earlier, the plan.

`get_series(org_unit, period, indicator_codes)` is the one function both chart renderers consume: the
browser's ECharts charts (dashboard, explorer) through `Series.chart_data()` and the Word report's
`chart` block (matplotlib, baocao/reports/charts.py) through the same `Series`. Every number comes from
the figures layer (`get_figures_for_periods`: every month of the window in the queries of one
`get_figures` call, whatever the number of months and indicators asked for — so the series of several
indicators of a dashboard cost what one costs). A value saved a second ago is on the next chart:
nothing is precomputed.

For each month of the window (the `months` months ending with the period's last month):

- one line per kind of value the indicator has in the window (thực hiện, ước thực hiện, lũy kế);
- the same months of the previous year for each of those kinds ("cùng kỳ năm trước": the figures
  layer's `last_year`);
- a plan line per plan type whose plan is set for a month (dự toán tháng); plans of a longer period
  (dự toán năm, kế hoạch vốn) are compared with the cumulative ("lũy kế") line, the only one that adds
  up to them, so they are drawn only where the indicator has cumulative values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from baocao.analytics.figures import FigureLookupError, FigureSet, get_figures_for_periods
from baocao.collection.models import ValueKind
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import Indicator
from baocao.orgunits.models import OrgUnit

__all__ = [
    "DEFAULT_MONTHS",
    "MAX_MONTHS",
    "Line",
    "LineRole",
    "Series",
    "SeriesError",
    "get_series",
    "window",
]

DEFAULT_MONTHS = 24
#: A chart covers at most five years of months (one figures call reads them all; the page stays readable).
MAX_MONTHS = 60


class SeriesError(FigureLookupError):
    """An indicator, unit or window the series cannot be built for (Vietnamese message)."""


class LineRole:
    VALUE = "value"  # the indicator's values (of one kind)
    LAST_YEAR = "last_year"  # the same months of the previous year
    PLAN = "plan"  # a plan (target) line


@dataclass(frozen=True, slots=True)
class Line:
    key: str  # stable id: "actual", "last_year:actual", "plan:DT_THANG"
    label: str  # Vietnamese legend text
    role: str  # LineRole
    kind: str  # the value kind the line shows or compares with
    values: tuple[Decimal | None, ...]  # one per month of the window (None: no value)

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in self.values)


@dataclass(frozen=True, slots=True)
class Series:
    indicator: Indicator
    org_unit: OrgUnit
    months: tuple[Period, ...]
    lines: tuple[Line, ...]

    @property
    def end(self) -> Period:
        return self.months[-1]

    @property
    def unit_name(self) -> str:
        return self.indicator.unit.name

    @property
    def title(self) -> str:
        return f"{self.indicator.name} – {self.org_unit.name}"

    @property
    def is_percent(self) -> bool:
        return self.indicator.value_type == "percent" or self.indicator.unit.dimension == "percent"

    @property
    def has_data(self) -> bool:
        return any(line.has_data for line in self.lines if line.role != LineRole.PLAN)

    def line(self, key: str) -> Line:
        for line in self.lines:
            if line.key == key:
                return line
        raise SeriesError(f"Chuỗi số liệu của chỉ tiêu {self.indicator.code} không có đường {key}.")

    def month_labels(self) -> list[str]:
        """Short Vietnamese month labels: "T6/2020"."""
        return [p.short_label for p in self.months]

    def chart_data(self) -> dict[str, Any]:
        """The series as the browser's charts read it (charts.js, through json_script): numbers as JSON
        numbers (floats; exact values stay in the data table's source, the figures layer)."""
        return {
            "title": self.title,
            "indicator": self.indicator.code,
            "unit": self.unit_name,
            "org_unit": self.org_unit.code,
            "percent": self.is_percent,
            "categories": self.month_labels(),
            "periods": [p.id for p in self.months],
            "series": [
                {
                    "key": line.key,
                    "name": line.label,
                    "role": line.role,
                    "kind": line.kind,
                    "data": [None if v is None else float(v) for v in line.values],
                }
                for line in self.lines
            ],
        }


def window(period: Period, months: int = DEFAULT_MONTHS) -> tuple[Period, ...]:
    """The `months` months ending with the period's last month (a quarter's window ends with its third
    month), oldest first."""
    if not 1 <= months <= MAX_MONTHS:
        raise SeriesError(f"Số tháng của biểu đồ phải từ 1 đến {MAX_MONTHS} (nhận được {months}).")
    last = period.months()[-1]
    return tuple(last.shift(n) for n in range(-(months - 1), 1))


_KIND_ORDER = [ValueKind.ACTUAL.value, ValueKind.ESTIMATE.value, ValueKind.CUMULATIVE.value]


def get_series(
    org_unit: OrgUnit | str,
    period: Period | str,
    indicator_codes: str | Iterable[str],
    *,
    months: int = DEFAULT_MONTHS,
    kinds: Iterable[str] | None = None,
) -> dict[str, Series]:
    """The series of each indicator (by code, in the order asked) for the unit's subtree, over the `months`
    months ending with `period`. `kinds`: the value kinds to draw (None: every kind with data in the
    window). Raises SeriesError (Vietnamese) for an unknown unit, indicator, kind or period."""
    try:
        end = Period.parse(period) if isinstance(period, str) else period
    except ValueError as exc:
        raise SeriesError(str(exc)) from None
    codes = [indicator_codes] if isinstance(indicator_codes, str) else list(dict.fromkeys(indicator_codes))
    if not codes:
        raise SeriesError("Chưa chọn chỉ tiêu nào cho biểu đồ.")
    wanted_kinds = list(_KIND_ORDER if kinds is None else dict.fromkeys(str(k) for k in kinds))
    unknown_kinds = [k for k in wanted_kinds if k not in ValueKind.values]
    if unknown_kinds:
        raise SeriesError(
            f"Loại số liệu {', '.join(unknown_kinds)} không có; các loại: "
            f"{', '.join(f'{v} ({label})' for v, label in ValueKind.choices)}."
        )
    span = window(end, months)
    unit_code = org_unit.code if isinstance(org_unit, OrgUnit) else org_unit
    try:
        sets = get_figures_for_periods([unit_code], span, codes, kinds=wanted_kinds)
    except FigureLookupError as exc:
        raise SeriesError(str(exc)) from None
    first = sets[0]
    missing = [c for c in codes if c not in first.indicators]
    if missing:
        raise SeriesError(f"Không có chỉ tiêu mã {', '.join(missing)}.")
    unit = first.org_units[0]
    return {code: _series(first.indicators[code], unit, span, sets, wanted_kinds) for code in codes}


def _series(
    indicator: Indicator, unit: OrgUnit, span: tuple[Period, ...], sets: list[FigureSet], kinds: list[str]
) -> Series:
    code = indicator.code
    lines: list[Line] = []
    value_lines: list[Line] = []
    year_lines: list[Line] = []
    plans_by_month: dict[str, tuple[str, dict[int, Decimal]]] = {}
    plans_by_year: dict[str, tuple[str, dict[int, Decimal]]] = {}
    for kind in kinds:
        figures = [s.figures.get((code, unit.code, kind)) for s in sets]
        values = tuple(None if f is None else f.value for f in figures)
        last_year = tuple(None if f is None else f.last_year for f in figures)
        label = str(ValueKind(kind).label)
        if any(v is not None for v in values + last_year):
            value_lines.append(Line(kind, label, LineRole.VALUE, kind, values))
            year_lines.append(
                Line(f"last_year:{kind}", f"{label} cùng kỳ năm trước", LineRole.LAST_YEAR, kind, last_year)
            )
        for n, figure in enumerate(figures):
            for target in figure.targets.values() if figure is not None else ():
                slot = plans_by_month if target.period.type == PeriodType.MONTH else plans_by_year
                slot.setdefault(target.code, (target.name, {}))[1][n] = target.value
    lines.extend(value_lines)
    lines.extend(year_lines)
    plans = [(plans_by_month, ValueKind.ACTUAL.value)]
    if any(line.kind == ValueKind.CUMULATIVE for line in value_lines):
        plans.append((plans_by_year, ValueKind.CUMULATIVE.value))
    for by_type, compared_kind in plans:
        for type_code, (name, by_month) in by_type.items():
            values = tuple(by_month.get(n) for n in range(len(span)))
            lines.append(Line(f"plan:{type_code}", _capitalise(name), LineRole.PLAN, compared_kind, values))
    return Series(indicator, unit, span, tuple(lines))


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
