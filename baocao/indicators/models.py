"""Sectors (lĩnh vực), units of measure, indicators (chỉ tiêu) and their targets (dự toán, kế hoạch)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from baocao.core.dates import add_working_days
from baocao.core.models import NormalizedTextMixin
from baocao.core.periods import Period, PeriodError, PeriodType


def validate_period_id(value: str) -> None:
    try:
        Period.parse(value)
    except PeriodError as exc:
        raise ValidationError(str(exc)) from exc


class Sector(NormalizedTextMixin, models.Model):
    code = models.CharField("mã", max_length=50, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=255)
    parent = models.ForeignKey(
        "self",
        verbose_name="lĩnh vực cha",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Dimension(models.TextChoices):
    MONEY = "money", "Tiền"
    COUNT = "count", "Số đếm"
    AREA = "area", "Diện tích"
    MASS = "mass", "Khối lượng"
    PERCENT = "percent", "Tỷ lệ"
    OTHER = "other", "Khác"


class UnitOfMeasure(NormalizedTextMixin, models.Model):
    code = models.CharField("mã", max_length=30, unique=True)
    name = models.CharField(
        "tên đơn vị tính", max_length=50, help_text="Viết như trong văn bản: triệu đồng, vụ, m²..."
    )
    dimension = models.CharField("loại", max_length=10, choices=Dimension.choices)
    factor = models.DecimalField(
        "hệ số quy đổi",
        max_digits=24,
        decimal_places=6,
        default=Decimal(1),
        help_text="Giá trị của 1 đơn vị này theo đơn vị gốc cùng loại (1 triệu đồng = 1.000.000 đồng).",
    )
    whole_numbers = models.BooleanField(
        "chỉ nhận số nguyên",
        default=False,
        help_text="Mọi chỉ tiêu tính bằng đơn vị này chỉ nhận số nguyên (vụ, người, hộ, đồng).",
    )

    class Meta:
        verbose_name = "đơn vị tính"
        verbose_name_plural = "đơn vị tính"
        ordering = ["dimension", "factor", "code"]

    def __str__(self) -> str:
        return self.name


class ValueType(models.TextChoices):
    INTEGER = "integer", "Số nguyên"
    DECIMAL = "decimal", "Số thập phân"
    PERCENT = "percent", "Tỷ lệ phần trăm"


class Aggregation(models.TextChoices):
    SUM = "sum", "Cộng dồn"
    LAST = "last", "Lấy giá trị cuối kỳ"
    AVERAGE = "average", "Trung bình"
    NONE = "none", "Không cộng được"


class BreakdownRule(models.TextChoices):
    NONE = "", "Không kiểm tra"
    EQUAL = "equal", "Bằng tổng các chỉ tiêu 'trong đó'"
    AT_LEAST = "at_least", "Không nhỏ hơn tổng các chỉ tiêu 'trong đó'"


class Direction(models.TextChoices):
    """Which way an indicator should move: decides the colour of its change on the dashboard."""

    UP = "up", "Tăng là tốt"
    DOWN = "down", "Giảm là tốt"
    NONE = "none", "Không đánh giá"


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def active(self) -> IndicatorQuerySet:
        return self.filter(is_active=True)


class Indicator(NormalizedTextMixin, models.Model):
    normalized_fields = ("code", "name", "short_name")
    search_source_fields = ("code", "name", "short_name")

    code = models.CharField("mã chỉ tiêu", max_length=50, unique=True)
    name = models.CharField("tên chỉ tiêu", max_length=500)
    short_name = models.CharField("tên ngắn", max_length=255, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="indicators"
    )
    unit = models.ForeignKey(UnitOfMeasure, verbose_name="đơn vị tính", on_delete=models.PROTECT)
    value_type = models.CharField(
        "kiểu giá trị", max_length=10, choices=ValueType.choices, default=ValueType.INTEGER
    )
    aggregation_across_units = models.CharField(
        "tổng hợp giữa các đơn vị", max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    aggregation_across_periods = models.CharField(
        "tổng hợp theo thời gian", max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    responsible_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name="cơ quan chịu trách nhiệm",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_indicators",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="thuộc chỉ tiêu ('trong đó')",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="breakdown",
    )
    breakdown_rule = models.CharField(
        "quan hệ với chỉ tiêu 'trong đó'",
        max_length=10,
        choices=BreakdownRule.choices,
        blank=True,
        default="",
    )
    min_value = models.DecimalField(
        "giá trị nhỏ nhất", max_digits=24, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        "giá trị lớn nhất", max_digits=24, decimal_places=4, null=True, blank=True
    )
    description = models.TextField("mô tả, cách tính", blank=True)
    direction = models.CharField(
        "chiều đánh giá",
        max_length=4,
        choices=Direction.choices,
        default=Direction.NONE,
        help_text="Tăng là tốt (thu ngân sách), giảm là tốt (số vụ tai nạn) hoặc không đánh giá: quyết định "
        "màu xanh, vàng, đỏ của mức thay đổi trên trang tổng quan.",
    )
    warning_band = models.DecimalField(
        "ngưỡng cảnh báo (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal(5),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="Thay đổi theo chiều xấu không quá ngưỡng này (tính bằng % so với kỳ so sánh) hiện màu "
        "vàng, quá ngưỡng hiện màu đỏ; thay đổi theo chiều tốt hiện màu xanh.",
    )
    sort_order = models.PositiveIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang sử dụng", default=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["sector__sort_order", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(warning_band__gte=0, warning_band__lte=100), name="indicator_warning_band_percent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def whole_numbers(self) -> bool:
        """Whole values only: an integer indicator, or one whose unit takes whole numbers only (the rule
        itself lives in collection.rules; this is for display, e.g. the Excel form's number format)."""
        return self.value_type == ValueType.INTEGER or self.unit.whole_numbers

    def clean(self) -> None:
        if self.aggregation_across_units == Aggregation.LAST:
            raise ValidationError(
                {"aggregation_across_units": "Giữa các đơn vị chỉ cộng, lấy trung bình hoặc không cộng."}
            )
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError({"max_value": "Giá trị lớn nhất phải không nhỏ hơn giá trị nhỏ nhất."})
        ancestor = self.parent
        while ancestor is not None:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": "Chỉ tiêu không thể là 'trong đó' của chính nó."})
            ancestor = ancestor.parent


class TargetType(NormalizedTextMixin, models.Model):
    """Kinds of plan a value is compared with: dự toán tỉnh giao, dự toán tháng, kế hoạch vốn..."""

    code = models.CharField("mã", max_length=50, unique=True)
    name = models.CharField(
        "tên", max_length=255, help_text="Viết như trong báo cáo, ví dụ: dự toán tỉnh giao."
    )
    description = models.TextField("mô tả", blank=True)
    sort_order = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "loại chỉ tiêu kế hoạch"
        verbose_name_plural = "loại chỉ tiêu kế hoạch"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A plan or target for one indicator, org unit and period (any period type)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="chỉ tiêu", on_delete=models.PROTECT, related_name="targets"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="targets"
    )
    period = models.CharField("kỳ", max_length=10, validators=[validate_period_id])
    target_type = models.ForeignKey(TargetType, verbose_name="loại kế hoạch", on_delete=models.PROTECT)
    value = models.DecimalField("giá trị", max_digits=24, decimal_places=4)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    updated_by = models.ForeignKey(
        "auth.User",
        verbose_name="người cập nhật",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "chỉ tiêu kế hoạch"
        verbose_name_plural = "chỉ tiêu kế hoạch"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "period", "target_type"], name="target_unique_key"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
        ]
        indexes = [models.Index(fields=["period", "org_unit"])]

    def __str__(self) -> str:
        return f"{self.target_type} {self.indicator.code} {self.period}: {self.value}"


class DataSet(NormalizedTextMixin, models.Model):
    """A form (biểu mẫu): the indicators a unit reports for a period type, the units that must report
    it, and the deadline rule — a number of working days after the Decree 09 cut-off (vn-rules.md §1)."""

    code = models.CharField("mã", max_length=50, unique=True)
    name = models.CharField("tên biểu mẫu", max_length=255)
    period_type = models.CharField("loại kỳ", max_length=20, choices=[(t.value, t.label) for t in PeriodType])
    indicators: models.ManyToManyField[Indicator, DataSetIndicator] = models.ManyToManyField(
        Indicator, verbose_name="chỉ tiêu", through="DataSetIndicator", related_name="data_sets"
    )
    org_units = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name="đơn vị phải báo cáo", related_name="data_sets", blank=True
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        "hạn gửi (số ngày làm việc sau ngày chốt số liệu)", default=2
    )
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "biểu mẫu"
        verbose_name_plural = "biểu mẫu"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def deadline(self, period: Period) -> datetime.date:
        """The last day to submit ``period``: the cut-off plus the working days of the rule."""
        return add_working_days(period.cutoff_date, self.deadline_working_days)


class DataSetIndicator(models.Model):
    """One field of a form: an indicator and the kind of value asked (thực hiện, ước thực hiện, lũy kế)."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="members")
    indicator = models.ForeignKey(Indicator, verbose_name="chỉ tiêu", on_delete=models.PROTECT)
    kind = models.CharField("loại số liệu", max_length=10, default="actual")
    sort_order = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "chỉ tiêu của biểu mẫu"
        verbose_name_plural = "chỉ tiêu của biểu mẫu"
        ordering = ["data_set", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "indicator", "kind"], name="dataset_indicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.data_set_id}: {self.indicator_id}"
