"""The admin takes numbers the Vietnamese way (issue 13, item 1): "7.800" is seven thousand eight hundred,
"2.990.000" is two million nine hundred ninety thousand, and text the parser cannot read is refused with
a Vietnamese message — through the admin pages, as the superuser who edits the reference data."""

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from baocao.core.admin_fields import VietnameseDecimalField, VietnameseIntegerField
from baocao.indicators.models import Indicator, Target, UnitOfMeasure
from baocao.orgunits.models import OrgUnitSuccession
from baocao.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(make_user("quantri", superuser=True))
    return client


def _target_form(world, indicator, value, period="2025"):
    return {
        "indicator": indicator.pk,
        "org_unit": world.city.pk,
        "period": period,
        "target_type": world.yearly_plan.pk,
        "value": value,
        "note": "",
    }


def _input_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_targets_typed_with_thousands_dots_are_read_as_thousands(admin_client, world):
    cases = world.indicator("TAI_NAN")
    money = world.indicator("THU_NS", world.money)

    response = admin_client.post("/quan-tri/indicators/target/add/", _target_form(world, cases, "7.800"))
    assert response.status_code == 302, response.content.decode()[:3000]
    response = admin_client.post("/quan-tri/indicators/target/add/", _target_form(world, money, "2.990.000"))
    assert response.status_code == 302, response.content.decode()[:3000]

    assert Target.objects.get(indicator=cases).value == Decimal("7800")
    target = Target.objects.get(indicator=money)
    assert target.value == Decimal("2990000")

    # The change page shows the stored value the same way, and saving it untouched keeps it.
    page = admin_client.get(f"/quan-tri/indicators/target/{target.pk}/change/").content.decode()
    assert _input_value(page, "value") == "2.990.000"
    response = admin_client.post(
        f"/quan-tri/indicators/target/{target.pk}/change/", _target_form(world, money, "2.990.000")
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal("2990000")


def test_a_value_the_parser_cannot_read_is_refused_in_vietnamese_and_nothing_is_saved(admin_client, world):
    cases = world.indicator("TAI_NAN")

    response = admin_client.post("/quan-tri/indicators/target/add/", _target_form(world, cases, "7,8.0"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Không đọc được số" in page and "7,8.0" in page
    assert _input_value(page, "value") == "7,8.0"  # the text typed, not a reinterpretation of it
    assert not Target.objects.exists()


def test_decimal_commas_and_other_number_columns_of_other_admins(admin_client, world):
    response = admin_client.post(
        "/quan-tri/indicators/unitofmeasure/add/",
        {"code": "ty_dong", "name": "tỷ đồng", "dimension": "money", "factor": "1.000.000.000"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert UnitOfMeasure.objects.get(code="ty_dong").factor == Decimal("1000000000")

    response = admin_client.post(
        "/quan-tri/orgunits/orgunitsuccession/add/",
        {
            "predecessor": world.ward.pk,
            "successor": world.city.pk,
            "kind": "transfer",
            "effective_date": "01/07/2025",
            "share": "0,25",
            "legal_basis": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert OrgUnitSuccession.objects.get().share == Decimal("0.25")


def test_an_indicators_bounds_are_read_the_vietnamese_way(admin_client, world):
    data = {
        "code": "DIEN_TICH",
        "name": "Diện tích gieo trồng",
        "short_name": "",
        "sector": world.sector.pk,
        "unit": world.gram.pk,
        "value_type": "decimal",
        "aggregation_across_units": "sum",
        "aggregation_across_periods": "sum",
        "breakdown_rule": "",
        "min_value": "1.000",
        "max_value": "2.500.000,75",
        "description": "",
        "direction": "up",
        "warning_band": "5,5",
        "sort_order": "0",
        "is_active": "on",
    }

    response = admin_client.post("/quan-tri/indicators/indicator/add/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    indicator = Indicator.objects.get(code="DIEN_TICH")
    assert (indicator.min_value, indicator.max_value) == (Decimal("1000"), Decimal("2500000.75"))
    assert indicator.warning_band == Decimal("5.5")
    page = admin_client.get(f"/quan-tri/indicators/indicator/{indicator.pk}/change/").content.decode()
    assert (_input_value(page, "min_value"), _input_value(page, "max_value")) == ("1.000", "2.500.000,75")


def test_whole_number_columns_read_grouping_and_refuse_fractions(admin_client, world):
    data = {"code": "XH", "name": "Xã hội", "sort_order": "1.000"}
    response = admin_client.post("/quan-tri/indicators/sector/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert world.sector.__class__.objects.get(code="XH").sort_order == 1000  # Django alone: 1

    response = admin_client.post(
        "/quan-tri/indicators/sector/add/", {**data, "code": "VH", "sort_order": "7,5"}
    )
    assert response.status_code == 200
    assert "không phải là số nguyên" in response.content.decode()


def _number_columns(model):
    return {
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField)
        and not field.primary_key
        and not field.choices
    }


# Third-party admins we do not subclass: axes shows login failures (no one types them).
_NOT_OURS = {"axes"}


def test_every_number_column_of_every_admin_and_inline_takes_vietnamese_numbers(world):
    request = RequestFactory().get("/quan-tri/")
    request.user = make_user("quantri", superuser=True)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in _NOT_OURS:
            continue
        admins = [(model, model_admin)] + [
            (inline.model, inline) for inline in model_admin.get_inline_instances(request)
        ]
        for form_model, each in admins:
            form = each.get_formset(request).form if each is not model_admin else each.get_form(request)
            for name in _number_columns(form_model) & set(form.base_fields):
                field = form.base_fields[name]
                assert isinstance(field, VietnameseDecimalField | VietnameseIntegerField), (
                    f"{type(each).__name__}.{name}: {type(field).__name__}"
                )
                assert 'type="number"' not in str(field.widget.render(name, None))
                checked += 1
    assert checked >= 10  # targets, min/max, shares, factors, sort orders...
