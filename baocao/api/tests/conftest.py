import pytest

from baocao.accounts.models import Role
from baocao.indicators.models import DataSet, DataSetIndicator
from baocao.testing.factories import make_user


@pytest.fixture
def setup(world):
    """The test city with a monthly form of the police (HS: cases, THU: money) and one user per role."""
    world.hs = world.indicator("HS")
    world.thu = world.indicator("THU", unit=world.money)
    world.form = DataSet.objects.create(code="BM_CA", name="Biểu công an", period_type="month")
    world.form.org_units.set([world.police])
    for order, indicator in enumerate((world.hs, world.thu)):
        DataSetIndicator.objects.create(
            data_set=world.form, indicator=indicator, kind="actual", sort_order=order
        )
    for name, role, unit in (
        ("ca_canbo", Role.UNIT_STAFF, world.police),
        ("ca_truong", Role.UNIT_HEAD, world.police),
        ("thue_canbo", Role.UNIT_STAFF, world.tax),
        ("vanphong", Role.OFFICE, world.city),
        ("lanhdao", Role.LEADER, world.city),
    ):
        make_user(name, role, unit)
    return world
