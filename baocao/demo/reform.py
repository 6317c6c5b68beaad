"""The second demo: phường Lương Văn Tri of Lạng Sơn province after the 2025 two-tier reform.

Its locality bundle (``bundles/luong-van-tri-2025/``: the ward's agencies, its indicators, forms, the
monthly report type with its dated headers, users and roles, and which old units it took over on
01/7/2025) is imported after the June 2020 demo, whose units it refers to. This module adds the values:
the old wards and commune from January 2024 to June 2025, then the ward's own from July 2025 to
:data:`LAST_PERIOD`, so "cùng kỳ" across 1 July 2025 has something to re-aggregate (or to refuse, for
the rates). The numbers are generated, deterministic and ILLUSTRATIVE (like the mapping of old to new
units: see the bundle's ``bundle.yaml`` and docs/decisions/0016-reform-2025.md); they go through the one
write action, :func:`baocao.collection.values.write_values`.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from baocao.collection.models import ChangeSource
from baocao.collection.types import Record
from baocao.collection.values import write_values
from baocao.core.numbers import format_number
from baocao.core.periods import Period
from baocao.reports import runs
from baocao.reports.models import ReportType

__all__ = [
    "LAST_PERIOD",
    "WARD_BUNDLE",
    "WARD_DRAFT_PERIOD",
    "WARD_LOGIN_PREFIX",
    "WARD_REPORT_TYPE",
    "load_ward_values",
    "ward_values",
]

WARD_BUNDLE = Path(__file__).resolve().parent / "bundles" / "luong-van-tri-2025"
WARD_LOGIN_PREFIX = "lvt."  # the ward's users (users.csv of the bundle)
WARD = "LS_P_LUONGVANTRI"
WARD_REPORT_TYPE = "LVT_KTXH_THANG"
WARD_DRAFT_PERIOD = "202508"  # the first report whose "cùng kỳ" needs the old units
FIRST_PERIOD, REFORM_PERIOD, LAST_PERIOD = "202401", "202507", "202611"

# Monthly level of each indicator in each old unit (ILLUSTRATIVE): thu ngân sách (triệu đồng), hộ kinh
# doanh mới, giấy phép xây dựng, vụ vi phạm trật tự đô thị, trẻ sinh ra, tỷ lệ BHYT (%), tỷ lệ hộ nghèo (%).
_OLD_UNITS: dict[str, tuple[float, ...]] = {
    "TPLS_P_CHILANG": (1850.0, 9, 6, 4, 14, 93.2, 0.85),
    "TPLS_P_VINHTRAI": (2400.0, 12, 8, 6, 18, 94.1, 0.62),
    "TPLS_X_MAIPHA": (620.0, 3, 5, 2, 11, 91.5, 2.40),
}
_MAI_PHA_SHARE = 0.35  # the part of Mai Pha the ward took over (successions.csv)
_CODES = (
    "PX_THU_NS",
    "PX_HKD_MOI",
    "PX_GP_XAY_DUNG",
    "PX_VP_TTDT",
    "PX_TRE_SINH",
    "PX_TL_BHYT",
    "PX_TL_HO_NGHEO",
)
_RATES = {"PX_TL_BHYT", "PX_TL_HO_NGHEO"}
# Which of the ward's agencies reports each indicator (its forms, data-set-indicators.csv).
_WARD_AGENCY = {code: ("LVT_PKT" if n < 4 else "LVT_PVHXH") for n, code in enumerate(_CODES)}


def _months(first: str, last: str) -> list[Period]:
    period, end = Period.parse(first), Period.parse(last)
    out = []
    while period <= end:
        out.append(period)
        period = period.next()
    return out


def _value(code: str, base: float, month: Period, rng: random.Random) -> str:
    """One month's value around ``base``: a yearly growth, a season and some noise; rates drift slowly."""
    step = (month.year - 2024) * 12 + month.index - 1  # months since January 2024
    if code in _RATES:
        drift = 0.06 * step if code == "PX_TL_BHYT" else -0.02 * step
        value = min(99.5, max(0.1, base + drift + rng.uniform(-0.15, 0.15)))
        return format_number(Decimal(str(round(value, 2))))
    season = 1.25 if month.index == 12 else 0.85 if month.index in (1, 2) else 1.0
    amount = base * (1.06 ** (step / 12)) * season * rng.uniform(0.9, 1.1)
    if code == "PX_THU_NS":
        return format_number(Decimal(str(round(amount, 1))))
    return format_number(Decimal(max(0, round(amount))))


def ward_values() -> list[Record]:
    """The demo's values (deterministic): each old unit's until June 2025, the ward's from July 2025."""
    rng = random.Random(20250701)
    rows: list[dict[str, str]] = []
    for month in _months(FIRST_PERIOD, "202506"):
        for unit, bases in _OLD_UNITS.items():
            for code, base in zip(_CODES, bases, strict=True):
                rows.append(
                    {
                        "org_unit": unit,
                        "indicator": code,
                        "period": month.id,
                        "value": _value(code, base, month, rng),
                    }
                )
    ward_bases = []
    for n, code in enumerate(_CODES):
        levels = [bases[n] for bases in _OLD_UNITS.values()]
        if code in _RATES:  # the ward's own rate: near the average of the old units' (never their sum)
            ward_bases.append(sum(levels) / len(levels))
        else:  # the whole of Chi Lăng and Vĩnh Trại and 35% of Mai Pha
            ward_bases.append(levels[0] + levels[1] + _MAI_PHA_SHARE * levels[2])
    for month in _months(REFORM_PERIOD, LAST_PERIOD):
        for code, base in zip(_CODES, ward_bases, strict=True):
            rows.append(
                {
                    "org_unit": _WARD_AGENCY[code],
                    "indicator": code,
                    "period": month.id,
                    "value": _value(code, base, month, rng),
                }
            )
    return [(line, {**row, "kind": "actual", "comment": ""}) for line, row in enumerate(rows, start=1)]


def load_ward_values() -> dict[str, int]:
    """Write the ward demo's values (idempotent: the same values again change nothing) and prepare the
    draft of its August 2025 report, the first whose "cùng kỳ" reaches back before the ward existed."""
    result = write_values(None, ward_values(), source=ChangeSource.COMMAND)
    report_type = ReportType.objects.get(code=WARD_REPORT_TYPE)
    runs.get_or_create_run(report_type, report_type.org_unit, WARD_DRAFT_PERIOD)
    return {"ward_values_created": result.created, "ward_values_updated": result.updated}
