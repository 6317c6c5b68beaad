"""Exports cannot carry formulas (issue 12, item 2): a comment starting with "=" is written as text in
every xlsx and neutralised in every CSV by the rule of core.cells, which our CSV import reverses — so the
unit's own unchanged download uploads again, and export → import → export is identical."""

import csv
import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from baocao.accounts.models import Role
from baocao.assignments.excel import review_xlsx
from baocao.assignments.review import Review, UnitReview
from baocao.collection import excel
from baocao.collection.models import DataValue, ValueChange
from baocao.core.cells import csv_escape, csv_unescape
from baocao.core.numbers import parse_number
from baocao.core.periods import Period
from baocao.indicators.models import DataSet, DataSetIndicator, UnitOfMeasure
from baocao.quality.evaluator import Violation
from baocao.quality.models import Importance
from baocao.quality.services import violations_xlsx
from baocao.testing.factories import make_user, token_client

HYPERLINK = '=HYPERLINK("http://x","y")'
CALC = "=cmd|' /C calc'!A0"
JUNE = Period.parse("202006")


@pytest.fixture
def place(world):
    percent = UnitOfMeasure.objects.create(code="pt", name="%", dimension="percent")
    world.hs = world.indicator("HS")
    world.thu = world.indicator("THU", unit=world.money)
    world.tl = world.indicator("TL", unit=percent, min_value=Decimal(-50))
    world.form = DataSet.objects.create(code="BM_CA", name="Biểu công an", period_type="month")
    world.form.org_units.set([world.police])
    for order, indicator in enumerate((world.hs, world.thu, world.tl)):
        DataSetIndicator.objects.create(
            data_set=world.form, indicator=indicator, kind="actual", sort_order=order
        )
    DataValue.objects.create(
        indicator=world.hs, org_unit=world.police, period="202006", value=7, comment=HYPERLINK
    )
    DataValue.objects.create(
        indicator=world.thu, org_unit=world.police, period="202006", value=Decimal("1425.5"), comment=CALC
    )
    DataValue.objects.create(
        indicator=world.tl, org_unit=world.police, period="202006", value=Decimal("-12.5"), comment="-giảm"
    )
    world.clerk = make_user("clerk", Role.UNIT_STAFF, world.police)
    return world


def formulas(xlsx: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return [
            found
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
            for found in re.findall(rb"<f>.*?</f>", archive.read(name))
        ]


def test_the_excel_form_writes_comments_as_text_and_takes_its_own_download_back(place):
    data = excel.export_form(place.form, place.police, JUNE)
    assert formulas(data) == []  # was <f>HYPERLINK(...)</f> and <f>cmd|' /C calc'!A0</f>
    client = Client()
    client.force_login(place.clerk)
    page = client.post(
        reverse("collection:excel_upload", args=["BM_CA", "CITY_POLICE", "202006"]),
        {"file": io.BytesIO(data), "action": "import"},
    )
    assert page.status_code == 302, page.content.decode()  # was refused: "chứa công thức"
    assert not ValueChange.objects.exists()
    assert DataValue.objects.get(indicator=place.hs).comment == HYPERLINK


def test_csv_rule_is_reversed_by_the_import():
    for text in (HYPERLINK, CALC, "+1", "-x", "@SUM(A1)", "\t=1", "\r=1", "'quoted", "''", "plain", ""):
        assert csv_unescape(csv_escape(text)) == text
        assert not csv_escape(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def export_command() -> str:
    out = io.StringIO()
    call_command("export_values", "--period", "202006", stdout=out)
    return out.getvalue()


def test_the_csv_command_neutralises_formulas_and_round_trips(place, tmp_path):
    first = export_command()
    assert f"'{HYPERLINK}".replace('"', '""') in first and f"'{CALC}" in first  # was a live formula
    assert ",-12,5," not in first and '"-12,5",\'-giảm' in first  # a negative value stays a number
    path = tmp_path / "values.csv"
    path.write_text(first, encoding="utf-8")
    call_command("import_values", str(path), stdout=io.StringIO())
    assert not ValueChange.objects.exists()  # nothing changed: the marks were taken off
    assert export_command() == first


def test_the_api_csv_export_neutralises_formulas_and_round_trips(place):
    client = token_client("clerk")
    url = "/api/v1/data-value-sets/?period=202006"
    first = b"".join(client.get(url, HTTP_ACCEPT="text/csv").streaming_content).decode()
    assert f"'{CALC}" in first and "\n=" not in first and ",=" not in first
    result = client.post("/api/v1/data-value-sets/", first, content_type="text/csv").json()
    assert (result["unchanged"], result["updated"]) == (3, 0), result
    assert b"".join(client.get(url, HTTP_ACCEPT="text/csv").streaming_content).decode() == first


def test_the_quality_and_task_workbooks_write_text_as_text(place):
    violation = Violation("x", CALC, Importance.HIGH, place.police, JUNE, HYPERLINK)
    assert formulas(violations_xlsx(JUNE, [violation])) == []
    place.police.name = CALC
    assert formulas(review_xlsx(Review(JUNE, [UnitReview(place.police, CALC)]))) == []


def test_one_exporter_writes_the_same_rows_as_csv_json_and_xlsx(place, tmp_path):
    out = io.StringIO()
    call_command("export_values", "--period", "202006", "--format", "json", stdout=out)
    from_json = [
        (v["indicator"], v["org_unit"], v["period"], v["kind"], Decimal(str(v["value"])), v["comment"])
        for v in json.loads(out.getvalue())["dataValues"]
    ]
    from_csv = [
        (r[0], r[1], r[2], r[3], parse_number(r[4]), csv_unescape(r[5]))
        for r in list(csv.reader(io.StringIO(export_command())))[1:]
    ]
    path = tmp_path / "values.xlsx"
    call_command("export_values", "--period", "202006", "--format", "xlsx", "--output", str(path))
    assert formulas(path.read_bytes()) == []
    sheet = load_workbook(path).active
    from_xlsx = [
        (*r[:4], Decimal(str(r[4])), r[5] or "") for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert from_json == from_csv == from_xlsx
    assert ("HS", "CITY_POLICE", "202006", "actual", 7, HYPERLINK) in from_xlsx
