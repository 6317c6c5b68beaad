import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from baocao.collection.models import DataValue
from baocao.orgunits.models import OrgUnit, OrgUnitType
from baocao.orgunits.services import merge_units

D = datetime.date


def test_subtree_follows_the_hierarchy(world):
    codes = set(OrgUnit.objects.subtree([world.city]).values_list("code", flat=True))
    assert codes == {"CITY", "CITY_TAX", "CITY_POLICE", "CITY_W1"}
    assert set(OrgUnit.objects.subtree([world.police]).values_list("code", flat=True)) == {"CITY_POLICE"}


def test_moving_a_unit_moves_its_subtree(world):
    province = OrgUnit.objects.create(code="PROV", name="Tỉnh", type="province", valid_from=world.start)
    world.city.parent = province
    world.city.save()
    assert world.police.code in OrgUnit.objects.subtree([province]).values_list("code", flat=True)


def test_a_unit_cannot_be_its_own_ancestor(world):
    world.city.parent = world.ward
    with pytest.raises(ValidationError, match="cấp dưới"):
        world.city.full_clean()


def test_names_are_normalised_and_searchable(db):

    unit = OrgUnit.objects.create(
        code="LVT",
        name=unicodedata.normalize("NFD", "Phường  Lương Văn Tri"),
        type="ward",
        valid_from=D(2025, 7, 1),
    )
    assert unit.name == "Phường Lương Văn Tri"
    assert OrgUnit.objects.filter(search_key__contains="luong van tri").exists()


def test_merge_closes_the_old_units_and_keeps_their_history(world):

    hs = world.indicator("HS")
    world.value(hs, world.ward, "202006", 3)
    second = OrgUnit.objects.create(
        code="CITY_W2", name="Xã Hai", type="commune", parent=world.city, valid_from=world.start
    )
    new = merge_units(
        [world.ward, second],
        code="NEW_W",
        name="Phường Mới",
        type=OrgUnitType.WARD,
        parent=world.city,
        effective_date=D(2025, 7, 1),
        legal_basis="Nghị quyết thử",
    )
    world.ward.refresh_from_db()
    assert world.ward.valid_to == D(2025, 6, 30)
    assert world.ward.is_active_on(D(2025, 6, 30)) and not world.ward.is_active_on(D(2025, 7, 1))
    assert set(new.predecessions.values_list("predecessor__code", flat=True)) == {"CITY_W1", "CITY_W2"}
    assert DataValue.objects.get(indicator=hs).org_unit == world.ward  # history stays with the old unit
    active = set(OrgUnit.objects.active_on(D(2025, 7, 1)).values_list("code", flat=True))
    assert "NEW_W" in active and "CITY_W1" not in active
    with pytest.raises(ValidationError, match="đã hết hiệu lực"):
        merge_units(
            [world.ward], code="X", name="X", type=OrgUnitType.WARD, parent=None, effective_date=D(2026, 1, 1)
        )
