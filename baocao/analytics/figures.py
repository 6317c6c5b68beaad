"""The figures layer: the one way to read numbers for reports, dashboards, validation and the API.

`get_figures(org_units, period, indicator_codes)` returns, for every (indicator, org unit, kind),
the value of the period with the previous period, the same period last year, the year to date
and each target that applies (as ratio and difference). It runs a fixed number of queries,
whatever the number of indicators or units:

1. the indicators (with units of measure),
2. the org units asked for with, in the same query (a recursive CTE), their predecessors through the
   successions (merges, splits, partial transfers, renames) that took effect after the earliest period
   needed began, 3. with `rollup=True` their whole subtrees (materialised path),
4. the data values of every period needed (period, previous, last year, year to date), summed and
   counted in SQL per indicator, requested unit, period and kind (GROUP BY; "lũy kế" values and
   indicators aggregated by "last" across units also per stored unit),
5. the targets of the period and of every period that contains it (quarter, half, year...), likewise.

Queries 2 and 3 are one statement; on PostgreSQL queries 4 and 5 are sent together (a pipeline), so a call
waits for the database three times (issue 16, bench/RESULTS.md: on a loaded machine each wait is a
wake-up of the server process).

With `rollup=True` a unit's figure aggregates its own value and its descendants' values with the
indicator's `aggregation_across_units`; the year to date aggregates with
`aggregation_across_periods`, except for "lũy kế" (cumulative) values, whose year to date is each
unit's latest cumulative value of the year, aggregated across units. Percentages are never stored:
ratios are computed here, exact, and rounded only when formatted.

Successions (the 2025 reform, vn-rules.md §4; docs/decisions/0016-reform-2025.md): a comparison period
(previous, last year, each period of the year to date) whose reporting window began before a succession
into the unit took effect is answered from the unit's own values plus its predecessors' (each times the
succession's `share`, 1 for a whole-unit merge or a rename; followed through chains). Only indicators
that add up across units (aggregation "sum", not a percentage) are re-aggregated; for the others, or a
split / partial transfer without a share, the comparison is None and marked not comparable on the
Figure (`last_year_comparable`, `previous_comparable`, `ytd_comparable`, `not_comparable_reason`), so no
percentage is ever computed from a partial base. A predecessor whose subtree holds another predecessor of
the same unit (the old city beside its old wards) is the coarser statement of the same transfer and is
left out. The period's own value is always the unit's own.
"""

from __future__ import annotations

import datetime
import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

import psycopg
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import Field, Model, QuerySet, signals
from django.db.models.base import ModelState

from baocao.collection.models import DataValue, ValueKind
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import (
    Aggregation,
    Indicator,
    Sector,
    Target,
    TargetType,
    UnitOfMeasure,
    ValueType,
)
from baocao.orgunits.models import OrgUnit, OrgUnitSuccession, SuccessionKind


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
    # Across a succession (the 2025 reform): False where the comparison could not be re-aggregated from
    # the predecessors (the value is then None), with the reason to print ("đơn vị mới thành lập từ ...").
    previous_comparable: bool = True
    last_year_comparable: bool = True
    ytd_comparable: bool = True
    not_comparable_reason: str = ""
    # The predecessors whose values the comparisons were re-aggregated from (names), if any.
    reaggregated_from: tuple[str, ...] = ()

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

    def __init__(
        self,
        using: str,
        rollup: bool,
        unit_ids: Sequence[int],
        requested_ids: Sequence[int],
        value_ids: Sequence[int] | None = None,
        units: Sequence[OrgUnit] = (),
    ):
        self.connection = connections[using]
        self.quote = self.connection.ops.quote_name
        self.places = int(DataValue._meta.get_field("value").decimal_places)
        # SQLite has no exact decimal type: add the values as whole numbers of their last decimal place.
        self.sqlite = self.connection.vendor == "sqlite"
        self.rollup = rollup
        table = self.quote(OrgUnit._meta.db_table)
        if rollup:
            self.join = (
                f"JOIN {table} u ON u.id = x.org_unit_id "
                f"JOIN {table} r ON substr(u.path, 1, length(r.path)) = r.path"
            )
        else:
            self.join = f"JOIN {table} r ON r.id = x.org_unit_id"
        self.unit_ids, self.requested_ids = unit_ids, requested_ids
        # With roll-up on PostgreSQL, the stored units are mapped to the requested units they count towards
        # here, from the paths query 3 loaded, and joined as an array of (stored, requested) pairs: the
        # join on the materialised path is estimated at one row when one unit is asked for, and PostgreSQL
        # then loops over every unit's values (bench/RESULTS.md, "Leaders' dashboard").
        self.pairs: dict[int, list[int]] = {}
        if rollup and not self.sqlite:
            by_path = {u.path: u.pk for u in units}
            for unit in units:
                parts = unit.path.split("/")
                for n in range(2, len(parts)):
                    ancestor = by_path.get("/".join(parts[:n]) + "/")
                    if ancestor is not None:
                        self.pairs.setdefault(ancestor, []).append(unit.pk)
        # The values are asked for the requested units and the predecessors standing in for them.
        self.value_ids = requested_ids if value_ids is None else value_ids
        id_types = {m._meta.pk.db_type(self.connection) for m in (OrgUnit, Indicator)}
        self.id_type = id_types.pop() if len(id_types) == 1 else "bigint"
        self._capture: list[tuple[str, Sequence[Any]]] | None = None
        self.prefetched: dict[str, tuple[Sequence[Any], list[tuple[Any, ...]]]] = {}

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

    def _join(self, params: list[object], requested_ids: Sequence[int] | None = None) -> str:
        """The join of the stored rows to the requested units (`r.id`), its parameters appended."""
        if not (self.rollup and not self.sqlite):
            return self.join
        requested = self.requested_ids if requested_ids is None else requested_ids
        pairs = [(pk, r) for r in dict.fromkeys(requested) for pk in self.pairs.get(r, ())]
        params.extend([[pk for pk, _r in pairs], [r for _pk, r in pairs]])
        return (
            f"JOIN unnest(%s::{self.id_type}[], %s::{self.id_type}[]) AS r(unit_id, id) "
            "ON r.unit_id = x.org_unit_id"
        )

    def _requested(self, params: list[object], requested_ids: Sequence[int] | None = None) -> tuple[str, str]:
        """The requested unit's column and the join that gives it, their parameters appended.

        With roll-up on PostgreSQL and one unit asked for (a unit's report, a province's roll-up), the
        stored rows need no join: the unit is a constant and its stored units a plain `org_unit_id = ANY`
        condition, which PostgreSQL estimates right and answers from the covering index. Joined to the
        (stored, requested) pairs as well, the unit condition counted twice: PostgreSQL estimated a few
        rows and read all the unit's values of every period through the org_unit index (bench/RESULTS.md,
        issue 16: 35 ms instead of 3 ms for one commune)."""
        requested = set(self.requested_ids if requested_ids is None else requested_ids)
        if self.rollup and not self.sqlite and len(requested) == 1:
            params.append(requested.pop())
            return f"%s::{self.id_type}", ""
        return "r.id", self._join(params, requested_ids)

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
        self,
        indicator_ids: Sequence[int] | None,
        period_ids: Sequence[str],
        params: list[object],
        requested_ids: Sequence[int] | None = None,
    ) -> str:
        """The rows of the units and periods, and of the indicators unless None (all: the caller drops the
        groups of indicators it did not ask for, cheaper than testing every row)."""
        requested = self.requested_ids if requested_ids is None else requested_ids
        if self.rollup and not self.sqlite:  # joined to the pairs (`_join`): only the stored units' rows
            stored = sorted({pk for r in requested for pk in self.pairs.get(r, ())})
            conditions = [self._in("x.org_unit_id", stored, params)]
        else:
            conditions = [
                self._in("x.org_unit_id", self.unit_ids, params),
                self._in("r.id", requested, params),
            ]
        conditions.append(self._in("x.period", period_ids, params))
        if indicator_ids is not None:
            conditions.append(self._in("x.indicator_id", indicator_ids, params))
        return " AND ".join(conditions)

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        if self._capture is not None:  # prefetch() collecting the queries
            self._capture.append((sql, params))
            return []
        found = self.prefetched.pop(sql, None)
        if found is not None and found[0] == params:
            return found[1]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def prefetch(self, *calls: tuple[str, tuple[Any, ...]]) -> None:
        """Send the queries of several calls (method name, arguments) at once, in a PostgreSQL pipeline:
        one wait for the server instead of one per query (on a loaded machine each wait is a wake-up
        of the server process). The calls then read their rows from here. Elsewhere: nothing (each
        call queries when it is made)."""
        if self.sqlite or self.connection.vendor != "postgresql" or not psycopg.Pipeline.is_supported():
            return
        queries = []
        for name, args in calls:
            captured: list[tuple[str, Sequence[Any]]] = []
            self._capture = captured
            try:
                list(getattr(self, name)(*args))
            finally:
                self._capture = None
            queries.extend(captured)
        self.connection.ensure_connection()
        cursors = [self.connection.cursor() for _query in queries]
        try:
            with self.connection.connection.pipeline():
                for cursor, (sql, params) in zip(cursors, queries, strict=True):
                    cursor.execute(sql, params)
                rows = [cursor.fetchall() for cursor in cursors]
        finally:
            for cursor in cursors:
                cursor.close()
        self.prefetched = {sql: (params, found) for (sql, params), found in zip(queries, rows, strict=True)}

    def values(
        self,
        indicator_ids: Sequence[int] | None,
        last_ids: Sequence[int],
        period_ids: Sequence[str],
        kinds: Sequence[str] | None,
    ) -> Iterator[tuple[int, int, str, str, int | None, Decimal, int]]:
        """(indicator id, requested unit id, period, kind, unit key, sum, count) of the stored values."""
        params: list[object] = []
        requested: list[object] = []
        unit, join = self._requested(requested, self.value_ids)
        params.extend(requested[:1] if not join else ())
        unit_key = self._unit_key(last_ids, params, per_unit_kind=ValueKind.CUMULATIVE.value)
        params.extend(requested if join else ())
        sql = (
            f"SELECT x.indicator_id, {unit}, x.period, x.kind, {unit_key}, {self._sum()}, COUNT(*) "
            f"FROM {self.quote(DataValue._meta.db_table)} x {join} "
            f"WHERE {self._where(indicator_ids, period_ids, params, self.value_ids)} "
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
        requested: list[object] = []
        unit, join = self._requested(requested)
        params.extend(requested[:1] if not join else ())
        unit_key = self._unit_key(last_ids, params)
        params.extend(requested if join else ())
        sql = (
            f"SELECT x.indicator_id, {unit}, x.period, tt.sort_order, tt.code, tt.name, {unit_key}, "
            f"{self._sum()}, COUNT(*) "
            f"FROM {self.quote(Target._meta.db_table)} x {join} "
            f"JOIN {self.quote(TargetType._meta.db_table)} tt ON tt.id = x.target_type_id "
            f"WHERE {self._where(indicator_ids, period_ids, params)} "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        decimal = self._decimal
        for row in self._fetch(sql, params):
            yield (*row[:7], decimal(row[7]), row[8])


def _day(day: datetime.date) -> str:
    """A date in a reason, as Decree 30 writes dates: day below 10 and months 1, 2 padded (01/7/2025)."""
    return (
        f"{day.day:02d}/{day.month:02d}/{day.year}"
        if day.month <= 2
        else f"{day.day:02d}/{day.month}/{day.year}"
    )


class _Edge(NamedTuple):
    """A succession into `successor` from `predecessor`, as query 2 returns it."""

    predecessor: OrgUnit
    successor_id: int
    kind: str
    share: Decimal | None
    effective_date: datetime.date


def _units_and_predecessors(
    using: str, codes: Sequence[str], since: datetime.date, subtrees: bool = False
) -> tuple[list[OrgUnit], list[_Edge], list[OrgUnit]]:
    """Query 2: the units of `codes` and, in the same query, every succession that took effect after
    `since` into one of them or (transitively) into one of their predecessors, with its predecessor;
    with `subtrees`, also (query 3 in the same round trip) every unit in the subtree of one of those, by
    materialised path, as `OrgUnit.objects.subtree` gives them (the units themselves included).

    A recursive CTE (SQLite and PostgreSQL): UNION (not UNION ALL) ends a cycle of successions."""
    connection = connections[using]
    quote = connection.ops.quote_name
    units_table, links = quote(OrgUnit._meta.db_table), quote(OrgUnitSuccession._meta.db_table)
    columns = [f.column for f in OrgUnit._meta.concrete_fields]
    selected = ", ".join(f"u.{quote(c)}" for c in columns)
    params: list[Any] = []
    if connection.vendor == "postgresql":
        asked = "u.code = ANY(%s)"
        params.append(list(codes))
    else:
        asked = f"u.code IN ({', '.join(['%s'] * len(codes))})"
        params.extend(codes)
    link = "s.predecessor_id, s.successor_id, s.kind, s.share, s.effective_date"
    sql = (
        f"WITH RECURSIVE asked AS (SELECT u.id FROM {units_table} u WHERE {asked}), "
        "chain(predecessor_id, successor_id, kind, share, effective_date) AS ("
        f"SELECT {link} FROM {links} s WHERE s.successor_id IN (SELECT id FROM asked) "
        "AND s.effective_date > %s "
        f"UNION SELECT {link} FROM {links} s JOIN chain c ON s.successor_id = c.predecessor_id "
        "WHERE s.effective_date > %s) "
        f"SELECT {selected}, NULL, NULL, NULL, NULL FROM {units_table} u "
        "WHERE u.id IN (SELECT id FROM asked) "
        f"UNION ALL SELECT {selected}, c.successor_id, c.kind, c.share, c.effective_date "
        f"FROM chain c JOIN {units_table} u ON u.id = c.predecessor_id"
    )
    if subtrees:
        sql += (
            f" UNION ALL SELECT {selected}, NULL, %s, NULL, NULL FROM {units_table} u "
            f"WHERE EXISTS (SELECT 1 FROM {units_table} a WHERE (a.id IN (SELECT id FROM asked) "
            "OR a.id IN (SELECT predecessor_id FROM chain)) "
            "AND substr(u.path, 1, length(a.path)) = a.path)"
        )
    params.extend([since, since, *([_SUBTREE] if subtrees else [])])
    fields: list[Any] = list(OrgUnit._meta.concrete_fields)
    converters = [
        (i, [*f.get_db_converters(connection), *connection.ops.get_db_converters(f.cached_col)])
        for i, f in enumerate(fields)
    ]
    units: dict[int, OrgUnit] = {}
    asked_units: list[OrgUnit] = []
    edges: list[_Edge] = []
    tree: dict[int, OrgUnit] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        values = list(row[: len(fields)])
        for i, funcs in converters:
            for func in funcs:
                values[i] = func(values[i], fields[i].cached_col, connection)
        unit = units.get(values[0])
        if unit is None:
            unit = units[values[0]] = OrgUnit.from_db(using, [f.attname for f in fields], values)
        successor_id, kind, share, day = row[len(fields) :]
        if kind == _SUBTREE:
            tree[unit.pk] = unit
            continue
        if successor_id is None:
            asked_units.append(unit)
            continue
        if isinstance(day, str):
            day = datetime.date.fromisoformat(day[:10])
        elif isinstance(day, datetime.datetime):
            day = day.date()
        edges.append(
            _Edge(unit, int(successor_id), kind, None if share is None else Decimal(str(share)), day)
        )
    return asked_units, edges, list(tree.values())


# Marks query 2's rows of the subtrees (in the succession kind's column, which no succession uses so).
_SUBTREE = "(subtree)"


class _Successions:
    """The successions of query 2 and, per unit and comparison period, which stored units its value is
    re-aggregated from (each with its factor), or why it cannot be."""

    def __init__(self, edges: Sequence[_Edge]) -> None:
        self.into: dict[int, list[_Edge]] = defaultdict(list)
        for edge in sorted(edges, key=lambda e: (e.predecessor.sort_order, e.predecessor.code)):
            self.into[edge.successor_id].append(edge)  # in the units' order: names print the same each time
        self.predecessor_ids = {edge.predecessor.pk for edge in edges}
        self._plans: dict[tuple[int, datetime.date], _Plan | None] = {}

    def relevant(self, unit_id: int, start: datetime.date) -> list[_Edge]:
        """The successions into the unit that took effect after `start` (a period that began before
        them), without a predecessor whose subtree holds another one (the coarser statement)."""
        edges = [e for e in self.into.get(unit_id, ()) if e.effective_date > start]
        return [
            e
            for e in edges
            if not any(
                o.predecessor.pk != e.predecessor.pk and o.predecessor.path.startswith(e.predecessor.path)
                for o in edges
            )
        ]

    def plan(self, unit: OrgUnit, start: datetime.date) -> _Plan | None:
        """None where nothing changed after `start`; else the predecessors (stored unit id, factor), or
        the reason they cannot stand in."""
        key = (unit.pk, start)
        if key not in self._plans:
            edges = self.relevant(unit.pk, start)
            if not edges:
                self._plans[key] = None
            else:
                parts: list[tuple[int, Decimal]] = []
                names: list[str] = []
                problem = self._collect(unit.pk, start, Decimal(1), {unit.pk}, parts, names)
                # Each unit on the way continues exactly one whole unit (a rename, a merge of one).
                single_line = all(
                    len(self.relevant(pk, start)) <= 1 for pk in (unit.pk, *(p for p, _f in parts))
                ) and all(factor == 1 for _p, factor in parts)
                day = min(e.effective_date for e in edges)
                reason = problem or (
                    f"đơn vị mới thành lập từ {_day(day)}"
                    if unit.valid_from >= day
                    else f"địa giới của đơn vị thay đổi từ {_day(day)}"
                )
                self._plans[key] = _Plan(
                    tuple(parts), tuple(dict.fromkeys(names)), not problem, single_line, reason
                )
        return self._plans[key]

    def _collect(
        self,
        unit_id: int,
        start: datetime.date,
        factor: Decimal,
        seen: set[int],
        parts: list[tuple[int, Decimal]],
        names: list[str],
    ) -> str:
        for edge in self.relevant(unit_id, start):
            predecessor = edge.predecessor
            if predecessor.pk in seen:
                continue  # a cycle in the successions: each unit counts once
            share = edge.share
            if share is None:
                if edge.kind in (SuccessionKind.SPLIT, SuccessionKind.TRANSFER):
                    return (
                        f"chưa có tỷ lệ phần của {predecessor.name} chuyển sang từ "
                        f"{_day(edge.effective_date)}"
                    )
                share = Decimal(1)
            parts.append((predecessor.pk, factor * share))
            names.append(predecessor.name)
            problem = self._collect(
                predecessor.pk, start, factor * share, seen | {predecessor.pk}, parts, names
            )
            if problem:
                return problem
        return ""


class _Plan(NamedTuple):
    parts: tuple[tuple[int, Decimal], ...]  # (predecessor id, factor) added to the unit's own value
    names: tuple[str, ...]
    possible: bool  # False: a split or transfer without a share on the way
    single_line: bool  # the unit continues one whole unit (which may continue one whole unit...)
    reason: str  # why a comparison is not comparable ("đơn vị mới thành lập từ 01/7/2025")


def _additive(indicator: Indicator) -> bool:
    """Whether the indicator's values add up across units (re-aggregated from predecessors)."""
    return indicator.aggregation_across_units == Aggregation.SUM and indicator.value_type != ValueType.PERCENT


def _load_indicators(queryset: QuerySet[Indicator], codes: list[str] | None = None) -> list[Indicator]:
    """The indicators with their unit of measure and sector loaded, as `select_related("unit", "sector")`
    gives them, in one query: the active ones (``codes`` None) or those of ``codes``; ``queryset`` is the
    same selection as a QuerySet.

    The query is written from the models' fields and the indicators' `Meta.ordering` (the ORM compiling a
    33-column `values_list` and running each value through its converter loop cost about as much as
    PostgreSQL's answer, bench/RESULTS.md, issue 16); the values go through each field's database
    converters where it has some (SQLite's decimals, dates).

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

    rows = _indicator_rows(db, codes, related)
    loaded = []
    for row in queryset.values_list(*lookups) if rows is None else rows:
        indicator = build(Indicator, own, row[: len(own)])
        start = len(own)
        cache = indicator._state.fields_cache = {}
        for name, model, names in columns:
            values = row[start : start + len(names)]
            start += len(names)
            cache[name] = None if values[0] is None else build(model, names, values)
        loaded.append(indicator)
    return loaded


def _indicator_rows(
    using: str, codes: list[str] | None, related: list[tuple[str, type[Model]]]
) -> list[tuple[Any, ...]] | None:
    """The rows `values_list` of the indicators' own fields then each related model's gives, in the
    indicators' order; None where that order names something other than own or related columns."""
    connection = connections[using]
    quote = connection.ops.quote_name
    aliases = {name: f"r{n}" for n, (name, _model) in enumerate(related)}
    order = []
    for item in Indicator._meta.ordering or ():
        if not isinstance(item, str):
            return None
        name = item.lstrip("-")
        direction = " DESC" if item.startswith("-") else ""
        relation, _sep, column = name.rpartition("__")
        model = dict(related).get(relation) if relation else Indicator
        if model is None or "__" in relation:
            return None
        try:
            field = model._meta.get_field(column)
        except FieldDoesNotExist:  # an annotation or an expression: the ORM orders
            return None
        if not isinstance(field, Field) or field.is_relation:
            return None
        order.append(f"{aliases.get(relation, 'i')}.{quote(field.column)}{direction}")
    fields: list[Any] = list(Indicator._meta.concrete_fields)
    select = [f"i.{quote(f.column)}" for f in fields]
    joins = []
    for name, model in related:
        link: Any = Indicator._meta.get_field(name)
        alias = aliases[name]
        model_fields = list(model._meta.concrete_fields)
        fields.extend(model_fields)
        select.extend(f"{alias}.{quote(f.column)}" for f in model_fields)
        joins.append(
            f"{'LEFT OUTER' if link.null else 'INNER'} JOIN {quote(model._meta.db_table)} {alias} "
            f"ON i.{quote(link.column)} = {alias}.{quote(model._meta.pk.column)}"
        )
    params: list[Any] = []
    if codes is None:
        where = f"i.{quote(Indicator._meta.get_field('is_active').column)}"
    elif connection.vendor == "postgresql":
        where = f"i.{quote(Indicator._meta.get_field('code').column)} = ANY(%s)"
        params.append(codes)
    elif codes:
        where = f"i.{quote(Indicator._meta.get_field('code').column)} IN ({', '.join(['%s'] * len(codes))})"
        params.extend(codes)
    else:
        return []
    sql = (
        f"SELECT {', '.join(select)} FROM {quote(Indicator._meta.db_table)} i {' '.join(joins)} "
        f"WHERE {where}{' ORDER BY ' + ', '.join(order) if order else ''}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = [
        (i, funcs)
        for i, f in enumerate(fields)
        if (funcs := [*f.get_db_converters(connection), *connection.ops.get_db_converters(f.cached_col)])
    ]
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i, funcs in converters:
            for func in funcs:
                values[i] = func(values[i], fields[i].cached_col, connection)
        converted.append(tuple(values))
    return converted


_GroupKey = tuple[int, int, str, str]


def _borrowed(
    unit_plans: dict[int, dict[str, _Plan | None]],
    raw: dict[_GroupKey, list[_Group]],
    multiplicity: Counter[int],
) -> dict[_GroupKey, tuple[int, list[_Group]]]:
    """For each (indicator, unit, period, kind) of a unit whose period a succession reaches: how many
    of its predecessors have values, and their groups times their factor (share) — computed once from
    the predecessors' values, not once per figure."""
    users: dict[tuple[int, str], list[tuple[int, Decimal, int]]] = defaultdict(list)
    for unit_pk, plans in unit_plans.items():
        m = multiplicity[unit_pk]
        for period_id, plan in plans.items():
            for predecessor_id, factor in plan.parts if plan is not None else ():
                users[(predecessor_id, period_id)].append((unit_pk, factor, m))
    borrowed: dict[_GroupKey, tuple[int, list[_Group]]] = {}
    for (ind, predecessor_id, period_id, kind), stored in raw.items():
        for unit_pk, factor, m in users.get((predecessor_id, period_id), ()):
            key = (ind, unit_pk, period_id, kind)
            found, extra = borrowed.get(key, (0, []))
            extra.extend((unit_key, total * factor * m, count * m) for unit_key, total, count in stored)
            borrowed[key] = (found + 1, extra)
    return borrowed


class _Ids(NamedTuple):
    """The period asked for and the ids of the periods it is compared with."""

    period: Period
    current: str
    previous: str
    last_year: str
    ytd: list[str]


def _across_successions(
    indicator: Indicator,
    unit: OrgUnit,
    ids: _Ids,
    kind: str,
    unit_targets: list[tuple[str, Period, str, Decimal]],
    plans: dict[str, _Plan | None],
    groups: dict[_GroupKey, list[_Group]],
    stored: dict[_GroupKey, Decimal | None],
    borrowed: dict[_GroupKey, tuple[int, list[_Group]]],
) -> Figure:
    """The figure of a unit that successions reach: each comparison period that began before a
    succession took effect is the unit's own value plus its predecessors' (times their shares), for an
    indicator that adds up; otherwise that comparison is None and marked not comparable.

    ``borrowed``: per (indicator, unit, period, kind), how many predecessors have values and their groups
    already multiplied by their shares (:func:`_borrowed`)."""
    unit_pk = unit.pk
    ind, how_units, how_periods = (
        indicator.pk,
        indicator.aggregation_across_units,
        indicator.aggregation_across_periods,
    )
    additive = _additive(indicator)
    whole = indicator.whole_numbers
    names: list[str] = []
    reasons: list[str] = []

    def period_groups(period_id: str) -> tuple[list[_Group], bool]:
        """The groups standing for the unit in a period, and whether they are comparable."""
        key = (ind, unit_pk, period_id, kind)
        own = groups.get(key, [])
        plan = plans[period_id]
        if plan is None:
            return own, True
        found, extra = borrowed.get(key, (0, []))
        if not found:
            return own, True  # no predecessor has a value: the unit's own (the ward's first month)
        if plan.possible and (additive or (plan.single_line and not own and found == 1)):
            # Added up by share; or, for any indicator, the one unit it continues whole (a rename).
            names.extend(plan.names)
            return [*own, *extra], True
        reasons.append(plan.reason)
        return [], False

    def value_of(period_id: str) -> tuple[Decimal | None, bool]:
        if plans[period_id] is None:  # nothing changed since this period began: the stored figure
            return stored.get((ind, unit_pk, period_id, kind)), True
        found, comparable = period_groups(period_id)
        value = _across_units(found, how_units) if found else None
        if value is not None and whole and value != value.to_integral_value():
            # A share of a count (35% of 7 households) is an estimate of the part: a whole number.
            value = value.quantize(Decimal(1), ROUND_HALF_UP)
        return value, comparable

    period, ytd_ids = ids.period, ids.ytd
    current = stored.get((ind, unit.pk, ids.current, kind))
    previous, previous_comparable = value_of(ids.previous)
    last_year, last_year_comparable = value_of(ids.last_year)
    if kind == ValueKind.CUMULATIVE:
        per_period = [period_groups(p) for p in ytd_ids]
        ytd_comparable = all(ok for _found, ok in per_period)
        ytd = _latest_per_unit((found for found, _ok in per_period), how_units) if ytd_comparable else None
    else:
        per_value = [value_of(p) for p in ytd_ids]
        ytd_comparable = all(ok for _value, ok in per_value)
        ytd = _year_to_date([value for value, _ok in per_value], how_periods)
        if not ytd_comparable and how_periods == Aggregation.LAST and current is not None:
            ytd_comparable = True  # the latest value is this period's own
        elif not ytd_comparable:
            ytd = None
    return Figure(
        indicator,
        unit,
        period,
        kind,
        current,
        previous,
        last_year,
        ytd,
        {
            code: TargetFigure(code, name, target_period, target_total, current, ytd)
            for code, target_period, name, target_total in unit_targets
        },
        previous_comparable=previous_comparable,
        last_year_comparable=last_year_comparable,
        ytd_comparable=ytd_comparable,
        not_comparable_reason=(
            reasons[0]
            if reasons and not (previous_comparable and last_year_comparable and ytd_comparable)
            else ""
        ),
        reaggregated_from=tuple(dict.fromkeys(names)),
    )


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
    return get_figures_for_periods(org_units, [period], indicator_codes, kinds=kinds, rollup=rollup)[0]


def get_figures_for_periods(
    org_units: Iterable[OrgUnit | str],
    periods: Sequence[Period | str],
    indicator_codes: Iterable[str] | None = None,
    *,
    kinds: Iterable[str] = tuple(ValueKind.values),
    rollup: bool = True,
) -> list[FigureSet]:
    """`get_figures` of several periods (a chart's months), in order, in the queries of one call: the values
    of every period needed by any of them in one query, their targets in another. Each FigureSet is the one
    `get_figures` returns for its period."""
    with _gc_paused():
        return _figures_for_periods(org_units, periods, indicator_codes, kinds, rollup)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while one call builds its objects.

    A call for one unit's report allocates some ten thousand objects (indicators, groups, 900 figures
    with their targets), none of them in a reference cycle: about fourteen generation-0 and one or two
    generation-1 collections per call, each walking the young objects, and now and then a full collection
    of the whole process's heap landing in the middle of a request (bench/RESULTS.md, issue 16). Paused
    and restored here; collection resumes at the next allocation after the call. A thread that finds the
    collector already paused leaves it to the thread that paused it."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _figures_for_periods(
    org_units: Iterable[OrgUnit | str],
    periods: Sequence[Period | str],
    indicator_codes: Iterable[str] | None,
    kinds: Iterable[str],
    rollup: bool,
) -> list[FigureSet]:
    asked_periods = [Period.parse(p) if isinstance(p, str) else p for p in periods]
    kinds = [str(k) for k in kinds]

    codes = None if indicator_codes is None else list(dict.fromkeys(indicator_codes))
    indicator_qs = Indicator.objects.all()
    if codes is None:
        indicator_qs = indicator_qs.filter(is_active=True)
    else:
        indicator_qs = indicator_qs.filter(code__in=codes)
    indicators = {i.code: i for i in _load_indicators(indicator_qs, codes)}
    indicator_ids = [i.pk for i in indicators.values()]
    across_units = {i.pk: i.aggregation_across_units for i in indicators.values()}
    last_ids = [pk for pk, how in across_units.items() if how == Aggregation.LAST]

    requested = list(org_units)
    requested_codes = [u.code if isinstance(u, OrgUnit) else u for u in requested]
    # Per period asked: its id, the ids it is compared with, and the periods whose reporting windows start
    # the successions' plans.
    comparisons: list[tuple[_Ids, dict[str, datetime.date]]] = []
    all_periods: dict[str, Period] = {}
    for period in asked_periods:
        previous = period.previous()
        last_year = period.same_period_last_year()
        ytd_periods = period.year_to_date()
        mine = {p.id: p for p in (period, previous, last_year, *ytd_periods)}
        all_periods.update(mine)
        ids = _Ids(period, period.id, previous.id, last_year.id, [p.id for p in ytd_periods])
        comparisons.append((ids, {pid: p.reporting_window[0] for pid, p in mine.items()}))
    wanted_periods = sorted(all_periods)
    earliest = min((p.reporting_window[0] for p in all_periods.values()), default=None)

    # Query 2: the units asked for and their predecessors since the earliest period began, and query 3
    # (rollup) in the same statement: the subtrees of both by materialised path.
    asked, edges, tree = (
        _units_and_predecessors(
            Indicator.objects.db, list(dict.fromkeys(requested_codes)), earliest, subtrees=rollup
        )
        if requested_codes and earliest is not None
        else ([], [], [])
    )
    successions = _Successions(edges)
    predecessors = list({e.predecessor.pk: e.predecessor for e in edges}.values())
    roots = [*asked, *predecessors]
    unit_rows = tree if rollup else roots
    units_by_code = {u.code: u for u in unit_rows}
    missing = [c for c in requested_codes if c not in units_by_code]
    if missing:
        raise FigureLookupError(f"Không có đơn vị mã {', '.join(missing)}.")
    targets_units = [units_by_code[c] for c in requested_codes]
    # A requested unit asked for twice counts its values twice (as the values of two units).
    multiplicity = Counter(u.pk for u in targets_units)
    predecessor_ids = [pk for pk in successions.predecessor_ids if pk not in multiplicity]

    sql = _Sql(
        Indicator.objects.db,
        rollup,
        list(dict.fromkeys(u.pk for u in unit_rows)),
        list(multiplicity),
        value_ids=[*multiplicity, *predecessor_ids],
        units=unit_rows,
    )
    # All active indicators, or every kind: no condition on the rows (groups of others are dropped here).
    ids_filter = None if indicator_codes is None else indicator_ids
    kinds_filter = None if set(kinds) >= set(ValueKind.values) else kinds

    # Queries 4 and 5 sent together (PostgreSQL's pipeline), read below.
    containing = {period.id: _containing_periods(period) for period in asked_periods}
    target_periods = {p.id: p for periods_of in containing.values() for p in periods_of}
    read_values = bool(indicator_ids and unit_rows and kinds and asked_periods)
    read_targets = bool(indicator_ids and unit_rows and target_periods)
    sql.prefetch(
        *([("values", (ids_filter, last_ids, wanted_periods, kinds_filter))] if read_values else []),
        *([("targets", (ids_filter, last_ids, list(target_periods)))] if read_targets else []),
    )

    # Query 4: every value needed, summed and counted per indicator, requested unit, period and kind.
    groups: dict[tuple[int, int, str, str], list[_Group]] = defaultdict(list)
    # The predecessors' groups as stored (a predecessor asked for too is not counted twice here).
    raw: dict[tuple[int, int, str, str], list[_Group]] = defaultdict(list)
    if read_values:
        for indicator_id, unit_id, pid, kind, key, total, count in sql.values(
            ids_filter, last_ids, wanted_periods, kinds_filter
        ):
            if indicator_id not in across_units or kind not in kinds:
                continue
            if unit_id in successions.predecessor_ids:
                raw[(indicator_id, unit_id, pid, kind)].append((key, total, count))
            m = multiplicity[unit_id]
            if m == 1:
                groups[(indicator_id, unit_id, pid, kind)].append((key, total, count))
            elif m:
                groups[(indicator_id, unit_id, pid, kind)].append((key, total * m, count * m))
    # One group of a summed indicator (most of them) is its sum: no call.
    stored = {
        key: g[0][1]
        if len(g) == 1 and across_units[key[0]] == Aggregation.SUM
        else _across_units(g, across_units[key[0]])
        for key, g in groups.items()
    }

    present = {(ind, unit_id, kind) for ind, unit_id, _pid, kind in groups}

    # Query 5: targets of these periods and of the periods that contain them, per target type.
    target_rows = (
        [r for r in sql.targets(ids_filter, last_ids, list(target_periods)) if r[0] in across_units]
        if read_targets
        else []
    )

    return [
        _figure_set(
            ids,
            starts,
            containing[ids.current],
            target_periods,
            target_rows,
            indicators,
            targets_units,
            kinds,
            multiplicity,
            successions,
            groups,
            raw,
            stored,
            present,
        )
        for ids, starts in comparisons
    ]


def _figure_set(
    ids: _Ids,
    starts: dict[str, datetime.date],
    containing: list[Period],
    target_periods: dict[str, Period],
    all_target_rows: list[tuple[int, int, str, int, str, str, int | None, Decimal, int]],
    indicators: dict[str, Indicator],
    targets_units: list[OrgUnit],
    kinds: list[str],
    multiplicity: Counter[int],
    successions: _Successions,
    groups: dict[_GroupKey, list[_Group]],
    raw: dict[_GroupKey, list[_Group]],
    stored: dict[_GroupKey, Decimal | None],
    present: set[tuple[int, int, str]],
) -> FigureSet:
    """The FigureSet of one period from the rows of queries 4 and 5. ``present``: the (indicator, unit,
    kind) with a value in some period read."""
    period, period_id, previous_id, last_year_id, ytd_ids = ids
    rank = {p.id: n for n, p in enumerate(containing)}
    target_rows = sorted(
        (r for r in all_target_rows if r[2] in rank),
        key=lambda r: (r[3], r[4], rank[r[2]], r[6] or 0),
    )
    target_groups: dict[tuple[int, int], dict[str, tuple[Period, str, list[_Group]]]] = defaultdict(dict)
    for indicator_id, unit_id, pid, _order, type_code, type_name, key, total, count in target_rows:
        slot = target_groups[(indicator_id, unit_id)]
        entry = slot.setdefault(type_code, (target_periods[pid], type_name, []))
        m = multiplicity[unit_id]
        entry[2].append((key, total * m, count * m))

    # The units whose comparisons a succession reaches, with the plan of each period (None: unchanged).
    unit_plans: dict[int, dict[str, _Plan | None]] = {}
    for unit in targets_units:
        if unit.pk in successions.into and unit.pk not in unit_plans:
            unit_plan = {pid: successions.plan(unit, start) for pid, start in starts.items()}
            if any(plan is not None for plan in unit_plan.values()):
                unit_plans[unit.pk] = unit_plan

    borrowed = _borrowed(unit_plans, raw, multiplicity) if unit_plans else {}

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
            plans = unit_plans.get(unit_pk)
            if plans is not None:
                for kind in kinds:
                    figures[(indicator.code, unit.code, kind)] = _across_successions(
                        indicator,
                        unit,
                        ids,
                        kind,
                        unit_targets,
                        plans,
                        groups,
                        stored,
                        borrowed,
                    )
                continue
            for kind in kinds:
                if (ind, unit_pk, kind) not in present:
                    # No value of this kind in any period read: every comparison is None.
                    figures[(indicator.code, unit.code, kind)] = Figure(
                        indicator,
                        unit,
                        period,
                        kind,
                        None,
                        None,
                        None,
                        None,
                        {
                            code: TargetFigure(code, name, target_period, target_total, None, None)
                            for code, target_period, name, target_total in unit_targets
                        },
                    )
                    continue
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
