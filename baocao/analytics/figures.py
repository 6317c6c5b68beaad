"""The figures layer: the one way to read numbers for reports, dashboards, validation and the API.

`get_figures(org_units, period, indicator_codes)` returns, for every (indicator, org unit, kind),
the value of the period with the previous period, the same period last year, the year to date
and each target that applies (as ratio and difference). It runs a fixed number of queries,
whatever the number of indicators or units:

1. the indicators (with units of measure),
2. the org units asked for, 3. with `rollup=True` their whole subtrees (materialised path),
4. the data values of every period needed (period, previous, last year, year to date), summed and
   counted in SQL per indicator, requested unit, period and kind (GROUP BY; "lũy kế" values and
   indicators aggregated by "last" across units also per stored unit),
5. the targets of the period and of every period that contains it (quarter, half, year...), likewise.

With `rollup=True` a unit's figure aggregates its own value and its descendants' values with the
indicator's `aggregation_across_units`; the year to date aggregates with
`aggregation_across_periods`, except for "lũy kế" (cumulative) values, whose year to date is each
unit's latest cumulative value of the year, aggregated across units. Percentages are never stored:
ratios are computed here, exact, and rounded only when formatted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState

from baocao.collection.models import DataValue, ValueKind
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import Aggregation, Indicator, Sector, Target, TargetType, UnitOfMeasure
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
    """Aggregate the values of the periods from the start of the year to this one (in order): actual and
    estimate values, by the indicator's `aggregation_across_periods` (a sum for most)."""
    present = [v for v in values if v is not None]
    if how == Aggregation.NONE:
        return values[-1] if len(values) == 1 else None
    return _aggregate(present, how)


# A group of stored values aggregated in SQL: (unit key, sum, count). The unit key is the stored unit's id
# for indicators aggregated across units by "last" (grouped per stored unit), else None.
_Group = tuple[int | None, Decimal, int]


def _latest_per_unit(per_period: Iterable[list[_Group] | None], how_units: str) -> Decimal | None:
    """The year to date of "lũy kế" (cumulative) values, which already count from the start of the year:
    each stored unit's latest value of the year (never a sum over periods), then aggregated across units.
    `per_period`: the groups (one per stored unit) of each period from the start of the year, in order."""
    latest: dict[int | None, _Group] = {}
    for groups in per_period:
        for group in groups or ():
            latest[group[0]] = group
    return _across_units(list(latest.values()), how_units) if latest else None


def _across_units(groups: list[_Group], how: str) -> Decimal | None:
    """The value of several stored units' values aggregated in SQL (sum and count), by the indicator's rule.

    Gives what `_aggregate` gives on the individual values: the sum, the average (sum / count), the only
    value of a non-additive indicator (none where there are several), or the last unit's value (the
    stored unit with the highest id)."""
    if how == Aggregation.LAST:
        _unit, total, count = max(groups, key=lambda g: g[0] or 0)
        return total / count  # one stored value (counted once per requested unit it belongs to)
    if len(groups) == 1:
        _unit, total, count = groups[0]
    else:
        total, count = sum((g[1] for g in groups), Decimal(0)), sum(g[2] for g in groups)
    if how == Aggregation.SUM:
        return total
    if how == Aggregation.AVERAGE:
        return total / count
    return total if count == 1 else None


class _Sql:
    """The two aggregating queries: values and targets of the requested units, GROUP BY in the database.

    Each stored row is joined to the requested units it counts towards: the unit itself or, with roll-up,
    every requested unit whose materialised path starts its own. Every value is a parameter (one array
    parameter per list on PostgreSQL); table names come from the models."""

    def __init__(self, using: str, rollup: bool, unit_ids: Sequence[int], requested_ids: Sequence[int]):
        self.connection = connections[using]
        self.quote = self.connection.ops.quote_name
        self.places = int(DataValue._meta.get_field("value").decimal_places)
        # SQLite has no exact decimal type: add the values as whole numbers of their last decimal place.
        self.sqlite = self.connection.vendor == "sqlite"
        units = self.quote(OrgUnit._meta.db_table)
        if rollup:
            self.join = (
                f"JOIN {units} u ON u.id = x.org_unit_id "
                f"JOIN {units} r ON substr(u.path, 1, length(r.path)) = r.path"
            )
        else:
            self.join = f"JOIN {units} r ON r.id = x.org_unit_id"
        self.unit_ids, self.requested_ids = unit_ids, requested_ids
        id_types = {m._meta.pk.db_type(self.connection) for m in (OrgUnit, Indicator)}
        self.id_type = id_types.pop() if len(id_types) == 1 else "bigint"

    def _in(self, column: str, values: Sequence[object], params: list[object]) -> str:
        """`column IN (values)`, its parameters appended to params."""
        if self.sqlite:
            params.extend(values)
            return f"{column} IN ({', '.join(['%s'] * len(values))})"
        params.append(list(values))
        if values and isinstance(values[0], int):
            # Ids as an array of the column's type: a cross-type comparison is not hashed and costs a
            # scan of the array for every row.
            return f"{column} = ANY(%s::{self.id_type}[])"
        return f"{column} = ANY(%s)"

    def _sum(self) -> str:
        if self.sqlite:
            return f"SUM(CAST(ROUND(x.value * {10**self.places}) AS INTEGER))"
        return "SUM(x.value)"

    def _decimal(self, value: object) -> Decimal:
        if self.sqlite:
            return Decimal(int(value)).scaleb(-self.places)  # type: ignore[call-overload]
        return value if isinstance(value, Decimal) else Decimal(str(value))

    def _unit_key(
        self, last_ids: Sequence[int], params: list[object], per_unit_kind: str | None = None
    ) -> str:
        """Rows stay grouped per stored unit where the unit matters: values of indicators aggregated by "last"
        across units, and values of `per_unit_kind` ("lũy kế": the year to date is each unit's latest)."""
        conditions = []
        if last_ids:
            conditions.append(self._in("x.indicator_id", last_ids, params))
        if per_unit_kind is not None:
            params.append(per_unit_kind)
            conditions.append("x.kind = %s")
        if not conditions:
            return "NULL"
        return f"CASE WHEN {' OR '.join(conditions)} THEN x.org_unit_id END"

    def _where(
        self, indicator_ids: Sequence[int] | None, period_ids: Sequence[str], params: list[object]
    ) -> str:
        """The rows of the units and periods, and of the indicators unless None (all: the caller drops the
        groups of indicators it did not ask for, cheaper than testing every row)."""
        conditions = [
            self._in("x.org_unit_id", self.unit_ids, params),
            self._in("r.id", self.requested_ids, params),
            self._in("x.period", period_ids, params),
        ]
        if indicator_ids is not None:
            conditions.append(self._in("x.indicator_id", indicator_ids, params))
        return " AND ".join(conditions)

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def values(
        self,
        indicator_ids: Sequence[int] | None,
        last_ids: Sequence[int],
        period_ids: Sequence[str],
        kinds: Sequence[str] | None,
    ) -> Iterator[tuple[int, int, str, str, int | None, Decimal, int]]:
        """(indicator id, requested unit id, period, kind, unit key, sum, count) of the stored values."""
        params: list[object] = []
        unit_key = self._unit_key(last_ids, params, per_unit_kind=ValueKind.CUMULATIVE.value)
        sql = (
            f"SELECT x.indicator_id, r.id, x.period, x.kind, {unit_key}, {self._sum()}, COUNT(*) "
            f"FROM {self.quote(DataValue._meta.db_table)} x {self.join} "
            f"WHERE {self._where(indicator_ids, period_ids, params)} "
            f"{'' if kinds is None else 'AND ' + self._in('x.kind', kinds, params)} "
            "GROUP BY 1, 2, 3, 4, 5"
        )
        decimal = self._decimal
        for indicator_id, unit_id, period_id, kind, key, total, count in self._fetch(sql, params):
            yield indicator_id, unit_id, period_id, kind, key, decimal(total), count

    def targets(
        self, indicator_ids: Sequence[int] | None, last_ids: Sequence[int], period_ids: Sequence[str]
    ) -> Iterator[tuple[int, int, str, int, str, str, int | None, Decimal, int]]:
        """(indicator id, requested unit id, period, type order, type code, type name, unit key, sum,
        count) of the targets."""
        params: list[object] = []
        unit_key = self._unit_key(last_ids, params)
        sql = (
            f"SELECT x.indicator_id, r.id, x.period, tt.sort_order, tt.code, tt.name, {unit_key}, "
            f"{self._sum()}, COUNT(*) "
            f"FROM {self.quote(Target._meta.db_table)} x {self.join} "
            f"JOIN {self.quote(TargetType._meta.db_table)} tt ON tt.id = x.target_type_id "
            f"WHERE {self._where(indicator_ids, period_ids, params)} "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        decimal = self._decimal
        for row in self._fetch(sql, params):
            yield (*row[:7], decimal(row[7]), row[8])


def _load_indicators(queryset: QuerySet[Indicator]) -> list[Indicator]:
    """The indicators with their unit of measure and sector loaded, as `select_related("unit", "sector")`
    gives them, in one query.

    The instances are built as unpickling builds them (the row's values set on a new instance, then its
    state), which takes a third of the time of `Model.__init__` for 300 indicators. Where a model has
    `pre_init` / `post_init` receivers, the ORM builds them instead."""
    related: list[tuple[str, type[Model]]] = [("unit", UnitOfMeasure), ("sector", Sector)]
    if any(
        signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
        for model in (Indicator, UnitOfMeasure, Sector)
    ):
        return list(queryset.select_related(*(name for name, _model in related)))
    own = [f.attname for f in Indicator._meta.concrete_fields]
    columns = [(name, model, [f.attname for f in model._meta.concrete_fields]) for name, model in related]
    lookups = [*own, *(f"{name}__{attname}" for name, _model, names in columns for attname in names)]
    db = queryset.db

    def build(model: type[Model], names: list[str], values: Sequence[object]) -> Any:
        instance = model.__new__(model)
        instance.__dict__.update(zip(names, values, strict=True))
        state = instance._state = ModelState()
        state.adding, state.db = False, db
        return instance

    loaded = []
    for row in queryset.values_list(*lookups):
        indicator = build(Indicator, own, row[: len(own)])
        start = len(own)
        cache = indicator._state.fields_cache = {}
        for name, model, names in columns:
            values = row[start : start + len(names)]
            start += len(names)
            cache[name] = None if values[0] is None else build(model, names, values)
        loaded.append(indicator)
    return loaded


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

    indicator_qs = Indicator.objects.all()
    if indicator_codes is None:
        indicator_qs = indicator_qs.filter(is_active=True)
    else:
        indicator_qs = indicator_qs.filter(code__in=list(indicator_codes))
    indicators = {i.code: i for i in _load_indicators(indicator_qs)}
    indicator_ids = [i.pk for i in indicators.values()]
    across_units = {i.pk: i.aggregation_across_units for i in indicators.values()}
    last_ids = [pk for pk, how in across_units.items() if how == Aggregation.LAST]

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
    # A requested unit asked for twice counts its values twice (as the values of two units).
    multiplicity = Counter(u.pk for u in targets_units)

    previous_id = period.previous().id
    last_year_id = period.same_period_last_year().id
    period_id = period.id
    ytd_ids = [p.id for p in period.year_to_date()]
    wanted_periods = sorted({period_id, previous_id, last_year_id, *ytd_ids})
    sql = _Sql(Indicator.objects.db, rollup, [u.pk for u in unit_rows], list(multiplicity))
    # All active indicators, or every kind: no condition on the rows (groups of others are dropped here).
    ids_filter = None if indicator_codes is None else indicator_ids
    kinds_filter = None if set(kinds) >= set(ValueKind.values) else kinds

    # Query 4: every value needed, summed and counted per indicator, requested unit, period and kind.
    groups: dict[tuple[int, int, str, str], list[_Group]] = defaultdict(list)
    if indicator_ids and unit_rows and kinds:
        for indicator_id, unit_id, pid, kind, key, total, count in sql.values(
            ids_filter, last_ids, wanted_periods, kinds_filter
        ):
            if indicator_id not in across_units or kind not in kinds:
                continue
            m = multiplicity[unit_id]
            groups[(indicator_id, unit_id, pid, kind)].append((key, total * m, count * m))
    stored = {key: _across_units(g, across_units[key[0]]) for key, g in groups.items()}

    # Query 5: targets of this period and of the periods that contain it, per target type.
    containing = _containing_periods(period)
    target_periods = {p.id: p for p in containing}
    rank = {p.id: n for n, p in enumerate(containing)}
    target_rows = (
        sorted(
            (r for r in sql.targets(ids_filter, last_ids, list(target_periods)) if r[0] in across_units),
            key=lambda r: (r[3], r[4], rank[r[2]], r[6] or 0),
        )
        if indicator_ids and unit_rows
        else []
    )
    target_groups: dict[tuple[int, int], dict[str, tuple[Period, str, list[_Group]]]] = defaultdict(dict)
    for indicator_id, unit_id, pid, _order, type_code, type_name, key, total, count in target_rows:
        slot = target_groups[(indicator_id, unit_id)]
        entry = slot.setdefault(type_code, (target_periods[pid], type_name, []))
        m = multiplicity[unit_id]
        entry[2].append((key, total * m, count * m))

    figures: dict[tuple[str, str, str], Figure] = {}
    get = stored.get
    for indicator in indicators.values():
        ind = indicator.pk
        how_units = indicator.aggregation_across_units
        how_periods = indicator.aggregation_across_periods
        for unit in targets_units:
            unit_pk = unit.pk
            # A non-additive indicator's targets of several units have no total.
            unit_targets = [
                (code, target_period, name, target_total)
                for code, (target_period, name, target_values) in target_groups.get(
                    (ind, unit_pk), {}
                ).items()
                if (target_total := _across_units(target_values, how_units)) is not None
            ]
            for kind in kinds:
                current = get((ind, unit_pk, period_id, kind))
                if kind == ValueKind.CUMULATIVE:
                    ytd = _latest_per_unit((groups.get((ind, unit_pk, p, kind)) for p in ytd_ids), how_units)
                else:
                    ytd = _year_to_date([get((ind, unit_pk, p, kind)) for p in ytd_ids], how_periods)
                figures[(indicator.code, unit.code, kind)] = Figure(
                    indicator,
                    unit,
                    period,
                    kind,
                    current,
                    get((ind, unit_pk, previous_id, kind)),
                    get((ind, unit_pk, last_year_id, kind)),
                    ytd,
                    {
                        code: TargetFigure(code, name, target_period, target_total, current, ytd)
                        for code, target_period, name, target_total in unit_targets
                    },
                )
    return FigureSet(period=period, org_units=targets_units, indicators=indicators, figures=figures)
