"""Vietnam's public holidays by law, from the maintained ``holidays`` package: New Year, Tết (with the
days the government adds around it), Hùng Kings, 30/4, 1/5, 2/9 (and 1 or 3/9 from 2021), the observed
days when a holiday falls on a weekend, and the swaps of past years the package knows (a day off
exchanged for a Saturday worked). The administrator's own adjustments for a year (DayAdjustment) are
applied on top of this by :mod:`baocao.core.dates`; this module knows nothing of the database, so the
model can check an adjustment against it."""

from __future__ import annotations

import datetime
import functools

import holidays

__all__ = ["base_is_working_day", "holiday_name"]


@functools.cache
def _calendar(year: int) -> holidays.HolidayBase:
    # One calendar per year, in Vietnamese (the names are shown to users); immutable once built.
    return holidays.country_holidays("VN", years=year, language="vi")


def base_is_working_day(day: datetime.date) -> bool:
    """A working day by law and the package's known swaps: Monday to Friday that is not a public
    holiday, or a weekend day the government made a working day."""
    return bool(_calendar(day.year).is_working_day(day))


def holiday_name(day: datetime.date) -> str | None:
    """The Vietnamese name of the public holiday on ``day`` ("Quốc khánh", "Mùng hai Tết Nguyên Đán"),
    or None."""
    name = _calendar(day.year).get(day)
    return str(name) if name else None
