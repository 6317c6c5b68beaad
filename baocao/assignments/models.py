"""Directives (văn bản chỉ đạo), the tasks they assign, and everything that happens to a task.

Nothing here stores a task's status: it is derived at any cut-off date from the deadline, the extensions
approved by then and the completions not returned (see ``status.py``). Extensions, progress reports,
completions and returns are kept as history; nothing is overwritten.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from baocao.core.dates import short_date
from baocao.core.models import NormalizedTextMixin
from baocao.core.periods import Period

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


class Directive(NormalizedTextMixin, models.Model):
    """A document that assigns tasks: "Kế hoạch số 137/KH-UBND ngày 05/5/2020 của UBND thành phố"."""

    normalized_fields = ("number", "kind", "issuer")
    multiline_fields = ("summary",)
    search_source_fields = ("number", "summary")

    number = models.CharField("số, ký hiệu", max_length=60, help_text="Ví dụ: 137/KH-UBND")
    kind = models.CharField("loại văn bản", max_length=60, blank=True, help_text="Ví dụ: Kế hoạch")
    issued_on = models.DateField("ngày văn bản")
    issuer = models.CharField("cơ quan ban hành", max_length=255)
    summary = models.TextField("trích yếu")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người nhập", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    class Meta:
        verbose_name = "văn bản chỉ đạo"
        verbose_name_plural = "văn bản chỉ đạo"
        ordering = ["-issued_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["number", "issued_on"], name="directive_unique_number")
        ]

    def __str__(self) -> str:
        kind = f"{self.kind} số " if self.kind else "Văn bản số "
        return f"{kind}{self.number} ngày {short_date(self.issued_on)}"


class DeadlineKind(models.TextChoices):
    ONCE = "once", "Một lần"
    MONTHLY = "monthly", "Hằng tháng"


class Task(NormalizedTextMixin, models.Model):
    """One task assigned to a lead unit: a one-off deadline, or a monthly one ("trước ngày 20 hằng tháng")."""

    normalized_fields = ("code",)
    multiline_fields = ("content",)
    search_source_fields = ("code", "content")

    code = models.CharField(
        "mã nhiệm vụ", max_length=50, unique=True, null=True, blank=True, help_text="Mã tham chiếu (nếu có)."
    )
    directive = models.ForeignKey(
        Directive,
        verbose_name="văn bản chỉ đạo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    content = models.TextField("nội dung nhiệm vụ")
    lead_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="đơn vị chủ trì", on_delete=models.PROTECT, related_name="lead_tasks"
    )
    cooperating_units = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name="đơn vị phối hợp", blank=True, related_name="cooperating_tasks"
    )
    assigned_on = models.DateField("ngày giao")
    is_advisory = models.BooleanField(
        "nhiệm vụ tham mưu", default=False, help_text="Chưa thực hiện thì báo cáo ghi “chưa tham mưu”."
    )
    deadline_kind = models.CharField("loại hạn", max_length=10, choices=DeadlineKind.choices)
    deadline = models.DateField("hạn hoàn thành", null=True, blank=True)
    monthly_day = models.PositiveSmallIntegerField("hằng tháng trước ngày", null=True, blank=True)
    recurs_until = models.DateField("lặp lại đến ngày", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người giao", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["lead_unit__sort_order", "assigned_on", "pk"]
        indexes = [models.Index(fields=["lead_unit", "assigned_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(deadline_kind="once", deadline__isnull=False, deadline__gte=models.F("assigned_on"))
                    | Q(deadline_kind="monthly", monthly_day__gte=1, monthly_day__lte=31)
                ),
                name="task_deadline_valid",
                violation_error_message="Hạn hoàn thành không hợp lệ.",
            )
        ]

    def __str__(self) -> str:
        return self.content if len(self.content) <= 80 else self.content[:79] + "…"

    @property
    def is_recurring(self) -> bool:
        return self.deadline_kind == DeadlineKind.MONTHLY

    @property
    def deadline_text(self) -> str:
        if self.is_recurring:
            return f"trước ngày {self.monthly_day} hằng tháng"
        assert self.deadline is not None
        return short_date(self.deadline)


class DeadlineExtension(models.Model):
    """An approved extension. The latest one approved by a cut-off date applies (by approval date)."""

    task = models.ForeignKey(
        Task, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="extensions"
    )
    occurrence = models.DateField("hạn gốc của lần thực hiện", null=True, blank=True)
    new_deadline = models.DateField("hạn mới")
    approved_on = models.DateField("ngày đồng ý gia hạn")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đồng ý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approver_name = models.CharField("người đồng ý (ghi tên)", max_length=255, blank=True)
    reason = models.TextField("lý do")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    class Meta:
        verbose_name = "gia hạn"
        verbose_name_plural = "gia hạn"
        ordering = ["approved_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approver__isnull=False) | ~Q(approver_name=""),
                name="extension_has_approver",
                violation_error_message="Gia hạn phải có người đồng ý.",
            )
        ]

    def __str__(self) -> str:
        return f"Gia hạn đến {short_date(self.new_deadline)}"

    @property
    def approved_by(self) -> str:
        if self.approver_name:
            return self.approver_name
        return self.approver.get_full_name() or self.approver.get_username() if self.approver else ""


class ProgressUpdate(models.Model):
    """A unit's progress report, with a document reference or a small uploaded file as evidence."""

    task = models.ForeignKey(Task, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="progress")
    reported_on = models.DateField("ngày báo cáo")
    text = models.TextField("nội dung tiến độ")
    document_ref = models.CharField("văn bản minh chứng", max_length=255, blank=True)
    evidence = models.BinaryField("tệp minh chứng", null=True, blank=True, editable=False)
    evidence_name = models.CharField("tên tệp", max_length=255, blank=True)
    evidence_type = models.CharField("loại tệp", max_length=100, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người báo cáo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    reported_at = models.DateTimeField("thời điểm nhập", auto_now_add=True)

    class Meta:
        verbose_name = "tiến độ"
        verbose_name_plural = "tiến độ"
        ordering = ["reported_on", "pk"]

    def __str__(self) -> str:
        return f"Tiến độ ngày {short_date(self.reported_on)}"


class Completion(models.Model):
    """A unit reports a task (or one monthly occurrence) done; the office may return it with a reason.
    A returned completion stays as history and counts as not completed."""

    task = models.ForeignKey(
        Task, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="completions"
    )
    occurrence = models.DateField("hạn gốc của lần thực hiện", null=True, blank=True)
    completed_on = models.DateField("ngày hoàn thành")
    note = models.TextField("kết quả", blank=True)
    document_ref = models.CharField("văn bản minh chứng", max_length=255, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người báo cáo",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField("thời điểm báo cáo", auto_now_add=True)
    returned_at = models.DateTimeField("thời điểm trả lại", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người trả lại",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField("lý do trả lại", blank=True)

    class Meta:
        verbose_name = "báo cáo hoàn thành"
        verbose_name_plural = "báo cáo hoàn thành"
        ordering = ["reported_at", "pk"]

    def __str__(self) -> str:
        return f"Hoàn thành ngày {short_date(self.completed_on)}"

    @property
    def is_returned(self) -> bool:
        return self.returned_at is not None


class ReviewName(models.Model):
    """How the task review names a unit when it differs from the unit's name ("Trung tâm PTQĐ")."""

    org_unit = models.OneToOneField(
        "orgunits.OrgUnit", verbose_name="đơn vị", on_delete=models.CASCADE, related_name="review_name"
    )
    name = models.CharField("tên trong báo cáo rà soát", max_length=255)

    class Meta:
        verbose_name = "tên đơn vị trong báo cáo rà soát"
        verbose_name_plural = "tên đơn vị trong báo cáo rà soát"

    def __str__(self) -> str:
        return self.name


class ExplanationRequest(models.Model):
    """A request to explain an at-risk item (yêu cầu giải trình): one indicator of one unit at one period.

    It is carried by a task of this module (status, reminders, overdue come from there); the unit answers
    by the task's completion report (its "kết quả" is the answer) and progress reports (evidence). When the
    item's unit no longer exists (2025 merges), the task goes to its successor: ``org_unit`` stays the
    item's unit and ``redirected_from`` records that the request was passed on."""

    task = models.OneToOneField(
        Task, verbose_name="nhiệm vụ", on_delete=models.CASCADE, related_name="explanation"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator", verbose_name="chỉ tiêu", on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="đơn vị của số liệu", on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField("kỳ", max_length=20)
    question = models.TextField("nội dung yêu cầu", blank=True)
    redirected_from = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name="đơn vị không còn hoạt động",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "yêu cầu giải trình"
        verbose_name_plural = "yêu cầu giải trình"
        ordering = ["-task__assigned_on", "-pk"]
        indexes = [models.Index(fields=["indicator", "org_unit", "period"])]

    def __str__(self) -> str:
        return f"Giải trình: {self.task}"

    @property
    def period_label(self) -> str:
        """The period as people read it ("tháng 6/2020"), never its code."""
        return Period.parse(self.period).label
