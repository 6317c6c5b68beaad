"""Validation rules as data (DHIS2-style: left side, operator, right side, missing-value strategy per side,
importance) and the deviation thresholds that ask for a comment. Rules derived from the indicators
themselves ("trong đó" sums, whole counts, % bounds) are not stored: see quality.evaluator."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from baocao.core.models import NormalizedTextMixin
from baocao.core.periods import PeriodType
from baocao.quality.choices import Importance, MissingValue, Operator, Scope
from baocao.quality.rulecheck import rule_problems


def validate_period_types(value: str) -> None:
    known = {t.value for t in PeriodType}
    unknown = [t for t in _split(value) if t not in known]
    if unknown:
        raise ValidationError(
            f"Loại kỳ không hợp lệ: {', '.join(unknown)}; "
            f"dùng {', '.join(sorted(known))} (cách nhau dấu phẩy)."
        )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class ValidationRule(NormalizedTextMixin, models.Model):
    normalized_fields = ("code", "name", "left", "right", "message", "period_types")

    code = models.CharField("mã quy tắc", max_length=50, unique=True)
    name = models.CharField("tên quy tắc", max_length=255)
    description = models.TextField("mô tả", blank=True)
    left = models.CharField(
        "vế trái",
        max_length=1000,
        help_text='Mã chỉ tiêu, số, + - * / và các hàm prev(X), last_year(X), ytd(X), target(X, "DT_THANG"), '
        "est(X) (ước thực hiện), cum(X) (lũy kế).",
    )
    operator = models.CharField("phép so sánh", max_length=20, choices=Operator.choices)
    right = models.CharField("vế phải", max_length=1000)
    left_missing = models.CharField(
        "khi vế trái thiếu số liệu",
        max_length=20,
        choices=MissingValue.choices,
        default=MissingValue.SKIP_IF_ANY,
    )
    right_missing = models.CharField(
        "khi vế phải thiếu số liệu",
        max_length=20,
        choices=MissingValue.choices,
        default=MissingValue.SKIP_IF_ANY,
    )
    importance = models.CharField(
        "mức độ", max_length=10, choices=Importance.choices, default=Importance.MEDIUM
    )
    message = models.CharField(
        "câu thông báo",
        max_length=500,
        blank=True,
        help_text="Để trống: câu mặc định. Có thể dùng {left}, {right} (giá trị hai vế), {unit} (đơn vị), "
        "{period} (kỳ), {rule} (tên quy tắc).",
    )
    period_types = models.CharField(
        "loại kỳ áp dụng",
        max_length=100,
        blank=True,
        validators=[validate_period_types],
        help_text="Ví dụ: month,quarter. Để trống: mọi loại kỳ.",
    )
    org_units = models.ManyToManyField(
        "orgunits.OrgUnit",
        verbose_name="đơn vị áp dụng",
        blank=True,
        related_name="+",
        help_text="Để trống: mọi đơn vị báo cáo. Phạm vi “từng đơn vị” áp dụng cả các đơn vị trực thuộc.",
    )
    scope = models.CharField("phạm vi số liệu", max_length=10, choices=Scope.choices, default=Scope.OWN)
    is_active = models.BooleanField("đang dùng", default=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "quy tắc kiểm tra"
        verbose_name_plural = "quy tắc kiểm tra"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def period_type_list(self) -> list[str]:
        return _split(self.period_types)

    @property
    def period_types_label(self) -> str:
        """The period types in Vietnamese ("tháng, quý"), never their codes."""
        known = {t.value for t in PeriodType}
        return ", ".join(PeriodType(t).label.lower() for t in self.period_type_list if t in known)

    def clean(self) -> None:
        problems = rule_problems(self.code, self.left, self.right, self.operator)
        if problems:
            raise ValidationError(problems)


class DeviationRule(models.Model):
    """A value that moves by more than ``factor`` times (up or down) from the previous period or the same
    period last year asks for a comment: a warning, satisfied once the value has one. A row without an
    indicator is the default for every indicator; an indicator's own row overrides it."""

    indicator = models.OneToOneField(
        "indicators.Indicator",
        verbose_name="chỉ tiêu",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Để trống: mặc định cho mọi chỉ tiêu.",
    )
    factor = models.DecimalField(
        "hệ số biến động",
        max_digits=8,
        decimal_places=2,
        default=Decimal(3),
        validators=[MinValueValidator(Decimal("1.01"))],
        help_text="Ví dụ 3: cảnh báo khi số liệu lớn hơn 3 lần hoặc nhỏ hơn 1/3 số so sánh.",
    )
    compare_previous = models.BooleanField("so với kỳ trước", default=True)
    compare_last_year = models.BooleanField("so với cùng kỳ năm trước", default=True)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "ngưỡng biến động"
        verbose_name_plural = "ngưỡng biến động"

    def __str__(self) -> str:
        return f"{self.indicator.code if self.indicator else 'Mặc định'}: × {self.factor}"
