"""Month-end estimates and year-end projections (issue 19, point 2): suggestions from the part of the month
already reported and the history of the same months; "chưa đủ dữ liệu để dự báo" when history is short."""

from decimal import Decimal

import pytest

from baocao.analytics.forecast import (
    NOT_ENOUGH,
    MonthEstimate,
    Projection,
    Unavailable,
    month_end_estimate,
    project_year_end,
    straight_line_year,
)
from baocao.collection.models import DataValue

pytestmark = pytest.mark.django_db

# Public investment disbursement, back-loaded: the share of the year paid out in each month.
BACK_LOADED = [2, 3, 4, 5, 6, 8, 7, 8, 9, 10, 13, 25]


def _store_year(world, indicator, unit, year, total, profile=BACK_LOADED, upto=12):
    for month in range(1, upto + 1):
        world.value(indicator, unit, f"{year}{month:02d}", Decimal(total) * profile[month - 1] / 100)


@pytest.fixture
def disbursement(world):
    indicator = world.indicator("GIAI_NGAN", world.money)
    # Three past years whose first halves reached 27-29% of the year (the profile shifted a little).
    for year, total, shift in ((2017, 900, 0), (2018, 1000, 1), (2019, 1100, -1)):
        profile = list(BACK_LOADED)
        profile[5] += shift
        profile[11] -= shift
        _store_year(world, indicator, world.tax, year, total, profile)
    return indicator


def test_back_loaded_year_is_projected_from_the_seasonal_profile_not_a_straight_line(world, disbursement):
    # 2020 runs like the past years: by June 28% of a year of 1.200 is disbursed.
    _store_year(world, disbursement, world.tax, 2020, 1200, upto=6)
    projection = project_year_end(world.tax, "202006", "GIAI_NGAN")

    assert isinstance(projection, Projection)
    ytd = Decimal(1200) * sum(BACK_LOADED[:6]) / 100
    assert projection.ytd == ytd
    # The projection comes within 5% of the year the profile leads to; the straight line reads the slow
    # first half as a year of barely more than half of it.
    assert abs(projection.value - 1200) < 60
    assert straight_line_year(ytd, 6) < 700
    # A range, not a single number: from the past years' smallest and largest shares by June.
    assert projection.low < projection.value < projection.high
    assert projection.low < 1200 < projection.high
    assert projection.years == (2019, 2018, 2017)


def test_too_short_history_says_not_enough_data_instead_of_a_number(world, disbursement):
    DataValue.objects.filter(period__startswith="2017").delete()
    DataValue.objects.filter(period__startswith="2018").delete()
    _store_year(world, disbursement, world.tax, 2020, 1200, upto=6)

    projection = project_year_end(world.tax, "202006", "GIAI_NGAN")

    assert isinstance(projection, Unavailable)
    assert str(projection).startswith(NOT_ENOUGH)
    assert "ít nhất 2 năm" in str(projection)


def test_a_year_with_no_value_yet_is_not_projected(world, disbursement):
    projection = project_year_end(world.tax, "202006", "GIAI_NGAN")
    assert isinstance(projection, Unavailable)
    assert str(projection).startswith(NOT_ENOUGH)


def test_city_projection_adds_up_its_agencies(world, disbursement):
    _store_year(world, disbursement, world.tax, 2020, 1200, upto=6)
    city = project_year_end(world.city, "202006", "GIAI_NGAN")
    tax = project_year_end(world.tax, "202006", "GIAI_NGAN")
    assert isinstance(city, Projection) and isinstance(tax, Projection)
    assert city.value == tax.value


def test_june_2020_revenue_estimate_is_offered_from_the_part_to_the_14th_and_last_june(demo):
    def stored(period, kind):
        return DataValue.objects.get(
            indicator__code="THU_NSNN", org_unit__code="TPLS_CCT", period=period, kind=kind
        ).value

    estimate = month_end_estimate("TPLS_CCT", "202006", "THU_NSNN")

    assert isinstance(estimate, MonthEstimate)
    assert estimate.day == 14
    assert estimate.part == stored("202006", "actual")
    # June 2019 reached this share of its whole month by the 14th: June 2020's part scaled by it, weighted
    # by the share, and the part plus the rest of June 2019, weighted by the rest of the month.
    share = stored("201906", "actual") / stored("201906", "estimate")
    part = stored("202006", "actual")
    rest = stored("201906", "estimate") - stored("201906", "actual")
    assert estimate.shares == (share,)
    assert estimate.value == part / share * share + (part + rest) * (1 - share)
    # It is a suggestion: nothing was written.
    assert stored("202006", "estimate") != estimate.value


def test_month_without_a_past_year_offers_no_estimate(demo):
    DataValue.objects.filter(indicator__code="THU_NSNN", period="201906").delete()
    estimate = month_end_estimate("TPLS_CCT", "202006", "THU_NSNN")
    assert isinstance(estimate, Unavailable)
    assert str(estimate).startswith(NOT_ENOUGH)


def test_past_years_stored_only_in_part_do_not_count_as_history(world):
    # Two past years with June alone (as the demo's 2019): read naively they reached their whole year by June.
    indicator = world.indicator("MOT_THANG", world.money)
    for year in (2018, 2019):
        world.value(indicator, world.tax, f"{year}06", 100)
    _store_year(world, indicator, world.tax, 2020, 1200, upto=6)

    projection = project_year_end(world.tax, "202006", "MOT_THANG")

    assert isinstance(projection, Unavailable)
    assert "mới có 0" in str(projection)
