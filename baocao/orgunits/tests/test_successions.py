"""Splits and partial transfers as an action (orgunits.services.split_unit): the shares recorded are what
"cùng kỳ" of the successors is re-aggregated by (docs/decisions/0016-reform-2025.md)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from baocao.analytics.figures import get_figures
from baocao.orgunits.models import OrgUnitSuccession
from baocao.orgunits.services import split_unit
from baocao.testing.factories import make_unit

REFORM = datetime.date(2025, 7, 1)


@pytest.fixture
def split(world):
    east = make_unit("EAST", "Phường Đông", "ward", world.city, valid_from=REFORM)
    west = make_unit("WEST", "Phường Tây", "ward", world.city, valid_from=REFORM)
    return world, east, west


def test_a_split_closes_the_old_unit_and_its_shares_drive_cung_ky(split):
    world, east, west = split
    revenue = world.indicator("THU", unit=world.money)
    world.value(revenue, world.ward, "202408", 1000)
    split_unit(world.ward, [(east, Decimal("0.25")), (west, Decimal("0.75"))], effective_date=REFORM)
    world.ward.refresh_from_db()
    assert world.ward.valid_to == datetime.date(2025, 6, 30)
    assert set(OrgUnitSuccession.objects.values_list("kind", flat=True)) == {"split"}
    figures = get_figures([east, west], "202508", ["THU"])
    assert figures.get("THU", org_unit="EAST").last_year == 250
    assert figures.get("THU", org_unit="WEST").last_year == 750


def test_a_partial_transfer_keeps_the_old_unit(split):
    world, east, _west = split
    split_unit(world.ward, [(east, Decimal("0.1"))], effective_date=REFORM, closes=False)
    world.ward.refresh_from_db()
    assert world.ward.valid_to is None
    assert OrgUnitSuccession.objects.get().kind == "transfer"


def test_shares_above_the_whole_are_refused_and_nothing_is_written(split):
    world, east, west = split
    split_unit(world.ward, [(east, Decimal("0.6"))], effective_date=REFORM, closes=False)
    with pytest.raises(
        ValidationError, match=r"Tổng tỷ lệ các phần của CITY_W1 chuyển đi từ 01/07/2025 là 1,3, lớn hơn 1"
    ):
        split_unit(world.ward, [(west, Decimal("0.7"))], effective_date=REFORM)
    with pytest.raises(ValidationError, match="phải lớn hơn 0 và không quá 1"):
        split_unit(world.ward, [(west, Decimal("1.5"))], effective_date=REFORM)
    world.ward.refresh_from_db()
    assert world.ward.valid_to is None
    assert OrgUnitSuccession.objects.count() == 1
