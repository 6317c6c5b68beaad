"""JSON from outside, bounded before it costs anything: nesting depth (Python's decoder recurses and
fails with RecursionError, a 500, on a few thousand ``[``), the size of a number (a 5.000-digit integer
exceeds Python's int conversion limit, ``1e999999999`` overflows every later computation) and the
non-standard ``NaN``/``Infinity``. Messages are Vietnamese; used by the API's JSON parser
(api/parsers.py) and the bulk reader (collection/readers.py).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_NUMBER_CHARS",
    "JsonRejected",
    "Unreadable",
    "check_depth",
    "decoder",
    "first_unreadable",
    "loads",
]

MAX_DEPTH = 32  # objects and arrays inside each other; real payloads use 3
MAX_NUMBER_CHARS = 40  # characters of one number as written (sign, digits, point, exponent)
MAX_EXPONENT = 30  # 10^±30 is far beyond any figure of a report

# A string whole (escapes included) or one bracket: strings are skipped by the regex engine in C.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


class JsonRejected(ValueError):
    """The text is not JSON this system accepts; ``str()`` is the Vietnamese reason."""


class Unreadable:
    """A number (or NaN/Infinity) the decoder met but the system does not accept; ``reason`` says why.
    Kept as a value so that a streamed reader can report it with its row instead of failing the file."""

    __slots__ = ("reason", "text")

    def __init__(self, text: str, reason: str) -> None:
        self.text, self.reason = text, reason

    def __repr__(self) -> str:
        return f"Unreadable({self.text[:20]!r})"


def check_depth(text: str, start: int = 0, limit: int = MAX_DEPTH, one_value: bool = False) -> None:
    """Raise JsonRejected when arrays/objects nest deeper than ``limit``, in one linear pass (a
    closing bracket that does not match is left to the decoder). ``one_value``: stop where the value
    starting at ``start`` closes (a streamed reader checks one element at a time)."""
    depth = 0
    for match in _TOKENS.finditer(text, start):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > limit:
                raise JsonRejected(
                    f"dữ liệu lồng nhau quá sâu (quá {limit} cấp), ở ký tự thứ {match.start() + 1}."
                )
        elif char in "]}":
            depth -= 1
            if depth <= 0 and one_value:
                return


def _shown(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}…{text[-8:]} ({len(text)} ký tự)"


def _number(text: str) -> Decimal | Unreadable:
    if len(text) > MAX_NUMBER_CHARS:
        return Unreadable(text, f"số {_shown(text)} quá dài (tối đa {MAX_NUMBER_CHARS} ký tự).")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return Unreadable(text, f"“{_shown(text)}” không phải là số.")
    if value and abs(value.adjusted()) > MAX_EXPONENT:
        return Unreadable(text, f"số {_shown(text)} nằm ngoài khoảng cho phép (10^±{MAX_EXPONENT}).")
    return value


def _float(text: str) -> float | Unreadable:
    value = _number(text)
    return float(value) if isinstance(value, Decimal) else value


def _integer(text: str) -> int | Unreadable:
    value = _number(text)
    return int(value) if isinstance(value, Decimal) else value


def _constant(text: str) -> Unreadable:
    return Unreadable(text, f"“{text}” không phải là số hợp lệ trong JSON.")


def decoder(exact: bool = True) -> json.JSONDecoder:
    """A decoder whose numbers are int and Decimal (``exact``) or float, within bounds, or
    :class:`Unreadable`."""
    floats = _number if exact else _float
    return json.JSONDecoder(parse_float=floats, parse_int=_integer, parse_constant=_constant)


_DECODERS = {True: decoder(True), False: decoder(False)}


_NUL = Unreadable("\\u0000", "chuỗi chứa ký tự NUL (\\u0000), không hợp lệ.")
_SURROGATE = Unreadable("\\ud800", "chuỗi chứa nửa cặp UTF-16 lẻ (\\ud800–\\udfff), không phải ký tự hợp lệ.")
_SURROGATES = re.compile("[\ud800-\udfff]")


def first_unreadable(value: Any) -> Unreadable | None:
    """The first number the system does not accept, or a string holding U+0000 (which no text of
    the system may contain and PostgreSQL refuses) or a lone UTF-16 surrogate, anywhere in ``value``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unreadable):
            return item
        if isinstance(item, str):
            if "\x00" in item:
                return _NUL
            if _SURROGATES.search(item):  # "\ud800" decodes, but cannot be encoded: stored or shown, a 500
                return _SURROGATE
        elif isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(item.keys())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def loads(text: str, exact: bool = True) -> Any:
    """The JSON value of ``text``; JsonRejected (Vietnamese) for too deep, too large numbers, NaN or
    broken JSON. Numbers with a fraction or exponent come back as Decimal (``exact``) or float."""
    check_depth(text)
    try:
        value = _DECODERS[exact].decode(text)
    except json.JSONDecodeError as exc:
        raise JsonRejected(f"JSON không hợp lệ: {exc.msg} (dòng {exc.lineno}, cột {exc.colno}).") from None
    except RecursionError:  # check_depth makes this unreachable; kept as the last line of defence
        raise JsonRejected("dữ liệu lồng nhau quá sâu.") from None
    if (bad := first_unreadable(value)) is not None:
        raise JsonRejected(bad.reason)
    return value
