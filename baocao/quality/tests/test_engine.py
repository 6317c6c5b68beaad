"""The rule engine on small reference data: every operator and missing-value strategy, period offsets,
targets and kinds through the figures layer, derived rules, deviation flags, and checks when saving."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baocao.collection.models import DataValue
from baocao.core.periods import Period
from baocao.indicators.models import UnitOfMeasure
from baocao.quality.evaluator import check_rule
from baocao.quality.expressions import Operand, parse_expression
from baocao.quality.models import DeviationRule, ValidationRule
from baocao.quality.services import RuleProblems, import_rules, run_checks

JUNE = Period.parse("202006")


def expr(text: str):
    return parse_expression(text)


@pytest.mark.parametrize(
    ("operator", "left", "right", "status"),
    [
        ("eq", 5, 5, "ok"),
        ("eq", 5, 6, "violated"),
        ("ne", 5, 6, "ok"),
        ("ne", 5, 5, "violated"),
        ("lt", 4, 5, "ok"),
        ("lt", 5, 5, "violated"),
        ("le", 5, 5, "ok"),
        ("le", 6, 5, "violated"),
        ("gt", 6, 5, "ok"),
        ("gt", 5, 5, "violated"),
        ("ge", 5, 5, "ok"),
        ("ge", 4, 5, "violated"),
        ("compulsory_pair", 1, 2, "ok"),
        ("compulsory_pair", None, None, "ok"),
        ("compulsory_pair", 1, None, "violated"),
        ("compulsory_pair", None, 2, "violated"),
        ("exclusive_pair", 1, None, "ok"),
        ("exclusive_pair", None, None, "ok"),
        ("exclusive_pair", 1, 2, "violated"),
    ],
)
def test_every_operator(operator, left, right, status):
    values = {Operand("A"): left, Operand("B"): right}
    lookup = lambda o: None if values[o] is None else Decimal(values[o])  # noqa: E731
    assert check_rule(operator, expr("A"), expr("B"), lookup).status == status


@pytest.mark.parametrize(
    ("strategy", "a", "b", "status"),
    [
        ("skip_if_any", 3, None, "skipped"),
        ("skip_if_any", None, None, "skipped"),
        ("skip_if_any", 3, 4, "violated"),  # 3 + 4 = 7 > 5
        ("skip_if_all", 3, None, "ok"),  # evaluated with the missing value as 0: 3 <= 5
        ("skip_if_all", None, None, "skipped"),
        ("never", None, None, "ok"),  # 0 <= 5
        ("never", 9, None, "violated"),
    ],
)
def test_every_missing_value_strategy(strategy, a, b, status):
    values = {"A": a, "B": b, "C": 5}

    def lookup(o):
        return None if values[o.code] is None else Decimal(values[o.code])

    assert check_rule("le", expr("A + B"), expr("C"), lookup, left_missing=strategy).status == status
    # The right side's strategy works the same way.
    assert check_rule("ge", expr("C"), expr("A + B"), lookup, right_missing=strategy).status == status


def test_a_division_by_zero_at_run_time_is_could_not_evaluate(world):
    revenue = world.indicator("THU", world.money)
    spending = world.indicator("CHI", world.money)
    world.value(revenue, world.tax, "202006", 10)
    world.value(spending, world.tax, "202006", 0)
    ValidationRule.objects.create(code="R", name="Tỷ lệ", left="THU / CHI", operator="le", right="2")
    (violation,) = run_checks(JUNE, [world.tax])
    assert violation.could_not_evaluate and not violation.blocks
    assert "không tính được: chia cho 0" in violation.text


@pytest.fixture
def revenue(world):
    """THU in triệu đồng for the tax office: June, May, June last year, Jan–May, estimate, targets."""
    thu = world.indicator("THU", world.money)
    for period, value in [("202001", 10), ("202002", 10), ("202003", 10), ("202004", 10), ("202005", 20)]:
        world.value(thu, world.tax, period, value)
    world.value(thu, world.tax, "202006", 30)
    world.value(thu, world.tax, "201906", 25)
    world.value(thu, world.tax, "202006", 45, kind="estimate")
    world.target(thu, world.tax, "202006", world.monthly_plan, 40)
    world.target(thu, world.tax, "2020", world.yearly_plan, 200)
    return thu


def violated(world, left, operator, right, unit=None, **kwargs) -> list:
    ValidationRule.objects.all().delete()
    ValidationRule.objects.create(
        code="R", name="Quy tắc thử", left=left, operator=operator, right=right, **kwargs
    )
    return [v for v in run_checks(JUNE, [unit or world.tax]) if v.rule == "R"]


def test_period_offsets_targets_and_kinds(world, revenue):
    assert not violated(world, "prev(THU)", "eq", "20")
    assert not violated(world, "last_year(THU)", "eq", "25")
    assert not violated(world, "ytd(THU)", "eq", "90")  # 10 + 10 + 10 + 10 + 20 + 30
    assert not violated(world, 'target(THU, "DT_THANG")', "eq", "40")
    assert not violated(world, 'target(THU, "DT_NAM")', "eq", "200")  # the year's target applies to June
    assert not violated(world, "est(THU)", "eq", "45")
    assert not violated(world, "THU - prev(THU)", "eq", "THU / 3")
    (violation,) = violated(world, "est(THU)", "le", 'target(THU, "DT_THANG")', importance="high")
    assert violation.blocks
    assert violation.text == 'est(THU) = 45 phải không lớn hơn target(THU, "DT_THANG") = 40.'
    assert violation.fields == (("THU", "estimate"),)
    # A missing target is a missing value: skipped by default, 0 with "never".
    assert not violated(world, 'target(THU, "KH_KHAC") + 1', "le", "0")
    assert violated(world, 'target(THU, "KH_KHAC") + 1', "le", "0", left_missing="never")
    assert not violated(world, "last_year(est(THU))", "ge", "1")
    assert violated(world, "last_year(est(THU))", "ge", "1", left_missing="never")


def test_message_template_names_rule_unit_and_values(world, revenue):
    (violation,) = violated(
        world, "THU", "gt", "est(THU)", message="{rule}: {unit} {period} thu {left} > ước {right}? {khong}"
    )
    assert violation.text == "Quy tắc thử: Chi cục Thuế tháng 6/2020 thu 30 > ước 45? {khong}"
    assert str(violation).startswith("Quy tắc thử – Chi cục Thuế, tháng 6/2020: ")


def test_rules_apply_to_their_units_period_types_and_subtree_scope(world, revenue):
    world.value(revenue, world.police, "202006", 12)
    assert violated(world, "THU", "gt", "20", unit=world.police)
    ValidationRule.objects.get(code="R").org_units.set([world.tax])
    assert not [v for v in run_checks(JUNE, [world.police]) if v.rule == "R"]
    assert not violated(world, "THU", "gt", "20", unit=world.police, period_types="quarter,year")
    assert not violated(world, "THU", "gt", "20", unit=world.ward)  # the ward reports no THU
    # Subtree scope: the city's rolled-up figures (30 + 12 = 42).
    ValidationRule.objects.all().delete()
    rule = ValidationRule.objects.create(
        code="R", name="Tổng", left="THU", operator="eq", right="40", scope="subtree"
    )
    rule.org_units.set([world.city])
    (violation,) = [v for v in run_checks(JUNE, [world.city]) if v.rule == "R"]
    assert violation.org_unit == world.city and "THU = 42" in violation.text
    # A unit's own checks see the rules of its city that read its figures.
    assert [v.rule for v in run_checks(JUNE, [world.tax], ancestor_rules=True) if v.rule == "R"] == ["R"]


def test_derived_rules_breakdown_counts_and_percent(world):
    total = world.indicator("TONG", breakdown_rule="at_least")
    part_a = world.indicator("PHAN_A", parent=total)
    part_b = world.indicator("PHAN_B", parent=total)
    world.value(total, world.police, "202006", 10)
    world.value(part_a, world.police, "202006", 6)
    world.value(part_b, world.police, "202006", 3)
    assert run_checks(JUNE, [world.police]) == []
    world.value(part_b, world.police, "202006", 9, kind="estimate")  # no estimate of the total: skipped
    assert run_checks(JUNE, [world.police]) == []
    total.breakdown_rule = "equal"
    total.save()
    (violation,) = run_checks(JUNE, [world.police])
    assert violation.rule == "trong-do:TONG" and violation.blocks
    assert "= 10 phải bằng tổng các chỉ tiêu “trong đó”" in violation.text and "= 9." in violation.text
    assert set(violation.fields) == {("TONG", "actual"), ("PHAN_A", "actual"), ("PHAN_B", "actual")}

    DataValue.objects.filter(indicator=part_b, kind="actual").update(value=Decimal(4))
    DataValue.objects.filter(indicator=part_a).update(value=Decimal("-1.5"))  # bypasses the value rules
    percent = UnitOfMeasure.objects.create(code="pt", name="%", dimension="percent")
    rate = world.indicator("TY_LE", percent, max_value=Decimal(90))
    world.value(rate, world.police, "202006", 95)
    rules = {v.rule for v in run_checks(JUNE, [world.police])}
    assert rules == {"so-dem:PHAN_A", "ty-le:TY_LE", "trong-do:TONG"}


def test_deviation_asks_for_a_comment(world, revenue):
    assert run_checks(JUNE, [world.tax]) == []  # no threshold set: no flag
    DeviationRule.objects.create(factor=Decimal("1.4"), compare_last_year=False)  # 30 vs 20: × 1.5
    (violation,) = run_checks(JUNE, [world.tax])
    assert violation.rule == "bien-dong:THU" and not violation.blocks
    assert "so với tháng 5/2020 = 20 thay đổi hơn 1,4 lần; cần ghi chú" in violation.text

    DataValue.objects.filter(indicator=revenue, period="202006", kind="actual").update(comment="Thu đột biến")
    assert run_checks(JUNE, [world.tax]) == []


def test_constant_number_of_queries(world, revenue):
    ValidationRule.objects.create(code="R1", name="A", left="THU", operator="ge", right="0")
    ValidationRule.objects.create(code="R2", name="B", left="prev(THU)", operator="ge", right="0")
    with CaptureQueriesContext(connection) as few:
        run_checks(JUNE, [world.tax])
    for n in range(3, 30):
        ValidationRule.objects.create(code=f"R{n}", name="C", left="ytd(THU)", operator="ge", right="0")
    with CaptureQueriesContext(connection) as many:
        run_checks(JUNE, [world.tax, world.police, world.ward])
    assert len(many) == len(few)


def test_bad_rules_are_refused_when_saved(world, revenue):
    rule = ValidationRule(code="R", name="Sai", left="THU / 0", operator="eq", right="KHONG_CO")
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    text = " ".join(caught.value.messages)
    assert "Vế trái: Biểu thức “THU / 0”: chia cho 0." in text
    assert "Vế phải: Biểu thức “KHONG_CO”: không có chỉ tiêu mã KHONG_CO." in text
    with pytest.raises(ValidationError, match="không được tham chiếu chính nó"):
        ValidationRule(code="THU_R", name="Tự", left="THU_R", operator="eq", right="1").full_clean()
    with pytest.raises(RuleProblems) as problems:
        import_rules(
            "rules:\n"
            "  - {code: OK, name: Đúng, left: THU, operator: '>=', right: '0'}\n"
            "  - {code: BAD, name: Sai, left: 'THU +', operator: '=', right: '1', importance: urgent}\n"
            "  - {code: NO_UNIT, name: Sai, left: THU, operator: '=', right: '1', org_units: [XYZ]}\n"
        )
    assert problems.value.problems == [
        "Quy tắc thứ 2 (BAD): importance “urgent” không hợp lệ (high, medium, low).",
        "Quy tắc thứ 2 (BAD): Vế trái: Biểu thức “THU +” sai cú pháp.",
        "Quy tắc thứ 3 (NO_UNIT): không có đơn vị mã XYZ.",
    ]
    assert not ValidationRule.objects.exists()  # all or nothing
    (saved,) = import_rules("rules:\n  - {code: OK, name: Đúng, left: THU, operator: '≥', right: '0'}\n")
    assert saved.operator == "ge"


def test_a_rule_broken_after_saving_is_could_not_evaluate(world, revenue):
    ValidationRule.objects.bulk_create(
        [ValidationRule(code="OLD", name="Cũ", left="DA_XOA", operator="eq", right="1", importance="high")]
    )
    (violation,) = run_checks(JUNE, [world.tax])
    assert violation.could_not_evaluate
    assert violation.text == "không tính được: không có chỉ tiêu đang dùng mã DA_XOA"
    assert not violation.blocks
