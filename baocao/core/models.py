"""Shared model pieces: Vietnamese text normalised to NFC at the boundary, a search key."""

from django.core.exceptions import ValidationError
from django.db import models

from baocao.core.publicholidays import base_is_working_day, holiday_name
from baocao.core.text import clean, nfc, search_key

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class NormalizedTextMixin(models.Model):
    """Normalises the listed text fields to NFC on save (single-line ones also collapse whitespace) and
    keeps an accent-free search key."""

    normalized_fields: tuple[str, ...] = ("name",)
    multiline_fields: tuple[str, ...] = ()  # NFC, line breaks kept, each line stripped
    search_source_fields: tuple[str, ...] = ("code", "name")

    search_key = models.CharField("khóa tìm kiếm", max_length=500, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalize_text()
        super().save(*args, **kwargs)

    def normalize_text(self) -> None:
        for field in self.normalized_fields:
            value = getattr(self, field)
            if isinstance(value, str):
                setattr(self, field, clean(value))
        for field in self.multiline_fields:
            value = getattr(self, field)
            if isinstance(value, str):
                setattr(self, field, "\n".join(line.strip() for line in nfc(value).strip().splitlines()))
        self.search_key = search_key(" ".join(str(getattr(self, f) or "") for f in self.search_source_fields))


class DayAdjustment(models.Model):
    """One day the government's yearly decisions move: an extra day off (a bridge between a holiday and
    a weekend) or a substitute working day (usually a Saturday worked in exchange). The public holidays
    themselves come from the ``holidays`` package (baocao.core.dates); these rows are what the
    administrator adds for a year, or corrects when the package is wrong (docs/decisions/0020)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ (nghỉ thêm, nghỉ bù)"
        WORKING_DAY = "working_day", "Ngày làm việc (làm bù)"

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    decision = models.CharField(
        "căn cứ",
        max_length=255,
        help_text="Văn bản quyết định việc hoán đổi, ví dụ: Thông báo số 6150/TB-BLĐTBXH ngày 08/11/2024.",
    )
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "ngày nghỉ, ngày làm bù trong năm"
        verbose_name_plural = "ngày nghỉ, ngày làm bù trong năm"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.day}/{self.date.month}/{self.date.year}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.decision = clean(self.decision or "")
        self.note = clean(self.note or "")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """An adjustment must change something: a day off on a day that is already off by law (a
        weekend, a public holiday) or a working day on a day already worked is refused, naming why."""
        self.decision = clean(self.decision or "")
        self.note = clean(self.note or "")
        if self.date is None or not self.kind:
            return
        day = f"{_WEEKDAYS[self.date.weekday()]} {self.date.day}/{self.date.month}/{self.date.year}"
        if self.kind == self.Kind.DAY_OFF and not base_is_working_day(self.date):
            why = holiday_name(self.date) or "ngày nghỉ cuối tuần"
            raise ValidationError({"kind": f"{day} đã là ngày nghỉ ({why}); không cần thêm ngày nghỉ."})
        if self.kind == self.Kind.WORKING_DAY and base_is_working_day(self.date):
            raise ValidationError(
                {"kind": f"{day} đã là ngày làm việc; ngày làm bù chỉ đặt vào ngày nghỉ (thường là thứ Bảy)."}
            )
