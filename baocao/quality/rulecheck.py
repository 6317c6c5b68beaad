"""The check of a validation rule's text: operator and both sides parsed against the indicator codes and
target types. Used when a rule is saved (the model's `clean`, the admin) and when rules are imported."""

from __future__ import annotations

from baocao.indicators.models import Indicator, TargetType
from baocao.quality.choices import Operator
from baocao.quality.expressions import ExpressionError, parse_expression


def rule_problems(
    code: str,
    left: str,
    right: str,
    operator: str,
    *,
    codes: set[str] | None = None,
    targets: set[str] | None = None,
) -> list[str]:
    """What is wrong with a rule's expressions (empty when it can be saved)."""
    if codes is None:
        codes = set(Indicator.objects.values_list("code", flat=True))
    if targets is None:
        targets = set(TargetType.objects.values_list("code", flat=True))
    problems = []
    if operator not in Operator.values:
        problems.append(f"Phép so sánh “{operator}” không hợp lệ.")
    for label, text in (("Vế trái", left), ("Vế phải", right)):
        try:
            parse_expression(text, codes=codes, targets=targets, own_code=code)
        except ExpressionError as exc:
            problems.append(f"{label}: {exc}")
    return problems
