"""The kinds of objects a bundle holds, one small class each: which files it reads and writes, the
canonical form of each object (``snapshot``: key → {field: text}, what export writes and what the dry run
compares), how it applies the bundle's rows, and which org units own an object (the scope check).

The engine (``baocao.locality.engine``) runs the sections in the order of :data:`SECTIONS` inside one
transaction: a section sees everything earlier sections wrote.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models

from baocao.accounts.models import Role, RoleAssignment
from baocao.analytics.cards import dump_cards, load_cards
from baocao.collection.models import ValueKind
from baocao.core.cells import csv_escape
from baocao.core.csvio import ImportRejected, write_rows
from baocao.core.numbers import parse_number
from baocao.core.periods import PeriodType
from baocao.indicators.models import (
    Aggregation,
    BreakdownRule,
    DataSet,
    DataSetIndicator,
    Dimension,
    Direction,
    Indicator,
    Sector,
    Target,
    TargetType,
    UnitOfMeasure,
    ValueType,
)
from baocao.indicators.services import parse_target_rows
from baocao.locality.bundle import CSV_COLUMNS, Bundle, BundleError, BundleFile
from baocao.locality.fields import (
    RowReader,
    bool_out,
    date_out,
    int_out,
    number_out,
    text_out,
    validation_messages,
)
from baocao.orgunits.models import OrgUnit, OrgUnitSuccession, OrgUnitType, SuccessionKind
from baocao.quality.models import DeviationRule, ValidationRule
from baocao.quality.services import RuleProblems, import_rules
from baocao.reports.errors import TemplateProblems
from baocao.reports.models import ReportType
from baocao.reports.template_files import export_report_types, import_report_types, report_type_data

Fields = dict[str, str]
Snapshot = dict[str, Fields]
Scope = frozenset[str] | None  # org unit codes of the exported subtree; None: everything


@dataclass(frozen=True, slots=True)
class Touched:
    """An object the bundle names: its key, the file and line it comes from (None: a YAML item)."""

    key: str
    file: str
    line: int | None


def _choices(choices: Any) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices]


def csv_text(file: str, rows: Iterable[Mapping[str, str]]) -> str:
    """A CSV file of the bundle: the columns of :data:`CSV_COLUMNS`, text cells formula-safe."""
    required, optional = CSV_COLUMNS[file]
    columns = EXPORT_ORDER.get(file, (*required, *optional))
    out = io.StringIO()
    write_rows(out, columns, ([csv_escape(row.get(c, "")) for c in columns] for row in rows))
    return out.getvalue()


# The column order export writes (reading accepts any order).
EXPORT_ORDER: dict[str, tuple[str, ...]] = {
    "org-units.csv": ("code", "name", "short_name", "type", "parent", "valid_from", "valid_to", "sort_order"),
    "successions.csv": ("predecessor", "successor", "kind", "effective_date", "share", "legal_basis"),
    "indicators.csv": (
        "code",
        "name",
        "short_name",
        "sector",
        "unit",
        "value_type",
        "aggregation_across_units",
        "aggregation_across_periods",
        "responsible_unit",
        "parent",
        "breakdown_rule",
        "min_value",
        "max_value",
        "direction",
        "warning_band",
        "description",
        "sort_order",
        "is_active",
    ),
}


class _YamlDumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_YamlDumper.add_representer(str, _str_representer)


def yaml_text(header: str, data: Any) -> str:
    body = yaml.dump(data, Dumper=_YamlDumper, allow_unicode=True, sort_keys=False, width=110)
    return "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + body


def _tree_order(snapshot: Snapshot, parent_field: str, sort: Callable[[Fields], Any]) -> list[str]:
    """Keys parents first: roots (a parent not in the snapshot counts as none), then each object
    followed by its subtree, siblings by ``sort``."""
    children: dict[str, list[str]] = defaultdict(list)
    for key, fields in snapshot.items():
        parent = fields.get(parent_field, "")
        children[parent if parent in snapshot else ""].append(key)
    order: list[str] = []
    stack = sorted(children[""], key=lambda k: sort(snapshot[k]), reverse=True)
    while stack:
        key = stack.pop()
        order.append(key)
        stack.extend(sorted(children.get(key, []), key=lambda k: sort(snapshot[k]), reverse=True))
    return order


def _duplicate(seen: dict[str, int], key: str, reader: RowReader, column: str | None) -> bool:
    if key in seen:
        reader.error(column, f"trùng với dòng {seen[key]}.")
        return True
    seen[key] = reader.line
    return False


def _save(
    obj: models.Model, reader: RowReader, columns: Mapping[str, str] | None = None, **clean: Any
) -> bool:
    """``full_clean`` then save; a validation error is reported on its column."""
    try:
        obj.full_clean(validate_unique=False, **clean)
    except ValidationError as exc:
        for field, message in validation_messages(exc):
            reader.error((columns or {}).get(field or "", field), message)
        return False
    obj.save()
    return True


class Section:
    """One kind of object. Subclasses set ``label`` (Vietnamese, for the dry run), ``files`` and
    ``shared`` (a catalog every locality shares: a unit administrator may create but not change one)."""

    label: ClassVar[str]
    files: ClassVar[tuple[str, ...]]

    def present(self, bundle: Bundle) -> bool:
        return any(name in bundle.files for name in self.files)

    def snapshot(self, scope: Scope = None) -> Snapshot:
        raise NotImplementedError

    def export(self, scope: Scope = None) -> dict[str, str]:
        raise NotImplementedError

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        raise NotImplementedError

    def owners(self, fields: Fields) -> set[str] | None:
        """The org unit codes that own the object in this state; None: a shared catalog object."""
        return None


class _CsvSection(Section):
    file: ClassVar[str]

    def sort_key(self, fields: Fields) -> Any:
        return fields.get("code", "")

    @property
    def files(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.file,)

    def order(self, snapshot: Snapshot) -> list[str]:
        return sorted(snapshot, key=lambda k: (self.sort_key(snapshot[k]), k))

    def export(self, scope: Scope = None) -> dict[str, str]:
        snapshot = self.snapshot(scope)
        return {self.file: csv_text(self.file, (snapshot[k] for k in self.order(snapshot)))}

    def rows(self, bundle: Bundle) -> list[tuple[int, dict[str, str]]]:
        item = bundle.get(self.file)
        return item.rows if item is not None else []


def _sort_int(value: str) -> int:
    return int(value) if value.isdigit() else 0


# ------------------------------------------------------------------------------------------ org units


class OrgUnits(_CsvSection):
    label = "Đơn vị"
    file = "org-units.csv"

    @staticmethod
    def fields(unit: OrgUnit, parent_code: str) -> Fields:
        return {
            "code": unit.code,
            "name": text_out(unit.name),
            "short_name": text_out(unit.short_name),
            "type": unit.type,
            "parent": parent_code,
            "valid_from": date_out(unit.valid_from),
            "valid_to": date_out(unit.valid_to),
            "sort_order": int_out(unit.sort_order),
        }

    def snapshot(self, scope: Scope = None) -> Snapshot:
        units = OrgUnit.objects.select_related("parent")
        if scope is not None:
            units = units.filter(code__in=scope)
        return {u.code: self.fields(u, u.parent.code if u.parent else "") for u in units}

    def order(self, snapshot: Snapshot) -> list[str]:
        return _tree_order(snapshot, "parent", lambda f: (_sort_int(f["sort_order"]), f["code"]))

    def owners(self, fields: Fields) -> set[str] | None:
        return {fields["code"]}

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        table = {u.code: u for u in OrgUnit.objects.select_related("parent")}
        seen: dict[str, int] = {}
        touched = []
        for line, record in self.rows(bundle):
            row = RowReader(self.file, line, record, errors)
            code = row.text("code", required=True, max_length=50)
            name = row.text("name", required=True, max_length=255)
            short_name = row.text("short_name", max_length=100)
            kind = row.choice("type", _choices(OrgUnitType.choices), "")
            parent = row.ref("parent", table, "đơn vị")
            valid_from = row.date("valid_from", required=True)
            valid_to = row.date("valid_to")
            sort_order = row.whole("sort_order")
            if not kind and not row.failed:
                row.error("type", "không được để trống.")
            if row.failed or _duplicate(seen, code, row, "code"):
                continue
            unit = table.get(code) or OrgUnit(code=code)
            if parent is not None and unit.pk is not None and parent.path.startswith(unit.path):
                row.error("parent", "đơn vị cấp trên không được là chính đơn vị này hoặc cấp dưới của nó.")
                continue
            before = (
                self.fields(unit, unit.parent.code if unit.pk and unit.parent else "") if unit.pk else None
            )
            unit.name, unit.short_name, unit.type, unit.parent = name, short_name, kind, parent
            unit.valid_from, unit.valid_to, unit.sort_order = valid_from, valid_to, sort_order  # type: ignore[assignment]
            if before != self.fields(unit, parent.code if parent else ""):
                if not _save(unit, row):
                    continue
            table[code] = unit
            touched.append(Touched(code, self.file, line))
        return touched


class Successions(_CsvSection):
    label = "Kế thừa đơn vị"
    file = "successions.csv"

    def sort_key(self, f: Fields) -> Any:
        return (f["predecessor"], f["successor"])

    @staticmethod
    def fields(item: OrgUnitSuccession) -> Fields:
        return {
            "predecessor": item.predecessor.code,
            "successor": item.successor.code,
            "kind": item.kind,
            "effective_date": date_out(item.effective_date),
            "share": number_out(item.share),
            "legal_basis": text_out(item.legal_basis),
        }

    def snapshot(self, scope: Scope = None) -> Snapshot:
        items = OrgUnitSuccession.objects.select_related("predecessor", "successor")
        if scope is not None:
            items = items.filter(models.Q(predecessor__code__in=scope) | models.Q(successor__code__in=scope))
        return {f"{i.predecessor.code} → {i.successor.code}": self.fields(i) for i in items}

    def owners(self, fields: Fields) -> set[str] | None:
        return {fields["predecessor"], fields["successor"]}

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        units = {u.code: u for u in OrgUnit.objects.all()}
        existing = {
            (s.predecessor_id, s.successor_id): s
            for s in OrgUnitSuccession.objects.select_related("predecessor", "successor")
        }
        seen: dict[str, int] = {}
        touched = []
        for line, record in self.rows(bundle):
            row = RowReader(self.file, line, record, errors)
            predecessor = row.ref("predecessor", units, "đơn vị", required=True)
            successor = row.ref("successor", units, "đơn vị", required=True)
            kind = row.choice("kind", _choices(SuccessionKind.choices), "")
            effective = row.date("effective_date", required=True)
            share = row.number("share")
            basis = row.text("legal_basis", max_length=255)
            if not kind and not row.failed:
                row.error("kind", "không được để trống.")
            if share is not None and not 0 < share <= 1:
                row.error("share", "tỷ lệ phải lớn hơn 0 và không quá 1 (ví dụ 0,35).")
            if share is not None and share != round(share, 6):
                row.error("share", "tỷ lệ có nhiều nhất 6 chữ số thập phân.")
            if predecessor is not None and predecessor == successor:
                row.error("successor", "đơn vị kế thừa phải khác đơn vị cũ.")
            if row.failed or predecessor is None or successor is None:
                continue
            key = f"{predecessor.code} → {successor.code}"
            if _duplicate(seen, key, row, None):
                continue
            item = existing.get((predecessor.pk, successor.pk)) or OrgUnitSuccession(
                predecessor=predecessor, successor=successor
            )
            before = self.fields(item) if item.pk else None
            item.kind, item.effective_date, item.share, item.legal_basis = kind, effective, share, basis  # type: ignore[assignment]
            if before != self.fields(item) and not _save(item, row):
                continue
            touched.append(Touched(key, self.file, line))
        return touched


# ----------------------------------------------------------------------------------------- catalogs


class Sectors(_CsvSection):
    label = "Lĩnh vực"
    file = "sectors.csv"

    @staticmethod
    def fields(sector: Sector, parent_code: str) -> Fields:
        return {
            "code": sector.code,
            "name": text_out(sector.name),
            "parent": parent_code,
            "sort_order": int_out(sector.sort_order),
        }

    def snapshot(self, scope: Scope = None) -> Snapshot:
        return {
            s.code: self.fields(s, s.parent.code if s.parent else "")
            for s in Sector.objects.select_related("parent")
        }

    def order(self, snapshot: Snapshot) -> list[str]:
        return _tree_order(snapshot, "parent", lambda f: (_sort_int(f["sort_order"]), f["code"]))

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        table = {s.code: s for s in Sector.objects.select_related("parent")}
        seen: dict[str, int] = {}
        touched = []
        for line, record in self.rows(bundle):
            row = RowReader(self.file, line, record, errors)
            code = row.text("code", required=True, max_length=50)
            name = row.text("name", required=True, max_length=255)
            parent = row.ref("parent", table, "lĩnh vực")
            sort_order = row.whole("sort_order")
            if row.failed or _duplicate(seen, code, row, "code"):
                continue
            if parent is not None and code in _ancestors(parent, table):
                row.error("parent", "lĩnh vực cha không được là chính nó hoặc lĩnh vực con của nó.")
                continue
            sector = table.get(code) or Sector(code=code)
            before = self.fields(sector, sector.parent.code if sector.parent else "") if sector.pk else None
            sector.name, sector.parent, sector.sort_order = name, parent, sort_order
            if before != self.fields(sector, parent.code if parent else "") and not _save(sector, row):
                continue
            table[code] = sector
            touched.append(Touched(code, self.file, line))
        return touched


def _ancestors(sector: Sector, table: Mapping[str, Sector]) -> set[str]:
    """The codes of ``sector`` and the sectors above it (as the import has set them so far)."""
    codes: set[str] = set()
    current: Sector | None = sector
    while current is not None and current.code not in codes:
        codes.add(current.code)
        parent = current.parent if current.parent_id or current.parent else None
        current = table.get(parent.code, parent) if parent is not None else None
    return codes


class UnitsOfMeasure(_CsvSection):
    label = "Đơn vị tính"
    file = "units-of-measure.csv"

    @staticmethod
    def fields(unit: UnitOfMeasure) -> Fields:
        return {
            "code": unit.code,
            "name": text_out(unit.name),
            "dimension": unit.dimension,
            "factor": number_out(unit.factor),
            "whole_numbers": bool_out(unit.whole_numbers),
        }

    def snapshot(self, scope: Scope = None) -> Snapshot:
        return {u.code: self.fields(u) for u in UnitOfMeasure.objects.all()}

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        table = {u.code: u for u in UnitOfMeasure.objects.all()}
        seen: dict[str, int] = {}
        touched = []
        for line, record in self.rows(bundle):
            row = RowReader(self.file, line, record, errors)
            code = row.text("code", required=True, max_length=30)
            name = row.text("name", required=True, max_length=50)
            dimension = row.choice("dimension", _choices(Dimension.choices), "")
            factor = row.number("factor")
            whole = row.boolean("whole_numbers", False)
            if not dimension and not row.failed:
                row.error("dimension", "không được để trống.")
            if factor is not None and factor <= 0:
                row.error("factor", "hệ số quy đổi phải lớn hơn 0.")
            if row.failed or _duplicate(seen, code, row, "code"):
                continue
            unit = table.get(code) or UnitOfMeasure(code=code)
            before = self.fields(unit) if unit.pk else None
            unit.name, unit.dimension, unit.whole_numbers = name, dimension, whole
            unit.factor = factor if factor is not None else unit.factor
            if before != self.fields(unit) and not _save(unit, row):
                continue
            table[code] = unit
            touched.append(Touched(code, self.file, line))
        return touched


class TargetTypes(_CsvSection):
    label = "Loại kế hoạch"
    file = "target-types.csv"

    def sort_key(self, f: Fields) -> Any:
        return (_sort_int(f["sort_order"]), f["code"])

    @staticmethod
    def fields(item: TargetType) -> Fields:
        return {
            "code": item.code,
            "name": text_out(item.name),
            "description": text_out(item.description),
            "sort_order": int_out(item.sort_order),
        }

    def snapshot(self, scope: Scope = None) -> Snapshot:
        return {t.code: self.fields(t) for t in TargetType.objects.all()}

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        table = {t.code: t for t in TargetType.objects.all()}
        seen: dict[str, int] = {}
        touched = []
        for line, record in self.rows(bundle):
            row = RowReader(self.file, line, record, errors)
            code = row.text("code", required=True, max_length=50)
            name = row.text("name", required=True, max_length=255)
            description = row.text("description")
            sort_order = row.whole("sort_order")
            if row.failed or _duplicate(seen, code, row, "code"):
                continue
            item = table.get(code) or TargetType(code=code)
            before = self.fields(item) if item.pk else None
            item.name, item.description, item.sort_order = name, description, sort_order
            if before != self.fields(item) and not _save(item, row):
                continue
            table[code] = item
            touched.append(Touched(code, self.file, line))
        return touched


class Indicators(_CsvSection):
    label = "Chỉ tiêu"
    file = "indicators.csv"

    def sort_key(self, f: Fields) -> Any:
        return (_sort_int(f["sort_order"]), f["code"])

    @staticmethod
    def fields(item: Indicator, codes: Mapping[str, str]) -> Fields:
        """``codes``: the codes of the objects referred to (sector, unit, responsible_unit, parent)."""
        return {
            "code": item.code,
            "name": text_out(item.name),
            "short_name": text_out(item.short_name),
            "sector": codes.get("sector", ""),
            "unit": codes.get("unit", ""),
            "value_type": item.value_type,
            "aggregation_across_units": item.aggregation_across_units,
            "aggregation_across_periods": item.aggregation_across_periods,
            "responsible_unit": codes.get("responsible_unit", ""),
            "parent": codes.get("parent", ""),
            "breakdown_rule": item.breakdown_rule,
            "min_value": number_out(item.min_value),
            "max_value": number_out(item.max_value),
            "direction": item.direction,
            "warning_band": number_out(item.warning_band),
            "description": text_out(item.description),
            "sort_order": int_out(item.sort_order),
            "is_active": bool_out(item.is_active),
        }

    @staticmethod
    def _codes(item: Indicator) -> dict[str, str]:
        return {
            "sector": item.sector.code if item.sector_id else "",
            "unit": item.unit.code if item.unit_id else "",
            "responsible_unit": item.responsible_unit.code if item.responsible_unit else "",
            "parent": item.parent.code if item.parent else "",
        }

    def snapshot(self, scope: Scope = None) -> Snapshot:
        items = Indicator.objects.select_related("sector", "unit", "responsible_unit", "parent")
        return {i.code: self.fields(i, self._codes(i)) for i in items}

    def owners(self, fields: Fields) -> set[str] | None:
        return {fields["responsible_unit"]} if fields.get("responsible_unit") else None

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        sectors = {s.code: s for s in Sector.objects.all()}
        units = {u.code: u for u in UnitOfMeasure.objects.all()}
        org_units = {u.code: u for u in OrgUnit.objects.all()}
        table = {
            i.code: i
            for i in Indicator.objects.select_related("sector", "unit", "responsible_unit", "parent")
        }
        codes_in_file = {record.get("code", "") for _, record in self.rows(bundle)}
        parents = dict(table) | {c: Indicator(code=c) for c in codes_in_file if c and c not in table}
        seen: dict[str, int] = {}
        pending: list[tuple[RowReader, Indicator, Indicator | None, Fields | None, Fields]] = []
        for line, record in self.rows(bundle):
            row = RowReader(self.file, line, record, errors)
            code = row.text("code", required=True, max_length=50)
            values = {
                "name": row.text("name", required=True, max_length=500),
                "short_name": row.text("short_name", max_length=255),
                "sector": row.ref("sector", sectors, "lĩnh vực", required=True),
                "unit": row.ref("unit", units, "đơn vị tính", required=True),
                "value_type": row.choice("value_type", _choices(ValueType.choices), ValueType.INTEGER),
                "aggregation_across_units": row.choice(
                    "aggregation_across_units", _choices(Aggregation.choices), Aggregation.SUM
                ),
                "aggregation_across_periods": row.choice(
                    "aggregation_across_periods", _choices(Aggregation.choices), Aggregation.SUM
                ),
                "responsible_unit": row.ref("responsible_unit", org_units, "đơn vị"),
                "breakdown_rule": row.choice("breakdown_rule", _choices(BreakdownRule.choices), ""),
                "min_value": row.number("min_value"),
                "max_value": row.number("max_value"),
                "direction": row.choice("direction", _choices(Direction.choices), Direction.NONE),
                "warning_band": row.number("warning_band"),
                "description": row.text("description"),
                "sort_order": row.whole("sort_order"),
                "is_active": row.boolean("is_active", True),
            }
            parent = row.ref("parent", parents, "chỉ tiêu")
            if parent is not None and parent.code == code:
                row.error("parent", "chỉ tiêu không thể là 'trong đó' của chính nó.")
            if row.failed or _duplicate(seen, code, row, "code"):
                continue
            item = table.get(code) or Indicator(code=code)
            before = self.fields(item, self._codes(item)) if item.pk else None
            if values["warning_band"] is None:
                values["warning_band"] = Indicator._meta.get_field("warning_band").get_default()
            for name, value in values.items():
                setattr(item, name, value)
            codes = {
                "sector": values["sector"].code,  # type: ignore[union-attr]
                "unit": values["unit"].code,  # type: ignore[union-attr]
                "responsible_unit": values["responsible_unit"].code if values["responsible_unit"] else "",  # type: ignore[union-attr]
                "parent": parent.code if parent else "",
            }
            pending.append((row, item, parent, before, self.fields(item, codes)))
        touched = []
        # first every indicator without its parent (a "trong đó" parent may come later in the file), then
        # the parents; the cycle check of clean() runs on the second pass. References were resolved from
        # the tables above, so full_clean need not look each one up again.
        references = ["sector", "unit", "responsible_unit", "parent"]
        for row, item, _parent, before, after in pending:
            if before == after:
                continue
            if item.pk is None:
                item.parent = None
            if _save(item, row, exclude=references):
                parents[item.code] = item
        for row, item, parent, before, after in pending:
            if row.failed:
                continue
            wanted = parents.get(parent.code) if parent is not None else None
            if before != after and wanted != item.parent:
                if wanted is not None and wanted.pk is None:
                    row.error("parent", f"chỉ tiêu “{wanted.code}” chưa ghi được (xem lỗi của dòng đó).")
                    continue
                item.parent = wanted
                try:
                    item.clean()
                except ValidationError as exc:
                    for field, message in validation_messages(exc):
                        row.error(field, message)
                    continue
                item.save(update_fields=["parent"])
            touched.append(Touched(item.code, self.file, row.line))
        return touched


# ---------------------------------------------------------------------------------- targets, data sets


class Targets(_CsvSection):
    label = "Chỉ tiêu kế hoạch"
    file = "targets.csv"

    def sort_key(self, f: Fields) -> Any:
        return (f["indicator"], f["org_unit"], f["period"], f["target_type"])

    @staticmethod
    def key(indicator: str, unit: str, period: str, target_type: str) -> str:
        return f"{indicator} / {unit} / {period} / {target_type}"

    def snapshot(self, scope: Scope = None) -> Snapshot:
        items = Target.objects.select_related("indicator", "org_unit", "target_type")
        if scope is not None:
            items = items.filter(org_unit__code__in=scope)
        out = {}
        for t in items:
            fields = {
                "indicator": t.indicator.code,
                "org_unit": t.org_unit.code,
                "period": t.period,
                "target_type": t.target_type.code,
                "value": number_out(t.value),
                "note": text_out(t.note),
            }
            out[self.key(t.indicator.code, t.org_unit.code, t.period, t.target_type.code)] = fields
        return out

    def owners(self, fields: Fields) -> set[str] | None:
        return {fields["org_unit"]}

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        records = self.rows(bundle)
        try:
            parsed = parse_target_rows(records)  # the one reading of target rows (numbers, codes, periods)
        except ImportRejected as exc:
            errors.extend(BundleError(self.file, e.line, e.column, e.message) for e in exc.errors)
            return []
        current = self.snapshot()
        touched = []
        for row in parsed:
            key = self.key(row.indicator.code, row.org_unit.code, row.period.id, row.target_type.code)
            wanted = {"value": number_out(row.value), "note": text_out(row.note)}
            old = current.get(key)
            if old is None or {"value": old["value"], "note": old["note"]} != wanted:
                Target.objects.update_or_create(
                    indicator=row.indicator,
                    org_unit=row.org_unit,
                    period=row.period.id,
                    target_type=row.target_type,
                    defaults={"value": row.value, "note": row.note},
                )
            touched.append(Touched(key, self.file, row.line))
        return touched


class DataSets(Section):
    label = "Biểu mẫu"
    files = ("data-sets.csv", "data-set-indicators.csv", "data-set-units.csv")

    def snapshot(self, scope: Scope = None) -> Snapshot:
        data_sets = DataSet.objects.prefetch_related("org_units")
        members: dict[int, list[DataSetIndicator]] = defaultdict(list)
        for member in DataSetIndicator.objects.select_related("indicator").order_by(
            "sort_order", "indicator__code", "kind"
        ):
            members[member.data_set_id].append(member)
        out = {}
        for data_set in data_sets:
            units = sorted(u.code for u in data_set.org_units.all())
            if scope is not None and not set(units) & scope:
                continue
            out[data_set.code] = {
                "code": data_set.code,
                "name": text_out(data_set.name),
                "period_type": data_set.period_type,
                "deadline_working_days": int_out(data_set.deadline_working_days),
                "is_active": bool_out(data_set.is_active),
                "indicators": "\n".join(
                    f"{m.indicator.code} {m.kind} {m.sort_order}" for m in members[data_set.pk]
                ),
                "org_units": " ".join(units),
            }
        return out

    def export(self, scope: Scope = None) -> dict[str, str]:
        snapshot = self.snapshot(scope)
        codes = sorted(snapshot)
        sets = [snapshot[c] for c in codes]
        members = []
        units = []
        for code in codes:
            for line in filter(None, snapshot[code]["indicators"].split("\n")):
                indicator, kind, order = line.split(" ")
                members.append({"data_set": code, "indicator": indicator, "kind": kind, "sort_order": order})
            units += [{"data_set": code, "org_unit": u} for u in snapshot[code]["org_units"].split()]
        return {
            "data-sets.csv": csv_text("data-sets.csv", sets),
            "data-set-indicators.csv": csv_text("data-set-indicators.csv", members),
            "data-set-units.csv": csv_text("data-set-units.csv", units),
        }

    def owners(self, fields: Fields) -> set[str] | None:
        return set(fields["org_units"].split()) or None

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        table = {d.code: d for d in DataSet.objects.all()}
        indicators = {i.code: i for i in Indicator.objects.all()}
        org_units = {u.code: u for u in OrgUnit.objects.all()}
        current = self.snapshot()
        listed: dict[str, tuple[RowReader, dict[str, Any]]] = {}
        seen: dict[str, int] = {}
        file = "data-sets.csv"
        for line, record in _rows(bundle.get(file)):
            row = RowReader(file, line, record, errors)
            code = row.text("code", required=True, max_length=50)
            values: dict[str, Any] = {
                "name": row.text("name", required=True, max_length=255),
                "period_type": row.choice("period_type", [(t.value, t.label) for t in PeriodType], ""),
                "deadline_working_days": row.whole("deadline_working_days", 2, maximum=365),
                "is_active": row.boolean("is_active", True),
            }
            if not values["period_type"] and not row.failed:
                row.error("period_type", "không được để trống.")
            if row.failed or _duplicate(seen, code, row, "code"):
                continue
            listed[code] = (row, values)
        fields_of: dict[str, list[tuple[Indicator, str, int]]] = defaultdict(list)
        units_of: dict[str, list[OrgUnit]] = defaultdict(list)
        failed: set[str] = set()
        file = "data-set-indicators.csv"
        seen = {}
        for line, record in _rows(bundle.get(file)):
            row = RowReader(file, line, record, errors)
            code = row.text("data_set", required=True)
            indicator = row.ref("indicator", indicators, "chỉ tiêu", required=True)
            kind = row.choice("kind", _choices(ValueKind.choices), ValueKind.ACTUAL)
            order = row.whole("sort_order", (len(fields_of[code]) + 1) * 10)
            if code and code not in listed:
                row.error(
                    "data_set", f"biểu mẫu “{code}” không có trong data-sets.csv (hoặc dòng của nó có lỗi)."
                )
            if (
                row.failed
                or indicator is None
                or _duplicate(seen, f"{code} {indicator.code} {kind}", row, "indicator")
            ):
                failed.add(code)
                continue
            fields_of[code].append((indicator, kind, order))
        file = "data-set-units.csv"
        seen = {}
        for line, record in _rows(bundle.get(file)):
            row = RowReader(file, line, record, errors)
            code = row.text("data_set", required=True)
            unit = row.ref("org_unit", org_units, "đơn vị", required=True)
            if code and code not in listed:
                row.error(
                    "data_set", f"biểu mẫu “{code}” không có trong data-sets.csv (hoặc dòng của nó có lỗi)."
                )
            if row.failed or unit is None or _duplicate(seen, f"{code} {unit.code}", row, "org_unit"):
                failed.add(code)
                continue
            units_of[code].append(unit)
        touched = []
        for code, (row, values) in listed.items():
            if code in failed:
                continue
            members = sorted(fields_of[code], key=lambda m: (m[2], m[0].code, m[1]))
            wanted = {
                "code": code,
                "name": text_out(values["name"]),
                "period_type": values["period_type"],
                "deadline_working_days": int_out(values["deadline_working_days"]),
                "is_active": bool_out(values["is_active"]),
                "indicators": "\n".join(f"{i.code} {k} {o}" for i, k, o in members),
                "org_units": " ".join(sorted(u.code for u in units_of[code])),
            }
            if current.get(code) != wanted:
                data_set = table.get(code) or DataSet(code=code)
                for name, value in values.items():
                    setattr(data_set, name, value)
                if not _save(data_set, row):
                    continue
                data_set.org_units.set(units_of[code])
                DataSetIndicator.objects.filter(data_set=data_set).delete()
                DataSetIndicator.objects.bulk_create(
                    DataSetIndicator(data_set=data_set, indicator=i, kind=k, sort_order=o)
                    for i, k, o in members
                )
            touched.append(Touched(code, "data-sets.csv", row.line))
        return touched


def _rows(item: BundleFile | None) -> list[tuple[int, dict[str, str]]]:
    return item.rows if item is not None else []


# ---------------------------------------------------------------------------------------- YAML sections


def _yaml_fields(data: Mapping[str, Any], skip: Sequence[str] = ()) -> Fields:
    """An object of a YAML file as fields for the dry run: each key's value as (short) YAML text."""
    out = {}
    for key, value in data.items():
        if key in skip:
            continue
        if isinstance(value, str):
            out[key] = value
        else:
            out[key] = yaml.dump(
                value, Dumper=_YamlDumper, allow_unicode=True, sort_keys=False, width=110
            ).strip()
            out[key] = out[key].removesuffix("\n...").strip()
    return out


RULES_HEADER = """Quy tắc kiểm tra số liệu (docs/locality-bundle.md, rules.yaml).
Biểu thức: mã chỉ tiêu, + - * /, prev(X), last_year(X), ytd(X), target(X, "LOAI_KE_HOACH"), est(X), cum(X).
operator: eq ne lt le gt ge (hoặc = ≠ < <= > >=), compulsory_pair, exclusive_pair."""


class Rules(Section):
    label = "Quy tắc kiểm tra"
    files = ("rules.yaml",)

    @staticmethod
    def _rule(rule: ValidationRule) -> dict[str, Any]:
        return {
            "code": rule.code,
            "name": rule.name,
            "description": rule.description,
            "left": rule.left,
            "operator": rule.operator,
            "right": rule.right,
            "left_missing": rule.left_missing,
            "right_missing": rule.right_missing,
            "importance": rule.importance,
            "message": rule.message,
            "period_types": rule.period_type_list,
            "scope": rule.scope,
            "org_units": sorted(u.code for u in rule.org_units.all()),
            "is_active": rule.is_active,
        }

    @staticmethod
    def _deviation(item: DeviationRule) -> dict[str, Any]:
        return {
            "indicator": item.indicator.code if item.indicator else None,
            "factor": number_out(item.factor),
            "compare_previous": item.compare_previous,
            "compare_last_year": item.compare_last_year,
            "is_active": item.is_active,
        }

    def _data(self, scope: Scope) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rules = [self._rule(r) for r in ValidationRule.objects.prefetch_related("org_units").order_by("code")]
        if scope is not None:
            rules = [r for r in rules if not r["org_units"] or set(r["org_units"]) & scope]
        deviations = sorted(
            (self._deviation(d) for d in DeviationRule.objects.select_related("indicator")),
            key=lambda d: (d["indicator"] is not None, d["indicator"] or ""),
        )
        return rules, deviations

    def snapshot(self, scope: Scope = None) -> Snapshot:
        rules, deviations = self._data(scope)
        out = {r["code"]: _yaml_fields(r, ("code",)) for r in rules}
        for d in deviations:
            out[f"deviation {d['indicator'] or '*'}"] = _yaml_fields(d, ("indicator",))
        return out

    def export(self, scope: Scope = None) -> dict[str, str]:
        rules, deviations = self._data(scope)
        for d in deviations:
            factor = parse_number(d["factor"])  # a YAML number: 3, 2.5
            d["factor"] = int(factor) if factor == factor.to_integral_value() else float(factor)
        return {"rules.yaml": yaml_text(RULES_HEADER, {"rules": rules, "deviation": deviations})}

    def owners(self, fields: Fields) -> set[str] | None:
        units = yaml.safe_load(fields.get("org_units", "[]")) or []
        return set(units) or None

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        item = bundle.files["rules.yaml"]
        data = item.data
        if data is None:
            return []
        if not isinstance(data, dict):
            errors.append(BundleError(item.name, None, None, "phải có khóa rules (và deviation nếu cần)."))
            return []
        try:
            import_rules(item.text)  # the one reading of rules: expressions, operators, units
        except RuleProblems as exc:
            errors.extend(BundleError(item.name, None, None, p) for p in exc.problems)
            return []
        touched = [
            Touched(str(r["code"]), item.name, None) for r in data.get("rules") or [] if isinstance(r, dict)
        ]
        touched += [
            Touched(f"deviation {d.get('indicator') or '*'}", item.name, None)
            for d in data.get("deviation") or []
            if isinstance(d, dict)
        ]
        return touched


REPORT_TYPES_HEADER = """Loại báo cáo: tiêu đề, nơi nhận, người ký, đề cương và các khối nội dung
(docs/locality-bundle.md).
units: các đơn vị viết nội dung của mục (giao mục cho đơn vị)."""


class ReportTypes(Section):
    label = "Loại báo cáo"
    files = ("report-types.yaml",)

    def _types(self, scope: Scope) -> list[ReportType]:
        types = ReportType.objects.select_related("org_unit").order_by("code")
        if scope is not None:
            types = types.filter(org_unit__code__in=scope)
        return list(types)

    def snapshot(self, scope: Scope = None) -> Snapshot:
        return {t.code: _yaml_fields(report_type_data(t), ("code",)) for t in self._types(scope)}

    def export(self, scope: Scope = None) -> dict[str, str]:
        body = export_report_types(self._types(scope))
        header = "".join(f"# {line}\n" for line in REPORT_TYPES_HEADER.splitlines())
        return {"report-types.yaml": header + body}

    def owners(self, fields: Fields) -> set[str] | None:
        return {fields["org_unit"]}

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        item = bundle.files["report-types.yaml"]
        try:
            saved = import_report_types(item.text)  # the one reading: outline, blocks, trial renders
        except TemplateProblems as exc:
            errors.extend(BundleError(item.name, None, None, p) for p in exc.problems)
            return []
        return [Touched(t.code, item.name, None) for t in saved]


KEY_FIGURES_HEADER = """Thẻ số liệu chính của trang tổng quan
(docs/locality-bundle.md, baocao/analytics/cards.py).
Mỗi thẻ: report_type hoặc org_unit (hoặc không ghi: bộ thẻ mặc định), indicator, kind, target_types, title,
show_trend, sort_order. Chiều đánh giá của chỉ tiêu (direction, warning_band) ghi trong indicators.csv."""


def _card_set(row: Mapping[str, Any]) -> str:
    if row.get("report_type"):
        return f"report_type {row['report_type']}"
    if row.get("org_unit"):
        return f"org_unit {row['org_unit']}"
    return "default"


class KeyFigures(Section):
    label = "Thẻ số liệu chính"
    files = ("key-figures.yaml",)

    def _rows(self, scope: Scope) -> list[dict[str, Any]]:
        rows = dump_cards()
        if scope is None:
            return rows
        owners = dict(ReportType.objects.values_list("code", "org_unit__code"))
        return [
            r
            for r in rows
            if (r.get("org_unit") or owners.get(r.get("report_type", ""), "")) in scope
            or not (r.get("org_unit") or r.get("report_type"))
        ]

    def snapshot(self, scope: Scope = None) -> Snapshot:
        sets: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self._rows(scope):
            sets[_card_set(row)].append(
                {k: v for k, v in row.items() if k not in ("report_type", "org_unit")}
            )
        owners = dict(ReportType.objects.values_list("code", "org_unit__code"))
        out = {}
        for key, cards in sets.items():
            kind, _, code = key.partition(" ")
            owner = code if kind == "org_unit" else owners.get(code, "")
            out[key] = {"owner": owner, **_yaml_fields({"cards": cards})}
        return out

    def export(self, scope: Scope = None) -> dict[str, str]:
        return {"key-figures.yaml": yaml_text(KEY_FIGURES_HEADER, {"cards": self._rows(scope)})}

    def owners(self, fields: Fields) -> set[str] | None:
        return {fields["owner"]} if fields.get("owner") else None

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        item = bundle.files["key-figures.yaml"]
        data = item.data
        if (
            not isinstance(data, dict)
            or set(data) - {"cards"}
            or not isinstance(data.get("cards") or [], list)
        ):
            errors.append(BundleError(item.name, None, None, "phải có khóa cards chứa danh sách thẻ."))
            return []
        rows = data.get("cards") or []
        try:
            load_cards(rows)
        except ImportRejected as exc:
            errors.extend(BundleError(item.name, None, e.column, e.message) for e in exc.errors)
            return []
        return [Touched(key, item.name, None) for key in dict.fromkeys(_card_set(r) for r in rows)]


# ------------------------------------------------------------------------------------------- people


class Users(_CsvSection):
    label = "Người dùng"
    file = "users.csv"

    def sort_key(self, f: Fields) -> Any:
        return f["username"]

    @staticmethod
    def fields(user: User) -> Fields:
        return {
            "username": user.username,
            "first_name": text_out(user.first_name),
            "last_name": text_out(user.last_name),
            "email": text_out(user.email),
            "is_active": bool_out(user.is_active),
        }

    def snapshot(self, scope: Scope = None) -> Snapshot:
        users = User.objects.filter(is_superuser=False)  # superusers belong to no locality
        if scope is not None:
            users = users.filter(roles__org_unit__code__in=scope).distinct()
        return {u.username: self.fields(u) for u in users}

    def owners(self, fields: Fields) -> set[str] | None:
        codes = set(
            RoleAssignment.objects.filter(user__username=fields["username"]).values_list(
                "org_unit__code", flat=True
            )
        )
        return codes or None

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        table = {u.username: u for u in User.objects.all()}
        seen: dict[str, int] = {}
        touched = []
        for line, record in self.rows(bundle):
            row = RowReader(self.file, line, record, errors)
            username = row.text("username", required=True, max_length=150)
            first_name = row.text("first_name", max_length=150)
            last_name = row.text("last_name", max_length=150)
            email = row.text("email", max_length=254)
            active = row.boolean("is_active", True)
            if row.failed or _duplicate(seen, username, row, "username"):
                continue
            user = table.get(username)
            if user is None:
                user = User(username=username)
                user.set_unusable_password()  # no passwords in bundles: a set-password link instead
            before = self.fields(user) if user.pk else None
            user.first_name, user.last_name, user.email, user.is_active = first_name, last_name, email, active
            if before != self.fields(user):
                try:
                    user.full_clean(validate_unique=False, exclude=["password"])
                except ValidationError as exc:
                    for field, message in validation_messages(exc):
                        row.error(field, message)
                    continue
                user.save()
            table[username] = user
            touched.append(Touched(username, self.file, line))
        return touched


class Roles(_CsvSection):
    label = "Vai trò"
    file = "roles.csv"

    def sort_key(self, f: Fields) -> Any:
        return (f["username"], f["org_unit"], f["role"], f["valid_from"])

    @staticmethod
    def key(username: str, role: str, unit: str, valid_from: str) -> str:
        return f"{username} / {role} / {unit} / {valid_from}"

    def snapshot(self, scope: Scope = None) -> Snapshot:
        items = RoleAssignment.objects.select_related("user", "org_unit")
        if scope is not None:
            items = items.filter(org_unit__code__in=scope)
        out = {}
        for a in items:
            fields = {
                "username": a.user.username,
                "role": a.role,
                "org_unit": a.org_unit.code,
                "valid_from": date_out(a.valid_from),
                "valid_to": date_out(a.valid_to),
            }
            out[self.key(a.user.username, a.role, a.org_unit.code, fields["valid_from"])] = fields
        return out

    def owners(self, fields: Fields) -> set[str] | None:
        return {fields["org_unit"]}

    def apply(self, bundle: Bundle, errors: list[BundleError]) -> list[Touched]:
        users = {u.username: u for u in User.objects.all()}
        units = {u.code: u for u in OrgUnit.objects.all()}
        existing = {(a.user_id, a.role, a.org_unit_id, a.valid_from): a for a in RoleAssignment.objects.all()}
        seen: dict[str, int] = {}
        touched = []
        for line, record in self.rows(bundle):
            row = RowReader(self.file, line, record, errors)
            user = row.ref("username", users, "người dùng", required=True)
            role = row.choice("role", _choices(Role.choices), "")
            unit = row.ref("org_unit", units, "đơn vị", required=True)
            valid_from = row.date("valid_from", required=True)
            valid_to = row.date("valid_to")
            if not role and not row.failed:
                row.error("role", "không được để trống.")
            if valid_from and valid_to and valid_to < valid_from:
                row.error("valid_to", "ngày hết hiệu lực trước ngày bắt đầu hiệu lực.")
            if row.failed or user is None or unit is None or valid_from is None:
                continue
            key = self.key(user.username, role, unit.code, valid_from.isoformat())
            if _duplicate(seen, key, row, None):
                continue
            assignment = existing.get((user.pk, role, unit.pk, valid_from))
            if assignment is None:
                RoleAssignment.objects.create(
                    user=user, role=role, org_unit=unit, valid_from=valid_from, valid_to=valid_to
                )
            elif assignment.valid_to != valid_to:
                assignment.valid_to = valid_to
                assignment.save(update_fields=["valid_to"])
            touched.append(Touched(key, self.file, line))
        return touched


# The order of import: a section refers only to objects of earlier ones (and of the database).
SECTIONS: tuple[Section, ...] = (
    OrgUnits(),
    Successions(),
    Sectors(),
    UnitsOfMeasure(),
    TargetTypes(),
    Indicators(),
    Targets(),
    DataSets(),
    Rules(),
    ReportTypes(),
    KeyFigures(),
    Users(),
    Roles(),
)

__all__ = ["SECTIONS", "Section", "Touched", "csv_text", "yaml_text"]
