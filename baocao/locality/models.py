"""The audit trail of locality imports: who imported which bundle when, and what it changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LocalityImport(models.Model):
    """One applied import of a locality bundle (dry runs are not recorded). ``changes`` lists every object
    created or changed: ``{"file", "key", "status", "changes": [[field, old, new], ...]}``."""

    created_at = models.DateTimeField("lúc", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(
        "tên đăng nhập người nhập", max_length=150, blank=True, help_text="Để trống: lệnh hệ thống."
    )
    bundle_name = models.CharField("tên bộ cấu hình", max_length=255)
    bundle_sha256 = models.CharField("mã băm SHA-256", max_length=64)
    created_count = models.PositiveIntegerField("số đối tượng tạo mới", default=0)
    changed_count = models.PositiveIntegerField("số đối tượng thay đổi", default=0)
    unchanged_count = models.PositiveIntegerField("số đối tượng không đổi", default=0)
    changes = models.JSONField("nội dung thay đổi", default=list, blank=True)

    class Meta:
        verbose_name = "lần nhập bộ cấu hình"
        verbose_name_plural = "lịch sử nhập bộ cấu hình"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.bundle_name} ({self.bundle_sha256[:12]}) – {self.created_at:%d/%m/%Y %H:%M}"
