"""Streaming readers of the bulk formats (CSV and JSON of data values), kept apart from the executor
(collection.bulk): they turn a byte stream into ``(line, {column: text})`` records and reject what
cannot be read, with the line and a Vietnamese message.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from baocao.collection.types import VALUE_COLUMNS
from baocao.core.csvio import MAX_FIELD_SIZE, ImportRejected, RowError
from baocao.core.text import clean

__all__ = ["REQUIRED", "Record", "iter_csv_records", "iter_json_records"]

MAX_ELEMENT_CHARS = 1_000_000  # one JSON object of the list
REQUIRED = ("indicator", "org_unit", "period", "value")

Record = tuple[int, dict[str, Any]]


def _text_stream(stream: IO[bytes]) -> Iterator[str]:
    """UTF-8 text (BOM dropped) from a byte stream, in pieces; bad bytes reject the file."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    position = 0
    while True:
        data = stream.read(64 * 1024)
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise ImportRejected(
                [
                    RowError(
                        None,
                        None,
                        f"Tệp không phải văn bản UTF-8 (byte lỗi ở vị trí {position + exc.start}). "
                        "Hãy lưu lại tệp với mã UTF-8.",
                    )
                ]
            ) from exc
        position += len(data)
        if text:
            yield text
        if not data:
            return


class _Lines:
    """Lines over decoded pieces, for csv.reader (which reads line by line)."""

    def __init__(self, pieces: Iterator[str]) -> None:
        self._pieces = pieces
        self._lines: list[str] = []  # reversed: the next line last
        self._rest = ""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        while not self._lines:
            piece = next(self._pieces, None)
            if piece is None:
                if not self._rest:
                    raise StopIteration
                line, self._rest = self._rest, ""
                return line
            lines = (self._rest + piece).split("\n")
            self._rest = lines.pop()
            self._lines = [line + "\n" for line in reversed(lines)]
        return self._lines.pop()


def iter_csv_records(stream: IO[bytes]) -> Iterator[Record]:
    """Rows of a CSV file as (line, {column: cleaned text}); header problems reject the file at once,
    broken rows are reported with their line (as :func:`baocao.core.csvio.read_rows` does)."""
    csv.field_size_limit(MAX_FIELD_SIZE)
    reader = csv.reader(_Lines(_text_stream(stream)))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected([RowError(None, None, "Tệp rỗng: không có dòng tiêu đề.")]) from None
    except csv.Error as exc:
        raise ImportRejected([RowError(1, None, f"Không đọc được dòng tiêu đề ({exc}).")]) from exc
    columns = [clean(h).lower() for h in header]
    errors = [RowError(1, c, "thiếu cột bắt buộc.") for c in REQUIRED if c not in columns]
    errors += [RowError(1, c, "cột không được hỗ trợ.") for c in columns if c not in VALUE_COLUMNS]
    errors += [
        RowError(1, c, "cột bị lặp lại.") for c in sorted({c for c in columns if columns.count(c) > 1})
    ]
    if errors:
        raise ImportRejected(errors)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, {"_error": f"dòng CSV hỏng ({exc})."}
            return
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(columns):
            yield (
                reader.line_num,
                {"_error": f"có {len(record)} cột, nhiều hơn {len(columns)} cột tiêu đề."},
            )
            continue
        yield reader.line_num, {c: clean(record[i]) if i < len(record) else "" for i, c in enumerate(columns)}


_JSON = json.JSONDecoder(parse_float=Decimal)
_WHITESPACE = " \t\n\r"


class _JsonScanner:
    """Reads ``{"dataValues": [{...}, ...]}`` (or a bare array) one object at a time."""

    def __init__(self, pieces: Iterator[str]) -> None:
        self.pieces = pieces
        self.buffer = ""
        self.pos = 0
        self.done = False

    def fail(self, message: str) -> ImportRejected:
        return ImportRejected([RowError(None, None, f"JSON không hợp lệ: {message}")])

    def more(self) -> bool:
        if self.done:
            return False
        piece = next(self.pieces, None)
        if piece is None:
            self.done = True
            return False
        self.buffer = self.buffer[self.pos :] + piece
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            found = f"“{char}”" if char else "hết tệp"
            raise self.fail(f"cần {what}, gặp {found} (ký tự thứ {self.pos + 1} của đoạn đang đọc).")
        self.pos += 1
        return char

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _JSON.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                incomplete = exc.pos >= len(self.buffer) - 1 or exc.msg.startswith("Unterminated")
                if len(self.buffer) - self.pos > MAX_ELEMENT_CHARS:
                    raise self.fail("một phần tử quá lớn.") from None
                if incomplete and self.more():
                    continue
                raise self.fail(f"{exc.msg} (ký tự thứ {exc.pos + 1} của đoạn đang đọc).") from None
            # A number at the end of the buffer may continue in the next piece.
            if end == len(self.buffer) and not self.done and self.more():
                continue
            self.pos = end
            return value


def iter_json_records(stream: IO[bytes]) -> Iterator[Record]:
    """Objects of ``{"dataValues": [...]}`` or ``[...]`` as (position from 1, object), streamed."""
    scanner = _JsonScanner(_text_stream(stream))
    wrapped = scanner.expect("{[", "“{” hoặc “[” ở đầu tệp") == "{"
    if wrapped:
        key = scanner.value()
        if key != "dataValues":
            raise scanner.fail(f"chỉ nhận khóa “dataValues”, không nhận “{key}”.")
        scanner.expect(":", "“:”")
        scanner.expect("[", "“[” (danh sách dataValues)")
    row = 0
    if scanner.peek() == "]":
        scanner.pos += 1
    else:
        while True:
            row += 1
            item = scanner.value()
            yield (
                row,
                item if isinstance(item, dict) else {"_error": "mỗi phần tử phải là một đối tượng JSON."},
            )
            if scanner.expect(",]", "“,” hoặc “]”") == "]":
                break
    if wrapped:
        scanner.expect("}", "“}” ở cuối tệp")
    if scanner.peek():
        raise scanner.fail("còn nội dung sau khi kết thúc dữ liệu.")
