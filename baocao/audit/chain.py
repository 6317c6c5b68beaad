"""Append to and verify the tamper-evident audit chain (issue 19, point 6; docs/decisions/0025).

Every change the apps declare (their ``audit_chain`` modules) is appended here, inside the transaction of
the change, as an :class:`~baocao.audit.models.AuditEntry` whose hash covers the previous entry's hash and
its own content. Appends are serialised by updating the single head row first: on PostgreSQL the row lock
makes a second writer wait until the first commits (then it reads the new head), on SQLite the write
transaction does (IMMEDIATE transactions, settings) — so the chain never forks. The head also carries a
keyed signature of the last entry (HMAC with a server key that is not in the database), so a suffix
recomputed by someone who can write the database but not read the key is detected; checkpoints
(``manage.py audit_checkpoint``) keep signed copies of the head.

The chain covers the figures themselves: apps register *subject checks* that compare what the chain last
said about a row with the row as stored (collection: each data value against its last chained change).

This module imports no other baocao package (the audit layer is just above core).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.crypto import salted_hmac

from baocao.audit.models import AuditCheckpoint, AuditEntry, AuditHead

__all__ = [
    "GENESIS",
    "Break",
    "Verification",
    "append",
    "canonical",
    "entries",
    "link_hash",
    "register_check",
    "sign",
    "stored_fields",
    "take_checkpoint",
    "track",
    "verify",
]

GENESIS = "0" * 64  # the "previous hash" of entry 1
HEAD_ID = 1

SubjectCheck = Callable[[], Iterable["Break"]]
_checks: dict[str, SubjectCheck] = {}


# ------------------------------------------------------------------------------------------ hashing


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# One encoder for every call: json.dumps with options builds a new one each time, which was most of the
# cost of digesting an import's million change rows (the text is the same).
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def canonical(content: Any) -> str:
    """The one text of a content that is hashed: sorted keys, no spaces, UTF-8 kept."""
    return _ENCODER.encode(content)


def link_hash(seq: int, prev_hash: str, content: str) -> str:
    content_hash = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return hashlib.sha256(f"{seq}:{prev_hash}:{content_hash}".encode("ascii")).hexdigest()


def _key() -> str:
    return str(getattr(settings, "BAOCAO_AUDIT_KEY", "") or settings.SECRET_KEY)


def sign(seq: int, hash_: str) -> str:
    return salted_hmac("baocao.audit.head", f"{seq}:{hash_}", secret=_key(), algorithm="sha256").hexdigest()


def _signature_ok(seq: int, hash_: str, signature: str) -> bool:
    return hmac.compare_digest(sign(seq, hash_), signature or "")


# ------------------------------------------------------------------------------------------ append


def _claim() -> tuple[int, str]:
    """Take the head's lock by moving it on (UPDATE first, then read: the waiting writer reads the head
    its predecessor committed); the first append ever creates the head. Returns (seq, previous hash)."""
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    with connection.cursor() as cursor:
        # RETURNING: the moved head in the same round trip (a save appends once; issue 16's savers).
        move = f"UPDATE {table} SET seq = seq + 1 WHERE id = %s RETURNING seq, hash"
        cursor.execute(move, [HEAD_ID])
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    AuditHead.objects.create(pk=HEAD_ID, seq=1, hash=GENESIS, signature="")
                row = (1, GENESIS)
            except IntegrityError:  # another writer created it meanwhile: queue behind it
                cursor.execute(move, [HEAD_ID])
                row = cursor.fetchone()
        seq, prev = row
    return int(seq), str(prev)


def append(kind: str, ref: str, data: Any, *, actor_id: int | None = None) -> AuditEntry:
    """Append one entry (in the caller's transaction when there is one, else in its own)."""
    at = timezone.now()
    # No savepoint of its own: an error here fails the caller's whole change, which is rolled back with
    # it (two fewer round trips per save).
    with transaction.atomic(savepoint=False):
        seq, prev = _claim()
        content = canonical({"kind": kind, "ref": ref, "actor": actor_id, "at": at.isoformat(), "data": data})
        hash_ = link_hash(seq, prev, content)
        entry = AuditEntry.objects.create(
            seq=seq, at=at, kind=kind, ref=ref, actor_id=actor_id, content=content, prev_hash=prev, hash=hash_
        )
        AuditHead.objects.filter(pk=HEAD_ID).update(hash=hash_, signature=sign(seq, hash_))
    return entry


def take_checkpoint() -> AuditCheckpoint | None:
    """Keep a signed copy of the current head (None while the chain is empty)."""
    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    if head is None or head.seq == 0:
        return None
    return AuditCheckpoint.objects.create(seq=head.seq, hash=head.hash, signature=sign(head.seq, head.hash))


# ------------------------------------------------------------------------------------------ tracked models


def _row_data(instance: models.Model, fields: tuple[str, ...]) -> Any:
    data = {name: getattr(instance, instance._meta.get_field(name).attname) for name in fields}  # type: ignore[union-attr]
    for name, value in data.items():
        if isinstance(value, bytes | memoryview):  # a stored file (a Word frame): its hash
            data[name] = hashlib.sha256(bytes(value)).hexdigest()
    return json.loads(canonical(data))  # JSON-native, as it reads back from an entry


def stored_fields(model: type[models.Model]) -> tuple[str, ...]:
    """A model's own stored fields, without its key and the times Django stamps itself."""
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    )


def track(
    model: type[models.Model], kind: str, fields: Iterable[str], *, actor_field: str = "", strict: bool = True
) -> None:
    """Chain every save and delete of ``model`` (through the ORM) as ``kind`` entries with ``fields``;
    the verification compares each row with its last entry. ``strict``: a row with no entry is a break
    (someone inserted it past the application); otherwise only chained rows are compared."""
    names = tuple(fields)
    label = model._meta.label_lower

    def actor_of(instance: models.Model) -> int | None:
        return getattr(instance, f"{actor_field}_id", None) if actor_field else None

    def saved(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        if kwargs.get("raw"):
            return
        append(kind, f"{label}:{instance.pk}", _row_data(instance, names), actor_id=actor_of(instance))

    def deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        append(kind, f"{label}:{instance.pk}", None, actor_id=actor_of(instance))

    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"audit:{label}:save")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"audit:{label}:delete")

    def check() -> Iterator[Break]:
        last: dict[str, tuple[int, Any]] = {}
        for seq, ref, data in entries(kind, ref_prefix=f"{label}:"):
            last[ref] = (seq, data)
        name = model._meta.verbose_name
        seen: set[str] = set()
        for instance in model._default_manager.order_by("pk").iterator(chunk_size=2000):
            ref = f"{label}:{instance.pk}"
            seen.add(ref)
            if ref not in last:
                if strict:
                    yield Break(
                        None, ref, f"{name} mã {instance.pk} không có trong chuỗi (thêm ngoài hệ thống)"
                    )
                continue
            seq, data = last[ref]
            if data is None:
                yield Break(
                    seq, ref, f"{name} mã {instance.pk} đã xóa theo chuỗi nhưng vẫn còn trong dữ liệu"
                )
            elif data != _row_data(instance, names):
                yield Break(
                    seq, ref, f"{name} mã {instance.pk} khác với mục #{seq} của chuỗi (bị sửa ngoài hệ thống)"
                )
        for ref, (seq, data) in last.items():
            if data is not None and ref not in seen:
                yield Break(
                    seq,
                    ref,
                    f"{name} {ref.split(':', 1)[1]} có trong mục #{seq} nhưng đã bị xóa ngoài hệ thống",
                )

    register_check(label, check)


def register_check(name: str, check: SubjectCheck) -> None:
    """A check of rows against the chain, run by :func:`verify` after the links (one per name)."""
    _checks[name] = check


def entries(kind: str, *, ref_prefix: str = "", chunk: int = 5000) -> Iterator[tuple[int, str, Any]]:
    """(seq, ref, data) of the entries of ``kind`` in order — for subject checks."""
    last = 0
    query = AuditEntry.objects.filter(kind=kind)
    if ref_prefix:
        query = query.filter(ref__startswith=ref_prefix)
    while True:
        rows = list(query.filter(seq__gt=last).order_by("seq").values_list("seq", "ref", "content")[:chunk])
        for seq, ref, content in rows:
            yield seq, ref, json.loads(content)["data"]
        if len(rows) < chunk:
            return
        last = rows[-1][0]


# ------------------------------------------------------------------------------------------ verify


@dataclass(frozen=True)
class Break:
    """A broken link or a row that disagrees with the chain. ``seq`` is the entry concerned (None: a row
    the chain never saw); ``where`` names the object; ``message`` says what is wrong, in Vietnamese."""

    seq: int | None
    where: str
    message: str


@dataclass
class Verification:
    entries: int = 0
    seconds: float = 0.0
    head_seq: int | None = None
    checkpoints: int = 0
    breaks: list[Break] = field(default_factory=list)
    checked_subjects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> Break | None:
        """The earliest broken link (by entry number); rows the chain never saw come after."""
        if not self.breaks:
            return None
        return min(self.breaks, key=lambda b: (b.seq is None, b.seq or 0))

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else 0.0


def verify(*, subjects: bool = True, chunk: int = 20000, max_breaks: int = 100) -> Verification:
    """Recompute every link, check the head and its signature, the checkpoints, and (``subjects``) the
    registered rows against their last entries."""
    started = time.perf_counter()
    result = Verification()

    def add(brk: Break) -> None:
        if len(result.breaks) < max_breaks:
            result.breaks.append(brk)

    expected_seq, prev, last_seq = 1, GENESIS, 0
    while True:
        rows = list(
            AuditEntry.objects.filter(seq__gt=last_seq)
            .order_by("seq")
            .values_list("seq", "prev_hash", "hash", "content", "kind", "ref", "actor_id")[:chunk]
        )
        for seq, prev_hash, hash_, content, kind, ref, actor_id in rows:
            if seq != expected_seq:
                add(
                    Break(
                        expected_seq,
                        f"mục #{expected_seq}",
                        f"Thiếu mục #{expected_seq}–#{seq - 1}: đã bị xóa khỏi chuỗi",
                    )
                )
            if prev_hash != prev:
                add(Break(seq, f"mục #{seq}", f"Mục #{seq} không nối với mục trước (mã băm liên kết khác)"))
            if link_hash(seq, prev_hash, content) != hash_:
                add(Break(seq, f"mục #{seq}", f"Nội dung hoặc mã băm của mục #{seq} đã bị sửa"))
            else:
                parsed = json.loads(content)
                if (parsed.get("kind"), parsed.get("ref"), parsed.get("actor")) != (kind, ref, actor_id):
                    add(
                        Break(
                            seq,
                            f"mục #{seq}",
                            f"Cột loại/đối tượng/người của mục #{seq} khác nội dung đã băm",
                        )
                    )
            prev, expected_seq, last_seq = hash_, seq + 1, seq
            result.entries += 1
        if len(rows) < chunk:
            break

    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    if head is None:
        if result.entries:
            add(Break(last_seq, "đầu chuỗi", "Đầu chuỗi đã bị xóa"))
    else:
        result.head_seq = head.seq
        if head.seq != last_seq:
            add(
                Break(
                    min(head.seq, last_seq) + 1,
                    "đầu chuỗi",
                    f"Đầu chuỗi ghi mục cuối là #{head.seq} nhưng chuỗi dừng ở #{last_seq}: "
                    + ("các mục cuối đã bị xóa" if head.seq > last_seq else "có mục thêm ngoài hệ thống"),
                )
            )
        elif head.hash != prev:
            add(Break(last_seq, "đầu chuỗi", f"Mã băm ở đầu chuỗi khác mã băm của mục #{last_seq}"))
        if head.seq and not _signature_ok(head.seq, head.hash, head.signature):
            add(
                Break(
                    head.seq,
                    "đầu chuỗi",
                    "Chữ ký của đầu chuỗi không khớp: chuỗi đã bị tính lại "
                    "hoặc đầu chuỗi bị sửa ngoài hệ thống",
                )
            )
    hashes = dict(
        AuditEntry.objects.filter(seq__in=AuditCheckpoint.objects.values("seq")).values_list("seq", "hash")
    )
    for point in AuditCheckpoint.objects.order_by("seq"):
        result.checkpoints += 1
        if not _signature_ok(point.seq, point.hash, point.signature):
            add(Break(point.seq, f"mốc #{point.seq}", f"Chữ ký của mốc ngày {point.at:%d/%m/%Y} không khớp"))
        elif hashes.get(point.seq) != point.hash:
            add(
                Break(
                    point.seq,
                    f"mốc #{point.seq}",
                    f"Mục #{point.seq} khác mốc đã ký ngày {point.at:%d/%m/%Y}: "
                    "chuỗi đã bị tính lại từ trước mốc",
                )
            )
    if subjects:
        for name, check in sorted(_checks.items()):
            result.checked_subjects.append(name)
            for brk in check():
                add(brk)
    result.seconds = time.perf_counter() - started
    return result
