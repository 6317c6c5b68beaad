"""Where the rules run: a period across units (validation report, command), one unit's form (entry page,
autosave, submission) and approval (high importance blocks). Rules are checked when saved or imported.

Each run reads figures through get_figures: one figure set for the units' own values and, when subtree
rules apply, one rolled-up set — a fixed number of queries whatever the number of rules or units.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Q
from openpyxl import Workbook
from openpyxl.styles import Font

from baocao.analytics.figures import get_figures
from baocao.collection.models import DataValue, Submission
from baocao.core import safeyaml
from baocao.core.cells import append_row  # text cells as text, never formulas
from baocao.core.periods import Period
from baocao.indicators.models import DataSetIndicator, Indicator, TargetType
from baocao.orgunits.models import OrgUnit
from baocao.quality.evaluator import (
    DeviationSetting,
    DeviationSettings,
    RuleSpec,
    Violation,
    derived_checks,
    deviation_checks,
    evaluate_rule,
)
from baocao.quality.expressions import Expression, ExpressionError, parse_expression
from baocao.quality.models import DeviationRule, Importance, MissingValue, Operator, Scope, ValidationRule
from baocao.quality.rulecheck import rule_problems

logger = logging.getLogger(__name__)

# Operators may be written as symbols in YAML files.
OPERATOR_ALIASES = {
    "=": Operator.EQ,
    "==": Operator.EQ,
    "≠": Operator.NE,
    "!=": Operator.NE,
    "<": Operator.LT,
    "<=": Operator.LE,
    "≤": Operator.LE,
    ">": Operator.GT,
    ">=": Operator.GE,
    "≥": Operator.GE,
} | {o.value: Operator(o.value) for o in Operator}


class RuleProblems(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


# ------------------------------------------------------------------------------------ checking rules


def _spec(rule: ValidationRule) -> RuleSpec:
    sides: list[Expression | None] = []
    errors = []
    for text in (rule.left, rule.right):
        try:
            sides.append(parse_expression(text, own_code=rule.code))
        except ExpressionError as exc:
            sides.append(None)
            errors.append(str(exc))
    return RuleSpec(
        rule.code,
        rule.name,
        rule.operator,
        sides[0],
        sides[1],
        rule.left_missing,
        rule.right_missing,
        rule.importance,
        rule.message,
        " ".join(errors),
    )


@dataclass
class _ActiveRule:
    spec: RuleSpec
    scope: str
    units: list[OrgUnit]  # the units it applies to (none: every unit)

    def applies_to(self, unit: OrgUnit) -> bool:
        return not self.units or any(unit.path.startswith(u.path) for u in self.units)


def _active_rules(period: Period) -> list[_ActiveRule]:
    rules = ValidationRule.objects.filter(is_active=True).prefetch_related("org_units")
    return [
        _ActiveRule(_spec(rule), rule.scope, list(rule.org_units.all()))
        for rule in rules
        if not rule.period_type_list or period.type.value in rule.period_type_list
    ]


def _deviation_settings() -> DeviationSettings:
    settings = DeviationSettings()
    for row in DeviationRule.objects.filter(is_active=True).select_related("indicator"):
        setting = DeviationSetting(row.factor, row.compare_previous, row.compare_last_year)
        if row.indicator is None:
            settings.default = settings.default or setting
        else:
            settings.per_indicator[row.indicator.code] = setting
    return settings


def run_checks(period: Period, units: Iterable[OrgUnit], *, ancestor_rules: bool = False) -> list[Violation]:
    """Every violation for the units and period: stored rules, derived rules and deviation flags.

    Stored rules with scope "own" run on each unit's own values (for the units they apply to, only where
    the unit reports or has any figure the rule reads). Subtree rules run on the rolled-up figures of the
    units they name — those among ``units``, or with ``ancestor_rules`` also those above them (a unit's
    form then shows the consistency rules of its city that read its figures)."""
    units = list(units)
    if not units:
        return []
    rules = _active_rules(period)
    found: list[Violation] = []
    own = get_figures(units, period, rollup=False)
    reported: set[tuple[str, str]] = set(
        DataSetIndicator.objects.filter(
            data_set__is_active=True,
            data_set__period_type=period.type.value,
            data_set__org_units__in=units,
        ).values_list("data_set__org_units__code", "indicator__code")
    )
    commented = set(
        DataValue.objects.filter(org_unit__in=units, period=period.id)
        .exclude(comment="")
        .values_list("indicator__code", "org_unit__code", "kind")
    )
    deviation = _deviation_settings()
    for rule in rules:  # an indicator removed or no longer in use since the rule was saved
        if unknown := sorted(rule.spec.codes - set(own.indicators)):
            error = f"không có chỉ tiêu đang dùng mã {', '.join(unknown)}"
            rule.spec = replace(rule.spec, error=rule.spec.error or error)
    has_data: dict[str, set[str]] = {u.code: set() for u in units}
    for figure in own:
        if figure.value is not None:
            has_data[figure.org_unit.code].add(figure.indicator.code)
    for unit in units:
        found += derived_checks(own, unit)
        found += deviation_checks(own, unit, deviation, commented)
        for rule in rules:
            concerned = any(c in has_data[unit.code] or (unit.code, c) in reported for c in rule.spec.codes)
            if rule.scope == Scope.OWN and rule.applies_to(unit) and (concerned or rule.spec.error):
                if (violation := evaluate_rule(rule.spec, own, unit)) is not None:
                    found.append(violation)
    paths = [u.path for u in units]
    subtree_units: dict[str, OrgUnit] = {}
    subtree_rules = [r for r in rules if r.scope == Scope.SUBTREE]
    for rule in subtree_rules:
        for target in rule.units:
            if target.path in paths or (ancestor_rules and any(p.startswith(target.path) for p in paths)):
                subtree_units[target.code] = target
    if subtree_units:
        codes = {c for r in subtree_rules for c in r.spec.codes}
        rolled = get_figures(list(subtree_units.values()), period, codes, rollup=True)
        for rule in subtree_rules:
            for target in rule.units:
                if target.code in subtree_units and (violation := evaluate_rule(rule.spec, rolled, target)):
                    found.append(violation)
    return sorted(found, key=lambda v: v.sort_key)


def units_to_check(period: Period) -> list[OrgUnit]:
    """The units that report for the period: required by an active form of its type, or with values."""
    return list(
        OrgUnit.objects.filter(
            pk__in=DataSetIndicator.objects.filter(
                data_set__is_active=True, data_set__period_type=period.type.value
            ).values("data_set__org_units")
        )
        | OrgUnit.objects.filter(pk__in=DataValue.objects.filter(period=period.id).values("org_unit"))
    )


def run_period(period: Period, visible: set[int] | None = None) -> list[Violation]:
    """The validation report of a period: every reporting unit and the units subtree rules name
    (``visible``: only the units with these ids, e.g. those the user may view)."""
    chosen = {u.pk: u for u in units_to_check(period)}
    for rule in _active_rules(period):
        if rule.scope == Scope.SUBTREE:
            chosen.update((u.pk, u) for u in rule.units)
    units = sorted(chosen.values(), key=lambda u: u.path)
    return run_checks(period, [u for u in units if visible is None or u.pk in visible])


# ---------------------------------------------------------------------------------- the entry page


@dataclass
class EntryChecks:
    """A form's violations and, per field key (``f<member id>``), the messages shown under it."""

    violations: list[Violation] = field(default_factory=list)
    by_key: dict[str, list[str]] = field(default_factory=dict)
    failure: str = ""

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.blocks]


def entry_checks(submission: Submission) -> EntryChecks:
    """The violations of a unit's form for its period (never raises: data entry must go on)."""
    try:
        members = {
            (code, kind): pk
            for pk, code, kind in DataSetIndicator.objects.filter(data_set=submission.data_set).values_list(
                "pk", "indicator__code", "kind"
            )
        }
        period = Period.parse(submission.period)
        checks = EntryChecks()
        for violation in run_checks(period, [submission.org_unit], ancestor_rules=True):
            keys = [f"f{members[f]}" for f in violation.fields if f in members]
            if not keys:
                continue
            checks.violations.append(violation)
            for key in keys:
                checks.by_key.setdefault(key, []).append(
                    f"{violation.importance_label}: {violation.rule_name} – {violation.text}"
                )
        return checks
    except Exception:  # a bug here must not stop anyone entering figures
        logger.exception("Kiểm tra quy tắc của biểu %s thất bại", submission.pk)
        return EntryChecks(failure="Không kiểm tra được các quy tắc (lỗi hệ thống); đã ghi nhật ký.")


def approval_problems(submission: Submission) -> list[str]:
    """workflow.BEFORE_STEP["approve"]: the high-importance violations, each naming rule, unit and field."""
    checks = entry_checks(submission)
    if checks.failure:
        return [checks.failure]
    return [f"{v} (mức cao)" for v in checks.blocking]


# ------------------------------------------------------------------------------------ import, export


def _decimal(value: Any, where: str, problems: list[str]) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{where}: hệ số “{value}” không phải số.")
        return Decimal(0)


@transaction.atomic
def import_rules(text: str | bytes) -> list[ValidationRule]:
    """Create or replace rules (and deviation thresholds) from YAML; every rule is checked first and on
    any problem nothing is written (RuleProblems lists them all)."""
    try:
        data = safeyaml.load(text) or {}
    except yaml.YAMLError as exc:
        raise RuleProblems([f"Tệp YAML không đọc được: {exc}"]) from None
    if not isinstance(data, dict):
        raise RuleProblems(["Tệp quy tắc phải có khóa rules (và deviation nếu cần)."])
    codes = set(Indicator.objects.values_list("code", flat=True))
    targets = set(TargetType.objects.values_list("code", flat=True))
    units = {u.code: u for u in OrgUnit.objects.all()}
    problems: list[str] = []
    prepared: list[tuple[dict[str, Any], list[OrgUnit]]] = []
    for index, item in enumerate(data.get("rules") or [], start=1):
        where = (
            f"Quy tắc thứ {index} ({item.get('code', '?')})" if isinstance(item, dict) else f"Quy tắc {index}"
        )
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            problems.append(f"{where}: cần có code và name.")
            continue
        operator = OPERATOR_ALIASES.get(str(item.get("operator", "")).strip())
        values = {
            "name": item["name"],
            "description": item.get("description", ""),
            "left": str(item.get("left", "")),
            "operator": operator or str(item.get("operator", "")),
            "right": str(item.get("right", "")),
            "left_missing": item.get("left_missing", MissingValue.SKIP_IF_ANY),
            "right_missing": item.get("right_missing", MissingValue.SKIP_IF_ANY),
            "importance": item.get("importance", Importance.MEDIUM),
            "message": item.get("message", ""),
            "period_types": ",".join(item.get("period_types") or []),
            "scope": item.get("scope", Scope.OWN),
            "is_active": bool(item.get("is_active", True)),
        }
        for key, choices in (
            ("left_missing", MissingValue),
            ("right_missing", MissingValue),
            ("importance", Importance),
            ("scope", Scope),
        ):
            if values[key] not in choices.values:
                problems.append(f"{where}: {key} “{values[key]}” không hợp lệ ({', '.join(choices.values)}).")
        rule_units = []
        for unit_code in item.get("org_units") or []:
            if unit_code not in units:
                problems.append(f"{where}: không có đơn vị mã {unit_code}.")
            else:
                rule_units.append(units[unit_code])
        found = rule_problems(
            item["code"], values["left"], values["right"], values["operator"], codes=codes, targets=targets
        )
        problems += [f"{where}: {p}" for p in found]
        prepared.append(({"code": item["code"], **values}, rule_units))
    deviations = []
    for index, item in enumerate(data.get("deviation") or [], start=1):
        code = item.get("indicator")
        if code and code not in codes:
            problems.append(f"Ngưỡng biến động thứ {index}: không có chỉ tiêu mã {code}.")
        factor = _decimal(item.get("factor", 3), f"Ngưỡng biến động thứ {index}", problems)
        if factor <= 1:
            problems.append(f"Ngưỡng biến động thứ {index}: hệ số phải lớn hơn 1.")
        deviations.append((code, factor, item))
    if problems:
        raise RuleProblems(problems)
    saved = []
    for values, rule_units in prepared:
        rule, _ = ValidationRule.objects.update_or_create(code=values.pop("code"), defaults=values)
        rule.org_units.set(rule_units)
        saved.append(rule)
    for code, factor, item in deviations:
        DeviationRule.objects.update_or_create(
            indicator=Indicator.objects.get(code=code) if code else None,
            defaults={
                "factor": factor,
                "compare_previous": bool(item.get("compare_previous", True)),
                "compare_last_year": bool(item.get("compare_last_year", True)),
                "is_active": bool(item.get("is_active", True)),
            },
        )
    return saved


def violations_xlsx(period: Period, violations: Sequence[Violation]) -> bytes:
    """The validation report as an Excel workbook (one row per violation)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Vi phạm"
    append_row(sheet, [f"Kết quả kiểm tra số liệu {period.label}"])
    sheet["A1"].font = Font(bold=True)
    header = ["Mức độ", "Đơn vị", "Quy tắc", "Mã quy tắc", "Chỉ tiêu", "Nội dung"]
    append_row(sheet, header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for v in violations:
        fields = ", ".join(f"{code} ({kind})" for code, kind in v.fields)
        append_row(sheet, [v.importance_label, v.org_unit.name, v.rule_name, v.rule, fields, v.text])
    for column, width in zip("ABCDEF", (18, 34, 34, 28, 34, 90), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def indicator_checks(period: Period, units: Iterable[OrgUnit], code: str) -> list[Violation]:
    """The violations about one indicator for the units, for a figure's passport (analytics.passport):
    the stored rules of scope "own" that read it, the derived checks of it with its parent and parts, and
    its deviation flag — over those indicators' figures only, so at province scale it reads a handful of
    indicators, not all of them as :func:`run_checks` does. Violations not about ``code`` are left out."""
    units = list(units)
    if not units:
        return []
    rules = [r for r in _active_rules(period) if code in r.spec.codes and r.scope == Scope.OWN]
    family = Indicator.objects.filter(
        Q(code=code) | Q(parent__code=code) | Q(breakdown__code=code)
    ).values_list("code", flat=True)
    codes = set(family) | {c for rule in rules for c in rule.spec.codes}
    own = get_figures(units, period, codes, rollup=False)
    commented = set(
        DataValue.objects.filter(org_unit__in=units, period=period.id, indicator__code__in=codes)
        .exclude(comment="")
        .values_list("indicator__code", "org_unit__code", "kind")
    )
    deviation = _deviation_settings()
    found: list[Violation] = []
    for unit in units:
        found += derived_checks(own, unit)
        found += deviation_checks(own, unit, deviation, commented)
        found += [
            violation
            for rule in rules
            if rule.applies_to(unit) and (violation := evaluate_rule(rule.spec, own, unit)) is not None
        ]
    return sorted((v for v in found if any(c == code for c, _kind in v.fields)), key=lambda v: v.sort_key)
