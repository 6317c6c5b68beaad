"""Report types (outline and content blocks, stored as data), narrative contributions, report runs and
the background jobs that produce their PDFs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError

from baocao.collection.models import ChangeSource
from baocao.core.models import NormalizedTextMixin
from baocao.core.periods import Period, PeriodType
from baocao.indicators.models import validate_period_id
from baocao.reports.errors import ReportError

# ReportType.signing: "digital" allows only the signed issue (reports.issuing.sign_and_issue).
SIGNING_OPTIONAL, SIGNING_DIGITAL = "optional", "digital"


class ReportType(NormalizedTextMixin, models.Model):
    """A kind of report ("Báo cáo tình hình kinh tế - xã hội ... tháng") and its document header and
    footer in the format of Decree 30/2020. Its outline is :class:`ReportSection`."""

    normalized_fields = (
        "name",
        "issuer_short",
        "parent_body",
        "place_name",
        "doc_type_name",
        "authority",
        "signer_name",
    )
    multiline_fields = ("issuer", "summary", "signer_titles", "recipients")

    code = models.CharField("mã", max_length=50, unique=True)
    name = models.CharField("tên loại báo cáo", max_length=255)
    period_type = models.CharField("loại kỳ", max_length=20, choices=[(t.value, t.label) for t in PeriodType])
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name="đơn vị báo cáo",
        on_delete=models.PROTECT,
        related_name="report_types",
    )
    parent_body = models.CharField("cơ quan chủ quản (ô 2)", max_length=255, blank=True)
    issuer = models.TextField("cơ quan ban hành (ô 2)", help_text="Mỗi dòng in một dòng, chữ in hoa.")
    issuer_short = models.CharField(
        "tên viết tắt của cơ quan ban hành",
        max_length=255,
        help_text="Dùng trong dòng “Kèm theo Báo cáo số …”.",
    )
    number_suffix = models.CharField("ký hiệu văn bản", max_length=50, default="BC-UBND")
    place_name = models.CharField("địa danh (ô 4)", max_length=100)
    doc_type_name = models.CharField("tên loại văn bản", max_length=50, default="BÁO CÁO")
    summary = models.TextField(
        "trích yếu",
        help_text="Mẫu; mỗi dòng in một dòng. Ví dụ: Tình hình … {{ ky }}, nhiệm vụ công tác {{ ky_sau }}",
    )
    authority = models.CharField("quyền hạn ký (ô 7a)", max_length=100, default="TM. ỦY BAN NHÂN DÂN")
    signer_titles = models.TextField("chức vụ người ký", default="CHỦ TỊCH", help_text="Mỗi dòng một dòng.")
    signer_name = models.CharField("người ký", max_length=100, blank=True)
    recipients = models.TextField("nơi nhận", help_text="Mỗi dòng một nơi nhận, không gồm dấu “-” đầu dòng.")
    pad_counts = models.BooleanField("viết số đếm dưới 10 có số 0 đứng trước (07 vụ)", default=True)
    percent_decimals = models.PositiveSmallIntegerField("số chữ số thập phân của tỷ lệ %", default=1)
    frame = models.BinaryField("khung văn bản Word (.docx)", null=True, blank=True, editable=False)
    frame_name = models.CharField("tên tệp khung", max_length=255, blank=True, editable=False)
    signing = models.CharField(
        "ký số khi ban hành",
        max_length=10,
        choices=[
            (SIGNING_OPTIONAL, "Ký số, hoặc ban hành bản giấy ký tay"),
            (SIGNING_DIGITAL, "Bắt buộc ký số"),
        ],
        default=SIGNING_OPTIONAL,
        help_text="Bắt buộc ký số: chỉ ban hành được qua bước “Ký số và ban hành” (tệp PDF/A đã ký số).",
    )
    annex_attachment = models.BooleanField(
        "phụ lục là tệp đính kèm riêng",
        default=False,
        help_text="Khi ký số: phụ lục thành tệp PDF riêng, ký số của cơ quan ở góc trên bên phải "
        "(Nghị định 30).",
    )
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "loại báo cáo"
        verbose_name_plural = "loại báo cáo"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def period_type_enum(self) -> PeriodType:
        return PeriodType(self.period_type)


class ReportTypeEdition(NormalizedTextMixin, models.Model):
    """The header and footer of a report type in force over a span of dates: issuer, place line, signer
    titles and name, recipients ("Nơi nhận"). A report uses the edition whose span holds its period's
    cut-off date, else the report type's own fields, so a June 2025 report and an August 2025 report
    print the bodies, signers and recipients of their time (vn-rules.md §4; reports.editions)."""

    normalized_fields = ("issuer_short", "parent_body", "place_name", "authority", "signer_name", "note")
    multiline_fields = ("issuer", "signer_titles", "recipients")
    search_source_fields = ("issuer_short", "note")

    report_type = models.ForeignKey(
        ReportType, verbose_name="loại báo cáo", on_delete=models.CASCADE, related_name="editions"
    )
    valid_from = models.DateField("áp dụng từ ngày", help_text="Theo ngày chốt số liệu của kỳ báo cáo.")
    valid_to = models.DateField("áp dụng đến ngày", null=True, blank=True)
    parent_body = models.CharField("cơ quan chủ quản (ô 2)", max_length=255, blank=True)
    issuer = models.TextField("cơ quan ban hành (ô 2)", help_text="Mỗi dòng in một dòng, chữ in hoa.")
    issuer_short = models.CharField("tên viết tắt của cơ quan ban hành", max_length=255)
    place_name = models.CharField(
        "địa danh (ô 4)",
        max_length=100,
        help_text="Đơn vị đặt theo tên người, số, sự kiện: viết đủ, ví dụ “Phường Lương Văn Tri”.",
    )
    authority = models.CharField("quyền hạn ký (ô 7a)", max_length=100, default="TM. ỦY BAN NHÂN DÂN")
    signer_titles = models.TextField("chức vụ người ký", default="CHỦ TỊCH", help_text="Mỗi dòng một dòng.")
    signer_name = models.CharField("người ký", max_length=100, blank=True)
    recipients = models.TextField("nơi nhận", help_text="Mỗi dòng một nơi nhận, không gồm dấu “-” đầu dòng.")
    note = models.CharField("căn cứ, ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "tiêu đề theo thời gian"
        verbose_name_plural = "tiêu đề theo thời gian"
        ordering = ["report_type", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["report_type", "valid_from"], name="report_edition_unique_start"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="report_edition_valid_range",
                violation_error_message="Ngày hết áp dụng phải sau ngày bắt đầu áp dụng.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_type} (từ {self.valid_from:%d/%m/%Y})"


class HeadingStyle(models.TextChoices):
    LINE = "line", "Dòng riêng"
    INLINE = "inline", "Đầu đoạn văn đầu tiên (in đậm)"


class ReportSection(NormalizedTextMixin, models.Model):
    """A numbered part of the outline (I., 1., 2.1.) or an appendix; numbers follow the order."""

    normalized_fields = ("title",)
    search_source_fields = ("key", "title")

    report_type = models.ForeignKey(
        ReportType, verbose_name="loại báo cáo", on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="mục cha",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    key = models.SlugField("mã mục", max_length=100, help_text="Duy nhất trong loại báo cáo, ví dụ: kinh-te.")
    title = models.CharField("tiêu đề (mẫu)", max_length=500)
    heading_style = models.CharField(
        "cách in tiêu đề", max_length=10, choices=HeadingStyle.choices, default=HeadingStyle.LINE
    )
    is_annex = models.BooleanField("là phụ lục", default=False)
    sort_order = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "mục của báo cáo"
        verbose_name_plural = "mục của báo cáo"
        ordering = ["report_type", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report_type", "key"], name="report_section_key_unique")
        ]

    def __str__(self) -> str:
        return self.title


class BlockKind(models.TextChoices):
    TEXT = "text", "Đoạn văn (mẫu)"
    TABLE = "table", "Bảng (mẫu)"
    CONTRIBUTIONS = "contributions", "Nội dung các đơn vị gửi trong kỳ"
    CHART = "chart", "Biểu đồ xu hướng (cấu hình: indicator, unit, months, kinds...)"
    EXPLANATIONS = "explanations", "Giải trình của các đơn vị về chỉ tiêu có nguy cơ không đạt"


class ReportBlock(models.Model):
    """Content of a section, in order. ``source`` is a Jinja2 template rendered in the sandbox of
    :mod:`baocao.reports.rendering`; every non-empty line of a text block's output is one paragraph.
    A table block's output is one row per line, cells separated by ``|``, the first line the header.
    A contributions block prints the units' narrative for the section and period (:class:`Contribution`)."""

    section = models.ForeignKey(
        ReportSection, verbose_name="mục", on_delete=models.CASCADE, related_name="blocks"
    )
    kind = models.CharField("loại khối", max_length=20, choices=BlockKind.choices, default=BlockKind.TEXT)
    source = models.TextField("nội dung (mẫu)", blank=True)
    pad_counts = models.BooleanField(
        "số đếm dưới 10 có số 0 (để trống: theo loại báo cáo)", null=True, blank=True
    )
    percent_decimals = models.PositiveSmallIntegerField(
        "chữ số thập phân của % (để trống: theo loại báo cáo)", null=True, blank=True
    )
    note = models.CharField("ghi chú cho người soạn mẫu", max_length=255, blank=True)
    sort_order = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "khối nội dung"
        verbose_name_plural = "khối nội dung"
        ordering = ["section", "sort_order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.sort_order}"


class Contribution(models.Model):
    """A unit's narrative for one section of a report type in one period (plain paragraphs; may use the
    report's data fields). Sections are referred to by key so re-importing an outline keeps them."""

    report_type = models.ForeignKey(
        ReportType, verbose_name="loại báo cáo", on_delete=models.CASCADE, related_name="contributions"
    )
    section_key = models.SlugField("mã mục", max_length=100)
    org_unit = models.ForeignKey("orgunits.OrgUnit", verbose_name="đơn vị gửi", on_delete=models.PROTECT)
    period = models.CharField("kỳ", max_length=10, validators=[validate_period_id])
    text = models.TextField("nội dung")
    sort_order = models.PositiveIntegerField("thứ tự", default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "nội dung đơn vị gửi"
        verbose_name_plural = "nội dung đơn vị gửi"
        ordering = ["report_type", "period", "section_key", "sort_order", "pk"]
        indexes = [models.Index(fields=["report_type", "period"])]

    def __str__(self) -> str:
        return f"{self.section_key} – {self.org_unit_id} – {self.period}"


class SectionAssignment(models.Model):
    """A section of a report type that a unit is expected to write (its narrative), in order. A unit
    writes only the sections assigned to it; the report type's YAML carries them (``units:``). Sections
    are referred to by key, like :class:`Contribution`, so re-importing an outline keeps them."""

    report_type = models.ForeignKey(
        ReportType, verbose_name="loại báo cáo", on_delete=models.CASCADE, related_name="assignments"
    )
    section_key = models.SlugField("mã mục", max_length=100)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="đơn vị viết", on_delete=models.PROTECT, related_name="+"
    )
    sort_order = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "mục giao đơn vị viết"
        verbose_name_plural = "mục giao đơn vị viết"
        ordering = ["report_type", "section_key", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report_type", "section_key", "org_unit"], name="section_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.section_key} – {self.org_unit}"


class ContributionChange(models.Model):
    """One row per change of a unit's narrative for a section and period: who, when, old → new, how.
    Old and new are the unit's whole text for the section (paragraphs joined by a blank line)."""

    report_type = models.ForeignKey(
        ReportType, verbose_name="loại báo cáo", on_delete=models.PROTECT, related_name="+"
    )
    section_key = models.SlugField("mã mục", max_length=100)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField("kỳ", max_length=10, validators=[validate_period_id])
    old_text = models.TextField("nội dung cũ", blank=True)
    new_text = models.TextField("nội dung mới", blank=True)
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

    class Meta:
        verbose_name = "lịch sử sửa nội dung đơn vị gửi"
        verbose_name_plural = "lịch sử sửa nội dung đơn vị gửi"
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["org_unit", "period"], name="contributionchange_unit")]

    def __str__(self) -> str:
        return f"{self.section_key} – {self.org_unit_id} – {self.period} ({self.changed_at:%d/%m/%Y %H:%M})"


class RunStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    ISSUED = "issued", "Đã ban hành"
    WITHDRAWN = "withdrawn", "Đã thu hồi"


# An issued report keeps its document, files and figures for good; withdrawing it changes only its status.
FROZEN_STATUSES = frozenset({RunStatus.ISSUED, RunStatus.WITHDRAWN})


class FrozenReportError(ProtectedError):
    """Deleting an issued (or withdrawn) report, or its PDF jobs, is refused; the message is Vietnamese."""

    def __init__(self, message: str, objects: Iterable[models.Model] = ()) -> None:
        super().__init__(message, set(objects))


class ReportRunQuerySet(models.QuerySet["ReportRun"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        frozen = list(self.filter(status__in=FROZEN_STATUSES)[:1])
        if frozen:
            raise FrozenReportError(
                f"Không xóa được báo cáo đã ban hành “{frozen[0]}”; chỉ có thể thu hồi (có lý do).", frozen
            )
        return super().delete()


class ReportRun(models.Model):
    """One report of a type for an org unit and period. A draft is regenerated from current data on
    every view; issuing freezes its document, files and the figures it used (``figures``)."""

    report_type = models.ForeignKey(ReportType, verbose_name="loại báo cáo", on_delete=models.PROTECT)
    org_unit = models.ForeignKey("orgunits.OrgUnit", verbose_name="đơn vị", on_delete=models.PROTECT)
    period = models.CharField("kỳ báo cáo", max_length=10, validators=[validate_period_id])
    status = models.CharField("trạng thái", max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    number = models.PositiveIntegerField("số văn bản", null=True, blank=True)
    issue_date = models.DateField("ngày ban hành", null=True, blank=True)
    signer_name = models.CharField("người ký", max_length=100, blank=True)
    signer_titles = models.TextField("chức vụ người ký", blank=True)
    recipients = models.TextField("nơi nhận", blank=True)
    document = models.JSONField("nội dung đã ban hành", null=True, blank=True, editable=False)
    figures = models.JSONField("số liệu đã dùng khi ban hành", default=dict, blank=True, editable=False)
    docx = models.BinaryField("tệp Word đã ban hành", null=True, blank=True, editable=False)
    pdf = models.BinaryField("tệp PDF đã ban hành", null=True, blank=True, editable=False)
    signed_pdf = models.BinaryField("tệp PDF/A đã ký số", null=True, blank=True, editable=False)
    signed_annex_pdf = models.BinaryField(
        "phụ lục PDF/A đã ký số (tệp đính kèm)", null=True, blank=True, editable=False
    )
    signature = models.JSONField(
        "chữ ký số khi ban hành", default=dict, blank=True, editable=False
    )  # who signed (certificate), when, with what: reports.issuing.sign_and_issue
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField("ban hành lúc", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    withdrawal_reason = models.TextField("lý do thu hồi", blank=True)
    number_key = models.CharField(
        "số, ký hiệu và năm đã ban hành", max_length=100, blank=True, editable=False, db_index=True
    )

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo"
        verbose_name_plural = "báo cáo"
        ordering = ["-period", "report_type"]
        constraints = [
            # a withdrawn report stays; the period may then get a new draft (and issue)
            models.UniqueConstraint(
                fields=["report_type", "org_unit", "period"],
                condition=~models.Q(status="withdrawn"),
                name="report_run_unique",
            ),
            # one issued report per number, suffix and year of a unit (a withdrawn one frees its number)
            models.UniqueConstraint(
                fields=["org_unit", "number_key"],
                condition=models.Q(status="issued") & ~models.Q(number_key=""),
                name="report_run_issued_number_unique",
            ),
        ]
        # no model permission: who issues is decided by the roles (Action.ISSUE, reports.runs.issue_run)

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """An issued report's content, files and figures never change: only its PDF may be added once, and
        its status may go from issued to withdrawn (with who, when and why)."""
        if self.pk is not None:
            stored = ReportRun.objects.filter(pk=self.pk, status__in=FROZEN_STATUSES).first()
            if stored is not None:
                may_change = {"pdf"} | (_WITHDRAWAL_FIELDS if stored.status == RunStatus.ISSUED else set())
                changed = [
                    field.verbose_name
                    for field in self._meta.concrete_fields
                    if field.attname not in may_change
                    and _stored_form(getattr(self, field.attname))
                    != _stored_form(getattr(stored, field.attname))
                ]
                if stored.pdf is not None and _stored_form(self.pdf) != _stored_form(stored.pdf):
                    changed.append("tệp PDF đã ban hành")
                if self.status not in (stored.status, RunStatus.WITHDRAWN):
                    changed.append("trạng thái")
                if changed:
                    raise FrozenReportError(
                        f"Báo cáo “{self}” đã ban hành, không sửa được: {', '.join(map(str, changed))}.",
                        [self],
                    )
        if self.status == RunStatus.ISSUED and not self.number_key and self.number and self.issue_date:
            self.number_key = f"{self.number}/{self.report_type.number_suffix}/{self.issue_date.year}"
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "number_key"}
        try:
            with transaction.atomic():  # a savepoint: the caller's transaction survives the refusal
                super().save(*args, **kwargs)
        except IntegrityError:
            if self.status != RunStatus.ISSUED or not self.number_key:
                raise
            number, suffix, year = self.number_key.split("/", 2)
            raise ReportError(
                f"Số {int(number):02d}/{suffix} năm {year} đã dùng cho một báo cáo khác đã ban hành."
            ) from None

    @property
    def period_obj(self) -> Period:
        return Period.parse(self.period)

    @property
    def title(self) -> str:
        """The report type's name with the period: "Báo cáo ... tháng" and "tháng 6/2020" read "Báo cáo ...
        tháng 6/2020", not "tháng tháng 6/2020"; a name without the period word gets " – " and the label."""
        name, label = self.report_type.name.rstrip(), self.period_obj.label
        last, first = name.rsplit(maxsplit=1)[-1:], label.split(maxsplit=1)[:1]
        if last and first and last[0].casefold() == first[0].casefold():
            return f"{name} {label.split(maxsplit=1)[1]}" if " " in label else name
        return f"{name} – {label}"

    @property
    def is_issued(self) -> bool:
        """Issued at some time (also when withdrawn since): its document, files and figures are frozen."""
        return self.status in FROZEN_STATUSES

    @property
    def is_withdrawn(self) -> bool:
        return self.status == RunStatus.WITHDRAWN

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        if self.pk is not None and ReportRun.objects.filter(pk=self.pk, status__in=FROZEN_STATUSES).exists():
            raise FrozenReportError(
                f"Không xóa được báo cáo đã ban hành “{self}”; chỉ có thể thu hồi (có lý do).", [self]
            )
        return super().delete(using, keep_parents)


# What may still change on an issued report: its PDF (once, from the frozen Word file) and its withdrawal.
_WITHDRAWAL_FIELDS = frozenset({"status", "withdrawn_by_id", "withdrawn_at", "withdrawal_reason"})


def _stored_form(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview | bytearray) else value


class RunEventKind(models.TextChoices):
    ISSUED = "issued", "Ban hành"
    SIGNED = "signed", "Ký số và ban hành"
    WITHDRAWN = "withdrawn", "Thu hồi"


class ReportRunEvent(models.Model):
    """The audit trail of a report: issued, withdrawn (who, when, why). Protects its report from deletion."""

    run = models.ForeignKey(
        ReportRun, verbose_name="báo cáo", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("việc", max_length=10, choices=RunEventKind.choices)
    number = models.PositiveIntegerField("số văn bản", null=True, blank=True)
    reason = models.TextField("lý do", blank=True)
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
        verbose_name = "lịch sử ban hành, thu hồi"
        verbose_name_plural = "lịch sử ban hành, thu hồi"
        ordering = ["run", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.run_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang tạo"
    DONE = "done", "Đã xong"
    FAILED = "failed", "Lỗi"


class PdfJobQuerySet(models.QuerySet["PdfJob"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        frozen = list(self.filter(run__status__in=FROZEN_STATUSES)[:1])
        if frozen:
            raise FrozenReportError(
                f"Không xóa được {frozen[0]}: đó là tệp của báo cáo đã ban hành “{frozen[0].run}”.", frozen
            )
        return super().delete()


class PdfJob(models.Model):
    """Converting one DOCX to PDF in the background (LibreOffice takes seconds; requests must not wait)."""

    run = models.ForeignKey(
        ReportRun, verbose_name="báo cáo", on_delete=models.CASCADE, related_name="pdf_jobs"
    )
    status = models.CharField(
        "trạng thái", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    docx = models.BinaryField("tệp Word cần chuyển")
    pdf = models.BinaryField("tệp PDF", null=True, blank=True)
    error = models.TextField("lỗi", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How many times a worker has taken the job up (a failed attempt or a worker that died is retried up
    # to settings.BAOCAO_PDF_MAX_ATTEMPTS; baocao.reports.jobs). The page shows it from the second on.
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    created_at = models.DateTimeField("yêu cầu lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    objects = PdfJobQuerySet.as_manager()

    class Meta:
        verbose_name = "việc tạo PDF"
        verbose_name_plural = "việc tạo PDF"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"PDF #{self.pk} ({self.get_status_display()})"

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        if (
            self.pk is not None
            and PdfJob.objects.filter(pk=self.pk, run__status__in=FROZEN_STATUSES).exists()
        ):
            raise FrozenReportError(
                f"Không xóa được {self}: đó là tệp của báo cáo đã ban hành “{self.run}”.", [self]
            )
        return super().delete(using, keep_parents)
