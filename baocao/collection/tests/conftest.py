import pytest

from baocao.core.periods import Period
from baocao.indicators.models import DataSet
from baocao.orgunits.models import OrgUnit


@pytest.fixture
def form(demo):
    """The demo police's monthly form, its unit and June 2020: what the Excel round trip works on."""
    return DataSet.objects.get(code="BM_TPLS_CA"), OrgUnit.objects.get(code="TPLS_CA"), Period.month(2020, 6)


@pytest.fixture
def indicators(world):
    """Indicators of the test city by code: HS (cases, whole), THU (money), MT (mass)."""
    return {
        "HS": world.indicator("HS"),
        "THU": world.indicator("THU", unit=world.money),
        "MT": world.indicator("MT", unit=world.gram),
    }
