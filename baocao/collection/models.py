"""Data values (số liệu) keyed by indicator, org unit, period and kind, and their change log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from baocao.indicators.models import validate_period_id


class ValueKind(models.TextChoices):
    ACTUAL = "actual", "Thực hiện"
    ESTIMATE = "estimate", "Ước thực hiện"
    CUMULATIVE = "cumulative", "Lũy kế"


class ChangeSource(models.TextChoices):
    WEB = "web", "Trang web"
    EXCEL = "excel", "Tệp Excel"
    CSV = "csv", "Tệp CSV"
    API = "api", "API"
    COMMAND = "command", "Lệnh quản trị"
    ARCHIVE = "archive", "Từ báo cáo cũ"


class DataValue(models.Model):
    indicator = models.ForeignKey(
        "indicators.Indicator", verbose_name="chỉ tiêu", on_delete=models.PROTECT, related_name="values"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="values"
    )
    period = models.CharField("kỳ", max_length=10, validators=[validate_period_id])
    kind = models.CharField(
        "loại số liệu", max_length=10, choices=ValueKind.choices, default=ValueKind.ACTUAL
    )
    value = models.DecimalField("giá trị", max_digits=24, decimal_places=4)
    comment = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người cập nhật",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField("phiên bản", default=1)

    class Meta:
        verbose_name = "số liệu"
        verbose_name_plural = "số liệu"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "period", "kind"], name="datavalue_unique_key"
            ),
        ]
        # The figures layer's value query (period, units, indicators, kinds → sum of value) reads only this
        # index (an index-only scan; the value is a key column rather than INCLUDE, which SQLite lacks):
        # bench/RESULTS.md, "Province roll-up".
        indexes = [
            models.Index(
                fields=["period", "org_unit", "indicator", "kind", "value"],
                name="datavalue_period_unit_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.period}/{self.kind} = {self.value}"


class ValueChange(models.Model):
    """One row per change of a data value: who, when, old → new, through what."""

    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period = models.CharField("kỳ", max_length=10)
    kind = models.CharField("loại số liệu", max_length=10, choices=ValueKind.choices)
    old_value = models.DecimalField("giá trị cũ", max_digits=24, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField("giá trị mới", max_digits=24, decimal_places=4, null=True, blank=True)
    old_comment = models.TextField("ghi chú cũ", blank=True)
    new_comment = models.TextField("ghi chú mới", blank=True)
    changed_at = models.DateTimeField("lúc", auto_now_add=True, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người sửa",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField("qua", max_length=10, choices=ChangeSource.choices)
    batch = models.CharField("lô nhập", max_length=64, blank=True, db_index=True)
    # Where the value was read from when it did not come from a person typing it: the sentence of a past
    # report (archive import), shown on the figure's passport.
    source_note = models.TextField("trích từ", blank=True)

    class Meta:
        verbose_name = "lịch sử thay đổi số liệu"
        verbose_name_plural = "lịch sử thay đổi số liệu"
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["indicator", "org_unit", "period", "kind"], name="valuechange_key")]

    def __str__(self) -> str:
        return f"{self.period} {self.old_value} → {self.new_value}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Đang nhập"
    SUBMITTED = "submitted", "Đã gửi"
    RETURNED = "returned", "Bị trả lại"
    ACCEPTED = "accepted", "Đã tiếp nhận"
    APPROVED = "approved", "Đã phê duyệt"
    LOCKED = "locked", "Đã khóa"


# Values of a unit's data set can be changed only while its submission is in one of these states.
EDITABLE_STATUSES = frozenset({SubmissionStatus.DRAFT, SubmissionStatus.RETURNED})


class Submission(models.Model):
    """A unit's data set for a period, moving draft → submitted → returned or accepted → approved →
    locked. Values can be changed only while it is a draft or returned (see collection.workflow)."""

    data_set = models.ForeignKey(
        "indicators.DataSet", verbose_name="biểu mẫu", on_delete=models.PROTECT, related_name="submissions"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="submissions"
    )
    period = models.CharField("kỳ", max_length=10, validators=[validate_period_id])
    status = models.CharField(
        "trạng thái", max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    submitted_at = models.DateTimeField("gửi lần đầu lúc", null=True, blank=True)
    last_submitted_at = models.DateTimeField("gửi gần nhất lúc", null=True, blank=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    version = models.PositiveIntegerField("phiên bản", default=1)

    class Meta:
        verbose_name = "bộ số liệu gửi"
        verbose_name_plural = "bộ số liệu gửi"
        ordering = ["-period", "data_set", "org_unit"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "org_unit", "period"], name="submission_unique_key")
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.data_set_id}/{self.org_unit_id}/{self.period}: {self.get_status_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class SubmissionEvent(models.Model):
    """One row per status change of a submission: who, when, from → to, why, through what."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("từ trạng thái", max_length=10, choices=SubmissionStatus.choices)
    to_status = models.CharField("sang trạng thái", max_length=10, choices=SubmissionStatus.choices)
    reason = models.TextField("lý do", blank=True)
    source = models.CharField("qua", max_length=10, choices=ChangeSource.choices, default=ChangeSource.WEB)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "thay đổi trạng thái"
        verbose_name_plural = "thay đổi trạng thái"
        ordering = ["submission", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.from_status} → {self.to_status}"
