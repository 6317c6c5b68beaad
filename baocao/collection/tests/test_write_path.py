"""One write path for values (docs/decisions/0006-one-write-path.md): both executors agree row for row,
every surface gives the same refusal, and the action itself decides permission."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from baocao.accounts.models import Role
from baocao.collection import excel
from baocao.collection.models import ChangeSource, DataValue, Submission, ValueChange
from baocao.collection.types import ImportRejected, ValueConflict
from baocao.collection.values import write_value, write_values
from baocao.core.periods import Period
from baocao.indicators.models import DataSet, DataSetIndicator, UnitOfMeasure
from baocao.testing.factories import make_user, token_client

# ------------------------------------------------------------------------------- both executors agree


@pytest.fixture
def place(world):
    """Indicators breaking each rule in some rows: a count (whole, not negative), money, a percentage
    (0–100 by default) and a mass with declared bounds; a ward closed in 2019; a locked form."""
    percent = UnitOfMeasure.objects.create(code="pt", name="%", dimension="percent")
    world.hs = world.indicator("HS")  # vụ: whole numbers
    world.hs_dec = world.indicator("HSD", value_type="decimal")  # decimal type, unit vụ: still whole
    world.thu = world.indicator("THU", unit=world.money)
    world.tl = world.indicator("TL", unit=percent)
    world.mt = world.indicator("MT", unit=world.gram, min_value=Decimal(1), max_value=Decimal(500))
    world.ward.valid_to = datetime.date(2019, 12, 31)
    world.ward.save()
    form = DataSet.objects.create(code="F", name="Biểu", period_type="month")
    form.org_units.set([world.police, world.tax])
    for order, indicator in enumerate((world.hs, world.hs_dec, world.thu, world.tl, world.mt)):
        DataSetIndicator.objects.create(data_set=form, indicator=indicator, kind="actual", sort_order=order)
    Submission.objects.create(data_set=form, org_unit=world.tax, period="202005", status="locked")
    world.form = form
    world.clerk = make_user("clerk", Role.UNIT_STAFF, world.police)
    world.value(world.hs, world.police, "202006", 3)
    world.value(world.thu, world.police, "202005", "12.5")
    return world


numbers = st.one_of(
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-3, max_value=3, places=2, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-5, max_value=150),
    st.sampled_from([Decimal("2.5"), Decimal("120"), Decimal("0.00001"), Decimal("3")]),
)


def _mostly(good, bad):
    """Good choices most of the time, so that many batches reach the later checks and the write."""
    return st.one_of(
        st.sampled_from(good), st.sampled_from(good), st.sampled_from(good), st.sampled_from(bad)
    )


rows = st.fixed_dictionaries(
    {
        "indicator": _mostly(["HS", "HSD", "THU", "TL", "MT"], ["XX"]),
        "org_unit": _mostly(["CITY_POLICE", "CITY_TAX"], ["CITY_W1", "NOWHERE"]),
        "period": _mostly(["202006", "202005"], ["2020-13"]),
        "kind": _mostly(["actual", "estimate", "ước thực hiện"], ["thang"]),
        "value": st.one_of(numbers, numbers, numbers.map(str), st.just("abc")),
        "comment": st.sampled_from(["", "ghi chú", "=HYPERLINK(1)"]),
    }
)


def _snapshot():
    values = sorted(
        DataValue.objects.values_list(
            "indicator__code",
            "org_unit__code",
            "period",
            "kind",
            "value",
            "comment",
            "version",
            "created_by__username",
            "updated_by__username",
        )
    )
    audit = sorted(
        ValueChange.objects.values_list(
            "indicator__code",
            "org_unit__code",
            "period",
            "kind",
            "old_value",
            "new_value",
            "old_comment",
            "new_comment",
            "changed_by__username",
            "source",
        ),
        key=repr,
    )
    return values, audit


def _run(executor, actor, records, dry_run):
    """The outcome of one executor, rolled back: result or error, values and audit rows."""
    with transaction.atomic():
        try:
            result = write_values(actor, records, source=ChangeSource.CSV, dry_run=dry_run, executor=executor)
            outcome = ("ok", result.total, result.created, result.updated, result.unchanged, result.rows)
        except ImportRejected as exc:
            outcome = (type(exc).__name__, [(e.line, e.column, e.message) for e in exc.errors])
        except PermissionDenied as exc:
            outcome = ("PermissionDenied", str(exc))
        state = _snapshot()
        transaction.set_rollback(True)
    return outcome, state


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(rows, min_size=1, max_size=8), as_clerk=st.booleans(), dry_run=st.booleans())
def test_both_executors_give_the_same_values_errors_and_audit(place, batch, as_clerk, dry_run):
    records = [(line, dict(row)) for line, row in enumerate(batch, start=2)]
    actor = place.clerk if as_clerk else None
    orm = _run("orm", actor, records, dry_run)
    sql = _run("sql", actor, records, dry_run)
    assert orm == sql


def test_the_rules_refuse_what_quality_would_block(place):
    """2,5 "vụ" (even for an indicator typed decimal: the unit takes whole numbers) and 120% are refused
    on entry, so they cannot be accepted and then block approval."""
    for executor in ("orm", "sql"):
        with pytest.raises(ImportRejected) as info:
            write_values(
                None,
                [
                    (1, {"indicator": "HSD", "org_unit": "CITY_POLICE", "period": "202006", "value": "2,5"}),
                    (2, {"indicator": "TL", "org_unit": "CITY_POLICE", "period": "202006", "value": "120"}),
                ],
                source=ChangeSource.CSV,
                executor=executor,
            )
        messages = [e.message for e in info.value.errors]
        assert "chỉ nhận số nguyên, không nhận 2,5" in messages[0]
        assert "lớn hơn mức tối đa 100" in messages[1]


# ----------------------------------------------------------------------------- the action decides


def test_the_action_refuses_a_user_without_enter(place):
    outsider = make_user("thue", Role.UNIT_STAFF, place.tax)
    viewer = make_user("lanhdao", Role.LEADER, place.city)
    record = [(1, {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": "4"})]
    for user in (outsider, viewer):
        for executor in ("orm", "sql"):
            with pytest.raises(PermissionDenied, match="Công an thành phố"):
                write_values(user, record, source=ChangeSource.WEB, executor=executor)
        with pytest.raises(PermissionDenied):
            write_value(user, indicator=place.hs, org_unit=place.police, period="202006", value="4")
    assert DataValue.objects.get(indicator=place.hs).value == 3 and not ValueChange.objects.exists()


def test_one_conflict_rule_whoever_saved_since(place):
    """A stale version is a conflict even when the newer save was the writer's own; sending what is
    already stored is not."""
    write_value(place.clerk, indicator=place.hs, org_unit=place.police, period="202006", value="4")
    with pytest.raises(ValueConflict):
        write_value(
            place.clerk,
            indicator=place.hs,
            org_unit=place.police,
            period="202006",
            value="5",
            expected_version=1,
        )
    same = write_value(
        place.clerk,
        indicator=place.hs,
        org_unit=place.police,
        period="202006",
        value="4",
        expected_version=1,
    )
    assert (same.value, same.version) == (4, 2)


# ------------------------------------------------------------------------- every surface, same refusal

OUTSIDE = "không có trong tháng 6/2020"
NOT_WHOLE = "chỉ nhận số nguyên, không nhận 2,5"
LOCKED = "đã khóa, không sửa được"


@pytest.fixture
def police_form(place):
    place.police_form = DataSet.objects.create(code="BM_CA", name="Biểu công an", period_type="month")
    place.police_form.org_units.set([place.police])
    place.member = DataSetIndicator.objects.create(
        data_set=place.police_form, indicator=place.hs, kind="actual", sort_order=1
    )
    return place


def _make(case, world):
    """Put the world in the state of the case; the value to send."""
    if case == "outside":
        world.police.valid_from = datetime.date(2020, 7, 1)
        world.police.save()
        return "4", OUTSIDE
    if case == "whole":
        return "2,5", NOT_WHOLE
    Submission.objects.update_or_create(
        data_set=world.police_form, org_unit=world.police, period="202006", defaults={"status": "locked"}
    )
    return "4", LOCKED


CASES = ["outside", "whole", "locked"]
ARGS = ["BM_CA", "CITY_POLICE", "202006"]


def _unchanged():
    assert DataValue.objects.get(indicator__code="HS", period="202006").value == 3
    assert not ValueChange.objects.exists()


@pytest.mark.parametrize("case", CASES)
def test_form_autosave(police_form, case):
    value, message = _make(case, police_form)
    client = Client()
    client.force_login(police_form.clerk)
    key = f"f{police_form.member.pk}"
    response = client.post(reverse("collection:autosave", args=ARGS), {key: value})
    assert response.status_code in (400, 409) and message in response.json()["error"]
    _unchanged()


@pytest.mark.parametrize("case", CASES)
def test_form_save(police_form, case):
    value, message = _make(case, police_form)
    client = Client()
    client.force_login(police_form.clerk)
    key = f"f{police_form.member.pk}"
    page = client.post(reverse("collection:entry", args=ARGS), {key: value, "step": "save"})
    assert page.status_code == 200 and message in page.content.decode()
    _unchanged()


@pytest.mark.parametrize("case", CASES)
def test_excel_upload(police_form, case):
    data = excel.export_form(police_form.police_form, police_form.police, Period.parse("202006"))
    value, message = _make(case, police_form)
    book = load_workbook(io.BytesIO(data))
    sheet = book[excel.SHEET]
    sheet.cell(excel.FIRST_ROW, excel.VALUE + 1).value = value
    out = io.BytesIO()
    book.save(out)
    client = Client()
    client.force_login(police_form.clerk)
    page = client.post(
        reverse("collection:excel_upload", args=ARGS),
        {"file": io.BytesIO(out.getvalue()), "action": "import"},
    )
    assert page.status_code == 200 and message in page.content.decode()
    _unchanged()


@pytest.mark.parametrize("case", CASES)
def test_csv_command(police_form, case, tmp_path):
    value, message = _make(case, police_form)
    path = tmp_path / "values.csv"
    path.write_text(f'indicator,org_unit,period,value\nHS,CITY_POLICE,202006,"{value}"\n', encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_values", str(path))
    _unchanged()


@pytest.mark.parametrize("case", CASES)
def test_api_single_value(police_form, case):
    value, message = _make(case, police_form)
    body = {"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": value}
    response = token_client("clerk").post("/api/v1/data-values/", body, format="json")
    assert response.status_code in (400, 409)
    assert any(message in e["message"] for e in response.json()["errors"])
    _unchanged()


@pytest.mark.parametrize("case", CASES)
def test_api_bulk(police_form, case):
    value, message = _make(case, police_form)
    body = {
        "dataValues": [{"indicator": "HS", "org_unit": "CITY_POLICE", "period": "202006", "value": value}]
    }
    response = token_client("clerk").post(
        "/api/v1/data-value-sets/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (400, 409)
    assert any(message in e["message"] for e in response.json()["errors"])
    _unchanged()


@pytest.mark.parametrize("case", CASES)
def test_admin_is_read_only_for_values(police_form, case):
    """The admin cannot write a value at all (it would bypass the action): no add, no change."""
    _make(case, police_form)
    admin = make_user("root", superuser=True)
    client = Client()
    client.force_login(admin)
    value = DataValue.objects.get(indicator__code="HS", period="202006")
    assert client.get(reverse("admin:collection_datavalue_add")).status_code == 403
    posted = client.post(reverse("admin:collection_datavalue_change", args=[value.pk]), {"value": "2,5"})
    assert posted.status_code == 403
    _unchanged()


# ------------------------------------------------------------------------------ where a value came from


def test_an_archive_row_keeps_the_sentence_it_came_from(place):
    """A value read from a past report keeps its sentence in the change log (the passport shows it);
    a sentence is not a column of other sources' rows."""
    sentence = "Phạm pháp hình sự xảy ra 04 vụ."
    write_values(
        None,
        [
            (
                1,
                {
                    "indicator": "HS",
                    "org_unit": place.police.code,
                    "period": "202004",
                    "value": "4",
                    "source_note": sentence,
                },
            )
        ],
        source=ChangeSource.ARCHIVE,
    )
    change = ValueChange.objects.get(indicator=place.hs, period="202004")
    assert (change.source, change.source_note) == (ChangeSource.ARCHIVE, sentence)
    assert change.get_source_display() == "Từ báo cáo cũ"
