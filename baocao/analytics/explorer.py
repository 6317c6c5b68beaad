"""The data explorer (khai thác số liệu): chosen indicators × units (each with its subtree) × periods of one
kind of value, as a pivot table, a chart, XLSX and CSV.

The selection is the URL's GET parameters, so a page can be bookmarked and sent:

    ?indicator=THU_NSNN&indicator=CHI_NSNN&unit=TPLS&type=month&from=202001&to=202006&kind=actual&chart=line

Every number comes from the figures layer: one `get_figures` call per month of the window (each a fixed
number of queries, whatever the indicators and units chosen) and one per longer period. Periods follow
Decree 09's windows: a quarter is the three reporting months 15/12–14/3, 15/3–14/6...; a period longer than
a month shows its own stored value where one is stored (a quarterly form), otherwise its months' values
aggregated by the indicator's rule across periods (sum, average, last), the rule the year to date follows;
cumulative ("lũy kế") values already count from the start of the year: the period's last month with a value.
The selection is bounded (indicators, units, months) so a page is never an unbounded query.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from baocao.analytics.figures import FigureLookupError, FigureSet, get_figures
from baocao.collection.models import ValueKind
from baocao.core.cells import append_row, csv_escape
from baocao.core.numbers import format_number
from baocao.core.periods import Period, PeriodError, PeriodType
from baocao.core.text import search_key
from baocao.indicators.models import Aggregation, Indicator
from baocao.orgunits.models import OrgUnit, OrgUnitQuerySet

__all__ = [
    "MAX_INDICATORS",
    "MAX_MONTHS",
    "MAX_UNITS",
    "ExplorerError",
    "Pivot",
    "Query",
    "build_pivot",
    "indicator_choices",
    "parse_query",
    "search_indicators",
    "to_csv",
    "to_xlsx",
]

MAX_INDICATORS = 20
MAX_UNITS = 30
#: Months read from the figures layer for one page (five years of months, or 5 years of quarters...).
MAX_MONTHS = 60
MAX_SEARCH_RESULTS = 30

PERIOD_TYPES: dict[str, str] = {t.value: t.label for t in PeriodType}
KINDS: dict[str, str] = dict(ValueKind.choices)
CHART_TYPES = {"line": "Đường", "bar": "Cột"}
#: Periods shown when only the end is given (or nothing): a year of months, four quarters, three years...
DEFAULT_SPAN = {
    PeriodType.MONTH: 12,
    PeriodType.QUARTER: 4,
    PeriodType.HALF_YEAR: 4,
    PeriodType.NINE_MONTHS: 3,
    PeriodType.YEAR: 3,
}


class ExplorerError(ValueError):
    """A selection the explorer cannot show, with its Vietnamese message and the page's HTTP status (400 for
    a bad parameter, 404 for a unit that does not exist or that the user may not see)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Query:
    indicators: tuple[Indicator, ...]
    units: tuple[OrgUnit, ...]
    period_type: PeriodType
    start: Period
    end: Period
    kind: str = ValueKind.ACTUAL.value
    chart: str = "line"

    @property
    def periods(self) -> tuple[Period, ...]:
        periods, period = [], self.start
        while period <= self.end:
            periods.append(period)
            period = period.next()
        return tuple(periods)

    def params(self) -> list[tuple[str, str]]:
        """The query as GET parameters (the URL of this selection)."""
        return [
            *(("indicator", i.code) for i in self.indicators),
            *(("unit", u.code) for u in self.units),
            ("type", self.period_type.value),
            ("from", self.start.id),
            ("to", self.end.id),
            ("kind", self.kind),
            ("chart", self.chart),
        ]


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    raw = getlist(name) if getlist is not None else params.get(name, [])
    values = [raw] if isinstance(raw, str) else list(raw)
    # Several codes may also come in one field, separated by commas or spaces.
    return list(dict.fromkeys(v for text in values for v in str(text).replace(",", " ").split() if v))


def _one(params: Mapping[str, Any], name: str) -> str:
    values = _values(params, name)
    return values[0] if values else ""


def _shown(values: Sequence[str]) -> str:
    """Codes echoed in a message: at most five, each cut to 60 characters (an address can be long)."""
    shown = [v if len(v) <= 60 else v[:60] + "…" for v in values[:5]]
    return ", ".join(shown) + (f" và {len(values) - 5} mã khác" if len(values) > 5 else "")


def _period(text: str, what: str, period_type: PeriodType) -> Period:
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        raise ExplorerError(f"{what}: {exc}") from None
    if period.type != period_type:
        raise ExplorerError(
            f"{what}: kỳ {period.id} là kỳ loại “{period.type.label}”, không phải loại “{period_type.label}” "
            f"đã chọn; ví dụ kỳ loại “{period_type.label}”: {_example(period_type)}."
        )
    return period


def _example(period_type: PeriodType) -> str:
    return {
        PeriodType.MONTH: "202006",
        PeriodType.QUARTER: "2020Q2",
        PeriodType.HALF_YEAR: "2020S1",
        PeriodType.NINE_MONTHS: "2020N9",
        PeriodType.YEAR: "2020",
    }[period_type]


def parse_query(
    params: Mapping[str, Any],
    visible: OrgUnitQuerySet,
    default_end: Period | None,
    default_unit: OrgUnit | None = None,
) -> Query | None:
    """The selection of the GET parameters, or None when no indicator is chosen yet. Without a unit, the
    default unit (the page's: the user's first administrative unit); without periods, the last periods of
    the type up to `default_end` (the latest month with values).

    Raises ExplorerError: a Vietnamese message naming the parameter (400), or 404 for a unit code that
    does not exist or that `visible` (the user's units_for VIEW) does not hold — the same answer for both.
    """
    unit_codes = _values(params, "unit")
    indicator_codes = _values(params, "indicator")
    if len(unit_codes) > MAX_UNITS:
        raise ExplorerError(f"Đơn vị: chọn tối đa {MAX_UNITS} đơn vị (đã chọn {len(unit_codes)}).")
    if len(indicator_codes) > MAX_INDICATORS:
        raise ExplorerError(
            f"Chỉ tiêu: chọn tối đa {MAX_INDICATORS} chỉ tiêu (đã chọn {len(indicator_codes)})."
        )
    units_by_code = {u.code: u for u in visible.filter(code__in=unit_codes)}
    hidden = [c for c in unit_codes if c not in units_by_code]
    if hidden:
        raise ExplorerError(f"Không có đơn vị mã {_shown(hidden)}, hoặc bạn không được xem đơn vị này.", 404)

    type_text = _one(params, "type") or PeriodType.MONTH.value
    if type_text not in PERIOD_TYPES:
        raise ExplorerError(
            f"Loại kỳ “{_shown([type_text])}” không có; chọn một trong: {', '.join(PERIOD_TYPES.values())}."
        )
    period_type = PeriodType(type_text)
    kind = _one(params, "kind") or ValueKind.ACTUAL.value
    if kind not in KINDS:
        raise ExplorerError(
            f"Loại số liệu “{_shown([kind])}” không có; chọn một trong: {', '.join(KINDS.values())}."
        )
    chart = _one(params, "chart") or "line"
    if chart not in CHART_TYPES:
        raise ExplorerError(f"Kiểu biểu đồ “{_shown([chart])}” không có; chọn: đường (line) hoặc cột (bar).")

    end_text, start_text = _one(params, "to"), _one(params, "from")
    if end_text:
        end = _period(end_text, "Đến kỳ", period_type)
    elif default_end is not None:
        end = _default_end(default_end, period_type)
    else:
        end = None
    if start_text:
        start = _period(start_text, "Từ kỳ", period_type)
        if not end_text:  # only the first period given: up to the latest one with data, or that one alone
            end = start if end is None or end < start else end
    elif end is not None:
        start = end.shift(-(DEFAULT_SPAN[period_type] - 1))
    else:
        start = None
    if start is None or end is None:
        raise ExplorerError("Chưa có số liệu nào: hãy nhập kỳ “Từ kỳ” và “Đến kỳ”.")
    if start > end:
        raise ExplorerError(f"Từ kỳ {start.id} đứng sau đến kỳ {end.id}: hãy đổi lại hai kỳ.")
    months = sum(len(p.months()) for p in Query((), (), period_type, start, end).periods)
    if months > MAX_MONTHS:
        raise ExplorerError(
            f"Khoảng kỳ từ {start.id} đến {end.id} gồm {months} tháng; chọn tối đa {MAX_MONTHS} tháng."
        )

    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in=indicator_codes).select_related("unit")
    }
    unknown = [c for c in indicator_codes if c not in indicators]
    if unknown:
        raise ExplorerError(f"Chỉ tiêu: không có chỉ tiêu mã {_shown(unknown)}.")
    if not indicator_codes:
        return None
    units = [units_by_code[c] for c in unit_codes] or ([default_unit] if default_unit is not None else [])
    if not units:
        raise ExplorerError("Đơn vị: hãy chọn ít nhất một đơn vị.")
    return Query(
        tuple(indicators[c] for c in indicator_codes),
        tuple(units),
        period_type,
        start,
        end,
        kind,
        chart,
    )


def _default_end(latest_month: Period, period_type: PeriodType) -> Period:
    """The last period of the type that has ended by the latest month with values."""
    if period_type == PeriodType.MONTH:
        return latest_month
    if period_type == PeriodType.NINE_MONTHS:
        year = latest_month.year if latest_month.index >= 9 else latest_month.year - 1
        return Period.nine_months(year)
    containing = Period.containing(period_type, latest_month.cutoff_date)
    return containing if containing.months()[-1] == latest_month else containing.previous()


# ---------------------------------------------------------------------------------------------- the pivot


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    unit: OrgUnit
    values: tuple[Decimal | None, ...]


@dataclass(frozen=True)
class Pivot:
    query: Query
    periods: tuple[Period, ...]
    rows: tuple[Row, ...] = field(default_factory=tuple)

    @property
    def kind_label(self) -> str:
        return KINDS[self.query.kind]

    @property
    def header(self) -> list[str]:
        return ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị", "Đơn vị tính", *(p.label for p in self.periods)]

    def lines(self) -> Iterator[list[Any]]:
        """The table's rows as the exports write them (text cells, then numbers or None)."""
        for row in self.rows:
            yield [
                row.indicator.code,
                row.indicator.name,
                row.unit.name,
                row.indicator.unit.name,
                *row.values,
            ]

    def chart_data(self) -> dict[str, Any]:
        """The chart (charts.js): one line (or bars) per indicator and unit over the periods."""
        several_units = len(self.query.units) > 1
        several_indicators = len(self.query.indicators) > 1
        units_of_measure = {r.indicator.unit.name for r in self.rows}
        return {
            "title": f"{self.kind_label} – {', '.join(i.name for i in self.query.indicators)}",
            "unit": next(iter(units_of_measure)) if len(units_of_measure) == 1 else "",
            "percent": False,
            "type": self.query.chart,
            "file_name": "khai-thac-so-lieu",
            "category_label": "Kỳ",
            "categories": [p.short_label for p in self.periods],
            "series": [
                {
                    "key": f"{row.indicator.code}:{row.unit.code}",
                    "name": " – ".join(
                        [
                            *([row.indicator.name] if several_indicators or not several_units else []),
                            *([row.unit.name] if several_units else []),
                        ]
                    ),
                    "role": "value",
                    "unit": row.indicator.unit.name,
                    "data": [None if v is None else float(v) for v in row.values],
                }
                for row in self.rows
            ],
        }


def build_pivot(query: Query) -> Pivot:
    """The values of the query's indicators × units × periods, through the figures layer."""
    periods = query.periods
    codes = [i.code for i in query.indicators]
    kinds = [query.kind]

    def figures(period: Period) -> FigureSet:
        try:
            return get_figures(query.units, period, codes, kinds=kinds)
        except FigureLookupError as exc:
            raise ExplorerError(str(exc)) from None

    if query.period_type == PeriodType.MONTH:
        by_period = {p: figures(p) for p in periods}
        month_sets: dict[Period, FigureSet] = by_period
    else:
        by_period = {p: figures(p) for p in periods}
        month_sets = {m: figures(m) for p in periods for m in p.months()}

    rows = []
    for indicator in query.indicators:
        for unit in query.units:
            values = []
            for period in periods:
                own = _value(by_period[period], indicator.code, unit.code, query.kind)
                if own is None and query.period_type != PeriodType.MONTH:
                    months = [
                        _value(month_sets[m], indicator.code, unit.code, query.kind) for m in period.months()
                    ]
                    own = _over_periods(months, query.kind, indicator.aggregation_across_periods)
                values.append(own)
            rows.append(Row(indicator, unit, tuple(values)))
    return Pivot(query, periods, tuple(rows))


def _value(figures: FigureSet, indicator: str, unit: str, kind: str) -> Decimal | None:
    figure = figures.figures.get((indicator, unit, kind))
    return None if figure is None else figure.value


def _over_periods(values: Sequence[Decimal | None], kind: str, how: str) -> Decimal | None:
    """A longer period's value from its months' values, in order (None where no month has one)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if kind == ValueKind.CUMULATIVE or how == Aggregation.LAST:
        return present[-1]
    if how == Aggregation.SUM:
        return sum(present, Decimal(0))
    if how == Aggregation.AVERAGE:
        return sum(present, Decimal(0)) / len(present)
    return present[0] if len(values) == 1 else None  # a value that does not add up over months


# ---------------------------------------------------------------------------------------------- exports


def _cell_number(value: Decimal | None) -> int | Decimal | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value.normalize()


def to_xlsx(pivot: Pivot) -> bytes:
    """The table as a workbook: sheet “Số liệu” (the page's table, numbers as number cells, text as text)
    and sheet “Lựa chọn” (what was chosen, the Decree 09 window of each period)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Số liệu"
    append_row(sheet, pivot.header)
    for line in pivot.lines():
        append_row(sheet, [*line[:4], *(_cell_number(v) for v in line[4:])])
    about = book.create_sheet("Lựa chọn")
    append_row(about, ["Loại số liệu", pivot.kind_label])
    append_row(about, ["Loại kỳ", pivot.query.period_type.label])
    for period in pivot.periods:
        start, end = period.reporting_window
        append_row(about, [period.label, f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(pivot: Pivot) -> str:
    """The table as CSV (UTF-8): Vietnamese number notation, formula-safe text cells (core.cells). It
    starts with a byte order mark: Excel, where an office opens it with a double click, reads a CSV without
    one in the Windows code page and garbles every Vietnamese letter (the project's CSV readers drop it)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_escape(t) for t in pivot.header])
    for line in pivot.lines():
        writer.writerow(
            [*(csv_escape(t) for t in line[:4]), *("" if v is None else format_number(v) for v in line[4:])]
        )
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------- search


def indicator_choices() -> list[dict[str, str]]:
    """Every active indicator for the page's search box: code, name, unit, and the accent-free key the
    browser matches what is typed against (core.text.search_key, the server's own folding)."""
    return [
        {
            "code": i.code,
            "name": i.name,
            "unit": i.unit.name,
            "key": i.search_key or search_key(f"{i.code} {i.name}"),
        }
        for i in Indicator.objects.active().select_related("unit")
    ]


def search_indicators(text: str, limit: int = MAX_SEARCH_RESULTS) -> list[Indicator]:
    """Active indicators whose code or name contains every word typed, with or without accents."""
    words = search_key(text).split()
    if not words:
        return []
    queryset = Indicator.objects.active().select_related("unit")
    for word in words[:10]:
        queryset = queryset.filter(search_key__contains=word)
    return list(queryset[:limit])
