"""The leaders' dashboard: what a unit's (subtree's) period looks like at a glance, read live.

Every number comes from the figures layer (`get_figures`) on each load — nothing is stored or rebuilt, so
a value saved a second ago is on the next page. The queries are bounded whatever the number of cards,
indicators or units: the card set (2), one `get_figures` call for every card (5), the submission picture
(collection's `timeliness`, 4), the drill-down table one `get_figures` call; the trend charts add the
series layer's fixed cost (`analytics.series`).

The colour of a change is decided by :func:`card_status` from the indicator's stored judgement
(`Indicator.direction`: whether up is good, and `warning_band`: how much worse is still amber), never by
the page (docs/decisions/0010-dashboard.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from baocao.analytics.figures import Figure, TargetFigure, get_figures
from baocao.analytics.models import KeyFigureCard
from baocao.collection.workflow import Timeliness, timeliness
from baocao.core.numbers import format_number, format_percent
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import Direction, Indicator
from baocao.orgunits.models import OrgUnit

__all__ = [
    "Card",
    "CardStatus",
    "Comparison",
    "PlanProgress",
    "SubmissionPicture",
    "UnitRow",
    "build_cards",
    "card_status",
    "submission_picture",
    "unit_table",
]

GREEN, AMBER, RED, NEUTRAL = "green", "amber", "red", "neutral"
UP, DOWN, FLAT = "up", "down", "flat"
_ARROWS = {UP: "▲", DOWN: "▼", FLAT: "▬", "": ""}
_COLOUR_WORDS = {GREEN: "tốt", AMBER: "cần chú ý", RED: "xấu đi", NEUTRAL: "không đánh giá"}
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class CardStatus:
    """The arrow and colour of a change from a reference value to the current one."""

    arrow: str  # "up", "down", "flat", or "" when there is nothing to compare
    colour: str  # "green", "amber", "red" or "neutral"
    change: Decimal | None  # the change in percent of the reference (None: no reference or it is zero)

    @property
    def symbol(self) -> str:
        return _ARROWS[self.arrow]

    @property
    def text(self) -> str:
        """ "tăng 12,5%", "giảm 3%", "không đổi", "tăng (kỳ so sánh bằng 0)", "chưa có số liệu để so sánh"."""
        if not self.arrow:
            return "chưa có số liệu để so sánh"
        if self.arrow == FLAT:
            return "không đổi"
        verb = "tăng" if self.arrow == UP else "giảm"
        if self.change is None:
            return f"{verb} (kỳ so sánh bằng 0)"
        return f"{verb} {format_percent(abs(self.change) / _HUNDRED)}"

    @property
    def judgement(self) -> str:
        return _COLOUR_WORDS[self.colour]


def card_status(
    value: Decimal | None, reference: Decimal | None, direction: str, warning_band: Decimal
) -> CardStatus:
    """The arrow and colour of ``value`` against ``reference`` for an indicator whose ``direction`` says
    whether up is good:

    - arrow: up, down or flat by the sign of the change; none when either value is missing;
    - colour: neutral when the indicator is not judged (``Direction.NONE``) or nothing is compared; green
      when the change goes the good way or there is none; amber when it goes the bad way by at most
      ``warning_band`` percent of the reference; red beyond (or from a reference of zero).
    """
    if value is None or reference is None:
        return CardStatus("", NEUTRAL, None)
    change = None if reference == 0 else (value - reference) / abs(reference) * _HUNDRED
    arrow = UP if value > reference else DOWN if value < reference else FLAT
    if direction not in (Direction.UP, Direction.DOWN):
        return CardStatus(arrow, NEUTRAL, change)
    good = {Direction.UP: UP, Direction.DOWN: DOWN}[Direction(direction)]
    if arrow in (FLAT, good):
        return CardStatus(arrow, GREEN, change)
    if change is not None and abs(change) <= warning_band:
        return CardStatus(arrow, AMBER, change)
    return CardStatus(arrow, RED, change)


@dataclass(frozen=True, slots=True)
class Comparison:
    label: str  # "so với tháng trước", "so với cùng kỳ năm trước"
    period: Period
    reference: Decimal | None
    status: CardStatus


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """The share of one plan reached: the value of the period against a plan of the same period, the year
    to date against a plan of a longer one (dự toán năm, kế hoạch vốn)."""

    target: TargetFigure
    cumulative: bool  # compared with the year to date

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def ratio(self) -> Decimal | None:
        return self.target.ytd_ratio if self.cumulative else self.target.ratio

    @property
    def achieved(self) -> Decimal | None:
        return self.target.achieved_ytd if self.cumulative else self.target.achieved

    @property
    def percent_text(self) -> str:
        return "" if self.ratio is None else format_percent(self.ratio)

    @property
    def bar_width(self) -> int:
        """The progress bar's width in whole percent, 0–100 (over 100% fills the bar)."""
        if self.ratio is None:
            return 0
        return int(max(Decimal(0), min(_HUNDRED, self.ratio * _HUNDRED)).to_integral_value())

    @property
    def label(self) -> str:
        if self.cumulative:
            return f"lũy kế từ đầu năm so với {self.target.name} {self.target.period.label}"
        return f"so với {self.target.name}"


@dataclass(frozen=True, slots=True)
class Card:
    card: KeyFigureCard
    figure: Figure
    plans: tuple[PlanProgress, ...]
    comparisons: tuple[Comparison, ...]

    @property
    def indicator(self) -> Indicator:
        return self.figure.indicator

    @property
    def title(self) -> str:
        return self.card.label

    @property
    def value(self) -> Decimal | None:
        return self.figure.value

    @property
    def value_text(self) -> str:
        return "" if self.value is None else format_number(self.value)

    @property
    def unit_name(self) -> str:
        return self.indicator.unit.name

    @property
    def kind(self) -> str:
        return self.figure.kind

    @property
    def kind_label(self) -> str:
        return self.figure.kind_label

    @property
    def colour(self) -> str:
        """The card's own colour: that of the comparison with last year, else with the previous period."""
        for comparison in reversed(self.comparisons):
            if comparison.status.arrow:
                return comparison.status.colour
        return NEUTRAL


def _plans(card: KeyFigureCard, figure: Figure, chosen: Sequence[str]) -> tuple[PlanProgress, ...]:
    targets = figure.targets
    codes = [c for c in chosen if c in targets] if chosen else list(targets)
    return tuple(PlanProgress(targets[c], targets[c].period != figure.period) for c in codes)


def _comparison_label(period: Period, which: str) -> str:
    if which == "last_year":
        return "so với cùng kỳ năm trước"
    names = {
        PeriodType.MONTH: "tháng trước",
        PeriodType.QUARTER: "quý trước",
        PeriodType.YEAR: "năm trước",
    }
    return f"so với {names.get(period.type, 'kỳ trước')}"


def build_cards(unit: OrgUnit, period: Period, cards: Sequence[KeyFigureCard]) -> list[Card]:
    """The cards of ``unit`` (its subtree rolled up) for ``period``: one `get_figures` call for all."""
    if not cards:
        return []
    codes = list(dict.fromkeys(c.indicator.code for c in cards))
    kinds = list(dict.fromkeys(c.kind for c in cards))
    figures = get_figures([unit], period, codes, kinds=kinds)
    result = []
    previous, last_year = period.previous(), period.same_period_last_year()
    for card in cards:
        figure = figures.get(card.indicator.code, card.kind, unit.code)
        indicator = figure.indicator
        direction, band = indicator.direction, indicator.warning_band
        comparisons = (
            Comparison(
                _comparison_label(period, "previous"),
                previous,
                figure.previous,
                card_status(figure.value, figure.previous, direction, band),
            ),
            Comparison(
                _comparison_label(period, "last_year"),
                last_year,
                figure.last_year,
                card_status(figure.value, figure.last_year, direction, band),
            ),
        )
        chosen = [t.code for t in card.target_types.all()]  # prefetched by cards_for
        result.append(Card(card, figure, _plans(card, figure, chosen), comparisons))
    return result


@dataclass
class DataSetRow:
    name: str
    code: str
    on_time: int = 0
    late: int = 0
    missing: int = 0
    missing_units: list[OrgUnit] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.missing


@dataclass
class SubmissionPicture:
    """On time / late / not sent per data set for the period, and the units that have not sent."""

    period: Period
    rows: list[Timeliness]
    data_sets: list[DataSetRow]

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)

    @property
    def on_time(self) -> int:
        return self.count("on_time")

    @property
    def late(self) -> int:
        return self.count("late")

    @property
    def missing(self) -> int:
        return self.count("missing")

    @property
    def total(self) -> int:
        return len(self.rows)

    def share(self, state: str) -> int:
        """The whole percent of the forms in ``state`` (the bar's segment widths)."""
        return round(self.count(state) * 100 / self.total) if self.total else 0

    @property
    def segments(self) -> list[tuple[str, str, int, int]]:
        """(state, label, count, whole percent) of the bar: on time, late, not sent."""
        labels = {"on_time": "Đúng hạn", "late": "Muộn", "missing": "Chưa gửi"}
        return [(state, label, self.count(state), self.share(state)) for state, label in labels.items()]

    @property
    def missing_units(self) -> list[OrgUnit]:
        units = {r.org_unit.pk: r.org_unit for r in self.rows if r.state == "missing"}
        return sorted(units.values(), key=lambda u: (u.sort_order, u.code))


def submission_picture(period: Period, units: QuerySet[OrgUnit]) -> SubmissionPicture:
    """The completeness and timeliness of ``period`` for the forms of ``units`` (collection's table)."""
    rows = timeliness(period, units)
    by_set: dict[int, DataSetRow] = {}
    for row in rows:
        entry = by_set.setdefault(row.data_set.pk, DataSetRow(row.data_set.name, row.data_set.code))
        setattr(entry, row.state, getattr(entry, row.state) + 1)
        if row.state == "missing":
            entry.missing_units.append(row.org_unit)
    return SubmissionPicture(period, rows, list(by_set.values()))


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit's line of the drill-down table: its figure (its subtree rolled up) and whether its value is
    stored there (an agency: the value's history exists) or gathered from units below."""

    unit: OrgUnit
    figure: Figure
    has_children: bool
    previous_status: CardStatus
    last_year_status: CardStatus


def unit_table(
    unit: OrgUnit,
    period: Period,
    indicator_code: str,
    kind: str,
    children: Iterable[OrgUnit],
    parents: set[int],
) -> tuple[UnitRow, list[UnitRow]]:
    """The indicator for ``unit`` (the total row) and each of ``children`` (each rolled up over its subtree)
    in ``period``, with the previous period and last year: one `get_figures` call. ``parents``: the ids of
    the children that have units below them."""
    children = list(children)
    figures = get_figures([unit, *children], period, [indicator_code], kinds=[kind])
    indicator = figures.indicators[indicator_code]
    direction, band = indicator.direction, indicator.warning_band

    def row(member: OrgUnit, has_children: bool) -> UnitRow:
        figure = figures.get(indicator_code, kind, member.code)
        return UnitRow(
            member,
            figure,
            has_children,
            card_status(figure.value, figure.previous, direction, band),
            card_status(figure.value, figure.last_year, direction, band),
        )

    return row(unit, bool(children)), [row(child, child.pk in parents) for child in children]
