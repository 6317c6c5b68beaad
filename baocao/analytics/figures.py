"""The figures layer: the one way to read numbers for reports, dashboards, validation and the API.

`get_figures(org_units, period, indicator_codes)` returns, for every (indicator, org unit, kind),
the value of the period with the previous period, the same period last year, the year to date
and each target that applies (as ratio and difference). It runs a fixed number of queries,
whatever the number of indicators or units:

1. the indicators (with units of measure),
2. the org units asked for, 3. with `rollup=True` their whole subtrees (materialised path),
4. the data values of every period needed (period, previous, last year, year to date),
5. the targets of the period and of every period that contains it (quarter, half, year...).

With `rollup=True` a unit's figure aggregates its own value and its descendants' values with the
indicator's `aggregation_across_units`; the year to date aggregates with
`aggregation_across_periods`. Percentages are never stored: ratios are computed here, exact, and
rounded only when formatted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from baocao.collection.models import DataValue, ValueKind
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import Aggregation, Indicator, Target
from baocao.orgunits.models import OrgUnit


class FigureLookupError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator, or None where either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def difference(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None or b is None:
        return None
    return a - b


@dataclass(frozen=True, slots=True)
class TargetFigure:
    code: str
    name: str
    period: Period
    value: Decimal
    achieved: Decimal | None  # the figure's value for its own period
    achieved_ytd: Decimal | None  # the figure's year to date

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.achieved, self.value)

    @property
    def diff(self) -> Decimal | None:
        return difference(self.achieved, self.value)

    @property
    def ytd_ratio(self) -> Decimal | None:
        return ratio(self.achieved_ytd, self.value)

    @property
    def ytd_diff(self) -> Decimal | None:
        return difference(self.achieved_ytd, self.value)


@dataclass(frozen=True, slots=True)
class Figure:
    indicator: Indicator
    org_unit: OrgUnit
    period: Period
    kind: str
    value: Decimal | None
    previous: Decimal | None
    last_year: Decimal | None
    ytd: Decimal | None
    targets: dict[str, TargetFigure] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return str(ValueKind(self.kind).label)

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in (self.value, self.previous, self.last_year, self.ytd)) or bool(
            self.targets
        )

    @property
    def change_from_previous(self) -> Decimal | None:
        return difference(self.value, self.previous)

    @property
    def ratio_to_previous(self) -> Decimal | None:
        return ratio(self.value, self.previous)

    @property
    def change_from_last_year(self) -> Decimal | None:
        return difference(self.value, self.last_year)

    @property
    def ratio_to_last_year(self) -> Decimal | None:
        return ratio(self.value, self.last_year)

    def target(self, code: str) -> TargetFigure:
        try:
            return self.targets[code]
        except KeyError:
            raise FigureLookupError(
                f"Chỉ tiêu {self.indicator.code} của {self.org_unit.name} không có kế hoạch loại {code} "
                f"áp dụng cho {self.period.label}."
            ) from None


@dataclass
class FigureSet:
    period: Period
    org_units: list[OrgUnit]
    indicators: dict[str, Indicator]
    figures: dict[tuple[str, str, str], Figure]

    def get(self, indicator_code: str, kind: str = ValueKind.ACTUAL, org_unit: str | None = None) -> Figure:
        unit_code = org_unit or self.org_units[0].code
        figure = self.figures.get((indicator_code, unit_code, str(kind)))
        if figure is not None:
            return figure
        if indicator_code not in self.indicators:
            raise FigureLookupError(f"Không có chỉ tiêu mã {indicator_code} trong bộ số liệu.")
        if unit_code not in {u.code for u in self.org_units}:
            raise FigureLookupError(f"Không có đơn vị mã {unit_code} trong bộ số liệu.")
        raise FigureLookupError(f"Không có loại số liệu {kind} trong bộ số liệu.")

    def value(
        self, indicator_code: str, kind: str = ValueKind.ACTUAL, org_unit: str | None = None
    ) -> Decimal | None:
        return self.get(indicator_code, kind, org_unit).value

    def ratio(
        self,
        numerator_code: str,
        denominator_code: str,
        kind: str = ValueKind.ACTUAL,
        denominator_kind: str | None = None,
        org_unit: str | None = None,
    ) -> Decimal | None:
        """The ratio of two indicators' values in this period (giải ngân / khối lượng thực hiện)."""
        return ratio(
            self.value(numerator_code, kind, org_unit),
            self.value(denominator_code, denominator_kind or kind, org_unit),
        )

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.figures.values())

    def __len__(self) -> int:
        return len(self.figures)


def _containing_periods(period: Period) -> list[Period]:
    """The period and every standard period that contains it (targets of those apply)."""
    last_month = period.months()[-1]
    candidates = [
        period,
        Period.containing(PeriodType.QUARTER, last_month.cutoff_date),
        Period.containing(PeriodType.HALF_YEAR, last_month.cutoff_date),
        period.year_period(),
    ]
    if last_month.index <= 9:
        candidates.append(Period.nine_months(period.year))
    return [p for p in dict.fromkeys(candidates) if p.contains(period)]


def _aggregate(values: Sequence[Decimal], how: str) -> Decimal | None:
    if not values:
        return None
    if how == Aggregation.SUM:
        return sum(values, Decimal(0))
    if how == Aggregation.AVERAGE:
        return sum(values, Decimal(0)) / len(values)
    if how == Aggregation.LAST:
        return values[-1]
    return values[0] if len(values) == 1 else None


def _year_to_date(values: Sequence[Decimal | None], how: str) -> Decimal | None:
    """Aggregate the values of the periods from the start of the year to this one (in order)."""
    present = [v for v in values if v is not None]
    if how == Aggregation.NONE:
        return values[-1] if len(values) == 1 else None
    return _aggregate(present, how)


def get_figures(
    org_units: Iterable[OrgUnit | str],
    period: Period | str,
    indicator_codes: Iterable[str] | None = None,
    *,
    kinds: Iterable[str] = tuple(ValueKind.values),
    rollup: bool = True,
) -> FigureSet:
    """Figures for the org units (objects or codes), a period and indicator codes (None = all active)."""
    period = Period.parse(period) if isinstance(period, str) else period
    kinds = [str(k) for k in kinds]

    indicator_qs = Indicator.objects.select_related("unit", "sector")
    if indicator_codes is None:
        indicator_qs = indicator_qs.filter(is_active=True)
    else:
        indicator_qs = indicator_qs.filter(code__in=list(indicator_codes))
    indicators = {i.code: i for i in indicator_qs}
    by_id = {i.pk: i for i in indicators.values()}

    requested = list(org_units)
    requested_codes = [u.code if isinstance(u, OrgUnit) else u for u in requested]
    # Queries 2 and 3: the units asked for, then (rollup) their subtrees by materialised path.
    asked = list(OrgUnit.objects.filter(code__in=requested_codes))
    unit_rows = list(OrgUnit.objects.subtree(asked)) if rollup and asked else asked
    units_by_code = {u.code: u for u in unit_rows}
    missing = [c for c in requested_codes if c not in units_by_code]
    if missing:
        raise FigureLookupError(f"Không có đơn vị mã {', '.join(missing)}.")
    targets_units = [units_by_code[c] for c in requested_codes]
    # Which requested units each stored unit counts towards.
    counts_towards: dict[int, list[OrgUnit]] = defaultdict(list)
    for unit in unit_rows:
        for target_unit in targets_units:
            if unit.pk == target_unit.pk or (rollup and unit.path.startswith(target_unit.path)):
                counts_towards[unit.pk].append(target_unit)

    previous = period.previous()
    last_year = period.same_period_last_year()
    ytd_periods = period.year_to_date()
    wanted_periods = {period.id, previous.id, last_year.id, *(p.id for p in ytd_periods)}

    # Query 4: every value needed, in one query.
    raw: dict[tuple[int, int, str, str], list[Decimal]] = defaultdict(list)
    value_rows = DataValue.objects.filter(
        indicator_id__in=list(by_id),
        org_unit_id__in=list(counts_towards),
        period__in=wanted_periods,
        kind__in=kinds,
    ).values_list("indicator_id", "org_unit_id", "period", "kind", "value")
    for indicator_id, unit_id, period_id, kind, value in value_rows:
        for target_unit in counts_towards[unit_id]:
            raw[(indicator_id, target_unit.pk, period_id, kind)].append(value)

    # Query 5: targets of this period and of the periods that contain it.
    target_periods = {p.id: p for p in _containing_periods(period)}
    target_raw: dict[tuple[int, int], dict[str, tuple[Period, str, list[Decimal]]]] = defaultdict(dict)
    target_rows = (
        Target.objects.filter(
            indicator_id__in=list(by_id),
            org_unit_id__in=list(counts_towards),
            period__in=list(target_periods),
        )
        .order_by("target_type__sort_order", "target_type__code")
        .values_list(
            "indicator_id", "org_unit_id", "period", "target_type__code", "target_type__name", "value"
        )
    )
    for indicator_id, unit_id, period_id, type_code, type_name, value in target_rows:
        for target_unit in counts_towards[unit_id]:
            slot = target_raw[(indicator_id, target_unit.pk)]
            entry = slot.setdefault(type_code, (target_periods[period_id], type_name, []))
            entry[2].append(value)

    figures: dict[tuple[str, str, str], Figure] = {}
    indicator_how = {i.pk: i.aggregation_across_units for i in indicators.values()}
    for indicator in indicators.values():
        across_units = indicator.aggregation_across_units
        for unit in targets_units:
            unit_targets = target_raw.get((indicator.pk, unit.pk), {})
            for kind in kinds:

                def stored(
                    period_id: str, _i: int = indicator.pk, _u: int = unit.pk, _k: str = kind
                ) -> Decimal | None:
                    return _aggregate(raw.get((_i, _u, period_id, _k), []), indicator_how[_i])

                current = stored(period.id)
                ytd = _year_to_date([stored(p.id) for p in ytd_periods], indicator.aggregation_across_periods)
                targets = {
                    code: TargetFigure(code, name, target_period, total, achieved=current, achieved_ytd=ytd)
                    for code, (target_period, name, values) in unit_targets.items()
                    # A non-additive indicator's targets of several units have no total.
                    if (total := _aggregate(values, across_units)) is not None
                }
                figures[(indicator.code, unit.code, kind)] = Figure(
                    indicator=indicator,
                    org_unit=unit,
                    period=period,
                    kind=kind,
                    value=current,
                    previous=stored(previous.id),
                    last_year=stored(last_year.id),
                    ytd=ytd,
                    targets=targets,
                )
    return FigureSet(period=period, org_units=targets_units, indicators=indicators, figures=figures)
