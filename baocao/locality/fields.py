"""Reading and writing the cells of a bundle: one function per kind of cell, each writing the canonical
form that export writes and reading what docs/locality-bundle.md allows, with errors naming the file,
the row and the column."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from baocao.core.numbers import NumberParseError, format_number, parse_number
from baocao.core.text import clean
from baocao.locality.bundle import BundleError, yes_no

T = TypeVar("T")

_YES = {"có", "co", "x", "1", "true", "yes", "đúng"}
_NO = {"không", "khong", "0", "false", "no", "sai"}


def text_out(value: str | None) -> str:
    return clean(value or "")


def number_out(value: Decimal | int | None) -> str:
    return "" if value is None else format_number(value)


def int_out(value: int | None) -> str:
    return "" if value is None else str(value)


def date_out(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def bool_out(value: bool) -> str:
    return yes_no(bool(value))


class RowReader:
    """The cells of one CSV row, read with their checks; every problem is appended to ``errors``."""

    def __init__(self, file: str, line: int, record: Mapping[str, str], errors: list[BundleError]):
        self.file = file
        self.line = line
        self.record = record
        self.errors = errors
        self.failed = False

    def error(self, column: str | None, message: str) -> None:
        self.errors.append(BundleError(self.file, self.line, column, message))
        self.failed = True

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.record.get(column, "")
        if required and not value:
            self.error(column, "không được để trống.")
        if max_length is not None and len(value) > max_length:
            self.error(column, f"dài quá {max_length} ký tự.")
        return value

    def choice(self, column: str, choices: Iterable[tuple[str, str]], default: str) -> str:
        value = self.record.get(column, "")
        if not value:
            return default
        options = list(choices)
        for code, label in options:
            if value == code or value.casefold() == str(label).casefold():
                return code
        allowed = ", ".join(code or "(để trống)" for code, _ in options)
        self.error(column, f"“{value}” không hợp lệ; dùng một trong: {allowed}.")
        return default

    def boolean(self, column: str, default: bool) -> bool:
        value = self.record.get(column, "").casefold()
        if not value:
            return default
        if value in _YES:
            return True
        if value in _NO:
            return False
        self.error(column, f"“{self.record.get(column)}” không hợp lệ; ghi “có” hoặc “không”.")
        return default

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        value = self.record.get(column, "")
        if not value:
            if required:
                self.error(column, "không được để trống (ngày dạng YYYY-MM-DD).")
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(column, f"“{value}” không phải ngày dạng YYYY-MM-DD (ví dụ 2025-07-01).")
            return None

    def number(self, column: str, *, required: bool = False) -> Decimal | None:
        value = self.record.get(column, "")
        if not value:
            if required:
                self.error(column, "không được để trống.")
            return None
        try:
            return parse_number(value)
        except NumberParseError as exc:
            self.error(column, str(exc))
            return None

    def whole(self, column: str, default: int = 0, *, maximum: int = 2_147_483_647) -> int:
        value = self.record.get(column, "")
        if not value:
            return default
        try:
            number = parse_number(value)
        except NumberParseError as exc:
            self.error(column, str(exc))
            return default
        if number != number.to_integral_value() or not 0 <= number <= maximum:
            self.error(column, f"“{value}” phải là số nguyên từ 0 đến {format_number(maximum)}.")
            return default
        return int(number)

    def ref(self, column: str, table: Mapping[str, T], what: str, *, required: bool = False) -> T | None:
        """The object whose code the cell names (``table``: code → object), or None when empty."""
        code = self.record.get(column, "")
        if not code:
            if required:
                self.error(column, "không được để trống.")
            return None
        found = table.get(code)
        if found is None:
            self.error(column, f"không có {what} mã “{code}” (trong bộ cấu hình hay trong cơ sở dữ liệu).")
        return found


def validation_messages(exc: Any) -> list[tuple[str | None, str]]:
    """A Django ValidationError as (field, message) pairs."""
    if hasattr(exc, "message_dict"):
        return [
            (None if key == "__all__" else key, message)
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return [(None, message) for message in exc.messages]
