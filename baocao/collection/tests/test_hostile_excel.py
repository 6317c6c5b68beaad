"""Hostile .xlsx files (issue 12, item 3): a DTD or entities, a shared-strings bomb, rows beyond the
declared <dimension> — on the Excel value upload and the task import. Each is refused with a
Vietnamese message (or, for the dimension, read in full), quickly, never with a 500."""

import io
import re
import time
import zipfile
from typing import Any

import openpyxl
from django.contrib.auth.models import User
from django.urls import reverse

from baocao.assignments.models import Task
from baocao.collection import excel
from baocao.collection.models import DataValue

ARGS = ["BM_TPLS_CA", "TPLS_CA", "202006"]
SHEET_XML = "xl/worksheets/sheet1.xml"


def rewritten(data: bytes, change: dict[str, Any]) -> bytes:
    """The zip with some members replaced (bytes) or transformed (a function of the old bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in source.infolist():
            content = source.read(info)
            new = change.get(info.filename)
            if callable(new):
                content = new(content)
            elif new is not None:
                content = new
            dest.writestr(info.filename, content)
        for name, new in change.items():
            if name not in source.namelist():
                dest.writestr(name, new)
    return out.getvalue()


def with_dtd(xml: bytes) -> bytes:
    """The finding's payload shape: a DTD declaring an entity, used in the sheet."""
    declaration = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">]>'
    xml = re.sub(rb"(<\?xml[^>]*\?>)", rb"\1" + declaration, xml, count=1)
    if declaration not in xml:
        xml = declaration + xml
    return xml


def export(form) -> bytes:
    return excel.export_form(*form)


def upload(client, data: bytes):
    client.force_login(User.objects.get(username="ca.canbo"))
    url = reverse("collection:excel_upload", args=ARGS)
    return client.post(url, {"file": io.BytesIO(data), "action": "import"})


def test_an_xlsx_with_a_dtd_and_entities_is_refused_in_vietnamese(client, form):
    data = rewritten(export(form), {SHEET_XML: with_dtd})
    before = DataValue.objects.count()
    response = upload(client, data)
    assert response.status_code == 200
    assert "khai báo DTD/thực thể" in response.content.decode()
    assert DataValue.objects.count() == before


def test_an_xlsx_whose_shared_strings_declare_an_entity_is_refused(client, form):
    data = export(form)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        has_strings = "xl/sharedStrings.xml" in archive.namelist()
    name = "xl/sharedStrings.xml" if has_strings else "xl/workbook.xml"
    response = upload(client, rewritten(data, {name: with_dtd}))
    assert "khai báo DTD/thực thể" in response.content.decode()


def test_a_shared_strings_bomb_is_refused_quickly(client, form):
    """78 KB of zip holding 1,7 million shared strings took 10 s; now refused before openpyxl reads it."""
    count = 1_700_000
    strings = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (count, count)
        + b"<si><t/></si>" * count
        + b"</sst>"
    )
    data = rewritten(export(form), {"xl/sharedStrings.xml": strings})
    assert len(data) < 200_000
    started = time.monotonic()
    response = upload(client, data)
    assert time.monotonic() - started < 3
    assert "chuỗi văn bản; tệp bị từ chối" in response.content.decode()


def test_rows_beyond_the_declared_dimension_are_read_not_dropped(form):
    """The finding: a <dimension> declaring fewer rows made the import write the declared rows and
    skip the rest silently. Every filled row is read now."""
    book = openpyxl.load_workbook(io.BytesIO(export(form)))
    sheet = book[excel.SHEET]
    last = sheet.max_row
    code = sheet.cell(last, 1).value
    sheet.cell(last, excel.VALUE + 1, 987654)
    out = io.BytesIO()
    book.save(out)
    data = rewritten(
        out.getvalue(),
        {SHEET_XML: lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:J10"', xml)},
    )
    excel.import_form(data, *form, user=User.objects.get(username="ca.canbo"), dry_run=False)
    stored = DataValue.objects.get(indicator__code=code, org_unit__code="TPLS_CA", period="202006")
    assert stored.value == 987654


def task_book() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Nhiệm vụ"
    sheet.append(["Nội dung nhiệm vụ", "Đơn vị chủ trì", "Ngày giao"])
    sheet.append(["Báo cáo A", "TPLS_PKT", "01/6/2020"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_task_import_refuses_a_dtd_in_vietnamese(client, demo):
    client.force_login(User.objects.get(username="vanphong"))
    data = rewritten(task_book(), {SHEET_XML: with_dtd})
    before = Task.objects.count()
    response = client.post("/nhiem-vu/nhap-excel/", {"file": io.BytesIO(data), "dry_run": "1"})
    assert response.status_code in (200, 400)
    assert "khai báo DTD/thực thể" in response.content.decode()
    assert Task.objects.count() == before


# A second probe of the running system: cells that openpyxl parses lazily, while the rows are read, raised
# ValueError, KeyError or IndexError — a 500 on both uploads. Each edit below damages one cell or row.
DAMAGED_CELLS = {
    "column beyond XFD": lambda xml: re.sub(rb'<c r="[A-Z]+(\d+)"', rb'<c r="AAAA\1"', xml, count=1),
    "row number text": lambda xml: re.sub(rb'<row r="\d+"', b'<row r="abc"', xml, count=1),
    "date that is no date": lambda xml: re.sub(
        rb'<c r="([A-Z]+\d+)"([^>]*)/?>', rb'<c r="\1" t="d"><v>notadate</v></c><c r="ZZ1"\2>', xml, count=1
    ),
    "number of 5.000 digits": lambda xml: re.sub(
        rb'<c r="([A-Z]+\d+)"([^>]*)/?>',
        b'<c r="\\1" t="n"><v>' + b"9" * 5000 + b'</v></c><c r="ZZ1"\\2>',
        xml,
        count=1,
    ),
}


def test_cells_openpyxl_cannot_parse_are_refused_not_a_500(client, form):
    for name, damage in DAMAGED_CELLS.items():
        data = rewritten(export(form), {SHEET_XML: damage})
        before = DataValue.objects.count()
        response = upload(client, data)
        assert response.status_code == 200, name
        assert "Không đọc được tệp Excel" in response.content.decode(), name
        assert DataValue.objects.count() == before, name


def test_the_task_import_refuses_cells_openpyxl_cannot_parse(client, demo):
    client.force_login(User.objects.get(username="vanphong"))
    for name, damage in DAMAGED_CELLS.items():
        data = rewritten(task_book(), {SHEET_XML: damage})
        response = client.post("/nhiem-vu/nhap-excel/", {"file": io.BytesIO(data), "dry_run": "1"})
        assert response.status_code in (200, 400), name
        assert "Không đọc được tệp Excel" in response.content.decode(), name
