"""The two executors of value writes — the set-based one (collection.bulk) and the small-batch one
(collection.services) — through the action collection.values.write_values: every test runs on both.
The set-based one runs on whichever backend the suite runs on — SQLite (executemany + two statements)
or PostgreSQL (COPY + one data-modifying statement) — so CI covers both paths without skipping."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection

from baocao.collection import bulk, readers, types
from baocao.collection.models import ChangeSource, DataValue, Submission, ValueChange
from baocao.collection.types import ClosedValues
from baocao.collection.values import write_values
from baocao.core.csvio import ImportRejected
from baocao.indicators.models import DataSet, DataSetIndicator


@pytest.fixture(params=["orm", "sql"])
def write(request):
    def run(rows, dry_run=False):
        return write_values(None, rows, source=ChangeSource.API, dry_run=dry_run, executor=request.param)

    return run


def records(*rows):
    return [(n, row) for n, row in enumerate(rows, 1)]


def row(value, indicator="HS", unit="CITY_POLICE", period="202006", **extra):
    return {"indicator": indicator, "org_unit": unit, "period": period, "value": value, **extra}


def test_the_backend_specific_path_runs(world, indicators, write):
    assert bulk._Stage().postgres == (connection.vendor == "postgresql")
    result = write(records(row("7"), row("1.425,5", "THU", comment="ước")))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    stored = {
        v.indicator.code: (v.value, v.comment, v.version)
        for v in DataValue.objects.select_related("indicator")
    }
    assert stored == {"HS": (7, "", 1), "THU": (Decimal("1425.5"), "ước", 1)}


def test_one_audit_row_per_changed_value_tagged_with_the_batch(world, indicators, write):
    first = write(records(row(7), row(9, period="202005")))
    assert ValueChange.objects.filter(batch=first.batch, old_value=None).count() == 2
    second = write(records(row(8), row(9, period="202005"), row(1, period="202004")))
    assert (second.created, second.updated, second.unchanged) == (1, 1, 1)
    changes = ValueChange.objects.filter(batch=second.batch).order_by("period")
    assert [(c.period, c.old_value, c.new_value) for c in changes] == [("202004", None, 1), ("202006", 7, 8)]
    assert DataValue.objects.get(period="202006").version == 2
    assert DataValue.objects.get(period="202005").version == 1


def test_reimport_changes_nothing_and_comment_changes_count(world, indicators, write):
    write(records(row(7)))
    again = write(records(row("7")))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert ValueChange.objects.count() == 1
    commented = write(records(row(7, comment="sửa ghi chú")))
    assert commented.updated == 1 and DataValue.objects.get().comment == "sửa ghi chú"


def test_dry_run_classifies_rows_and_writes_nothing(world, indicators, write):
    write(records(row(7)))
    result = write(records(row(8), row(1, "THU")), dry_run=True)
    assert [(r.row, r.action, r.old_value) for r in result.rows] == [(1, "updated", 7), (2, "created", None)]
    assert DataValue.objects.get().value == 7 and ValueChange.objects.count() == 1


def test_chunks_and_the_error_cap_keep_memory_bounded(world, indicators, write, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 7)
    many = [
        row(i, period=f"20{y:02d}{m:02d}")
        for i, (y, m) in enumerate((y, m) for y in range(10, 15) for m in range(1, 13))
    ]
    assert write(records(*many)).created == 60
    monkeypatch.setattr(bulk, "MAX_ERRORS", 5)
    monkeypatch.setattr(types, "MAX_ERRORS", 5)
    with pytest.raises(ImportRejected) as info:
        write(records(*(row(i, indicator="XX") for i in range(20))))
    assert len(info.value.errors) == 6 and "còn lỗi khác" in str(info.value.errors[-1])


def test_every_problem_is_found_in_bulk_and_nothing_is_written(world, indicators, write):

    world.ward.valid_to = datetime.date(2019, 12, 31)
    world.ward.save()
    with pytest.raises(ImportRejected) as info:
        write(
            records(
                row(7),
                row(7, indicator="XX"),
                row(7, unit="NOWHERE"),
                row(Decimal("2.5")),
                row(-1, period="202005"),
                row(7),
                row(1, unit="CITY_W1"),
                row("1,23456", "THU", period="202004"),
            )
        )
    found = {(e.line, e.column): e.message for e in info.value.errors}
    assert '"XX"' in found[(2, "indicator")] and '"NOWHERE"' in found[(3, "org_unit")]
    assert "số nguyên" in found[(4, "value")] and "số âm" in found[(5, "value")]
    assert "dòng 1" in found[(6, None)] and "không có trong tháng 6/2020" in found[(7, "org_unit")]
    assert "4 chữ số thập phân" in found[(8, "value")]
    assert DataValue.objects.count() == 0


def test_closed_forms_are_refused(world, indicators, write):

    form = DataSet.objects.create(code="F", name="F", period_type="month")
    DataSetIndicator.objects.create(data_set=form, indicator=indicators["HS"])
    Submission.objects.create(data_set=form, org_unit=world.police, period="202006", status="locked")
    with pytest.raises(ClosedValues) as info:
        write(records(row(7), row(1, "THU"), row(1, period="202005")))
    assert [e.line for e in info.value.errors] == [1] and "đã khóa" in info.value.errors[0].message


def test_json_is_read_as_a_stream_across_piece_boundaries(world, indicators):
    payload = json.dumps({"dataValues": [row(i, period=f"2019{m:02d}") for i, m in enumerate(range(1, 13))]})

    class Trickle(io.BytesIO):
        def read(self, size=-1):
            return super().read(min(size, 7) if size and size > 0 else 7)

    parsed = list(readers.iter_json_records(Trickle(payload.encode())))
    assert [n for n, _ in parsed] == list(range(1, 13)) and parsed[11][1]["value"] == 11
    lines = list(readers.iter_csv_records(Trickle(b'indicator,org_unit,period,value\nHS,A,202006,"1,5"\n')))
    assert lines == [(2, {"indicator": "HS", "org_unit": "A", "period": "202006", "value": "1,5"})]
