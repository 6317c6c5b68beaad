"""The demo's logins: the office, the leader, the administrator, and two users per reporting unit.

Demo only: never load the demo on a production database."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from baocao.accounts.models import RoleAssignment
from baocao.orgunits.models import OrgUnit

# Demo logins printed by `make run`.
DEMO_PASSWORD = "baocao-demo-2020"
DEMO_USERS: list[dict[str, Any]] = [
    {"username": "admin", "first_name": "Quản trị viên", "is_superuser": True, "roles": []},
    {"username": "vanphong", "first_name": "Chuyên viên Văn phòng", "roles": [("office", "TPLS")]},
    {"username": "lanhdao", "first_name": "Chủ tịch UBND thành phố", "roles": [("leader", "TPLS")]},
]
DEMO_CITY = "TPLS"


def demo_unit_users(unit_code: str, unit_name: str) -> list[dict[str, Any]]:
    """One user per role of a reporting unit: its staff (enter) and its head (submit)."""
    slug = unit_code.removeprefix(f"{DEMO_CITY}_").lower().replace("_", "")
    return [
        {
            "username": f"{slug}.canbo",
            "first_name": f"Cán bộ {unit_name}",
            "roles": [("unit_staff", unit_code)],
        },
        {
            "username": f"{slug}.truong",
            "first_name": f"Lãnh đạo {unit_name}",
            "roles": [("unit_head", unit_code)],
        },
    ]


def load_users(specs: list[dict[str, Any]]) -> int:
    """Create the users of the specs (kept when present) and their roles. Idempotent."""
    user_model = get_user_model()
    hashed = make_password(DEMO_PASSWORD)  # hashing is slow on purpose: once for all demo users
    for spec in specs:
        user, created = user_model.objects.get_or_create(username=spec["username"])
        if created:
            user.password = hashed
            user.first_name = spec["first_name"]
            user.is_staff = bool(spec.get("is_superuser"))
            user.is_superuser = bool(spec.get("is_superuser"))
            user.save()
        for role, unit_code in spec["roles"]:
            RoleAssignment.objects.get_or_create(
                user=user, role=role, org_unit=OrgUnit.objects.get(code=unit_code), valid_to=None
            )
    return len(specs)
