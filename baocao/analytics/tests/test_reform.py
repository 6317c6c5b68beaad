"""'Cùng kỳ' across the 2025 reform: a ward founded on 01/7/2025 compares August 2025 with August 2024,
when it did not exist. Additive indicators are re-aggregated from its predecessors (whole merges, a
partial transfer by share, a chain of successions); rates and indicators that do not add up are marked
not comparable, never given a percentage computed from a partial base (vn-rules.md §4)."""

import datetime
from decimal import Decimal

import pytest

from baocao.analytics.figures import get_figures
from baocao.orgunits.models import OrgUnit, OrgUnitSuccession
from baocao.testing.factories import make_unit

REFORM = datetime.date(2025, 7, 1)
LAST_DAY = datetime.date(2025, 6, 30)


def _link(predecessor, successor, kind="merge", share=None, day=REFORM):
    return OrgUnitSuccession.objects.create(
        predecessor=predecessor, successor=successor, kind=kind, share=share, effective_date=day
    )


@pytest.fixture
def reform(world):
    """Old wards A (itself formed on 01/9/2024 from A0: a chain), B, and commune C under the city; from
    01/7/2025 ward W takes A and B whole and 40% of C (the other 60% goes to X)."""
    city = world.city
    old_a0 = make_unit("A0", "Phường A cũ", "ward", city, valid_to=datetime.date(2024, 8, 31))
    old_a = make_unit("A", "Phường A", "ward", city, valid_from=datetime.date(2024, 9, 1), valid_to=LAST_DAY)
    old_b = make_unit("B", "Phường B", "ward", city, valid_to=LAST_DAY)
    old_c = make_unit("C", "Xã C", "commune", city, valid_to=LAST_DAY)
    province = make_unit("P", "Tỉnh Thử", "province")
    ward = make_unit("W", "Phường Lương Văn Tri", "ward", province, valid_from=REFORM)
    other = make_unit("X", "Xã X", "commune", province, valid_from=REFORM)
    _link(old_a0, old_a, day=datetime.date(2024, 9, 1))
    _link(old_a, ward)
    _link(old_b, ward)
    _link(old_c, ward, "transfer", Decimal("0.4"))
    _link(old_c, other, "transfer", Decimal("0.6"))
    revenue = world.indicator("THU", unit=world.money)
    rate = world.indicator("TL", unit=world.gram, value_type="percent", aggregation_across_units="average")
    # August 2024 (last year's August): A0 still existed; A did not.
    for unit, amount, percent in [(old_a0, 100, 10), (old_b, 200, 20), (old_c, 500, 30)]:
        world.value(revenue, unit, "202408", amount)
        world.value(rate, unit, "202408", percent)
    # January to June 2025 by the old units; July and August 2025 by the new ward.
    for month in ("202501", "202502", "202503", "202504", "202505", "202506"):
        world.value(revenue, old_a, month, 10)
        world.value(revenue, old_b, month, 20)
        world.value(revenue, old_c, month, 50)
    world.value(revenue, ward, "202507", 70)
    world.value(revenue, ward, "202508", 390)
    world.value(rate, ward, "202507", 25)
    world.value(rate, ward, "202508", 24)
    return world


def test_additive_last_year_is_the_predecessors_sum_with_the_transferred_share(reform):
    figure = get_figures(["W"], "202508", ["THU"]).get("THU")
    # A0 (through A, a chain) + B + 40% of C: 100 + 200 + 0,4 × 500 = 500.
    assert figure.last_year == Decimal(500)
    assert figure.last_year_comparable
    assert figure.ratio_to_last_year == Decimal("0.78")
    assert figure.value == Decimal(390)
    assert set(figure.reaggregated_from) == {"Phường A", "Phường A cũ", "Phường B", "Xã C"}


def test_year_to_date_joins_the_old_units_months_and_the_new_wards(reform):
    figure = get_figures(["W"], "202508", ["THU"]).get("THU")
    # Six months of A + B + 40% of C (10 + 20 + 20 = 50 each), then July 70 and August 390.
    assert figure.ytd == Decimal(6 * 50 + 70 + 390)
    assert figure.ytd_comparable
    assert figure.previous == Decimal(70)


def test_the_other_successor_gets_the_rest_of_the_split(reform):
    figure = get_figures(["X"], "202508", ["THU"]).get("THU")
    assert figure.last_year == Decimal(300)  # 60% of C's 500


def test_a_rate_is_not_comparable_and_gives_no_percentage(reform):
    figure = get_figures(["W"], "202508", ["TL"]).get("TL")
    assert figure.value == Decimal(24)
    assert figure.last_year is None
    assert figure.ratio_to_last_year is None
    assert not figure.last_year_comparable
    assert figure.not_comparable_reason == "đơn vị mới thành lập từ 01/7/2025"
    # July 2025 (its window began 15/6, before the reform) was reported by the ward alone: its own.
    assert (figure.previous, figure.previous_comparable) == (Decimal(25), True)


def test_a_rate_compares_with_the_one_unit_a_renamed_unit_continues(reform):
    renamed = make_unit("R", "Phường Rờ", "ward", reform.city, valid_from=REFORM)
    _link(OrgUnitSuccession.objects.filter(predecessor__code="B").first().predecessor, renamed, "rename")
    figure = get_figures(["R"], "202508", ["TL"]).get("TL")
    assert (figure.last_year, figure.last_year_comparable) == (Decimal(20), True)


def test_a_split_without_share_is_not_comparable(reform):
    OrgUnitSuccession.objects.filter(predecessor__code="C", successor__code="W").update(share=None)
    figure = get_figures(["W"], "202508", ["THU"]).get("THU")
    assert figure.last_year is None
    assert not figure.last_year_comparable
    assert figure.not_comparable_reason == "chưa có tỷ lệ phần của Xã C chuyển sang từ 01/7/2025"


def test_the_old_city_beside_its_wards_is_not_counted_twice(reform):
    """The city split into several wards (no share) is the coarser statement of the same transfer as
    its old wards' successions: the finer ones are used."""
    _link(reform.city, OrgUnitSuccession.objects.get(predecessor__code="A").successor, "split")
    figure = get_figures(["W"], "202508", ["THU"]).get("THU")
    assert figure.last_year == Decimal(500)
    assert figure.last_year_comparable


def test_a_period_after_the_reform_is_the_wards_own(reform):
    figure = get_figures(["W"], "202609", ["THU"]).get("THU")
    assert figure.previous is None and figure.previous_comparable
    assert figure.last_year is None and figure.last_year_comparable


def test_the_old_units_own_figures_are_unchanged(reform):
    figure = get_figures(["B"], "202506", ["THU"]).get("THU")
    assert (figure.value, figure.ytd, figure.last_year_comparable) == (Decimal(20), Decimal(120), True)


def test_successions_cost_no_extra_query(reform, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        figures = get_figures(["W", "X", "CITY"], "202508", ["THU", "TL"])
    assert figures.get("THU", org_unit="W").last_year == Decimal(500)
    assert figures.get("THU", org_unit="X").last_year == Decimal(300)


def test_a_cycle_of_successions_ends(reform):
    _link(
        OrgUnitSuccession.objects.get(predecessor__code="A").successor,
        OrgUnitSuccession.objects.get(predecessor__code="A0").predecessor,
        day=datetime.date(2025, 8, 1),
    )
    figure = get_figures(["W"], "202508", ["THU"]).get("THU")
    assert figure.last_year == Decimal(500)


def test_a_share_of_a_count_is_a_whole_number(reform):
    shops = reform.indicator("HKD")  # counted in "vụ": whole numbers
    reform.value(shops, OrgUnit.objects.get(code="C"), "202408", 7)
    reform.value(shops, OrgUnit.objects.get(code="W"), "202508", 5)
    assert get_figures(["W"], "202508", ["HKD"]).get("HKD").last_year == 3  # 40% of 7 = 2,8 households
