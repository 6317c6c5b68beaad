"""The chain's rows: one entry per change, and the head that serialises appends (docs/decisions/0025)."""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    """One link: ``hash`` = sha256(seq : prev_hash : sha256(content)). ``content`` is the canonical JSON
    exactly as hashed; ``kind``, ``ref``, ``actor_id`` and ``at`` repeat parts of it for lookups (the
    verification checks they agree with it)."""

    seq = models.BigIntegerField("số thứ tự", primary_key=True)
    at = models.DateTimeField("lúc")
    kind = models.CharField("loại thay đổi", max_length=40)
    ref = models.CharField("đối tượng", max_length=200)
    actor_id = models.BigIntegerField("người thực hiện (mã)", null=True, blank=True)
    content = models.TextField("nội dung")
    prev_hash = models.CharField("mã băm liên kết trước", max_length=64)
    hash = models.CharField("mã băm", max_length=64)

    class Meta:
        verbose_name = "mục nhật ký kiểm toán"
        verbose_name_plural = "nhật ký kiểm toán"
        ordering = ["seq"]
        indexes = [models.Index(fields=["kind", "ref", "seq"], name="auditentry_kind_ref")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.ref}"


class AuditHead(models.Model):
    """The single row (id 1) every append updates first — the write lock that keeps the chain from forking
    — holding the last entry's number and hash and their keyed signature (HMAC with the server's key,
    which is not in the database: recomputing a suffix cannot re-sign the head)."""

    seq = models.BigIntegerField("số thứ tự cuối", default=0)
    hash = models.CharField("mã băm cuối", max_length=64)
    signature = models.CharField("chữ ký", max_length=64, blank=True)

    class Meta:
        verbose_name = "đầu chuỗi kiểm toán"
        verbose_name_plural = "đầu chuỗi kiểm toán"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditCheckpoint(models.Model):
    """A signed copy of the head taken at a moment (``manage.py audit_checkpoint``, daily), also written
    to a file that can be kept off the server."""

    seq = models.BigIntegerField("số thứ tự")
    hash = models.CharField("mã băm", max_length=64)
    signature = models.CharField("chữ ký", max_length=64)
    at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "mốc ký đầu chuỗi"
        verbose_name_plural = "mốc ký đầu chuỗi"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
