import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from baocao.accounts.models import Role, RoleAssignment
from baocao.indicators.models import DataSet, DataSetIndicator


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
        user = User.objects.create_user(name)
        RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
    return world


@pytest.fixture
def client_for(db):
    """An API client authenticated with the user's token (the machine clients' way)."""

    def make(username: str | None) -> APIClient:
        client = APIClient()
        if username:
            token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
