"""Reading CSV files at the boundary: encoding, header checks, NFC, and errors that name the line
and the column, in Vietnamese."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from baocao.core.text import clean

MAX_FIELD_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class RowError:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"dòng {self.line}")
        if self.column:
            where.append(f"cột {self.column}")
        prefix = ", ".join(where)
        return f"{prefix[:1].upper()}{prefix[1:]}: {self.message}" if prefix else self.message


class ImportRejected(Exception):
    """The whole file is rejected; `errors` lists every problem found."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(self.summary())

    def summary(self, limit: int = 50) -> str:
        lines = [f"Tệp không được nhập (không ghi dòng nào): {len(self.errors)} lỗi."]
        lines += [f"- {e}" for e in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"- ... và {len(self.errors) - limit} lỗi khác.")
        return "\n".join(lines)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            [
                RowError(
                    None,
                    None,
                    f"Tệp không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}). "
                    "Hãy lưu lại tệp CSV với mã UTF-8.",
                )
            ]
        ) from exc


def csv_problem(exc: csv.Error) -> str:
    """The csv module's (English) error in Vietnamese, for the row error that names the line."""
    text = str(exc)
    if match := re.search(r"field larger than field limit \((\d+)\)", text):
        return f"một ô dài hơn {int(match.group(1)):,} ký tự".replace(",", ".")
    if "NUL" in text:
        return "dòng chứa ký tự NUL (mã 0)"
    if "unexpected end of data" in text or "EOF" in text:
        return 'dấu ngoặc kép (") mở mà không đóng'
    if "expected after" in text:
        return "sau dấu ngoặc kép đóng phải là dấu phẩy hoặc xuống dòng"
    if "new-line character seen in unquoted field" in text:
        return "ký tự xuống dòng lạ trong một ô không đặt trong ngoặc kép"
    return "định dạng CSV không đọc được"


def read_header(reader: Iterator[list[str]], required: Iterable[str], known: Collection[str]) -> list[str]:
    """The header row's column names (cleaned, lower case); a missing, unknown or repeated column, an
    empty file or an unreadable header line rejects the file with every problem listed."""
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected([RowError(None, None, "Tệp rỗng: không có dòng tiêu đề.")]) from None
    except csv.Error as exc:
        raise ImportRejected(
            [RowError(1, None, f"Không đọc được dòng tiêu đề ({csv_problem(exc)}).")]
        ) from exc
    columns = [clean(h).lower() for h in header]
    errors = [RowError(1, c, "thiếu cột bắt buộc.") for c in required if c not in columns]
    errors += [RowError(1, c, "cột không được hỗ trợ.") for c in columns if c not in known]
    duplicated = {c for c in columns if columns.count(c) > 1}
    errors += [RowError(1, c, "cột bị lặp lại.") for c in sorted(duplicated)]
    if errors:
        raise ImportRejected(errors)
    return columns


def read_rows(
    source: IO[str] | IO[bytes] | str | bytes,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number, {column: NFC-cleaned text}); header problems reject the file."""
    if isinstance(source, bytes):
        text = decode(source)
    elif isinstance(source, str):
        text = source
    else:
        content = source.read()
        text = decode(content) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    csv.field_size_limit(MAX_FIELD_SIZE)
    reader = csv.reader(io.StringIO(text, newline=""))
    columns = read_header(reader, required, set(required) | set(optional))
    errors: list[RowError] = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(columns):
                errors.append(
                    RowError(line, None, f"có {len(record)} cột, nhiều hơn {len(columns)} cột tiêu đề.")
                )
                continue
            values = {c: clean(record[i]) if i < len(record) else "" for i, c in enumerate(columns)}
            rows.append((line, values))
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, None, f"dòng CSV hỏng: {csv_problem(exc)}."))
    if errors:
        raise ImportRejected(errors)
    return rows


def write_rows(out: IO[str], header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
