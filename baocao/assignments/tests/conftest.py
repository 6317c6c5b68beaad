import datetime

import pytest
from django.contrib.auth.models import User

from baocao.accounts.models import RoleAssignment
from baocao.orgunits.models import OrgUnit


@pytest.fixture
def org(db):
    """A city with two agencies; a unit staff member, an office clerk and a leader."""

    class Org:
        start = datetime.date(2000, 1, 1)
        city = OrgUnit.objects.create(code="C", name="Thành phố Thử", type="city", valid_from=start)
        econ = OrgUnit.objects.create(
            code="C_PKT",
            name="Phòng Kinh tế",
            type="department",
            parent=city,
            valid_from=start,
            sort_order=40,
        )
        land = OrgUnit.objects.create(
            code="C_PTNMT",
            name="Phòng Tài nguyên và Môi trường",
            type="department",
            parent=city,
            valid_from=start,
            sort_order=70,
        )
        staff = User.objects.create_user("pkt.canbo", password="x")
        office = User.objects.create_user("vanphong", password="x")
        leader = User.objects.create_user("lanhdao", password="x", first_name="Chủ tịch")
        admin = User.objects.create_superuser("admin", password="x")

    RoleAssignment.objects.create(user=Org.staff, role="unit_staff", org_unit=Org.econ)
    RoleAssignment.objects.create(user=Org.office, role="office", org_unit=Org.city)
    RoleAssignment.objects.create(user=Org.leader, role="leader", org_unit=Org.city)
    return Org()
