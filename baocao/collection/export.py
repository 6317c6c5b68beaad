"""The one exporter of data values: one row stream (:func:`value_rows`) written as CSV, JSON or XLSX in
the import layout (indicator, org_unit, period, kind, value, comment), streamed in pieces.

Formula-safe (core.cells): CSV text cells that a spreadsheet would take for a formula carry a leading
apostrophe, which our CSV import takes off again; XLSX text cells are always text. The value is a number:
Vietnamese notation in CSV (``-1.234,5``), an exact JSON number, a number cell in XLSX.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet
from openpyxl import Workbook

from baocao.collection.models import DataValue
from baocao.collection.types import VALUE_COLUMNS, ImportRejected, RowError
from baocao.core.cells import append_row, csv_escape
from baocao.core.numbers import format_number
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit

__all__ = ["ValueLine", "to_csv", "to_json", "to_xlsx", "value_rows", "values_of"]

ValueLine = tuple[str, str, str, str, Decimal, str]
PIECE_ROWS = 100


def values_of(periods: Iterable[Period], unit_code: str | None = None) -> QuerySet[DataValue]:
    """Values of the periods, optionally of one unit and its subtree (the command's selection)."""
    queryset = DataValue.objects.filter(period__in=[p.id for p in periods])
    if unit_code:
        unit = OrgUnit.objects.filter(code=unit_code).first()
        if unit is None:
            raise ImportRejected([RowError(None, "unit", f'không có đơn vị mã "{unit_code}".')])
        queryset = queryset.filter(org_unit__in=OrgUnit.objects.subtree([unit]))
    return queryset


def value_rows(queryset: QuerySet[DataValue]) -> Iterator[ValueLine]:
    """Rows of the values in a stable order, read with a server-side cursor in chunks."""
    rows = queryset.order_by("period", "org_unit__code", "indicator__code", "kind").values_list(
        "indicator__code", "org_unit__code", "period", "kind", "value", "comment"
    )
    return rows.iterator(chunk_size=2000)


def to_csv(rows: Iterable[ValueLine]) -> Iterator[str]:
    """The CSV file (header first) in pieces of about a hundred rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(VALUE_COLUMNS)
    for count, (indicator, unit, period, kind, value, comment) in enumerate(rows, 1):
        texts = [csv_escape(t) for t in (indicator, unit, period, kind)]
        writer.writerow([*texts, format_number(value), csv_escape(comment)])
        if count % PIECE_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def to_json(rows: Iterable[ValueLine]) -> Iterator[str]:
    """``{"dataValues": [...]}`` with exact JSON numbers, in pieces of about a hundred rows."""
    pieces = ['{"dataValues": [']
    first = True
    for indicator, unit, period, kind, value, comment in rows:
        obj = json.dumps(
            {"indicator": indicator, "org_unit": unit, "period": period, "kind": kind}, ensure_ascii=False
        )
        pieces.append(
            f'{"" if first else ","}\n{obj[:-1]}, "value": {_json_number(value)}, '
            f'"comment": {json.dumps(comment, ensure_ascii=False)}}}'
        )
        first = False
        if len(pieces) >= PIECE_ROWS:
            yield "".join(pieces)
            pieces = []
    pieces.append("\n]}\n")
    yield "".join(pieces)


def to_xlsx(rows: Iterable[ValueLine]) -> bytes:
    """One sheet “Số liệu” with the import columns; text cells as text, values as numbers."""
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "Số liệu"
    append_row(sheet, VALUE_COLUMNS)
    for indicator, unit, period, kind, value, comment in rows:
        number = int(value) if value == value.to_integral_value() else value.normalize()
        append_row(sheet, [indicator, unit, period, kind, number, comment])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
