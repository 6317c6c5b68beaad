"""Org units: administrative units (tỉnh, thành phố, phường, xã...) and the agencies that report.

Units carry validity dates and successor links (the 2025 reform merged many of them): a merge
closes the old units and opens new ones; history is never rewritten (vn-rules.md §4).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from baocao.core.models import NormalizedTextMixin


class OrgUnitType(models.TextChoices):
    PROVINCE = "province", "Tỉnh"
    CENTRAL_CITY = "central_city", "Thành phố trực thuộc trung ương"
    PROVINCIAL_CITY = "city", "Thành phố thuộc tỉnh"
    DISTRICT = "district", "Huyện"
    TOWN = "town", "Thị xã"
    WARD = "ward", "Phường"
    COMMUNE = "commune", "Xã"
    SPECIAL_ZONE = "special_zone", "Đặc khu"
    DEPARTMENT = "department", "Phòng, sở chuyên môn"
    BOARD = "board", "Ban"
    CENTRE = "centre", "Trung tâm"
    OFFICE = "office", "Văn phòng"
    INSPECTORATE = "inspectorate", "Thanh tra"
    POLICE = "police", "Công an"
    MILITARY = "military", "Ban Chỉ huy quân sự"
    TAX = "tax", "Chi cục Thuế"
    TREASURY = "treasury", "Kho bạc Nhà nước"
    MARKET_CONTROL = "market_control", "Quản lý thị trường"
    OTHER_AGENCY = "agency", "Cơ quan, đơn vị khác"


ADMINISTRATIVE_TYPES = frozenset(
    {
        OrgUnitType.PROVINCE,
        OrgUnitType.CENTRAL_CITY,
        OrgUnitType.PROVINCIAL_CITY,
        OrgUnitType.DISTRICT,
        OrgUnitType.TOWN,
        OrgUnitType.WARD,
        OrgUnitType.COMMUNE,
        OrgUnitType.SPECIAL_ZONE,
    }
)


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def active_on(self, day: datetime.date) -> OrgUnitQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def subtree(self, units: list[OrgUnit] | OrgUnitQuerySet) -> OrgUnitQuerySet:
        """The given units and all their descendants, in one query (materialised path)."""
        condition = Q(pk__in=[])
        for unit in units:
            condition |= Q(path__startswith=unit.path)
        return self.filter(condition)

    def administrative(self) -> OrgUnitQuerySet:
        return self.filter(type__in=ADMINISTRATIVE_TYPES)

    def agencies(self) -> OrgUnitQuerySet:
        return self.exclude(type__in=ADMINISTRATIVE_TYPES)


class OrgUnit(NormalizedTextMixin, models.Model):
    normalized_fields = ("code", "name", "short_name")
    search_source_fields = ("code", "name", "short_name")

    code = models.CharField(
        "mã", max_length=50, unique=True, help_text="Mã ổn định, không đổi theo thời gian."
    )
    name = models.CharField("tên", max_length=255)
    short_name = models.CharField("tên ngắn", max_length=100, blank=True)
    type = models.CharField("loại", max_length=20, choices=OrgUnitType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="đơn vị cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("đường dẫn", max_length=1000, editable=False, db_index=True, default="")
    valid_from = models.DateField("hiệu lực từ ngày")
    valid_to = models.DateField("hiệu lực đến ngày", null=True, blank=True)
    sort_order = models.PositiveIntegerField("thứ tự", default=0)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        self.path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            for child in self.children.all():
                child.save()

    @property
    def is_administrative(self) -> bool:
        return self.type in ADMINISTRATIVE_TYPES

    def is_active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError(
                    {"parent": "Đơn vị cấp trên không được là chính đơn vị này hoặc cấp dưới của nó."}
                )
            ancestor = ancestor.parent


class SuccessionKind(models.TextChoices):
    MERGE = "merge", "Nhập (sáp nhập)"
    SPLIT = "split", "Chia, tách"
    TRANSFER = "transfer", "Điều chỉnh một phần địa giới"
    RENAME = "rename", "Đổi tên"


class OrgUnitSuccession(models.Model):
    """A link from a unit that ceased (or gave up part of its area) to the unit that took it over."""

    predecessor = models.ForeignKey(
        OrgUnit, verbose_name="đơn vị cũ", on_delete=models.PROTECT, related_name="successions"
    )
    successor = models.ForeignKey(
        OrgUnit, verbose_name="đơn vị kế thừa", on_delete=models.PROTECT, related_name="predecessions"
    )
    kind = models.CharField("hình thức", max_length=20, choices=SuccessionKind.choices)
    effective_date = models.DateField("ngày có hiệu lực")
    share = models.DecimalField(
        "tỷ lệ chuyển sang",
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="Phần diện tích/dân số của đơn vị cũ chuyển sang (0–1), nếu biết.",
    )
    legal_basis = models.CharField("căn cứ", max_length=255, blank=True)

    class Meta:
        verbose_name = "kế thừa đơn vị"
        verbose_name_plural = "kế thừa đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="orgunit_succession_unique"),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gt=0) & Q(share__lte=1)),
                name="orgunit_succession_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
