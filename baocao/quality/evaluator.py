"""The rule engine: stored rules, rules derived from the indicators and deviation flags, evaluated for
org units and a period from figure sets (baocao.analytics.figures) only.

Derived rules (never written by hand):

* "trong đó": a parent with ``breakdown_rule`` is at least (or equal to) the sum of its breakdown, per kind;
  skipped while the parent or every part is missing; "equal" is skipped while any part is missing;
* the rules of a value from collection.rules — the ones that refuse a value on entry: whole numbers
  (integer indicators, units taking whole numbers), no negative counts/money/areas/masses, the
  indicator's min/max (0–100 for a percentage with none declared).

Deviation: a value more than ``factor`` times (or less than 1/factor of) the previous period or the same
period last year needs a comment; a zero or missing comparison is not a deviation (no ratio).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from baocao.analytics.figures import Figure, FigureLookupError, FigureSet
from baocao.collection import rules as value_rules
from baocao.collection.models import ValueKind
from baocao.core.numbers import format_number
from baocao.core.periods import Period
from baocao.indicators.models import BreakdownRule, Indicator
from baocao.orgunits.models import OrgUnit
from baocao.quality.choices import Importance, MissingValue, Operator
from baocao.quality.expressions import EvaluationError, Expression, Operand

PLACES = Decimal("0.0001")  # values are stored with 4 decimals; rule sides are compared at that precision

OPERATOR_PHRASES = {
    Operator.EQ: "bằng",
    Operator.NE: "khác",
    Operator.LT: "nhỏ hơn",
    Operator.LE: "không lớn hơn",
    Operator.GT: "lớn hơn",
    Operator.GE: "không nhỏ hơn",
}
_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    Operator.EQ: lambda a, b: a == b,
    Operator.NE: lambda a, b: a != b,
    Operator.LT: lambda a, b: a < b,
    Operator.LE: lambda a, b: a <= b,
    Operator.GT: lambda a, b: a > b,
    Operator.GE: lambda a, b: a >= b,
}
_IMPORTANCE_ORDER: dict[str, int] = {Importance.HIGH: 0, Importance.MEDIUM: 1, Importance.LOW: 2}


@dataclass(frozen=True)
class Violation:
    rule: str  # the rule's code, or a derived check's name ("trong-do:CODE", "bien-dong:CODE")
    rule_name: str
    importance: str
    org_unit: OrgUnit
    period: Period
    text: str
    fields: tuple[tuple[str, str], ...] = ()  # (indicator code, kind) the violation is about
    could_not_evaluate: bool = False  # "không tính được": reported, never blocks

    @property
    def blocks(self) -> bool:
        return self.importance == Importance.HIGH and not self.could_not_evaluate

    @property
    def importance_label(self) -> str:
        return "không tính được" if self.could_not_evaluate else str(Importance(self.importance).label)

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (_IMPORTANCE_ORDER.get(self.importance, 9), self.org_unit.path, self.rule)

    def __str__(self) -> str:
        return f"{self.rule_name} – {self.org_unit.name}, {self.period.label}: {self.text}"


@dataclass(frozen=True)
class Outcome:
    status: str  # ok | violated | skipped | error
    left: Decimal | None = None
    right: Decimal | None = None
    reason: str = ""


def _skipped(strategy: str, values: list[Decimal | None]) -> bool:
    if not values or strategy == MissingValue.NEVER:
        return False
    if strategy == MissingValue.SKIP_IF_ALL:
        return all(v is None for v in values)
    return any(v is None for v in values)  # skip if any (the default)


def check_rule(
    operator: str,
    left: Expression,
    right: Expression,
    lookup: Callable[[Operand], Decimal | None],
    left_missing: str = MissingValue.SKIP_IF_ANY,
    right_missing: str = MissingValue.SKIP_IF_ANY,
) -> Outcome:
    """Evaluate one rule with figures from ``lookup`` (None = missing)."""
    left_values = [lookup(o) for o in left.operands]
    right_values = [lookup(o) for o in right.operands]
    try:
        if operator in (Operator.COMPULSORY_PAIR, Operator.EXCLUSIVE_PAIR):
            # A side "has data" when any figure it reads is present; missing-value strategies do not apply.
            left_has = any(v is not None for v in left_values)
            right_has = any(v is not None for v in right_values)
            a = left.evaluate(lookup) if left_has else None
            b = right.evaluate(lookup) if right_has else None
            bad = left_has != right_has if operator == Operator.COMPULSORY_PAIR else left_has and right_has
            return Outcome("violated" if bad else "ok", a, b)
        if _skipped(left_missing, left_values) or _skipped(right_missing, right_values):
            return Outcome("skipped")
        a = left.evaluate(lookup).quantize(PLACES, ROUND_HALF_UP)
        b = right.evaluate(lookup).quantize(PLACES, ROUND_HALF_UP)
    except EvaluationError as exc:
        return Outcome("error", reason=str(exc))
    if operator not in _COMPARE:
        return Outcome("error", reason=f"phép so sánh “{operator}” không hợp lệ")
    return Outcome("ok" if _COMPARE[operator](a, b) else "violated", a, b)


def figure_lookup(figures: FigureSet, unit_code: str) -> Callable[[Operand], Decimal | None]:
    """Operands read from a figure set for one unit; a figure that does not exist is missing."""

    def lookup(operand: Operand) -> Decimal | None:
        try:
            figure = figures.get(operand.code, operand.kind, unit_code)
        except FigureLookupError:
            return None
        if operand.field == "target":
            target = figure.targets.get(operand.target)
            return None if target is None else target.value
        value: Decimal | None = getattr(figure, operand.field)
        return value

    return lookup


def _number(value: Decimal | None) -> str:
    return "(trống)" if value is None else format_number(value.quantize(PLACES, ROUND_HALF_UP))


def render_message(template: str, values: Mapping[str, str]) -> str:
    """Replace {left}, {right}, {unit}, {period}, {rule} (str.format is not used on admin text)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


@dataclass(frozen=True)
class RuleSpec:
    """A stored rule ready to run (parsed once per evaluation)."""

    code: str
    name: str
    operator: str
    left: Expression | None
    right: Expression | None
    left_missing: str
    right_missing: str
    importance: str
    message: str
    error: str = ""  # the rule no longer parses (e.g. an indicator was removed): "không tính được"

    @property
    def codes(self) -> set[str]:
        return {o.code for side in (self.left, self.right) if side for o in side.operands}

    @property
    def fields(self) -> tuple[tuple[str, str], ...]:
        operands = [o for side in (self.left, self.right) if side for o in side.operands]
        current = [(o.code, o.kind) for o in operands if o.field == "value"]
        return tuple(dict.fromkeys(current or [(o.code, o.kind) for o in operands]))


def evaluate_rule(spec: RuleSpec, figures: FigureSet, unit: OrgUnit) -> Violation | None:
    def violation(text: str, failed: bool = False) -> Violation:
        return Violation(
            spec.code, spec.name, spec.importance, unit, figures.period, text, spec.fields, failed
        )

    if spec.error or spec.left is None or spec.right is None:
        return violation(f"không tính được: {spec.error}", True)
    outcome = check_rule(
        spec.operator,
        spec.left,
        spec.right,
        figure_lookup(figures, unit.code),
        spec.left_missing,
        spec.right_missing,
    )
    if outcome.status == "error":
        return violation(f"không tính được: {outcome.reason}.", True)
    if outcome.status != "violated":
        return None
    left, right = _number(outcome.left), _number(outcome.right)
    if spec.message:
        values = {
            "left": left,
            "right": right,
            "unit": unit.name,
            "period": figures.period.label,
            "rule": spec.name,
        }
        return violation(render_message(spec.message, values))
    if spec.operator == Operator.COMPULSORY_PAIR:
        text = f"“{spec.left.source}” và “{spec.right.source}” phải cùng có hoặc cùng không có số liệu."
    elif spec.operator == Operator.EXCLUSIVE_PAIR:
        text = f"“{spec.left.source}” và “{spec.right.source}” không được cùng có số liệu."
    else:
        text = (
            f"{spec.left.source} = {left} phải {OPERATOR_PHRASES[Operator(spec.operator)]} "
            f"{spec.right.source} = {right}."
        )
    return violation(text)


# ------------------------------------------------------------------------------------------ derived rules


def _kinds(figures: FigureSet, code: str, unit: str) -> Iterable[Figure]:
    for kind in ValueKind.values:
        figure = figures.figures.get((code, unit, kind))
        if figure is not None:
            yield figure


def derived_checks(figures: FigureSet, unit: OrgUnit) -> list[Violation]:
    """Violations of the rules that follow from the indicators themselves, for one unit."""
    found: list[Violation] = []
    children: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in figures.indicators.values():
        if indicator.parent_id is not None:
            children[indicator.parent_id].append(indicator)
    for indicator in figures.indicators.values():
        for figure in _kinds(figures, indicator.code, unit.code):
            kind_label = figure.kind_label.lower()
            where = f"{indicator.name} ({kind_label})"
            value = figure.value
            if value is not None:
                found += _value_checks(indicator, figure, unit, where)
            parts = children.get(indicator.pk, [])
            if not indicator.breakdown_rule or not parts or value is None:
                continue
            part_values = [figures.figures[(p.code, unit.code, figure.kind)].value for p in parts]
            present = [v for v in part_values if v is not None]
            if not present or (indicator.breakdown_rule == BreakdownRule.EQUAL and len(present) < len(parts)):
                continue
            total = sum(present, Decimal(0))
            equal = indicator.breakdown_rule == BreakdownRule.EQUAL
            if (value != total) if equal else (value < total):
                names = "; ".join(p.name for p, v in zip(parts, part_values, strict=True) if v is not None)
                relation = "phải bằng" if equal else "không được nhỏ hơn"
                found.append(
                    Violation(
                        f"trong-do:{indicator.code}",
                        "Tổng và các chỉ tiêu “trong đó”",
                        Importance.HIGH,
                        unit,
                        figures.period,
                        f"{where} = {_number(value)} {relation} tổng các chỉ tiêu “trong đó” "
                        f"({names}) = {_number(total)}.",
                        ((indicator.code, figure.kind), *((p.code, figure.kind) for p in parts)),
                    )
                )
    return found


_VALUE_RULES = {  # collection.rules check → (key, name) of the derived rule
    "whole": ("so-dem", "Số nguyên theo chỉ tiêu và đơn vị tính"),
    "sign": ("so-dem", "Số đếm, tiền, diện tích, khối lượng không âm"),
    "min": ("ty-le", "Giá trị trong giới hạn"),
    "max": ("ty-le", "Giá trị trong giới hạn"),
}


def _value_checks(indicator: Indicator, figure: Figure, unit: OrgUnit, where: str) -> list[Violation]:
    """The rules of a value (collection.rules: the same ones that refuse it on entry), for values
    stored before a rule changed or written around the action."""
    value = figure.value
    assert value is not None
    field = ((indicator.code, figure.kind),)
    found: dict[str, Violation] = {}
    for check, message in value_rules.failed_checks(indicator, value):
        key, name = _VALUE_RULES[check.name]
        found.setdefault(
            key,
            Violation(
                f"{key}:{indicator.code}",
                name,
                Importance.HIGH,
                unit,
                figure.period,
                f"{where} = {_number(value)}: {message}",
                field,
            ),
        )
    return list(found.values())


@dataclass(frozen=True)
class DeviationSetting:
    factor: Decimal
    compare_previous: bool = True
    compare_last_year: bool = True


@dataclass
class DeviationSettings:
    default: DeviationSetting | None = None
    per_indicator: dict[str, DeviationSetting] = field(default_factory=dict)

    def of(self, code: str) -> DeviationSetting | None:
        return self.per_indicator.get(code, self.default)


def deviation_checks(
    figures: FigureSet, unit: OrgUnit, settings: DeviationSettings, commented: set[tuple[str, str, str]]
) -> list[Violation]:
    """Values that moved by more than the factor and have no comment (``commented``: code, unit, kind)."""
    found: list[Violation] = []
    for indicator in figures.indicators.values():
        setting = settings.of(indicator.code)
        if setting is None:
            continue
        for figure in _kinds(figures, indicator.code, unit.code):
            value = figure.value
            if value is None or (indicator.code, unit.code, figure.kind) in commented:
                continue
            against = []
            if setting.compare_previous:
                against.append((figure.previous, figure.period.previous().label))
            if setting.compare_last_year:
                against.append((figure.last_year, figure.period.same_period_last_year().label))
            for reference, label in against:
                if not reference or reference < 0 or value < 0:
                    continue
                if value > reference * setting.factor or value * setting.factor < reference:
                    found.append(
                        Violation(
                            f"bien-dong:{indicator.code}",
                            "Biến động bất thường",
                            Importance.LOW,
                            unit,
                            figures.period,
                            f"{indicator.name} ({figure.kind_label.lower()}) = {_number(value)} so với "
                            f"{label} = {_number(reference)} thay đổi hơn "
                            f"{format_number(setting.factor)} lần; cần ghi chú giải thích.",
                            ((indicator.code, figure.kind),),
                        )
                    )
                    break
    return found
