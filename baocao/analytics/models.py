"""Key-figure cards of the dashboard: which indicators a leader sees first, chosen as data (not code).

A card belongs to a report type (the cards of that report's unit), to one org unit, or to neither (the
default set). The dashboard of a unit shows the cards of the nearest unit up its tree that has any: its
own, then those of a report type of that unit, then its parent's..., then the default set
(`baocao.analytics.cards.cards_for`). The figures themselves are never stored here: they come from the
figures layer on every load (docs/decisions/0010-dashboard.md).

The report type is referred to by the database only (a string reference): analytics sits below reports
in the layers and imports nothing of it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from baocao.collection.models import ValueKind


class KeyFigureCard(models.Model):
    report_type = models.ForeignKey(
        "reports.ReportType",
        verbose_name="loại báo cáo",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="key_figure_cards",
        help_text="Thẻ của trang tổng quan đơn vị lập loại báo cáo này. Để trống nếu chọn theo đơn vị.",
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name="đơn vị",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="key_figure_cards",
        help_text="Thẻ riêng của trang tổng quan đơn vị này. Để trống cả hai ô: bộ thẻ mặc định.",
    )
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name="chỉ tiêu",
        on_delete=models.CASCADE,
        related_name="key_figure_cards",
    )
    kind = models.CharField(
        "loại số liệu", max_length=10, choices=ValueKind.choices, default=ValueKind.ACTUAL
    )
    target_types = models.ManyToManyField(
        "indicators.TargetType",
        verbose_name="kế hoạch hiển thị",
        blank=True,
        related_name="+",
        help_text="Các loại kế hoạch so sánh trên thẻ (dự toán tháng, dự toán năm...). Để trống: mọi kế "
        "hoạch áp dụng cho kỳ.",
    )
    title = models.CharField(
        "tiêu đề thẻ", max_length=255, blank=True, help_text="Để trống: tên ngắn hoặc tên của chỉ tiêu."
    )
    show_trend = models.BooleanField("vẽ biểu đồ xu hướng 24 tháng", default=True)
    sort_order = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "thẻ số liệu chính"
        verbose_name_plural = "thẻ số liệu chính (trang tổng quan)"
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report_type__isnull=True) | Q(org_unit__isnull=True),
                name="key_figure_card_report_type_or_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.title:
            return self.title
        indicator = self.indicator
        return indicator.short_name or indicator.name

    def clean(self) -> None:
        if self.report_type_id is not None and self.org_unit_id is not None:
            raise ValidationError(
                {"org_unit": "Thẻ thuộc một loại báo cáo hoặc một đơn vị, không đồng thời cả hai."}
            )
        same = KeyFigureCard.objects.filter(
            report_type_id=self.report_type_id,
            org_unit_id=self.org_unit_id,
            indicator_id=self.indicator_id,
            kind=self.kind,
        ).exclude(pk=self.pk)
        if self.indicator_id is not None and same.exists():
            raise ValidationError({"indicator": "Bộ thẻ này đã có thẻ của chỉ tiêu và loại số liệu này."})
