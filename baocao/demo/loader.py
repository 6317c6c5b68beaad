"""Loading reference data (units, sectors, indicators...) from a YAML document, and the demo.

The loader upserts by code, so running it twice changes nothing; values and targets go through
the same all-or-nothing CSV services as `import_values`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from baocao.analytics.cards import load_key_figures
from baocao.collection.models import ChangeSource, DataValue
from baocao.collection.values import import_values_csv
from baocao.core.csvio import ImportRejected, RowError
from baocao.demo.tasks import load_demo_tasks
from baocao.demo.users import DEMO_USERS, demo_unit_users, load_users
from baocao.indicators.models import DataSet, DataSetIndicator, Indicator, Sector, TargetType, UnitOfMeasure
from baocao.indicators.services import import_targets_csv
from baocao.orgunits.models import OrgUnit, OrgUnitSuccession
from baocao.quality.services import import_rules
from baocao.reports import contributions, runs, template_files

DATA_DIR = Path(__file__).resolve().parent / "data"


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _ref(model: Any, code: str | None, where: str) -> Any:
    if not code:
        return None
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise ImportRejected([RowError(None, where, f'không có mã "{code}".')])
    return obj


@transaction.atomic
def load_reference(data: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in data.get("units", []):
        UnitOfMeasure.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "dimension": item["dimension"],
                "factor": Decimal(str(item.get("factor", 1))),
                "whole_numbers": bool(item.get("whole_numbers", False)),
            },
        )
    counts["units"] = len(data.get("units", []))
    for item in data.get("org_units", []):  # parents are listed before their children
        unit = OrgUnit.objects.filter(code=item["code"]).first() or OrgUnit(code=item["code"])
        unit.name = item["name"]
        unit.short_name = item.get("short_name") or ""
        unit.type = item["type"]
        unit.parent = _ref(OrgUnit, item.get("parent"), f"org_units.{item['code']}.parent")
        unit.valid_from = _date(item["valid_from"])  # type: ignore[assignment]
        unit.valid_to = _date(item.get("valid_to"))
        unit.sort_order = item.get("sort_order", 0)
        unit.full_clean(validate_unique=False)
        unit.save()
    counts["org_units"] = len(data.get("org_units", []))
    for item in data.get("successions", []):
        OrgUnitSuccession.objects.update_or_create(
            predecessor=_ref(OrgUnit, item["predecessor"], "successions.predecessor"),
            successor=_ref(OrgUnit, item["successor"], "successions.successor"),
            defaults={
                "kind": item["kind"],
                "effective_date": _date(item["effective_date"]),
                "legal_basis": item.get("legal_basis", ""),
                "share": Decimal(str(item["share"])) if item.get("share") is not None else None,
            },
        )
    for item in data.get("sectors", []):
        Sector.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "parent": _ref(Sector, item.get("parent"), f"sectors.{item['code']}.parent"),
                "sort_order": item.get("sort_order", 0),
            },
        )
    for item in data.get("target_types", []):
        TargetType.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "description": item.get("description", ""),
                "sort_order": item.get("sort_order", 0),
            },
        )
    indicators = data.get("indicators", [])
    for item in indicators:
        indicator = Indicator.objects.filter(code=item["code"]).first() or Indicator(code=item["code"])
        indicator.name = item["name"]
        indicator.short_name = item.get("short_name", "")
        indicator.sector = _ref(Sector, item["sector"], f"indicators.{item['code']}.sector")
        indicator.unit = _ref(UnitOfMeasure, item["unit"], f"indicators.{item['code']}.unit")
        indicator.value_type = item.get("value_type", "integer")
        indicator.aggregation_across_units = item.get("aggregation_across_units", "sum")
        indicator.aggregation_across_periods = item.get("aggregation_across_periods", "sum")
        indicator.responsible_unit = _ref(OrgUnit, item.get("responsible_unit"), f"indicators.{item['code']}")
        indicator.breakdown_rule = item.get("breakdown_rule") or ""
        indicator.sort_order = item.get("sort_order", 0)
        indicator.parent = None
        indicator.full_clean(validate_unique=False, exclude=["parent"])
        indicator.save()
    for item in indicators:  # second pass: "trong đó" parents may come later in the file
        if item.get("parent"):
            Indicator.objects.filter(code=item["code"]).update(
                parent=_ref(Indicator, item["parent"], f"indicators.{item['code']}.parent")
            )
    counts["indicators"] = len(indicators)
    return counts


DEMO_REPORT_TYPE = "KTXH_THANG"
DEMO_PERIOD = "202006"


def _load_reports(data_dir: Path) -> dict[str, int]:
    """The seed report's template, the units' June 2020 narrative, and a draft report ready to download."""
    report_types = template_files.import_report_types(
        (data_dir / "report-types.yaml").read_text(encoding="utf-8")
    )
    report_type = next(t for t in report_types if t.code == DEMO_REPORT_TYPE)
    saved = contributions.import_contributions(
        report_type, DEMO_PERIOD, (data_dir / f"contributions-{DEMO_PERIOD}.yaml").read_text(encoding="utf-8")
    )
    runs.get_or_create_run(report_type, report_type.org_unit, DEMO_PERIOD)
    return {"report_types": len(report_types), "contributions": saved}


@transaction.atomic
def load_demo(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Load (or refresh) the June 2020 demo of UBND thành phố Lạng Sơn. Idempotent."""
    counts = load_reference(yaml.safe_load((data_dir / "reference.yaml").read_text(encoding="utf-8")))
    with (data_dir / "values.csv").open("rb") as f:
        result = import_values_csv(f, via=ChangeSource.COMMAND)
    counts["values_created"] = result.created
    counts["values_updated"] = result.updated
    with (data_dir / "targets.csv").open("rb") as f:
        counts["targets"] = import_targets_csv(f)
    counts.update(_load_reports(data_dir))
    counts.update(load_key_figures(yaml.safe_load((data_dir / "key-figures.yaml").read_bytes())))  # dashboard
    counts["rules"] = len(import_rules((data_dir / "rules.yaml").read_bytes()))  # data quality rules
    units = _load_data_sets()
    counts["data_sets"] = len(units)
    counts["users"] = load_users(
        [*DEMO_USERS, *(u for unit in units for u in demo_unit_users(unit.code, unit.name))]
    )
    counts["tasks"] = load_demo_tasks(data_dir / f"tasks-{DEMO_PERIOD}.yaml")
    return counts


def _load_data_sets() -> list[OrgUnit]:
    """One monthly form per reporting agency: the indicators and kinds it reported for June 2020."""
    fields: dict[int, list[tuple[Indicator, str]]] = {}
    values = DataValue.objects.filter(period="202006").select_related("indicator", "org_unit")
    units: dict[int, OrgUnit] = {}
    for value in values.order_by("org_unit__sort_order", "indicator__sort_order", "indicator__code", "kind"):
        units[value.org_unit_id] = value.org_unit
        fields.setdefault(value.org_unit_id, []).append((value.indicator, value.kind))
    for unit_id, members in fields.items():
        unit = units[unit_id]
        data_set, _ = DataSet.objects.update_or_create(
            code=f"BM_{unit.code}",
            defaults={
                "name": f"Số liệu tháng – {unit.name}",
                "period_type": "month",
                "deadline_working_days": 2,
            },
        )
        data_set.org_units.set([unit])
        DataSetIndicator.objects.filter(data_set=data_set).delete()
        DataSetIndicator.objects.bulk_create(
            DataSetIndicator(data_set=data_set, indicator=indicator, kind=kind, sort_order=(i + 1) * 10)
            for i, (indicator, kind) in enumerate(members)
        )
    return list(units.values())
