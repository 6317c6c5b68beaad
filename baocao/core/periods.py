"""Reporting periods (kỳ báo cáo) per Decree 09/2019/NĐ-CP.

Decree 09 fixes the data cut-off window of a periodic report: from the 15th of the month
before the period's first month up to the 14th of its last month, inclusive.  January,
Q1, the first half-year, the nine months and the year therefore start on 15/12 of the
*previous* year; a period's ``year`` is always the year it ends in.

The "calendar" window is the plain calendar month / quarter / half / January–September /
year; it is used for estimates ("ước thực hiện") and statistics.

Period ids::

    "202006"  month 6/2020          "2020S1"  first half of 2020
    "2020Q2"  quarter II/2020       "2020S2"  second half of 2020
    "2020N9"  nine months of 2020   "2020"    year 2020
"""

from __future__ import annotations

import calendar
import datetime
import enum
import re
from dataclasses import dataclass

__all__ = ["Period", "PeriodError", "PeriodType", "parse_period"]

MIN_YEAR = 1900
MAX_YEAR = 9999
# A period given by a user (parse) lies one year inside that range, so that its previous period, the same
# period last year, the next period and its year-to-date window always exist: every page compares with them.
FIRST_REPORTING_YEAR = MIN_YEAR + 1
LAST_REPORTING_YEAR = MAX_YEAR - 1

#: Day of month on which a reporting window starts (in the month *before* the period's first month).
WINDOW_START_DAY = 15
#: Day of month on which a reporting window ends (the cut-off date, in the period's last month).
CUTOFF_DAY = 14


class PeriodType(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"

    @property
    def label(self) -> str:
        """Vietnamese name of the period type."""
        return _TYPE_LABELS[self]

    @property
    def periods_per_year(self) -> int:
        return 12 // _MONTH_SPAN[self] if self is not PeriodType.NINE_MONTHS else 1


_TYPE_LABELS: dict[PeriodType, str] = {
    PeriodType.MONTH: "Tháng",
    PeriodType.QUARTER: "Quý",
    PeriodType.HALF_YEAR: "6 tháng",
    PeriodType.NINE_MONTHS: "9 tháng",
    PeriodType.YEAR: "Năm",
}

# Number of months covered by one period of each type.
_MONTH_SPAN: dict[PeriodType, int] = {
    PeriodType.MONTH: 1,
    PeriodType.QUARTER: 3,
    PeriodType.HALF_YEAR: 6,
    PeriodType.NINE_MONTHS: 9,
    PeriodType.YEAR: 12,
}

# Vietnamese wording of the index range, for error messages.
_INDEX_NAMES: dict[PeriodType, str] = {
    PeriodType.MONTH: "tháng",
    PeriodType.QUARTER: "quý",
    PeriodType.HALF_YEAR: "kỳ 6 tháng",
    PeriodType.NINE_MONTHS: "kỳ 9 tháng",
    PeriodType.YEAR: "kỳ năm",
}

_ROMAN = ("I", "II", "III", "IV")

_ACCEPTED_FORMS = (
    "các dạng hợp lệ: YYYYMM (tháng, ví dụ 202006), YYYYQn (quý, n = 1–4, ví dụ 2020Q2), "
    "YYYYSn (6 tháng, n = 1–2, ví dụ 2020S1), YYYYN9 (9 tháng, ví dụ 2020N9), YYYY (năm, ví dụ 2020)"
)

_ID_RE = re.compile(
    r"(?P<year>\d{4})(?:(?P<month>\d{2})|Q(?P<quarter>\d)|S(?P<half>\d)|N(?P<nine>\d))?",
    re.IGNORECASE | re.ASCII,
)


class PeriodError(ValueError):
    """Invalid reporting period (bad id, out-of-range value or unsupported operation)."""


def _shift_month(year: int, month: int, n: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + n
    return total // 12, total % 12 + 1


def _validation_problem(type_: PeriodType, year: object, index: object) -> str | None:
    """Vietnamese description of what is wrong with (type, year, index), or None if valid."""
    if not isinstance(year, int) or isinstance(year, bool):
        return f"năm phải là số nguyên (nhận được {year!r})"
    if not isinstance(index, int) or isinstance(index, bool):
        return f"chỉ số kỳ phải là số nguyên (nhận được {index!r})"
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"năm {year} nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}"
    count = type_.periods_per_year
    if not 1 <= index <= count:
        expected = f"từ 1 đến {count}" if count > 1 else "bằng 1"
        return f"{_INDEX_NAMES[type_]} phải {expected} (nhận được {index})"
    return None


def _fmt(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A reporting period; immutable, hashable, ordered by (type, year, index).

    Ordering is only meaningful between periods of the same type.
    """

    type: PeriodType
    year: int
    index: int

    def __post_init__(self) -> None:
        if not isinstance(self.type, PeriodType):
            try:
                object.__setattr__(self, "type", PeriodType(self.type))
            except ValueError:
                raise PeriodError(f"Loại kỳ báo cáo {self.type!r} không hợp lệ.") from None
        problem = _validation_problem(self.type, self.year, self.index)
        if problem is not None:
            raise PeriodError(f"Kỳ báo cáo không hợp lệ: {problem}.")

    # ----------------------------------------------------------------- constructors

    @classmethod
    def parse(cls, period_id: str) -> Period:
        """Parse a period id ("202006", "2020Q2", "2020S1", "2020N9", "2020"); case-insensitive."""
        if not isinstance(period_id, str):
            raise PeriodError(f"Mã kỳ báo cáo {period_id!r} không hợp lệ: phải là chuỗi; {_ACCEPTED_FORMS}.")
        text = period_id.strip()
        match = _ID_RE.fullmatch(text)
        if match is None:
            shown = period_id if len(period_id) <= 20 else f"{period_id[:20]}…"  # pages echo the message
            raise PeriodError(f'Mã kỳ báo cáo "{shown}" không hợp lệ: {_ACCEPTED_FORMS}.')
        year = int(match["year"])
        if match["month"] is not None:
            type_, index = PeriodType.MONTH, int(match["month"])
        elif match["quarter"] is not None:
            type_, index = PeriodType.QUARTER, int(match["quarter"])
        elif match["half"] is not None:
            type_, index = PeriodType.HALF_YEAR, int(match["half"])
        elif match["nine"] is not None:
            if match["nine"] != "9":
                raise PeriodError(
                    f'Mã kỳ báo cáo "{period_id}" không hợp lệ: kỳ 9 tháng phải viết là YYYYN9; '
                    f"{_ACCEPTED_FORMS}."
                )
            type_, index = PeriodType.NINE_MONTHS, 1
        else:
            type_, index = PeriodType.YEAR, 1
        problem = _validation_problem(type_, year, index)
        if problem is None and not FIRST_REPORTING_YEAR <= year <= LAST_REPORTING_YEAR:
            problem = f"năm {year} nằm ngoài khoảng {FIRST_REPORTING_YEAR}–{LAST_REPORTING_YEAR} của các kỳ"
        if problem is not None:
            raise PeriodError(f'Mã kỳ báo cáo "{period_id}" không hợp lệ: {problem}; {_ACCEPTED_FORMS}.')
        return cls(type_, year, index)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(PeriodType.MONTH, year, month)

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        return cls(PeriodType.QUARTER, year, q)

    @classmethod
    def half_year(cls, year: int, h: int) -> Period:
        return cls(PeriodType.HALF_YEAR, year, h)

    @classmethod
    def nine_months(cls, year: int) -> Period:
        return cls(PeriodType.NINE_MONTHS, year, 1)

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls(PeriodType.YEAR, year, 1)

    @classmethod
    def containing(cls, type: PeriodType, day: datetime.date) -> Period:
        """The period of ``type`` whose Decree 09 reporting window contains ``day``.

        Raises PeriodError for NINE_MONTHS when ``day`` falls in 15/9..14/12 (no nine-month window).
        """
        type = PeriodType(type)
        # The reporting month of a day: days from the 15th on belong to the next month.
        year, month = day.year, day.month
        if day.day >= WINDOW_START_DAY:
            year, month = _shift_month(year, month, 1)
        if type is PeriodType.NINE_MONTHS and month > 9:
            raise PeriodError(
                f"Ngày {_fmt(day)} không thuộc kỳ báo cáo 9 tháng nào "
                f"(kỳ 9 tháng tính từ 15/12 năm trước đến 14/9)."
            )
        span = _MONTH_SPAN[type]
        index = 1 if type is PeriodType.NINE_MONTHS else (month - 1) // span + 1
        return cls(type, year, index)

    # ----------------------------------------------------------------- presentation

    @property
    def id(self) -> str:
        """Canonical id; inverse of :meth:`parse`."""
        match self.type:
            case PeriodType.MONTH:
                return f"{self.year:04d}{self.index:02d}"
            case PeriodType.QUARTER:
                return f"{self.year:04d}Q{self.index}"
            case PeriodType.HALF_YEAR:
                return f"{self.year:04d}S{self.index}"
            case PeriodType.NINE_MONTHS:
                return f"{self.year:04d}N9"
            case PeriodType.YEAR:
                return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.id

    @property
    def label(self) -> str:
        """Vietnamese label, e.g. "tháng 6/2020", "quý II/2020", "6 tháng đầu năm 2020"."""
        match self.type:
            case PeriodType.MONTH:
                return f"tháng {self.index}/{self.year}"
            case PeriodType.QUARTER:
                return f"quý {_ROMAN[self.index - 1]}/{self.year}"
            case PeriodType.HALF_YEAR:
                return f"6 tháng {'đầu' if self.index == 1 else 'cuối'} năm {self.year}"
            case PeriodType.NINE_MONTHS:
                return f"9 tháng năm {self.year}"
            case PeriodType.YEAR:
                return f"năm {self.year}"

    @property
    def short_label(self) -> str:
        """Short Vietnamese label for chart axes and table heads: "T6/2020", "Q2/2020", "6TĐ/2020",
        "9T/2020", "2020"."""
        match self.type:
            case PeriodType.MONTH:
                return f"T{self.index}/{self.year}"
            case PeriodType.QUARTER:
                return f"Q{self.index}/{self.year}"
            case PeriodType.HALF_YEAR:
                return f"6T{'Đ' if self.index == 1 else 'C'}/{self.year}"
            case PeriodType.NINE_MONTHS:
                return f"9T/{self.year}"
            case PeriodType.YEAR:
                return str(self.year)

    # ----------------------------------------------------------------- windows

    @property
    def _first_month(self) -> int:
        return (self.index - 1) * _MONTH_SPAN[self.type] + 1

    @property
    def _last_month(self) -> int:
        return self._first_month + _MONTH_SPAN[self.type] - 1

    @property
    def reporting_window(self) -> tuple[datetime.date, datetime.date]:
        """Decree 09 cut-off window, (inclusive start, inclusive end)."""
        start_year, start_month = _shift_month(self.year, self._first_month, -1)
        return (
            datetime.date(start_year, start_month, WINDOW_START_DAY),
            datetime.date(self.year, self._last_month, CUTOFF_DAY),
        )

    @property
    def calendar_window(self) -> tuple[datetime.date, datetime.date]:
        """Plain calendar window, (inclusive start, inclusive end)."""
        last = self._last_month
        return (
            datetime.date(self.year, self._first_month, 1),
            datetime.date(self.year, last, calendar.monthrange(self.year, last)[1]),
        )

    @property
    def cutoff_date(self) -> datetime.date:
        return self.reporting_window[1]

    @property
    def year_to_date_window(self) -> tuple[datetime.date, datetime.date]:
        """From the start of the year's first reporting window (15/12 of the previous year) to the cut-off."""
        return datetime.date(self.year - 1, 12, WINDOW_START_DAY), self.cutoff_date

    # ----------------------------------------------------------------- arithmetic

    def shift(self, n: int) -> Period:
        """The period ``n`` steps of the same type away (negative ``n`` goes back)."""
        per_year = self.type.periods_per_year
        year, offset = divmod(self.year * per_year + (self.index - 1) + n, per_year)
        return Period(self.type, year, offset + 1)

    def previous(self) -> Period:
        return self.shift(-1)

    def next(self) -> Period:
        return self.shift(1)

    def same_period_last_year(self) -> Period:
        return Period(self.type, self.year - 1, self.index)

    def year_to_date(self) -> tuple[Period, ...]:
        """Periods of the same type from the first of the year up to and including ``self``."""
        return tuple(Period(self.type, self.year, i) for i in range(1, self.index + 1))

    def months(self) -> tuple[Period, ...]:
        """The monthly periods covered by this period, in order."""
        return tuple(Period.month(self.year, m) for m in range(self._first_month, self._last_month + 1))

    def contains(self, other: Period) -> bool:
        """Whether ``other``'s reporting window lies within this period's."""
        start, end = self.reporting_window
        other_start, other_end = other.reporting_window
        return start <= other_start and other_end <= end

    def year_period(self) -> Period:
        return Period.year_of(self.year)


def parse_period(period_id: str) -> Period:
    """Alias of :meth:`Period.parse`."""
    return Period.parse(period_id)
