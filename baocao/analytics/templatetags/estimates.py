"""The month-end estimate suggestions of the entry page (issue 19): for each field of a form that asks for
an estimate (ước thực hiện) of a month, the suggestion of analytics.forecast, or why there is none."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template

from baocao.analytics.forecast import MonthEstimate, Unavailable, month_end_estimate, rounded
from baocao.collection.models import Submission, ValueKind
from baocao.core.numbers import format_number, format_percent
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import Indicator

register = template.Library()


@dataclass(frozen=True, slots=True)
class Suggestion:
    key: str  # the entry field's key
    indicator: Indicator
    estimate: MonthEstimate | Unavailable
    stored: Decimal | None  # the estimate already stored, if any

    @property
    def value(self) -> Decimal | None:
        if isinstance(self.estimate, MonthEstimate):
            return rounded(self.estimate.value, self.indicator)
        return None

    @property
    def text(self) -> str:
        e = self.estimate
        if not isinstance(e, MonthEstimate):
            return str(e)
        unit = self.indicator.unit.name
        years = ", ".join(str(y) for y in e.years)
        low, high = rounded(e.low, self.indicator), rounded(e.high, self.indicator)
        span = f" (khoảng {format_number(low)} – {format_number(high)})" if low != high else ""
        return (
            f"Gợi ý ước thực hiện cả tháng: {format_number(self.value or 0)} {unit}{span}, từ số đến ngày "
            f"{e.day} ({format_number(e.part)} {unit}) và cùng tháng năm {years} (đến ngày {e.day} đạt "
            f"{format_percent(e.mean_share)} cả tháng)."
        )

    @property
    def is_stored(self) -> bool:
        return self.value is not None and self.stored == self.value


@register.simple_tag
def estimate_suggestions(submission: Submission, groups: Any) -> list[Suggestion]:
    """The suggestions for the form's estimate fields of a month (none for other period types)."""
    period = Period.parse(submission.period)
    if period.type != PeriodType.MONTH:
        return []
    out = []
    for _sector, fields in groups:
        for f in fields:
            if f.kind != ValueKind.ESTIMATE:
                continue
            estimate = month_end_estimate(submission.org_unit, period, f.indicator.code)
            stored = f.stored.value if f.stored is not None else None
            out.append(Suggestion(f.key, f.indicator, estimate, stored))
    return out
