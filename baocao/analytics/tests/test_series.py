from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baocao.analytics.figures import get_figures
from baocao.analytics.series import LineRole, SeriesError, get_series, window
from baocao.collection.models import DataValue
from baocao.core.periods import Period


@pytest.fixture
def revenue(world):
    revenue = world.indicator("THU", unit=world.money)
    world.value(revenue, world.tax, "202006", 9050)
    world.value(revenue, world.tax, "202005", 8000)
    world.value(revenue, world.ward, "202006", 50)  # counts towards the city's subtree
    world.value(revenue, world.tax, "201906", 7000)
    world.value(revenue, world.tax, "201806", 6000)  # last year of June 2019, inside a 24-month window
    world.value(revenue, world.tax, "202006", 9500, kind="estimate")
    world.target(revenue, world.tax, "202006", world.monthly_plan, 40000)
    world.target(revenue, world.tax, "2020", world.yearly_plan, 420000)
    return revenue


def test_window_is_the_months_ending_with_the_period():
    months = window(Period.parse("2020Q2"), 24)
    assert months[0].id == "201807" and months[-1].id == "202006" and len(months) == 24
    with pytest.raises(SeriesError, match="Số tháng"):
        window(Period.parse("202006"), 0)


def test_actual_estimate_last_year_and_monthly_plan(world, revenue):
    series = get_series(world.city, "202006", "THU")["THU"]
    assert [p.id for p in series.months][-1] == "202006"
    assert len(series.months) == 24
    actual = series.line("actual")
    assert actual.values[-1] == Decimal(9100)  # the tax office and the ward
    assert actual.values[-2] == Decimal(8000)
    assert actual.values[-13] == Decimal(7000)  # June 2019
    last_year = series.line("last_year:actual")
    assert last_year.role == LineRole.LAST_YEAR
    assert last_year.values[-1] == Decimal(7000)  # June 2019 under June 2020
    assert last_year.values[-13] == Decimal(6000)  # June 2018 under June 2019
    assert series.line("estimate").values[-1] == Decimal(9500)
    plan = series.line("plan:DT_THANG")
    assert plan.label == "Dự toán tháng" and plan.values[-1] == Decimal(40000)
    assert plan.values[:-1] == (None,) * 23
    # A yearly plan has nothing to compare with but cumulative values, which this indicator has not.
    assert "plan:DT_NAM" not in [line.key for line in series.lines]
    assert "cumulative" not in [line.key for line in series.lines]


def test_yearly_plan_is_drawn_against_cumulative_values(world, revenue):
    world.value(revenue, world.tax, "202006", 60000, kind="cumulative")
    series = get_series(world.city, "202006", ["THU"], months=12)["THU"]
    assert series.line("cumulative").values[-1] == Decimal(60000)
    yearly = series.line("plan:DT_NAM")
    assert yearly.kind == "cumulative"
    # The year 2020's plan over January–June 2020, none for the months of 2019.
    assert yearly.values[-6:] == (Decimal(420000),) * 6 and yearly.values[0] is None


def test_chart_data_is_json_ready(world, revenue):
    data = get_series(world.city, "202006", "THU", months=3)["THU"].chart_data()
    assert data["categories"] == ["T4/2020", "T5/2020", "T6/2020"]
    assert data["unit"] == "triệu đồng"
    actual = next(s for s in data["series"] if s["key"] == "actual")
    assert actual["data"] == [None, 8000.0, 9100.0]


def test_a_saved_value_is_on_the_next_series(world, revenue):
    before = get_series(world.city, "202006", "THU", months=2)["THU"].line("actual").values[-1]
    DataValue.objects.filter(indicator=revenue, org_unit=world.tax, period="202006", kind="actual").update(
        value=Decimal(9999)
    )
    after = get_series(world.city, "202006", "THU", months=2)["THU"].line("actual").values[-1]
    assert (before, after) == (Decimal(9100), Decimal(10049))


def test_bounded_queries_whatever_the_number_of_indicators(world, revenue):
    world.indicator("HS")
    with CaptureQueriesContext(connection) as one:
        get_series(world.city, "202006", ["THU"], months=6)
    with CaptureQueriesContext(connection) as two:
        get_series(world.city, "202006", ["THU", "HS"], months=6)
    assert len(one) == len(two)
    assert len(one) <= 6 * 5


def test_one_figures_read_whatever_the_number_of_months(world, revenue):
    """A 24-month chart costs the queries of one figures call, not one call per month (bench/RESULTS.md:
    126 queries and 5,5 s at province scale before), and gives what a call per month gives."""
    with CaptureQueriesContext(connection) as two:
        get_series(world.city, "202006", ["THU"], months=2)
    with CaptureQueriesContext(connection) as many:
        series = get_series(world.city, "202006", ["THU"], months=24)["THU"]
    assert len(many) == len(two) <= 6
    for n, month in enumerate(series.months):
        figure = get_figures([world.city], month, ["THU"]).get("THU")
        assert series.line("actual").values[n] == figure.value
        assert series.line("last_year:actual").values[n] == figure.last_year


def test_bad_input_is_a_vietnamese_message(world, revenue):
    with pytest.raises(SeriesError, match="Không có chỉ tiêu mã KHONG_CO"):
        get_series(world.city, "202006", ["THU", "KHONG_CO"])
    with pytest.raises(SeriesError, match="Không có đơn vị mã KHONG_CO"):
        get_series("KHONG_CO", "202006", "THU")
    with pytest.raises(SeriesError, match="không hợp lệ"):
        get_series(world.city, "202013", "THU")
    with pytest.raises(SeriesError, match="Loại số liệu"):
        get_series(world.city, "202006", "THU", kinds=["plan"])
