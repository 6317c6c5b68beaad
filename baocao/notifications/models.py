"""Notices to a user (the in-app inbox) and each user's choice of how to be told.

A notice is written by :func:`baocao.notifications.services.notify` only. ``key`` (optional) makes a
notice unique per recipient: the scheduled reminders carry one, so a reminder is never sent twice however
often the worker runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    RETURNED = "returned", "Biểu bị trả lại"
    APPROVED = "approved", "Biểu đã được phê duyệt"
    WAITING = "waiting", "Chờ tiếp nhận, phê duyệt"
    TASK_DUE = "task_due", "Nhiệm vụ đến hạn"
    FORM_DUE = "form_due", "Biểu mẫu đến hạn gửi"
    COMMENT = "comment", "Ghi chú về số liệu của tôi"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhận",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    title = models.CharField("tiêu đề", max_length=300)
    body = models.TextField("nội dung", blank=True)
    url = models.CharField("đường dẫn", max_length=500, blank=True)
    key = models.CharField("khóa chống gửi trùng", max_length=200, blank=True)
    created_at = models.DateTimeField("lúc", auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)
    emailed = models.BooleanField("đã gửi thư điện tử", default=False)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_key_once"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How a user wants to be told; a user without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email = models.BooleanField("gửi cả thư điện tử", default=True)
    reminders = models.BooleanField("nhận nhắc hạn", default=True)
    reminder_days = models.PositiveSmallIntegerField("nhắc trước (ngày làm việc)", default=2)

    class Meta:
        verbose_name = "cài đặt thông báo"
        verbose_name_plural = "cài đặt thông báo"

    def __str__(self) -> str:
        return f"Cài đặt thông báo của {self.user}"
