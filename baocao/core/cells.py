"""Cells of the spreadsheets and CSV files the project writes, safe against formula injection.

XLSX: every text cell is written as text (an inline string), never as a formula, whatever it starts
with; a text that a spreadsheet would take for a formula also gets Excel's quote prefix, so editing the
cell keeps it text. Numbers, dates and booleans stay what they are.

CSV (one documented rule, reversed by our own import): a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return — or with the mark itself, an apostrophe — is written with one leading
apostrophe (``'=HYPERLINK(...)``); reading takes one leading apostrophe off a text cell. So a value file
exported, imported and exported again is the same file, and a comment written ``'x`` by hand comes back
as ``x`` (the apostrophe is the text mark, as in a spreadsheet). Number columns are not text: a
negative value is written ``-1.234,5`` by core.numbers, which spreadsheets read as a number, and it is
never marked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["FORMULA_STARTS", "append_row", "csv_escape", "csv_unescape", "set_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MARK = "'"


def csv_escape(text: str) -> str:
    """The text as written in a CSV cell (see the module's rule)."""
    return MARK + text if text.startswith((*FORMULA_STARTS, MARK)) else text


def csv_unescape(text: str) -> str:
    """The text of a CSV cell as read back: one leading apostrophe taken off."""
    return text[1:] if text.startswith(MARK) else text


def _as_text(cell: Cell) -> Cell:
    if isinstance(cell.value, str):
        cell.data_type = "s"  # openpyxl takes a text starting with "=" for a formula
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def set_cell(sheet: Worksheet, row: int, column: int, value: Any = None) -> Cell:
    """``sheet.cell(row, column, value)`` with a text value always written as text."""
    cell = sheet.cell(row, column)
    cell.value = value
    return _as_text(cell)


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """``sheet.append(values)`` with every text value written as text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        _as_text(cell)
