"""Opening an uploaded .xlsx without trusting it (Excel value forms, task import).

Before openpyxl parses anything, :func:`inspect` reads the zip once, in pieces, with the ACTUAL
decompressed size bounded (a directory can lie), and refuses:

* an XML part with a DTD or entity declarations (``<!DOCTYPE``, ``<!ENTITY``: billion laughs, external
  entities) — openpyxl also parses through defusedxml, whose errors are translated here as well;
* more shared strings, rows or cells than ``limits`` allow, counted on the raw XML (a 78 KB file can
  declare 1,7 million shared strings, which openpyxl would build one by one).

:func:`open_workbook` then opens it read-only and resets every sheet's declared ``<dimension>``:
read-only openpyxl stops at the declared last row and column, so rows beyond it would be dropped
silently. Errors are :class:`WorkbookRejected` with a Vietnamese message.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

__all__ = [
    "NOT_A_WORKBOOK",
    "READING_ERRORS",
    "Limits",
    "WorkbookRejected",
    "inspect",
    "iter_rows",
    "open_workbook",
]

NOT_A_WORKBOOK = "Không đọc được tệp Excel (tệp hỏng hoặc không phải .xlsx)."


class WorkbookRejected(ValueError):
    """The file is refused; ``str()`` is the Vietnamese reason."""


@dataclass(frozen=True)
class Limits:
    max_uncompressed: int = 30 * 1024 * 1024  # all parts together, actually decompressed
    max_members: int = 500
    max_shared_strings: int = 100_000
    # All sheets together. Generous: the readers stop at the first row a form cannot have and name it;
    # these bounds only keep a crafted file from costing more than a second before that.
    max_rows: int = 200_000
    max_cells: int = 1_000_000


_CHUNK = 1024 * 1024
_OVERLAP = 64  # longer than any pattern below can match
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SHARED_STRING = re.compile(rb"<(?:[\w.-]{1,20}:)?si\b")
_ROW = re.compile(rb"<(?:[\w.-]{1,20}:)?row\b")
_CELL = re.compile(rb"<(?:[\w.-]{1,20}:)?c\b")
# UTF-16/32 text would hide the patterns above: an Office part is UTF-8, anything else is refused.
_WIDE = (b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")


def _pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> Iterator[bytes]:
    """The member decompressed, with overlap between pieces; the shared budget bounds the real size."""
    tail = b""
    with archive.open(info) as member:
        while True:
            data = member.read(_CHUNK)
            if not data:
                if tail:
                    yield tail
                return
            budget[0] -= len(data)
            if budget[0] < 0:
                raise WorkbookRejected("Tệp Excel khi giải nén quá lớn so với một biểu mẫu; tệp bị từ chối.")
            yield tail + data
            tail = data[-_OVERLAP:]


def _count(pattern: re.Pattern[bytes], piece: bytes, skip: int) -> int:
    """Matches starting at or after ``skip`` (the overlap already counted in the previous piece)."""
    return sum(1 for match in pattern.finditer(piece) if match.start() >= skip)


def inspect(data: bytes, limits: Limits = Limits()) -> None:
    """Raise WorkbookRejected unless ``data`` is a zip of bounded size without DTDs and with
    shared strings, rows and cells within ``limits``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRejected(NOT_A_WORKBOOK) from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise WorkbookRejected("Tệp Excel có quá nhiều thành phần; tệp bị từ chối.")
        budget = [limits.max_uncompressed]
        rows = cells = strings = 0
        for info in members:
            name = info.filename.lower()
            if not name.endswith((".xml", ".rels", ".vml")):
                continue
            counts_cells = name.startswith("xl/worksheets/")
            counts_strings = name == "xl/sharedstrings.xml"
            first = True
            try:
                for piece in _pieces(archive, info, budget):
                    skip = 0 if first else _OVERLAP
                    if first and piece.startswith(_WIDE):
                        raise WorkbookRejected(f"Phần “{info.filename}” của tệp Excel không ở mã UTF-8.")
                    first = False
                    if _DECLARATION.search(piece):
                        raise WorkbookRejected(
                            "Tệp Excel chứa khai báo DTD/thực thể (<!DOCTYPE>, <!ENTITY>), "
                            "điều mà Excel không bao giờ tạo ra; tệp bị từ chối."
                        )
                    if counts_strings:
                        strings += _count(_SHARED_STRING, piece, skip)
                        if strings > limits.max_shared_strings:
                            raise WorkbookRejected(
                                f"Tệp Excel có hơn {limits.max_shared_strings} chuỗi văn bản; tệp bị từ chối."
                            )
                    if counts_cells:
                        rows += _count(_ROW, piece, skip)
                        cells += _count(_CELL, piece, skip)
                        if rows > limits.max_rows or cells > limits.max_cells:
                            raise WorkbookRejected(
                                f"Tệp Excel có hơn {limits.max_rows} dòng hoặc {limits.max_cells} ô; "
                                "quá lớn so với một biểu mẫu, tệp bị từ chối."
                            )
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
                if isinstance(exc, WorkbookRejected):
                    raise
                raise WorkbookRejected(NOT_A_WORKBOOK) from None
            except NotImplementedError:  # a compression method zipfile cannot read
                raise WorkbookRejected(NOT_A_WORKBOOK) from None


def open_workbook(data: bytes, *, data_only: bool, limits: Limits = Limits()) -> Workbook:
    """The workbook, read-only, after :func:`inspect`; every sheet's declared dimension is reset so
    that all its rows and columns are read."""
    inspect(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file; all mean the same here
        raise WorkbookRejected(NOT_A_WORKBOOK) from None
    for sheet in workbook.worksheets:
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
    return workbook


# What reading the rows of an inspected workbook may still raise on a hostile file (openpyxl parses
# lazily, through defusedxml): callers catch these around their row loop and answer NOT_A_WORKBOOK.
READING_ERRORS: tuple[type[Exception], ...] = (DefusedXmlException, ParseError, zipfile.BadZipFile, EOFError)


def iter_rows(sheet: Any, **options: Any) -> Iterator[Any]:
    """``sheet.iter_rows(**options)``, where whatever openpyxl raises while it parses a row lazily (a cell
    reference "AAAA6", a date "notadate", a shared string index past the table, a 5.000-digit number)
    is :class:`WorkbookRejected`; the caller's own work on each row is outside the guard."""
    rows = iter(sheet.iter_rows(**options))
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception:  # openpyxl's parsing errors are of many kinds; all mean a damaged sheet
            raise WorkbookRejected(f"{NOT_A_WORKBOOK} (sau dòng {number} của trang tính)") from None
        number += 1
        yield row
