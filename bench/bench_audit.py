"""The audit chain's verification at 1 million entries, and the cost of an append (issue 19, point 6;
bench/RESULTS.md, "Audit chain"; docs/decisions/0025-audit-chain.md).

Generates ``--entries`` chain entries (value-batch links like the ones ``write_values`` appends: kind,
ref, actor, time and a digest), linked and signed as ``baocao.audit.chain`` does, into an empty database,
then measures:

1. ``chain.verify(subjects=False)`` over the whole chain: seconds and entries per second;
2. the same with one entry in the middle tampered with: it must be named, at the same rate;
3. ``chain.append`` one at a time (each in its own transaction, as a single value save does): ms each.

Run on PostgreSQL: ``bench/with_postgres.sh .venv/bin/python bench/bench_audit.py``; without DATABASE_URL it
uses a throw-away SQLite file in /tmp.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault(
        "SQLITE_PATH", str(Path(tempfile.mkdtemp(prefix="baocao-bench-audit-")) / "db.sqlite3")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=500)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from baocao.audit import chain
    from baocao.audit.models import AuditEntry, AuditHead

    call_command("migrate", verbosity=0)
    if AuditEntry.objects.exists():
        sys.exit("Cơ sở dữ liệu đã có nhật ký kiểm toán: benchmark cần một cơ sở dữ liệu trống.")
    print(f"Máy: {platform.platform()}, {os.cpu_count()} lõi, Python {platform.python_version()}")
    print(f"Cơ sở dữ liệu: {connection.vendor}")

    started = time.perf_counter()
    prev, at = chain.GENESIS, timezone.now()
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    insert = (
        f"INSERT INTO {table} (seq, at, kind, ref, actor_id, content, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    )
    stamp = connection.ops.adapt_datetimefield_value(at)
    chunk: list[tuple[object, ...]] = []
    for seq in range(1, args.entries + 1):
        ref = f"batch:{uuid.uuid4().hex}"
        data = {"rows": 1 + seq % 500, "digest": secrets.token_hex(32)}
        content = chain.canonical(
            {"kind": "value", "ref": ref, "actor": seq % 97, "at": at.isoformat(), "data": data}
        )
        hash_ = chain.link_hash(seq, prev, content)
        chunk.append((seq, stamp, "value", ref, seq % 97, content, prev, hash_))
        prev = hash_
        if len(chunk) == 20_000 or seq == args.entries:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(insert, chunk)
            chunk = []
    AuditHead.objects.create(
        pk=chain.HEAD_ID, seq=args.entries, hash=prev, signature=chain.sign(args.entries, prev)
    )
    print(f"Tạo {args.entries:,} mục: {time.perf_counter() - started:.1f} s")

    result = chain.verify(subjects=False)
    assert result.ok and result.entries == args.entries, result.breaks[:3]
    print(
        f"1. Kiểm tra toàn chuỗi: {result.entries:,} mục trong {result.seconds:.2f} s "
        f"= {result.rate:,.0f} mục/giây"
    )

    middle = args.entries // 2
    AuditEntry.objects.filter(seq=middle).update(
        content=AuditEntry.objects.get(seq=middle).content.replace('"rows":', '"rows":9')
    )
    result = chain.verify(subjects=False)
    assert result.first_break is not None and result.first_break.seq == middle, result.breaks[:3]
    print(f"2. Sửa mục #{middle:,}: phát hiện «{result.first_break.message}» trong {result.seconds:.2f} s")

    times = []
    for i in range(args.appends):
        start = time.perf_counter()
        chain.append("bench", f"bench:{i}", {"i": i})
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(
        f"3. Ghi một mục (giao dịch riêng), {args.appends} lần: trung vị {statistics.median(times):.2f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.2f} ms"
    )


if __name__ == "__main__":
    main()
