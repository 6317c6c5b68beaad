"""Streaming readers of the bulk formats (CSV and JSON of data values), kept apart from the executor
(collection.bulk): they turn a byte stream into ``(line, {column: text})`` records and reject what
cannot be read, with the line and a Vietnamese message.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections import deque
from collections.abc import Iterator
from typing import IO, Any

from baocao.collection.types import VALUE_COLUMNS
from baocao.core import safejson
from baocao.core.csvio import MAX_FIELD_SIZE, ImportRejected, RowError, csv_problem, read_header
from baocao.core.text import clean

__all__ = ["REQUIRED", "Record", "iter_csv_records", "iter_json_records"]

MAX_ELEMENT_CHARS = 1_000_000  # one JSON object of the list
MAX_LINE_CHARS = 100_000  # one CSV line: six columns of at most MAX_FIELD_SIZE characters, with room
REQUIRED = ("indicator", "org_unit", "period", "value")
# Empty lines are skipped, but not without end: a file of millions of them (a few seconds each million)
# is refused once this many are seen.
MAX_BLANK_LINES = 10_000

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
    """Lines over decoded pieces, for csv.reader (which reads line by line). Linear in the input: the
    unfinished line is kept as a list of parts and joined once (concatenating the growing rest with
    every piece made a 50 MB one-line file cost 17 s); a line longer than ``limit`` rejects the file
    as soon as it is seen, with its number."""

    def __init__(self, pieces: Iterator[str], limit: int = MAX_LINE_CHARS) -> None:
        self._pieces = pieces
        self._limit = limit
        self._lines: deque[str] = deque()
        self._rest: list[str] = []  # parts of the line not yet ended
        self._rest_chars = 0
        self._number = 0  # lines handed out or queued

    def __iter__(self) -> _Lines:
        return self

    def _check(self, chars: int, number: int) -> None:
        if chars > self._limit:
            raise ImportRejected(
                [
                    RowError(
                        number,
                        None,
                        f"dòng dài hơn {self._limit} ký tự; tệp bị từ chối (mỗi dòng là một số liệu, "
                        "kiểm tra ký tự xuống dòng của tệp).",
                    )
                ]
            )

    def __next__(self) -> str:
        while not self._lines:
            piece = next(self._pieces, None)
            if piece is None:
                if not self._rest:
                    raise StopIteration
                line = "".join(self._rest)
                self._rest, self._rest_chars = [], 0
                return line
            parts = piece.split("\n")
            if len(parts) == 1:
                self._rest.append(piece)
                self._rest_chars += len(piece)
                self._check(self._rest_chars, self._number + 1)
                continue
            self._rest.append(parts[0])
            ended = ["".join(self._rest), *parts[1:-1]]
            for offset, line in enumerate(ended, start=1):
                self._check(len(line), self._number + offset)
            self._number += len(ended)
            self._lines.extend(line + "\n" for line in ended)
            self._rest = [parts[-1]] if parts[-1] else []
            self._rest_chars = len(parts[-1])
            self._check(self._rest_chars, self._number + 1)
        return self._lines.popleft()


def iter_csv_records(stream: IO[bytes]) -> Iterator[Record]:
    """Rows of a CSV file as (line, {column: cleaned text}); header problems reject the file at once,
    broken rows are reported with their line (as :func:`baocao.core.csvio.read_rows` does)."""
    csv.field_size_limit(MAX_FIELD_SIZE)
    reader = csv.reader(_Lines(_text_stream(stream)))
    columns = read_header(reader, REQUIRED, VALUE_COLUMNS)
    blank = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, {"_error": f"dòng CSV hỏng: {csv_problem(exc)}."}
            return
        if not any(cell.strip() for cell in record):
            blank += 1
            if blank > MAX_BLANK_LINES:
                limit = f"{MAX_BLANK_LINES:,}".replace(",", ".")
                yield reader.line_num, {"_error": f"tệp có hơn {limit} dòng trống; tệp bị từ chối."}
                return
            continue
        if len(record) > len(columns):
            yield (
                reader.line_num,
                {"_error": f"có {len(record)} cột, nhiều hơn {len(columns)} cột tiêu đề."},
            )
            continue
        yield reader.line_num, {c: clean(record[i]) if i < len(record) else "" for i, c in enumerate(columns)}


_JSON = safejson.decoder(exact=True)  # numbers bounded in size and exponent (safejson.Unreadable)
_NOT_WHITESPACE = re.compile(r"[^ \t\n\r]")


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
            found = _NOT_WHITESPACE.search(self.buffer, self.pos)  # in C: linear in a sea of spaces
            if found is not None:
                self.pos = found.start()
                return self.buffer[self.pos]
            self.pos = len(self.buffer)
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
                if self.buffer[self.pos : self.pos + 1] in ("[", "{"):
                    safejson.check_depth(self.buffer, self.pos, one_value=True)
                value, end = _JSON.raw_decode(self.buffer, self.pos)
            except safejson.JsonRejected as exc:
                raise self.fail(f"{exc}") from None
            except RecursionError:  # check_depth makes this unreachable; the last line of defence
                raise self.fail("dữ liệu lồng nhau quá sâu.") from None
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


def _element(item: Any) -> dict[str, Any]:
    """One element of the list as a record, or ``{"_error": ...}`` naming what cannot be read."""
    if not isinstance(item, dict):
        return {"_error": "mỗi phần tử phải là một đối tượng JSON."}
    for key, value in item.items():
        if (bad := safejson.first_unreadable(value)) is not None:
            return {"_error": f"cột “{key}”: {bad.reason}"}
    return item


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
            yield row, _element(item)
            if scanner.expect(",]", "“,” hoặc “]”") == "]":
                break
    if wrapped:
        scanner.expect("}", "“}” ở cuối tệp")
    if scanner.peek():
        raise scanner.fail("còn nội dung sau khi kết thúc dữ liệu.")
