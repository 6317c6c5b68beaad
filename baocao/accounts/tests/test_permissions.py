"""Every role × every action × own unit / other unit, with the outcome written out in a table.

The table is the specification; it is not derived from ROLE_ACTIONS, so a change of the rules in code
must be a change of this table too."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from baocao.accounts.models import Role, RoleAssignment
from baocao.accounts.permissions import Action, can, for_user, require, units_for
from baocao.collection.models import DataValue
from baocao.orgunits.models import OrgUnit

# Columns: view enter submit return accept approve reopen lock compile issue assign manage
MATRIX = {
    Role.UNIT_STAFF: "Y Y . . . . . . . . . .",
    Role.UNIT_HEAD: "Y Y Y . . . . . . . . .",
    Role.OFFICE: "Y . . Y Y . . Y Y . Y .",
    Role.LEADER: "Y . . . . Y Y Y . Y Y .",
    Role.ADMIN: "Y Y Y Y Y Y Y Y Y Y Y Y",
}
ACTIONS = [
    Action.VIEW,
    Action.ENTER,
    Action.SUBMIT,
    Action.RETURN,
    Action.ACCEPT,
    Action.APPROVE,
    Action.REOPEN,
    Action.LOCK,
    Action.COMPILE,
    Action.ISSUE,
    Action.ASSIGN,
    Action.MANAGE,
]
CASES = [
    pytest.param(
        role, action, where, allowed == "Y" and where == "own", id=f"{role.value}-{action.value}-{where}"
    )
    for role, row in MATRIX.items()
    for action, allowed in zip(ACTIONS, row.split(), strict=True)
    for where in ("own", "other")
]


@pytest.fixture
def units(world):
    other_city = OrgUnit.objects.create(code="TOWN", name="Thị xã Khác", type="city", valid_from=world.start)
    return {
        "city": world.city,
        "police": world.police,  # "own" unit of unit roles; inside the city of office and leader
        "tax": world.tax,  # a sibling agency: "other" for unit roles
        "town_police": OrgUnit.objects.create(
            code="TOWN_POLICE",
            name="Công an thị xã",
            type="police",
            parent=other_city,
            valid_from=world.start,
        ),
    }


_numbers = itertools.count()


def user_with(role: Role, unit: OrgUnit, **dates) -> User:
    user = User.objects.create_user(f"u-{role.value}-{unit.code}-{next(_numbers)}")
    RoleAssignment.objects.create(user=user, role=role, org_unit=unit, **dates)
    return user


def bound_unit(role: Role, units) -> OrgUnit:
    return units["police"] if role in (Role.UNIT_STAFF, Role.UNIT_HEAD) else units["city"]


@pytest.mark.parametrize(("role", "action", "where", "expected"), CASES)
def test_role_action_unit(units, role, action, where, expected):
    user = user_with(role, bound_unit(role, units))
    target = (
        units["police"]
        if where == "own"
        else (units["tax"] if role in (Role.UNIT_STAFF, Role.UNIT_HEAD) else units["town_police"])
    )
    assert can(user, action, target) is expected
    if expected:
        require(user, action, target)
    else:
        with pytest.raises(PermissionDenied, match=target.name):
            require(user, action, target)


def test_matrix_covers_every_role_and_action():
    assert set(MATRIX) == set(Role) and set(ACTIONS) == set(Action)


def test_no_role_anonymous_and_superuser(units):
    nobody = User.objects.create_user("nobody")
    for action in Action:
        assert not can(nobody, action, units["police"])
        assert not can(AnonymousUser(), action, units["police"])
        assert not can(None, action, units["police"])
    root = User.objects.create_superuser("root")
    assert all(can(root, action, units["town_police"]) for action in Action)
    inactive = user_with(Role.ADMIN, units["city"])
    inactive.is_active = False
    inactive.save()
    assert not can(inactive, Action.VIEW, units["police"])


def test_roles_follow_their_validity_dates(units):
    today = datetime.date.today()
    expired = user_with(Role.UNIT_STAFF, units["police"], valid_to=today - datetime.timedelta(days=1))
    future = user_with(Role.UNIT_STAFF, units["police"], valid_from=today + datetime.timedelta(days=1))
    current = user_with(Role.UNIT_STAFF, units["police"], valid_from=today, valid_to=today)
    assert not can(expired, Action.ENTER, units["police"])
    assert not can(future, Action.ENTER, units["police"])
    assert can(current, Action.ENTER, units["police"])


def test_a_role_covers_the_subtree_and_for_user_narrows_querysets(world, units):
    office = user_with(Role.OFFICE, units["city"])
    assert set(units_for(office, Action.VIEW).values_list("code", flat=True)) == {
        "CITY",
        "CITY_TAX",
        "CITY_POLICE",
        "CITY_W1",
    }
    cases = world.indicator("VU")
    world.value(cases, units["police"], "202006", 7)
    world.value(cases, units["town_police"], "202006", 9)
    staff = user_with(Role.UNIT_STAFF, units["police"])
    assert list(for_user(DataValue.objects.all(), staff, Action.VIEW).values_list("value", flat=True)) == [7]
    assert for_user(DataValue.objects.all(), office, Action.VIEW).count() == 1
    assert for_user(DataValue.objects.all(), User.objects.create_user("x"), Action.VIEW).count() == 0
