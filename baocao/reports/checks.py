"""Checking a report template before it is saved: a block's syntax (line numbers), the indicator codes it
names, and trial renders: over sample figures (every value 1) to find the template's own mistakes, then
over the period's real figures and over figures without any data, so that a branch taken only by real
data (``{% if f.HS_VU.value > 1 %}`` and a loop too long inside) is run before the block is saved. Every
trial runs within the template limits (:mod:`baocao.reports.limits`); a missing figure is accepted in the
last two (the block is marked "[chưa lập được]" until the data arrives), any other failure is not."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from baocao.analytics.figures import Figure, FigureSet, TargetFigure, get_figures
from baocao.collection.models import ValueKind
from baocao.collection.services import latest_month
from baocao.core.periods import Period, PeriodType
from baocao.core.text import nfc
from baocao.indicators.models import Indicator, TargetType
from baocao.orgunits.models import OrgUnit
from baocao.reports.building import parse_paragraphs, parse_table
from baocao.reports.charts import chart_problems
from baocao.reports.errors import ReportError
from baocao.reports.models import BlockKind
from baocao.reports.providers import provided_context
from baocao.reports.rendering import (
    MissingFigure,
    RenderError,
    missing_figures,
    render_block,
    report_context,
    validate_block,
)

__all__ = ["BlockChecker", "check_block_source", "parse_period_type"]


def sample_figures(period: Period) -> FigureSet:
    """Every active indicator with every value and every target type equal to 1: a trial render over it
    finds the template's own mistakes (wrong attribute, misused filter) and never a missing figure."""
    unit = OrgUnit(code="_", name="Đơn vị thử")
    one = Decimal(1)
    target_types = list(TargetType.objects.all())
    indicators = {i.code: i for i in Indicator.objects.filter(is_active=True).select_related("unit")}
    figures: dict[tuple[str, str, str], Figure] = {}
    for code, indicator in indicators.items():
        targets = {t.code: TargetFigure(t.code, t.name, period, one, one, one) for t in target_types}
        for kind in ValueKind.values:
            figures[(code, unit.code, kind)] = Figure(
                indicator, unit, period, kind, one, one, one, one, targets
            )
    return FigureSet(period, [unit], indicators, figures)


def _default_period(period_type: PeriodType) -> Period | None:
    """The period of the latest stored month, as a period of ``period_type`` (None: no data yet)."""
    month = latest_month()
    return None if month is None else Period.containing(period_type, month.cutoff_date)


def _trial(source: str, kind: str, context: dict[str, Any]) -> None:
    output = render_block(source, context)
    if kind == BlockKind.TABLE:
        parse_table(output)
    else:
        parse_paragraphs(output)


@dataclass
class BlockChecker:
    """Checks block sources against the indicators that exist and trial renders (built once per import):
    ``context`` has every figure equal to 1; ``trials`` are the real figures of a unit and period and the
    same indicators without data, each with the label its problems are prefixed with."""

    codes: set[str]
    context: dict[str, Any]
    trials: list[tuple[str, dict[str, Any]]]

    @classmethod
    def create(
        cls, period_type: str = "month", *, org_unit: OrgUnit | None = None, period: Period | None = None
    ) -> BlockChecker:
        """``org_unit`` and ``period`` give the real figures (default: the top unit and the latest month
        with data, as a period of ``period_type``)."""
        type_ = parse_period_type(period_type)
        sample_period = period or Period.containing(type_, datetime.date(2020, 6, 1))
        sample = sample_figures(sample_period)
        context = report_context(
            sample,
            sample_period,
            "Đơn vị thử",
            extra=provided_context(None, sample_period),
            next_figures=sample,
        )
        empty = missing_figures(sample)
        trials = [
            (
                "Thử khi chưa có số liệu",
                report_context(
                    empty,
                    sample_period,
                    "Đơn vị thử",
                    extra=provided_context(None, sample_period),
                    next_figures=empty,
                ),
            )
        ]
        unit = org_unit or OrgUnit.objects.filter(parent=None).order_by("sort_order", "pk").first()
        real_period = period or _default_period(type_)
        if unit is not None and real_period is not None:
            real = report_context(
                get_figures([unit], real_period),
                real_period,
                unit.name,
                extra=provided_context(unit, real_period),
                next_figures=get_figures([unit], real_period.next()),
            )
            trials.insert(0, (f"Thử với số liệu {real_period.label} của {unit.name}", real))
        return cls(set(sample.indicators), context, trials)

    def problems(self, source: str, kind: str = BlockKind.TEXT) -> list[str]:
        if kind == BlockKind.CHART:  # settings, not a template (reports.charts)
            return chart_problems(source, self.codes)
        problems = validate_block(source, self.codes)
        if problems:
            return problems
        try:
            _trial(source, kind, self.context)
        except RenderError as exc:
            return [str(exc)]
        for label, context in self.trials:
            try:
                _trial(source, kind, context)
            except MissingFigure:
                continue  # marked in the draft until the data is there
            except RenderError as exc:
                return [f"{label}: {exc}"]
        return []


def parse_period_type(value: str) -> PeriodType:
    try:
        return PeriodType(value)
    except ValueError:
        raise ReportError(
            f'Loại kỳ "{value}" không hợp lệ (dùng: {", ".join(t.value for t in PeriodType)}).'
        ) from None


def check_block_source(source: str, kind: str = BlockKind.TEXT, period_type: str = "month") -> list[str]:
    """Problems of one block's template, in Vietnamese with line numbers (empty: it can be saved)."""
    if kind == BlockKind.CONTRIBUTIONS:
        return []
    return BlockChecker.create(period_type).problems(nfc(source), kind)
