from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baocao.analytics.figures import FigureLookupError, get_figures
from baocao.collection.models import DataValue
from baocao.core.numbers import change_phrase, format_percent


@pytest.fixture
def revenue(world):
    revenue = world.indicator("THU", unit=world.money)
    for month, amount in [("202001", 100), ("202002", 200), ("202003", 300)]:
        world.value(revenue, world.tax, month, amount)
    world.value(revenue, world.tax, "201903", 250)
    world.value(revenue, world.tax, "202003", 450, kind="estimate")
    world.target(revenue, world.tax, "202003", world.monthly_plan, 400)
    world.target(revenue, world.tax, "2020", world.yearly_plan, 2000)
    return revenue


def test_value_with_previous_last_year_ytd_and_targets(world, revenue):
    figure = get_figures([world.city], "202003", ["THU"]).get("THU")
    assert figure.value == 300
    assert figure.previous == 200
    assert figure.last_year == 250
    assert figure.ytd == 600
    assert figure.change_from_previous == 100
    assert figure.ratio_to_last_year == Decimal("1.2")
    monthly = figure.target("DT_THANG")
    assert (monthly.value, monthly.ratio, monthly.diff) == (400, Decimal("0.75"), -100)
    yearly = figure.target("DT_NAM")
    assert yearly.ytd_ratio == Decimal("0.3")
    assert format_percent(yearly.ratio) == "15,0%"


def test_estimate_is_its_own_kind(world, revenue):
    figures = get_figures([world.city], "202003", ["THU"])
    estimate = figures.get("THU", kind="estimate")
    assert estimate.value == 450
    assert format_percent(estimate.target("DT_THANG").ratio) == "112,5%"
    assert figures.ratio("THU", "THU", kind="estimate", denominator_kind="actual") == Decimal("1.5")


def test_changing_stored_data_changes_the_figures(world, revenue):

    before = get_figures([world.city], "202003", ["THU"]).get("THU")
    DataValue.objects.filter(indicator=revenue, period="202003", kind="actual").update(value=Decimal(320))
    after = get_figures([world.city], "202003", ["THU"]).get("THU")
    assert format_percent(before.target("DT_THANG").ratio) == "75,0%"
    assert format_percent(after.target("DT_THANG").ratio) == "80,0%"
    assert after.ytd == before.ytd + 20


def test_rollup_adds_units_by_the_indicators_rule(world):
    crimes = world.indicator("HS")
    places = world.indicator("DD", aggregation_across_units="none")
    world.value(crimes, world.police, "202006", 7)
    world.value(crimes, world.ward, "202006", 2)
    world.value(crimes, world.police, "202005", 4)
    world.value(places, world.police, "202006", 2)
    world.value(places, world.ward, "202006", 1)
    figures = get_figures([world.city, world.police], "202006", ["HS", "DD"])
    assert figures.value("HS") == 9
    assert figures.value("HS", org_unit="CITY_POLICE") == 7
    assert change_phrase(
        figures.get("HS", org_unit="CITY_POLICE").change_from_previous, Decimal(0), "vụ"
    ) == ("tăng 03 vụ so với tháng trước")
    assert figures.value("DD") is None  # not additive: no invented total
    assert figures.value("DD", org_unit="CITY_POLICE") == 2
    own_only = get_figures([world.city], "202006", ["HS"], rollup=False)
    assert own_only.value("HS") is None


def test_last_value_across_periods(world):
    projects = world.indicator("DA", aggregation_across_periods="last")
    world.value(projects, world.tax, "202001", 40)
    world.value(projects, world.tax, "202002", 46)
    assert get_figures([world.city], "202003", ["DA"]).get("DA").ytd == 46


def test_missing_values_are_none_not_zero(world, revenue):
    figure = get_figures([world.city], "202101", ["THU"]).get("THU")
    assert (figure.value, figure.previous, figure.ytd) == (None, None, None)
    assert figure.ratio_to_previous is None
    with pytest.raises(FigureLookupError, match="không có kế hoạch loại DT_THANG"):
        figure.target("DT_THANG")


def test_unknown_codes_are_named(world, revenue):
    figures = get_figures([world.city], "202003", ["THU"])
    with pytest.raises(FigureLookupError, match="XYZ"):
        figures.get("XYZ")
    with pytest.raises(FigureLookupError, match="NOWHERE"):
        get_figures(["NOWHERE"], "202003", ["THU"])


def _count_queries(world, n_indicators: int) -> tuple[int, int]:
    codes = []
    for i in range(n_indicators):
        indicator = world.indicator(f"Q{n_indicators}_{i}", unit=world.money)
        codes.append(indicator.code)
        for month in ("201906", "202001", "202005", "202006"):
            world.value(indicator, world.tax, month, i + 1)
        world.target(indicator, world.tax, "2020", world.yearly_plan, 1000)
    with CaptureQueriesContext(connection) as ctx:
        figures = get_figures([world.city, world.tax], "202006", codes)
        assert figures.get(codes[-1]).target("DT_NAM").ytd_ratio == Decimal(3 * n_indicators) / 1000
    return len(ctx.captured_queries), len(figures)


def test_query_count_does_not_grow_with_indicators(world):
    small_queries, small_figures = _count_queries(world, 10)
    large_queries, large_figures = _count_queries(world, 300)
    assert large_figures == 30 * small_figures
    assert small_queries == large_queries <= 5


def test_targets_of_a_non_additive_indicator_are_not_added_up(world):
    rate = world.indicator("TL", unit=world.gram, aggregation_across_units="none")
    world.value(rate, world.police, "202006", 5)
    world.target(rate, world.police, "2020", world.yearly_plan, 10)
    world.target(rate, world.ward, "2020", world.yearly_plan, 20)
    figures = get_figures([world.city, world.police], "202006", ["TL"])
    assert figures.get("TL").targets == {}
    assert figures.get("TL", org_unit="CITY_POLICE").target("DT_NAM").ratio == Decimal("0.5")


def test_average_across_units_and_periods_is_exact(world):
    # Aggregated in SQL as sum and count: the average of the units' values per period, then the
    # year to date by the rule across periods.
    rate = world.indicator("TB", aggregation_across_units="average", aggregation_across_periods="average")
    world.value(rate, world.tax, "202005", Decimal("1.1"))
    world.value(rate, world.police, "202005", Decimal("2.2"))
    world.value(rate, world.ward, "202005", Decimal("0.1"))
    world.value(rate, world.tax, "202006", Decimal("0.3"))
    world.target(rate, world.tax, "2020", world.yearly_plan, 1)
    world.target(rate, world.police, "2020", world.yearly_plan, 2)
    figure = get_figures([world.city], "202006", ["TB"]).get("TB")
    assert figure.previous == Decimal("3.4") / 3
    assert figure.value == Decimal("0.3")
    assert figure.ytd == (Decimal("3.4") / 3 + Decimal("0.3")) / 2
    assert figure.target("DT_NAM").value == Decimal("1.5")


def test_nested_and_repeated_units_keep_their_counting(world):
    crimes = world.indicator("HS2")
    world.value(crimes, world.ward, "202006", 2)
    world.value(crimes, world.police, "202006", 5)
    nested = get_figures([world.city, world.police, world.ward], "202006", ["HS2"])
    assert [nested.value("HS2", org_unit=u) for u in ("CITY", "CITY_POLICE", "CITY_W1")] == [7, 5, 2]
    own = get_figures([world.city, world.ward], "202006", ["HS2"], rollup=False)
    assert (own.value("HS2"), own.value("HS2", org_unit="CITY_W1")) == (None, 2)
    # A unit asked for twice counts twice, as before aggregation moved into SQL.
    assert get_figures([world.ward, world.ward], "202006", ["HS2"]).value("HS2") == 4
