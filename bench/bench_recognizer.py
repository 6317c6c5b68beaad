"""The number recogniser's precision and recall on its corpus, and its speed (issue 14; bench/RESULTS.md,
"Number recogniser"; docs/decisions/0022-number-recogniser-and-filters.md).

Loads the June 2020 demo into a throw-away SQLite database (or DATABASE_URL) and scores every corpus file
of baocao/reports/recognizer/corpus with ``corpus.evaluate``: the seed's parts I and III against the
demo's figures (targets: >= 95% of the figure-bearing numbers bound to the right indicator, <= 2% of the
bindings wrong), the written sentences (tuned on) and the HELD-BACK sentences (never tuned on), each
for the editor's recognition and for the archive import's proposals. Then the time of ``recognise`` on
the seed's part I and on a 200.000-character paste.

Run: ``.venv/bin/python bench/bench_recognizer.py [--details]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault(
        "SQLITE_PATH", str(Path(tempfile.mkdtemp(prefix="baocao-bench-recognizer-")) / "db.sqlite3")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list the misses and the wrong bindings")
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from baocao.reports.recognizer import recognise
    from baocao.reports.recognizer.corpus import corpus_files, evaluate, load_texts
    from baocao.testing.factories import load_demo_world

    call_command("migrate", verbosity=0)
    load_demo_world()
    print(f"Máy: {platform.platform()}, {os.cpu_count()} lõi, Python {platform.python_version()}")
    print(f"Cơ sở dữ liệu: {connection.vendor}")

    for group, prefix in (
        ("Báo cáo mẫu (seed), phần I và III", "seed"),
        ("Câu tự viết (đã tinh chỉnh)", "written"),
        ("Phần giữ lại (HELD-BACK, không tinh chỉnh)", "held-back"),
    ):
        print(f"\n{group}:")
        for path in corpus_files(prefix):
            for score in evaluate(path):
                print(f"  {score.line()}")
                if args.details:
                    for miss in score.misses:
                        print(f"      thiếu: {miss}")
                    for wrong in score.wrongs:
                        print(f"      sai: {wrong}")

    _, texts = load_texts(corpus_files("seed")[0])
    part_one = texts[0].text
    started = time.perf_counter()
    results = recognise(part_one, org_unit="TPLS", period="202006")
    seconds = time.perf_counter() - started
    print(
        f"\nTốc độ: phần I ({len(part_one):,} ký tự, {len(results)} số) {seconds * 1000:.0f} ms, "
        f"{seconds * 1000 / max(1, len(results)):.1f} ms một số"
    )
    paste = (part_one * (200_000 // len(part_one) + 1))[:200_000]
    started = time.perf_counter()
    results = recognise(paste, org_unit="TPLS", period="202006")
    seconds = time.perf_counter() - started
    print(f"Dán 200.000 ký tự ({len(results)} số): {seconds:.1f} s")


if __name__ == "__main__":
    main()
