"""Project-wide pytest set-up.

Strict mode (BAOCAO_STRICT=1, set by CI): a test that skips — for example because PostgreSQL,
LibreOffice or Chromium is missing — fails instead, so CI cannot go green without them.
"""

import os

import pytest

STRICT = os.environ.get("BAOCAO_STRICT", "").lower() in {"1", "true", "yes"}


def pytest_configure(config):  # type: ignore[no-untyped-def]
    """Password hashing is slow on purpose; tests (demo users, logins) do not need that."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"Chế độ nghiêm ngặt (BAOCAO_STRICT=1): không được bỏ qua kiểm thử: {reason}"


# ---------------------------------------------------------------------------------------------
# Small builders for tests that need their own reference data (not the demo).
# ---------------------------------------------------------------------------------------------
import datetime  # noqa: E402
from decimal import Decimal  # noqa: E402


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """A city with two agencies and a ward, one sector, units of measure and target types."""
    from baocao.indicators.models import Sector, TargetType, UnitOfMeasure
    from baocao.orgunits.models import OrgUnit

    class World:
        start = datetime.date(2000, 1, 1)
        city = OrgUnit.objects.create(code="CITY", name="Thành phố Thử", type="city", valid_from=start)
        tax = OrgUnit.objects.create(
            code="CITY_TAX", name="Chi cục Thuế", type="tax", parent=city, valid_from=start
        )
        police = OrgUnit.objects.create(
            code="CITY_POLICE", name="Công an thành phố", type="police", parent=city, valid_from=start
        )
        ward = OrgUnit.objects.create(
            code="CITY_W1", name="Phường Một", type="ward", parent=city, valid_from=start
        )
        sector = Sector.objects.create(code="KT", name="Kinh tế")
        money = UnitOfMeasure.objects.create(
            code="trieu_dong", name="triệu đồng", dimension="money", factor=Decimal(1_000_000)
        )
        cases = UnitOfMeasure.objects.create(code="vu", name="vụ", dimension="count", whole_numbers=True)
        gram = UnitOfMeasure.objects.create(code="gam", name="gam", dimension="mass")
        monthly_plan = TargetType.objects.create(code="DT_THANG", name="dự toán tháng", sort_order=1)
        yearly_plan = TargetType.objects.create(code="DT_NAM", name="dự toán năm", sort_order=2)

        def indicator(self, code, unit=None, **kwargs):  # type: ignore[no-untyped-def]
            from baocao.indicators.models import Indicator

            unit = unit or self.cases
            kwargs.setdefault("value_type", "integer" if unit.whole_numbers else "decimal")
            return Indicator.objects.create(
                code=code, name=f"Chỉ tiêu {code}", sector=self.sector, unit=unit, **kwargs
            )

        def value(self, indicator, unit, period, value, kind="actual"):  # type: ignore[no-untyped-def]
            from baocao.collection.models import DataValue

            return DataValue.objects.create(
                indicator=indicator, org_unit=unit, period=period, kind=kind, value=Decimal(value)
            )

        def target(self, indicator, unit, period, target_type, value):  # type: ignore[no-untyped-def]
            from baocao.indicators.models import Target

            return Target.objects.create(
                indicator=indicator,
                org_unit=unit,
                period=period,
                target_type=target_type,
                value=Decimal(value),
            )

    return World()


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    """The June 2020 demo of UBND thành phố Lạng Sơn, loaded through the real loader."""
    from baocao.demo.loader import load_demo

    return load_demo()
