import datetime
import unicodedata
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from baocao.accounts.models import Role, RoleAssignment
from baocao.collection.models import DataValue, ValueChange
from baocao.collection.types import ValueConflict
from baocao.collection.values import import_values_csv, write_value
from baocao.core.csvio import ImportRejected

HEADER = "indicator,org_unit,period,kind,value,comment\n"


def test_import_reads_vietnamese_and_plain_numbers(world, indicators):
    result = import_values_csv(
        HEADER
        + "HS,CITY_POLICE,202006,actual,07,\n"
        + 'THU,CITY_TAX,202006,thực hiện,"9.050",ghi chú\n'
        + 'THU,CITY_TAX,202006,Ước thực hiện,"27.644,5",\n'
        + 'MT,CITY_POLICE,202006,actual,"38,161",\n'
        + "MT,CITY_POLICE,202005,actual,1425.5,\n"
    )
    assert (result.created, result.updated) == (5, 0)
    stored = {
        (v.indicator.code, v.period, v.kind): v.value for v in DataValue.objects.select_related("indicator")
    }
    assert stored[("HS", "202006", "actual")] == 7
    assert stored[("THU", "202006", "actual")] == 9050
    assert stored[("THU", "202006", "estimate")] == Decimal("27644.5")
    assert stored[("MT", "202006", "actual")] == Decimal("38.161")
    assert stored[("MT", "202005", "actual")] == Decimal("1425.5")
    assert ValueChange.objects.count() == 5


def test_bad_rows_are_all_reported_and_nothing_is_written(world, indicators):
    data = (
        HEADER
        + "HS,CITY_POLICE,202006,actual,7,\n"  # good
        + "XX,CITY_POLICE,202006,actual,7,\n"  # unknown indicator
        + "HS,NOWHERE,202006,actual,7,\n"  # unknown unit
        + "HS,CITY_POLICE,2020-06,actual,7,\n"  # bad period
        + "HS,CITY_POLICE,202006,thang,7,\n"  # bad kind
        + "HS,CITY_POLICE,202005,actual,1.2.3,\n"  # bad number
        + 'HS,CITY_POLICE,202004,actual,"2,5",\n'  # decimals for a count
        + "HS,CITY_POLICE,202003,actual,-1,\n"  # negative count
        + "HS,CITY_POLICE,202006,actual,8,\n"  # duplicate of line 2
    )
    with pytest.raises(ImportRejected) as info:
        import_values_csv(data)
    messages = [str(e) for e in info.value.errors]
    assert any(m.startswith("Dòng 3, cột indicator") and '"XX"' in m for m in messages)
    assert any(m.startswith("Dòng 4, cột org_unit") and '"NOWHERE"' in m for m in messages)
    assert any(m.startswith("Dòng 5, cột period") and "2020-06" in m for m in messages)
    assert any(m.startswith("Dòng 6, cột kind") for m in messages)
    assert any(m.startswith("Dòng 7, cột value") and "1.2.3" in m for m in messages)
    assert any(m.startswith("Dòng 8, cột value") and "số nguyên" in m for m in messages)
    assert any(m.startswith("Dòng 9, cột value") and "số âm" in m for m in messages)
    assert any(m.startswith("Dòng 10") and "dòng 2" in m for m in messages)
    assert DataValue.objects.count() == 0
    assert ValueChange.objects.count() == 0


@pytest.mark.parametrize(
    "content, expected",
    [
        ("", "Tệp rỗng"),
        ("indicator,org_unit,period\nHS,CITY_POLICE,202006\n", "Dòng 1, cột value: thiếu cột bắt buộc"),
        (HEADER.replace("comment", "extra"), "Dòng 1, cột extra: cột không được hỗ trợ"),
        (b"\xff\xfe\x00\x01binary", "không phải văn bản UTF-8"),
        (HEADER + "HS,CITY_POLICE,202006,actual,7,,surplus\n", "Dòng 2: có 7 cột"),
    ],
)
def test_malformed_files_are_rejected_with_a_clear_message(world, indicators, content, expected):
    with pytest.raises(ImportRejected) as info:
        import_values_csv(content)
    assert expected in info.value.summary()
    assert DataValue.objects.count() == 0


def test_units_outside_their_validity_are_rejected(world, indicators):

    world.police.valid_to = datetime.date(2019, 12, 31)
    world.police.save()
    with pytest.raises(ImportRejected, match="không có trong tháng 6/2020"):
        import_values_csv(HEADER + "HS,CITY_POLICE,202006,actual,7,\n")


def test_reimport_is_idempotent_and_updates_bump_the_version(world, indicators):
    import_values_csv(HEADER + "HS,CITY_POLICE,202006,actual,7,\n")
    again = import_values_csv(HEADER + "HS,CITY_POLICE,202006,actual,7,\n")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = import_values_csv(HEADER + "HS,CITY_POLICE,202006,actual,8,sửa\n")
    assert changed.updated == 1
    value = DataValue.objects.get()
    assert (value.value, value.version, value.comment) == (8, 2, "sửa")
    last = ValueChange.objects.first()
    assert (last.old_value, last.new_value) == (7, 8)


def test_dry_run_writes_nothing(world, indicators):
    result = import_values_csv(HEADER + "HS,CITY_POLICE,202006,actual,7,\n", dry_run=True)
    assert result.created == 1
    assert "Sẽ ghi" in result.summary()
    assert DataValue.objects.count() == 0


def test_text_is_normalised_to_nfc(world, indicators):

    decomposed = unicodedata.normalize("NFD", "Số liệu ước tính")
    import_values_csv(HEADER + f"HS,CITY_POLICE,202006,actual,7,{decomposed}\n")
    assert DataValue.objects.get().comment == unicodedata.normalize("NFC", "Số liệu ước tính")


def test_concurrent_saves_conflict_instead_of_losing_data(world, indicators):
    alice = User.objects.create_user("alice")
    bob = User.objects.create_user("bob")
    for clerk in (alice, bob):
        RoleAssignment.objects.create(user=clerk, role=Role.UNIT_STAFF, org_unit=world.police)
    first = write_value(
        alice,
        indicator=indicators["HS"],
        org_unit=world.police,
        period="202006",
        value="7",
        expected_version=0,
    )
    assert first.version == 1
    write_value(
        alice,
        indicator=indicators["HS"],
        org_unit=world.police,
        period="202006",
        value="8",
        expected_version=1,
    )
    with pytest.raises(ValueConflict) as info:
        write_value(
            bob,
            indicator=indicators["HS"],
            org_unit=world.police,
            period="202006",
            value="9",
            expected_version=1,
        )
    assert "8" in str(info.value) and "9" in str(info.value)
    assert DataValue.objects.get().value == 8
    assert list(ValueChange.objects.values_list("changed_by__username", flat=True)) == ["alice", "alice"]


def test_commands_report_errors_in_vietnamese(world, indicators, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "HS,CITY_POLICE,202006,actual,abc,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Dòng 2, cột value"):
        call_command("import_values", str(bad))
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_values", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match='Tham số --period: Mã kỳ báo cáo "2020-6"'):
        call_command("export_values", "--period", "2020-6")
