import io

from django.core.management import call_command

from baocao.collection.models import DataValue


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_values", *args, stdout=out)
    return out.getvalue()


def test_export_import_export_of_the_demo_is_identical(demo, tmp_path):
    periods = sorted(set(DataValue.objects.values_list("period", flat=True)))
    args = [arg for period in periods for arg in ("--period", period)]
    first = export(*args)
    assert first.count("\n") == DataValue.objects.count() + 1
    assert '"5.832.661.500"' not in first and "5.832.661.500" in first
    assert '"1,593"' in first  # decimals keep the Vietnamese comma, quoted in CSV

    DataValue.objects.all().delete()
    path = tmp_path / "values.csv"
    path.write_text(first, encoding="utf-8")
    out = io.StringIO()
    call_command("import_values", str(path), stdout=out)
    assert "số liệu mới" in out.getvalue()

    assert export(*args) == first


def test_export_of_one_unit_and_period(demo):
    text = export("--period", "202006", "--unit", "TPLS_CA")
    lines = text.splitlines()
    assert lines[0] == "indicator,org_unit,period,kind,value,comment"
    assert all(",TPLS_CA,202006," in line for line in lines[1:])
    assert any(line.startswith("HS_VU,TPLS_CA,202006,actual,7,") for line in lines)
