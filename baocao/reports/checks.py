"""Checking a report template before it is saved: a block's syntax (line numbers), the indicator codes it
names, and a trial render over sample figures (every value 1) that finds the template's own mistakes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from baocao.analytics.figures import Figure, FigureSet, TargetFigure
from baocao.collection.models import ValueKind
from baocao.core.periods import Period, PeriodType
from baocao.core.text import nfc
from baocao.indicators.models import Indicator, TargetType
from baocao.orgunits.models import OrgUnit
from baocao.reports.building import parse_paragraphs, parse_table
from baocao.reports.errors import ReportError
from baocao.reports.models import BlockKind
from baocao.reports.providers import provided_context
from baocao.reports.rendering import RenderError, render_block, report_context, validate_block

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


@dataclass
class BlockChecker:
    """Checks block sources against the indicators that exist and a trial render (built once per import)."""

    codes: set[str]
    context: dict[str, Any]

    @classmethod
    def create(cls, period_type: str = "month") -> BlockChecker:
        period = Period.containing(parse_period_type(period_type), datetime.date(2020, 6, 1))
        sample = sample_figures(period)
        context = report_context(
            sample, period, "Đơn vị thử", extra=provided_context(None, period), next_figures=sample
        )
        return cls(set(sample.indicators), context)

    def problems(self, source: str, kind: str = BlockKind.TEXT) -> list[str]:
        problems = validate_block(source, self.codes)
        if problems:
            return problems
        try:
            output = render_block(source, self.context)
            if kind == BlockKind.TABLE:
                parse_table(output)
            else:
                parse_paragraphs(output)
        except RenderError as exc:
            return [str(exc)]
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
