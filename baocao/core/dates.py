"""Dates as written in Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP)."""

import re
from datetime import date, timedelta

from baocao.core.text import clean, nfc

__all__ = ["DateParseError", "add_working_days", "decree30_date", "parse_date", "short_date"]

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


def add_working_days(d: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``d``: Friday 12/6/2020 + 2 → 16/6/2020.
    Public holidays are not known here; a deadline that falls on one is still printed as computed."""
    current = d
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
