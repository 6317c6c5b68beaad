"""Dates as written in Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP), and the working-day
rule every deadline uses.

Working days (docs/decisions/0020-working-days-and-demo-clock.md): Monday to Friday, except Vietnam's
public holidays (the ``holidays`` package, :mod:`baocao.core.publicholidays`: Tết, 30/4, 1/5, 2/9, ...
and the observed days), with the administrator's yearly adjustments on top (``DayAdjustment``: an extra
day off, a Saturday worked in exchange). Deadlines of forms (``DataSet.deadline``), reminders and task
lateness all go through :func:`add_working_days`, :func:`is_working_day`, :func:`working_days_between`
and :func:`first_working_day`.

The adjustments are read once per year and kept in this process; the cache is dropped when a row is
saved or deleted and at the start of every request (so every process of a deployment sees an
administrator's change from its next request on).
"""

import re
import threading
from datetime import date, timedelta

from baocao.core.models import DayAdjustment
from baocao.core.publicholidays import base_is_working_day, holiday_name
from baocao.core.text import clean, nfc

__all__ = [
    "DateParseError",
    "add_working_days",
    "clear_working_day_cache",
    "day_off_reason",
    "decree30_date",
    "first_working_day",
    "is_working_day",
    "parse_date",
    "short_date",
    "working_days_between",
]

_ACCEPTED_FORMS = (
    "ngày/tháng/năm như 05/6/2020, 5/6/2020, 05-06-2020, 05.06.2020 (ngày viết trước), "
    "hoặc dạng ISO năm-tháng-ngày 2020-06-05; năm phải có 4 chữ số"
)

_DAY_FIRST = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})", re.ASCII)
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)


class DateParseError(ValueError):
    """Raised by :func:`parse_date` for text that is not a valid date."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f'Không đọc được ngày "{text}": {reason}. Cách viết hợp lệ: {_ACCEPTED_FORMS}.')


def decree30_date(d: date, place: str | None = None, blank_day: bool = False) -> str:
    """The place-and-date line of a document, per Nghị định 30/2020/NĐ-CP.

    Days below 10 and months 1 and 2 get a leading zero; other months and days ≥ 10 are written as is:
    ``"ngày 05 tháng 6 năm 2020"``, ``"ngày 14 tháng 02 năm 2021"``, ``"ngày 31 tháng 12 năm 2020"``.
    With ``place``: ``"TP. Lạng Sơn, ngày 05 tháng 6 năm 2020"`` (``place`` is NFC-cleaned; an empty
    place is ignored). ``blank_day=True`` leaves the day empty for a draft awaiting signature:
    ``"TP. Lạng Sơn, ngày      tháng 6 năm 2020"``.
    """
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    day = " " * 5 if blank_day else f"{d.day:02d}"
    line = f"ngày {day} tháng {month} năm {d.year}"
    where = clean(place) if place is not None else ""
    return f"{where}, {line}" if where else line


def short_date(d: date) -> str:
    """Date for running text, day and month not padded: ``"5/5/2020"``, ``"14/6/2020"``."""
    return f"{d.day}/{d.month}/{d.year}"


def parse_date(text: str) -> date:
    """Read ``"dd/mm/yyyy"``, ``"d/m/yyyy"``, ``"dd-mm-yyyy"``, ``"dd.mm.yyyy"`` (day always first; the two
    separators must be the same) or ISO ``"yyyy-mm-dd"``. Surrounding whitespace is ignored.

    Raises :class:`DateParseError` (a ``ValueError``) quoting the input, also for impossible dates such
    as ``"31/02/2020"``.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_date chỉ nhận chuỗi, không nhận {type(text).__name__}: {text!r}")
    s = nfc(text).strip()
    if not s:
        raise DateParseError(text, "chuỗi rỗng")
    if m := _DAY_FIRST.fullmatch(s):
        day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    elif m := _ISO.fullmatch(s):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        raise DateParseError(text, "không đúng định dạng")
    if not 1 <= month <= 12:
        raise DateParseError(text, f"tháng {month} không hợp lệ")
    if year < 1:
        raise DateParseError(text, f"năm {year} không hợp lệ")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateParseError(text, f"tháng {month} năm {year} không có ngày {day}") from None


_adjustments: dict[int, dict[date, str]] = {}
_adjustments_lock = threading.Lock()


def clear_working_day_cache(*args: object, **kwargs: object) -> None:
    """Forget the adjustments read so far (a signal receiver: any arguments are ignored)."""
    with _adjustments_lock:
        _adjustments.clear()


def _adjusted(year: int) -> dict[date, str]:
    with _adjustments_lock:
        cached = _adjustments.get(year)
    if cached is None:
        cached = dict(DayAdjustment.objects.filter(date__year=year).values_list("date", "kind"))
        with _adjustments_lock:
            _adjustments[year] = cached
    return cached


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a public holiday, unless the administrator's adjustments for the year
    say otherwise (an extra day off; a Saturday worked in exchange)."""
    kind = _adjusted(d.year).get(d)
    if kind is not None:
        return kind == DayAdjustment.Kind.WORKING_DAY
    return base_is_working_day(d)


def day_off_reason(d: date) -> str | None:
    """Why ``d`` is not a working day, in Vietnamese ("Quốc khánh", "Ngày nghỉ cuối tuần", the
    administrator's note or decision), or None when it is one."""
    if is_working_day(d):
        return None
    if _adjusted(d.year).get(d) == DayAdjustment.Kind.DAY_OFF:
        adjustment = DayAdjustment.objects.filter(date=d).first()
        if adjustment is not None:
            return adjustment.note or f"Ngày nghỉ theo {adjustment.decision}"
    return holiday_name(d) or "Ngày nghỉ cuối tuần"


def add_working_days(d: date, days: int) -> date:
    """The date ``days`` working days after ``d`` (before it when ``days`` is negative; ``d`` itself for
    0): Friday 12/6/2020 + 2 → Tuesday 16/6/2020; Wednesday 22/1/2020 + 1 → Thursday 30/1/2020 (Tết);
    Wednesday 29/4/2020 + 1 → Monday 4/5/2020 (30/4 and 1/5)."""
    step = timedelta(days=1 if days >= 0 else -1)
    current = d
    remaining = abs(days)
    while remaining > 0:
        current += step
        if is_working_day(current):
            remaining -= 1
    return current


def first_working_day(d: date) -> date:
    """``d`` if it is a working day, else the next one: a time limit whose last day is a day off ends
    on the next working day (Bộ luật Dân sự 2015, Điều 148 khoản 5)."""
    current = d
    while not is_working_day(current):
        current += timedelta(days=1)
    return current


def working_days_between(start: date, end: date) -> int:
    """The working days after ``start`` up to and including ``end`` (negative, counted the same way,
    when ``end`` is before ``start``): so ``add_working_days(start, working_days_between(start, end))``
    is ``end`` whenever ``end`` is a working day. Friday 12/6/2020 → Tuesday 16/6/2020: 2."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
