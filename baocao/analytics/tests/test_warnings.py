"""Early warnings (issue 19, point 3): each indicator with a plan or a direction gets on track / at risk /
off track / not assessable, at-risk items first, per unit and for the subtree, with the ranking of units."""

import re
from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse

from baocao.analytics.forecast import NOT_ENOUGH
from baocao.analytics.warnings import Status, rank_units, warnings_for
from baocao.indicators.models import DataSet, DataSetIndicator
from baocao.testing.factories import make_user

pytestmark = pytest.mark.django_db

PROFILE = [2, 3, 4, 5, 6, 8, 7, 8, 9, 10, 13, 25]  # back-loaded, percent of the year per month


def _year(world, indicator, unit, year, total, upto=12):
    for month in range(1, upto + 1):
        world.value(indicator, unit, f"{year}{month:02d}", Decimal(total) * PROFILE[month - 1] / 100)


@pytest.fixture
def admin(db):
    return make_user("admin", superuser=True)


@pytest.fixture
def city_plans(world):
    """Three indicators of the tax office with a year plan for 2020: one running ahead, one behind, one
    whose plan falls within its projection's range; and a count of accidents judged by its direction."""
    made = {}
    for code, total_2020, plan in (("AHEAD", 1500, 1200), ("BEHIND", 700, 1200), ("CLOSE", 1200, 1150)):
        indicator = world.indicator(code, world.money, sort_order=len(made))
        for year, total, shift in ((2017, 900, 0), (2018, 1000, 2), (2019, 1100, -2)):
            for month in range(1, 13):
                share = PROFILE[month - 1] + (shift if month == 6 else -shift if month == 12 else 0)
                world.value(indicator, world.tax, f"{year}{month:02d}", Decimal(total) * share / 100)
        _year(world, indicator, world.tax, 2020, total_2020, upto=6)
        world.target(indicator, world.tax, "2020", world.yearly_plan, plan)
        made[code] = indicator
    accidents = world.indicator("TAI_NAN", direction="down", warning_band=Decimal(10), sort_order=9)
    for year in (2017, 2018, 2019):
        world.value(accidents, world.police, f"{year}06", 10)
    world.value(accidents, world.police, "202006", 14)
    made["TAI_NAN"] = accidents
    return made


def test_statuses_from_the_projection_against_the_plan_and_at_risk_first(world, city_plans, admin):
    warnings = warnings_for(admin, world.city, "202006")
    city = {w.indicator.code: w for w in warnings if w.is_subtree}

    assert city["AHEAD"].status == Status.ON_TRACK
    assert city["BEHIND"].status == Status.OFF_TRACK
    assert city["CLOSE"].status == Status.AT_RISK
    assert "có nguy cơ không đạt" in city["CLOSE"].explanation
    assert "dự toán năm 1.150 triệu đồng" in city["CLOSE"].explanation
    assert city["CLOSE"].low < 1150 < city["CLOSE"].high
    # More accidents than in the same month of past years beyond the 10% band: off track.
    assert city["TAI_NAN"].status == Status.OFF_TRACK
    assert "14 vụ, tăng 40,0% so với bình quân cùng kỳ 3 năm trước (10 vụ)" in city["TAI_NAN"].explanation
    # At-risk items first: every off-track item before every at-risk one, on-track ones last.
    orders = [w.status.order for w in warnings]
    assert orders == sorted(orders)
    assert warnings[0].status == Status.OFF_TRACK
    assert warnings[-1].status == Status.ON_TRACK


def test_member_units_are_judged_and_ranked(world, city_plans, admin):
    warnings = warnings_for(admin, world.city, "202006")
    tax = [w for w in warnings if w.unit == world.tax]
    police = [w for w in warnings if w.unit == world.police]
    # Each member is judged on its own business: the indicators its units report or hold a plan for (the
    # police's accidents are not the tax office's, nor the tax office's revenue the police's).
    assert {w.indicator.code for w in tax} == {"AHEAD", "BEHIND", "CLOSE"}
    assert {w.indicator.code for w in police} == {"TAI_NAN"}
    ranking = rank_units(warnings)
    # The tax office has one item off track and one at risk, the police one off track.
    assert [(r.place, r.unit.code) for r in ranking][:2] == [(1, "CITY_TAX"), (2, "CITY_POLICE")]
    assert ranking[0].off_track == 1 and ranking[0].at_risk == 1


def test_short_history_is_not_assessable(world, admin):
    indicator = world.indicator("MOI", world.money)
    _year(world, indicator, world.tax, 2020, 1000, upto=6)
    world.target(indicator, world.tax, "2020", world.yearly_plan, 1000)

    (warning,) = [w for w in warnings_for(admin, world.tax, "202006") if w.indicator == indicator]

    assert warning.status == Status.NOT_ASSESSABLE
    assert NOT_ENOUGH in warning.explanation
    assert warning.projected is None


def test_indicators_without_plan_or_direction_are_left_out(world, admin):
    indicator = world.indicator("KHONG_DANH_GIA", world.money)
    world.value(indicator, world.tax, "202006", 5)
    assert warnings_for(admin, world.tax, "202006") == []


def test_a_unit_outside_ones_rights_is_not_found(world, city_plans):
    clerk = make_user("ca.canbo", "unit_staff", world.police)
    with pytest.raises(Http404):
        warnings_for(clerk, world.city, "202006")
    own = warnings_for(clerk, world.police, "202006")
    assert {w.unit.code for w in own} == {"CITY_POLICE"}


def test_weekly_list_page_puts_at_risk_items_first_and_ranks_units(client, world, city_plans, admin):
    client.force_login(admin)
    page = client.get(reverse("analytics:warnings"), {"unit": "CITY", "period": "202006"}).content.decode()

    own = page[page.index('id="warnings-own"') :]
    statuses = re.findall(r'data-status="(\w+)"', own[: own.index("</table>")])
    assert statuses[:2] == ["off_track", "off_track"] and statuses[-1] == "on_track"
    assert "Có nguy cơ không đạt" in page
    assert "dự toán năm 1.150 triệu đồng" in page
    ranking = page[page.index('id="warnings-ranking"') :]
    assert ranking.index("Chi cục Thuế") < ranking.index("Công an thành phố")


def test_weekly_list_page_of_a_unit_outside_ones_rights_is_not_found(client, world, city_plans):
    client.force_login(make_user("ca.canbo", "unit_staff", world.police))
    response = client.get(reverse("analytics:warnings"), {"unit": "CITY", "period": "202006"})
    assert response.status_code == 404


def test_dashboard_panel_shows_the_units_at_risk_items_first_in_their_colours(
    client, world, city_plans, admin
):
    client.force_login(admin)
    query = {"unit": "CITY", "period": "202006"}
    panel = client.get(reverse("analytics:warnings_panel"), query).content.decode()

    item = r'class="warning-item warning-(\w+)" data-indicator="(\w+)" data-status="(\w+)"'
    items = re.findall(item, panel)
    assert items == [
        ("red", "BEHIND", "off_track"),
        ("red", "TAI_NAN", "off_track"),
        ("amber", "CLOSE", "at_risk"),
    ]
    assert "Đúng tiến độ: <strong>1</strong>" in panel


def test_dashboard_does_not_compute_the_warnings_but_links_the_panel_and_the_weekly_list(
    client, world, city_plans, admin
):
    # The projections are fetched after the page (warnings_panel.js); without JS the weekly list's link.
    client.force_login(admin)
    page = client.get(reverse("analytics:dashboard"), {"unit": "CITY", "period": "202006"}).content.decode()

    slot = page[page.index('id="warnings-panel"') : page.index('id="cards-title"')]
    assert "warning-item" not in slot
    assert f'data-panel-url="{reverse("analytics:warnings_panel")}?unit=CITY&amp;period=202006"' in slot
    assert f'href="{reverse("analytics:warnings")}?unit=CITY&amp;period=202006"' in slot
    assert "baocao/warnings_panel.js" in page


def test_panel_fragment_of_a_unit_outside_ones_rights_is_not_found(client, world, city_plans):
    client.force_login(make_user("ca.canbo", "unit_staff", world.police))
    response = client.get(reverse("analytics:warnings_panel"), {"unit": "CITY", "period": "202006"})
    assert response.status_code == 404


def test_an_indicator_reported_only_as_cumulative_is_projected_from_its_luy_ke(world, admin):
    indicator = world.indicator("CHI_LUY_KE", world.money)
    form = DataSet.objects.create(code="BM_CHI", name="Chi ngân sách", period_type="month")
    DataSetIndicator.objects.create(data_set=form, indicator=indicator, kind="cumulative")
    for year, total in ((2017, 900), (2018, 1000), (2019, 1100), (2020, 1200)):
        running = Decimal(0)
        for month in range(1, 13 if year < 2020 else 7):
            running += Decimal(total) * PROFILE[month - 1] / 100
            world.value(indicator, world.tax, f"{year}{month:02d}", running, kind="cumulative")
    world.target(indicator, world.tax, "2020", world.yearly_plan, 2000)

    (warning,) = [w for w in warnings_for(admin, world.tax, "202006") if w.indicator == indicator]

    assert warning.status == Status.OFF_TRACK
    assert warning.value is None or warning.projection.ytd == Decimal(1200) * sum(PROFILE[:6]) / 100
    assert warning.projected is not None and 1000 < warning.projected < 1300


def test_without_a_plan_the_month_is_compared_with_the_same_month_not_a_partial_year(world, admin):
    # Past years stored with June alone; 2020 from January: June against June, not half a year against June.
    permits = world.indicator("GIAY_PHEP", direction="up", warning_band=Decimal(10))
    for year in (2018, 2019):
        world.value(permits, world.tax, f"{year}06", 20)
    for month in range(1, 7):
        world.value(permits, world.tax, f"2020{month:02d}", 19)

    (warning,) = [w for w in warnings_for(admin, world.tax, "202006") if w.indicator == permits]

    assert warning.status == Status.AT_RISK
    assert warning.explanation.startswith(
        "Tháng 6/2020: 19 vụ, giảm 5,0% so với bình quân cùng kỳ 2 năm trước (20 vụ)"
    )
