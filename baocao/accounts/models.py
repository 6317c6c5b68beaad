"""Roles bound to org units with validity dates: who may do what, for which units, when."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    UNIT_STAFF = "unit_staff", "Cán bộ đơn vị (nhập số liệu)"
    UNIT_HEAD = "unit_head", "Lãnh đạo đơn vị (gửi số liệu)"
    OFFICE = "office", "Văn phòng (tổng hợp, trả lại, tiếp nhận, lập báo cáo)"
    LEADER = "leader", "Lãnh đạo UBND (phê duyệt, mở lại, ban hành)"
    ADMIN = "admin", "Quản trị hệ thống"


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active_on(self, day: datetime.date) -> RoleAssignmentQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class RoleAssignment(models.Model):
    """A user holds a role for an org unit (and everything under it) from ``valid_from`` to ``valid_to``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người dùng", on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="đơn vị", on_delete=models.PROTECT, related_name="role_assignments"
    )
    valid_from = models.DateField("hiệu lực từ", default=datetime.date(2000, 1, 1))
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        ordering = ["user", "org_unit", "role"]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.org_unit_id}"

    def clean(self) -> None:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "Ngày hết hiệu lực trước ngày bắt đầu hiệu lực."})
