"""The test worlds, built in one place.

* `build_world()`: a small city (two agencies and a ward), one sector, units of measure and target
  types — the root conftest's `world` fixture; tests add indicators, values and targets to it.
* `build_org()`: a city with two departments and the people who assign and report tasks (a unit's staff,
  the office, the leader, an administrator) — the `org` fixture.
* `load_demo_world()`: the June 2020 demo through the real loader — the `demo` fixture;
  `computed_from_demo()` computes something once from it for a module and rolls the demo back.

Every unit, user, indicator, value and target is made by the functions below, so a change to the models
is made once here. Test code only: nothing in `baocao` imports this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from baocao.accounts.models import RoleAssignment
from baocao.collection.models import DataValue, Submission
from baocao.collection.workflow import get_submission
from baocao.core.periods import Period
from baocao.demo.loader import load_demo
from baocao.indicators.models import DataSet, Indicator, Sector, Target, TargetType, UnitOfMeasure
from baocao.orgunits.models import OrgUnit
from baocao.reports.building import build_document
from baocao.reports.docx import render_docx
from baocao.reports.models import ReportType
from baocao.reports.pdf import PdfMetadata
from baocao.reports.word_frames import frame_of

START = datetime.date(2000, 1, 1)

T = TypeVar("T")


# ------------------------------------------------------------------------------------------- pieces


def make_unit(code: str, name: str, type: str, parent: OrgUnit | None = None, **fields: Any) -> OrgUnit:
    fields.setdefault("valid_from", START)
    return OrgUnit.objects.create(code=code, name=name, type=type, parent=parent, **fields)


def make_user(
    username: str,
    role: str | None = None,
    unit: OrgUnit | None = None,
    *,
    superuser: bool = False,
    **fields: Any,
) -> User:
    """A user, with a role on a unit when given (password: `fields["password"]`, else none)."""
    password = fields.pop("password", None)
    if superuser:
        user = User.objects.create_superuser(username, password=password, **fields)
    else:
        user = User.objects.create_user(username, password=password, **fields)
    if role is not None:
        assert unit is not None, "a role needs a unit"
        RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
    return user


def make_indicator(code: str, sector: Sector, unit: UnitOfMeasure, **fields: Any) -> Indicator:
    fields.setdefault("value_type", "integer" if unit.whole_numbers else "decimal")
    return Indicator.objects.create(code=code, name=f"Chỉ tiêu {code}", sector=sector, unit=unit, **fields)


def make_value(
    indicator: Indicator, unit: OrgUnit, period: str, value: Decimal | int | str, kind: str = "actual"
) -> DataValue:
    """A stored value as it is after any write path (tests of the write paths use the services)."""
    return DataValue.objects.create(
        indicator=indicator, org_unit=unit, period=period, kind=kind, value=Decimal(value)
    )


def make_target(
    indicator: Indicator, unit: OrgUnit, period: str, target_type: TargetType, value: Decimal | int | str
) -> Target:
    return Target.objects.create(
        indicator=indicator, org_unit=unit, period=period, target_type=target_type, value=Decimal(value)
    )


# ------------------------------------------------------------------------------------------- worlds


class World:
    """A city with two agencies and a ward, one sector, units of measure and target types.

    Tests may hang more on it (`world.form = ...`)."""

    start = START

    def __init__(self) -> None:
        self.city = make_unit("CITY", "Thành phố Thử", "city")
        self.tax = make_unit("CITY_TAX", "Chi cục Thuế", "tax", self.city)
        self.police = make_unit("CITY_POLICE", "Công an thành phố", "police", self.city)
        self.ward = make_unit("CITY_W1", "Phường Một", "ward", self.city)
        self.sector = Sector.objects.create(code="KT", name="Kinh tế")
        self.money = UnitOfMeasure.objects.create(
            code="trieu_dong", name="triệu đồng", dimension="money", factor=Decimal(1_000_000)
        )
        self.cases = UnitOfMeasure.objects.create(code="vu", name="vụ", dimension="count", whole_numbers=True)
        self.gram = UnitOfMeasure.objects.create(code="gam", name="gam", dimension="mass")
        self.monthly_plan = TargetType.objects.create(code="DT_THANG", name="dự toán tháng", sort_order=1)
        self.yearly_plan = TargetType.objects.create(code="DT_NAM", name="dự toán năm", sort_order=2)

    def indicator(self, code: str, unit: UnitOfMeasure | None = None, **fields: Any) -> Indicator:
        return make_indicator(code, self.sector, unit or self.cases, **fields)

    def value(
        self,
        indicator: Indicator,
        unit: OrgUnit,
        period: str,
        value: Decimal | int | str,
        kind: str = "actual",
    ) -> DataValue:
        return make_value(indicator, unit, period, value, kind)

    def target(
        self,
        indicator: Indicator,
        unit: OrgUnit,
        period: str,
        target_type: TargetType,
        value: Decimal | int | str,
    ) -> Target:
        return make_target(indicator, unit, period, target_type, value)


def build_world() -> World:
    return World()


class Org:
    """A city with two departments; a unit staff member, an office clerk, a leader and an administrator
    (password "x")."""

    start = START

    def __init__(self) -> None:
        self.city = make_unit("C", "Thành phố Thử", "city")
        self.econ = make_unit("C_PKT", "Phòng Kinh tế", "department", self.city, sort_order=40)
        self.land = make_unit(
            "C_PTNMT", "Phòng Tài nguyên và Môi trường", "department", self.city, sort_order=70
        )
        self.staff = make_user("pkt.canbo", "unit_staff", self.econ, password="x")
        self.office = make_user("vanphong", "office", self.city, password="x")
        self.leader = make_user("lanhdao", "leader", self.city, password="x", first_name="Chủ tịch")
        self.admin = make_user("admin", superuser=True, password="x")


def build_org() -> Org:
    return Org()


def load_demo_world() -> dict[str, int]:
    """The June 2020 demo of UBND thành phố Lạng Sơn, loaded through the real loader (without the ward
    demo of the 2025 reform, which the tests that need it load: two seconds saved per test)."""
    return load_demo(ward=False)


def demo_submission(data_set: str, unit: str, period: str) -> Submission:
    """The submission of a demo form (data set code) by a unit (code) for a period, created if needed."""
    return get_submission(DataSet.objects.get(code=data_set), OrgUnit.objects.get(code=unit), period)


def june_report_docx() -> tuple[bytes, PdfMetadata]:
    """The demo's June 2020 report as a Word file and the PDF metadata to convert it with (for the PDF tests,
    through `computed_from_demo`)."""
    june = Period.month(2020, 6)
    report_type = ReportType.objects.get(code="KTXH_THANG")
    document = build_document(report_type, report_type.org_unit, june).document
    metadata = PdfMetadata(
        title=f"{report_type.name} – {june.label}",
        author=report_type.org_unit.name,
        subject=" ".join((document.number_line, *document.summary)),
        keywords=("báo cáo", "kinh tế - xã hội", june.label),
    )
    return render_docx(document, frame_of(report_type)), metadata


def computed_from_demo(django_db_blocker: Any, compute: Callable[[], T]) -> T:
    """`compute()` run once on the demo, which is rolled back afterwards (for module-scoped fixtures).

    The fixture must depend on pytest-django's ``django_db_setup`` (the root conftest then marks its tests
    so that the test database exists); refused on any other database, never loading into the developer's."""
    name = Path(str(connection.settings_dict["NAME"])).name
    if not name.startswith("test"):
        raise RuntimeError(
            f"computed_from_demo on the database {name!r}, not a test database: make the module-scoped "
            "fixture depend on django_db_setup."
        )
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(ward=False)
        result = compute()
        transaction.set_rollback(True)
    return result


# ------------------------------------------------------------------------------------------- clients


def logged_in(client: Client, username: str) -> Client:
    """The test client signed in as an existing user (the browser's session)."""
    client.force_login(User.objects.get(username=username))
    return client


def token_client(username: str | None) -> APIClient:
    """An API client with the user's token (the machine clients' way); anonymous for None."""
    client = APIClient()
    if username:
        token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
