"""What collection puts in the audit chain (docs/decisions/0025-audit-chain.md), found by baocao.audit's
start-up discovery.

* Values: one entry per write batch (``write_values``, either executor), whose content is the number and
  a digest of the batch's ValueChange rows as stored — so the chain covers every change log row, and the
  check below compares each data value with its last change: editing a DataValue, or a ValueChange, or
  deleting one, past the application is detected. One entry per batch rather than per row: an import of
  100 000 rows appends one link (bench/RESULTS.md, "Audit chain").
* Submissions and their status events: every save (the workflow's transitions) is chained.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from django.db.models import Exists, F, OuterRef, Q, Subquery

from baocao.audit import chain
from baocao.collection.models import DataValue, Submission, SubmissionEvent, ValueChange

__all__ = ["append_batch", "batch_digest"]

KIND_VALUES = "value"
_ROW = (
    "id",
    "indicator_id",
    "org_unit_id",
    "period",
    "kind",
    "old_value",
    "new_value",
    "old_comment",
    "new_comment",
    "changed_by_id",
    "source",
)
_KEY = ("indicator", "org_unit", "period", "kind")
_SMALL_BATCH = 1000


def _digest_rows(rows: Iterator[tuple[object, ...]]) -> tuple[int, str]:
    digest, count = hashlib.sha256(), 0
    for row in rows:
        digest.update(chain.canonical(row).encode("utf-8"))
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def batch_digest(batch: str) -> tuple[int, str]:
    """(rows, sha256) of a batch's change log rows in id order, as stored."""
    rows = ValueChange.objects.filter(batch=batch).order_by("id").values_list(*_ROW)
    # A form's save is a few rows: one plain query (a server-side cursor costs three round trips);
    # an import's million rows stream through the cursor.
    first = list(rows[: _SMALL_BATCH + 1])
    if len(first) <= _SMALL_BATCH:
        return _digest_rows(iter(first))
    return _digest_rows(iter(rows.iterator(chunk_size=5000)))


def append_batch(batch: str, actor_id: int | None) -> None:
    """Chain a written batch (call inside the write's transaction)."""
    count, digest = batch_digest(batch)
    if count:
        chain.append(KIND_VALUES, f"batch:{batch}", {"rows": count, "digest": digest}, actor_id=actor_id)


def _all_batches() -> dict[str, tuple[int, str]]:
    """Every batch's (rows, digest) in one ordered pass over the change log."""
    found: dict[str, tuple[int, str]] = {}
    current, digest, count = None, hashlib.sha256(), 0
    rows = ValueChange.objects.order_by("batch", "id").values_list("batch", *_ROW)
    for batch, *row in rows.iterator(chunk_size=10000):
        if batch != current:
            if current is not None:
                found[current] = (count, digest.hexdigest())
            current, digest, count = batch, hashlib.sha256(), 0
        digest.update(chain.canonical(row).encode("utf-8"))
        digest.update(b"\n")
        count += 1
    if current is not None:
        found[current] = (count, digest.hexdigest())
    return found


def _label(value: DataValue | ValueChange) -> str:
    return f"{value.indicator_id}/{value.org_unit_id}/{value.period}/{value.get_kind_display()}"


def check_values() -> Iterator[chain.Break]:
    """Change log batches against their entries, then each data value against its last change."""
    stored = _all_batches()
    chained: set[str] = set()
    for seq, ref, data in chain.entries(KIND_VALUES, ref_prefix="batch:"):
        batch = ref.removeprefix("batch:")
        chained.add(batch)
        count, digest = stored.get(batch, (0, ""))
        if (count, digest) != (data["rows"], data["digest"]):
            yield chain.Break(
                seq,
                f"lô {batch}",
                f"Lịch sử số liệu của lô {batch} khác mục #{seq} của chuỗi "
                f"(chuỗi ghi {data['rows']} dòng, còn {count} dòng): đã bị sửa hoặc xóa ngoài hệ thống",
            )
    for batch in sorted(set(stored) - chained):
        yield chain.Break(
            None, f"lô {batch or '(trống)'}", f"Lịch sử số liệu lô {batch or '(trống)'} không có trong chuỗi"
        )
    same_key = {name: OuterRef(name) for name in _KEY}
    last = ValueChange.objects.filter(**same_key).order_by("-id")
    differing = (
        DataValue.objects.annotate(
            last_value=Subquery(last.values("new_value")[:1]),
            last_comment=Subquery(last.values("new_comment")[:1]),
        )
        .filter(Q(last_value__isnull=True) | ~Q(value=F("last_value")) | ~Q(comment=F("last_comment")))
        .select_related("indicator", "org_unit")
        .order_by("id")
    )
    for value in differing.iterator(chunk_size=2000):
        yield chain.Break(
            None,
            _label(value),
            f"Số liệu {value.indicator.code} của {value.org_unit.name} kỳ {value.period} "
            f"({value.get_kind_display()}) khác lần thay đổi cuối đã ghi vào chuỗi: bị sửa ngoài hệ thống",
        )
    later = ValueChange.objects.filter(**same_key, id__gt=OuterRef("id"))
    gone = (
        ValueChange.objects.filter(new_value__isnull=False)
        .filter(~Exists(later), ~Exists(DataValue.objects.filter(**same_key)))
        .order_by("id")
    )
    for change in gone.iterator(chunk_size=2000):
        yield chain.Break(
            None, _label(change), f"Số liệu {_label(change)} có trong lịch sử nhưng đã bị xóa ngoài hệ thống"
        )


chain.register_check("collection.values", check_values)
chain.track(Submission, "status", ("data_set", "org_unit", "period", "status", "version"))
chain.track(
    SubmissionEvent,
    "status",
    ("submission", "from_status", "to_status", "reason", "source", "changed_by"),
    actor_field="changed_by",
)
