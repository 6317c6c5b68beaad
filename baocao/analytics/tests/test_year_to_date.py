"""Year to date for every kind of value, on the demo's Chi NSNN (issue 11, item 6).

"Lũy kế" (cumulative) values already count from the start of the year: their year to date is the
latest one stored in the year, never their sum. Actual and estimate values are added up.
Expected figures are read from the stored data, so changing a stored value changes them."""

import re
from decimal import Decimal

from django.urls import reverse

from baocao.analytics.figures import Figure, get_figures
from baocao.collection.models import DataValue
from baocao.core.numbers import format_number, format_percent
from baocao.core.periods import Period
from baocao.indicators.models import Indicator, Target, TargetType
from baocao.orgunits.models import OrgUnit

JUNE = Period.parse("202006")


def chi(kind: str) -> Figure:
    return get_figures(["TPLS"], JUNE, ["CHI_NSNN"]).get("CHI_NSNN", kind)


def stored(kind: str, period: str) -> DataValue:
    return DataValue.objects.get(indicator__code="CHI_NSNN", kind=kind, period=period)


def stored_year(kind: str) -> list[Decimal]:
    """The stored values of Chi NSNN of this kind from January to June 2020, in order."""
    months = [p.id for p in JUNE.year_to_date()]
    rows = DataValue.objects.filter(indicator__code="CHI_NSNN", kind=kind, period__in=months)
    return [v for _p, v in sorted(rows.values_list("period", "value"))]


def test_cumulative_year_to_date_is_the_latest_cumulative_value_not_a_sum(demo):
    values = stored_year("cumulative")
    assert len(values) >= 2  # May and June are both stored: a sum would differ
    figure = chi("cumulative")
    assert figure.ytd == stored("cumulative", "202006").value == values[-1]
    assert figure.ytd != sum(values)
    assert format_number(figure.ytd) == "223.489"


def test_cumulative_year_to_date_without_this_months_value_is_the_latest_before(demo):
    may = stored("cumulative", "202005").value
    stored("cumulative", "202006").delete()
    figure = chi("cumulative")
    assert figure.value is None
    assert figure.ytd == may


def test_cumulative_ytd_ratio_uses_the_latest_cumulative_value(demo):
    plan = TargetType.objects.get(code="DT_TINH")
    year_plan = Decimal(3_020_000)
    Target.objects.create(
        indicator=Indicator.objects.get(code="CHI_NSNN"),
        org_unit=OrgUnit.objects.get(code="TPLS_PTCKH"),
        period="2020",
        target_type=plan,
        value=year_plan,
    )
    target = chi("cumulative").target("DT_TINH")
    assert target.ytd_ratio == stored("cumulative", "202006").value / year_plan
    assert format_percent(target.ytd_ratio) == "7,4%"


def test_actual_year_to_date_is_the_sum_of_the_months(demo):
    values = stored_year("actual")
    assert len(values) >= 2
    assert chi("actual").ytd == sum(values)
    stored("actual", "202005").delete()
    assert chi("actual").ytd == stored("actual", "202006").value


def test_estimate_year_to_date_is_the_sum_of_the_months(demo):
    indicator = Indicator.objects.get(code="CHI_NSNN")
    unit = OrgUnit.objects.get(code="TPLS_PTCKH")
    # The demo stores no estimate of Chi NSNN: the estimates of May and June are based on its actuals.
    for month in ("202005", "202006"):
        DataValue.objects.create(
            indicator=indicator,
            org_unit=unit,
            period=month,
            kind="estimate",
            value=stored("actual", month).value + 1000,
        )
    figure = chi("estimate")
    assert figure.ytd == sum(stored_year("estimate"))
    assert figure.ytd == chi("actual").ytd + 2000


def test_cumulative_year_to_date_of_a_city_adds_each_units_latest_value(world):
    spent = world.indicator("CHI", unit=world.money)
    world.value(spent, world.tax, "202005", 200, kind="cumulative")
    world.value(spent, world.tax, "202006", 300, kind="cumulative")
    world.value(spent, world.police, "202005", 50, kind="cumulative")  # June not reported yet
    figure = get_figures([world.city], "202006", ["CHI"]).get("CHI", "cumulative")
    assert figure.value == 300  # the values stored for June
    assert figure.ytd == 350  # the tax office's June and the police's May, nothing counted twice
    assert get_figures([world.police], "202006", ["CHI"]).get("CHI", "cumulative").ytd == 50


def ytd_cell(page: str, indicator_name: str, kind_label: str) -> str:
    """The "Lũy kế từ đầu năm" cell of the home page's row of an indicator and kind."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) == 8 and cells[0].endswith(indicator_name) and cells[2] == kind_label:
            return cells[6]
    raise AssertionError(f"Không thấy dòng {indicator_name} / {kind_label} trên trang chủ.")


def test_home_page_shows_the_latest_cumulative_value_as_year_to_date(client_as):
    admin = client_as("admin")

    def cell() -> str:
        page = admin.get(reverse("analytics:figures"), {"period": "202006", "unit": "TPLS"}).content.decode()
        return ytd_cell(page, "Chi ngân sách nhà nước", "Lũy kế")

    june = stored("cumulative", "202006")
    assert cell() == format_number(june.value) == "223.489"
    june.value += 11
    june.save()
    assert cell() == format_number(june.value) == "223.500"
