"""Benchmark: building the June 2020 seed report as DOCX and as PDF (median of several runs).

Each result is printed next to a baseline measured in the same run, so the ratio means something on any
machine: for DOCX, the same Word frame filled with a one-paragraph document (the fixed cost of any report);
for PDF, LibreOffice converting a one-paragraph document (its start-up cost). The PDF is measured twice:
cold (one LibreOffice process per conversion, the fallback) and warm (through the unoserver that
``pdf.warm_office()`` keeps running, as the job worker does; issue 16).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_report.py [--runs N]``). It uses a throw-away SQLite
database with the demo data unless DATABASE_URL is set. Targets: DOCX < 0,1 s (issue 16; 0,5 s in issue 3),
PDF < 3 s cold (issue 3), < 0,5 s warm (issue 16). ``--profile`` prints where the DOCX's time goes (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_seconds(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="cProfile of the DOCX (cumulative, top 30)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
    # Measured as served: DEBUG off (no query log), with a throw-away key for this run.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.core.management import call_command

    from baocao.demo.loader import load_demo
    from baocao.reports import docx, pdf
    from baocao.reports.building import build_document
    from baocao.reports.document import Paragraph, ReportDocument, Run
    from baocao.reports.models import ReportType

    call_command("migrate", verbosity=0)
    load_demo()
    report_type = ReportType.objects.get(code="KTXH_THANG")
    from baocao.core.periods import Period

    period = Period.month(2020, 6)

    def seed_docx() -> bytes:
        return docx.render_docx(build_document(report_type, report_type.org_unit, period).document)

    tiny_document = ReportDocument(
        issuer=("ỦY BAN NHÂN DÂN",),
        number_line="Số: 01/BC-UBND",
        place_date="Lạng Sơn, ngày 05 tháng 6 năm 2020",
        doc_type="BÁO CÁO",
        summary=("Thử",),
        body=(Paragraph((Run("Một đoạn./."),)),),
        recipients=("Lưu: VT.",),
        authority="TM. ỦY BAN NHÂN DÂN",
        signer_titles=("CHỦ TỊCH",),
        signer_name="Người ký",
    )

    def tiny_docx() -> bytes:
        return docx.render_docx(tiny_document)

    seed, tiny = seed_docx(), tiny_docx()
    if pdf.find_soffice():
        pdf.convert_to_pdf(tiny)  # warm the disk cache before measuring
    rows = [
        (
            "DOCX báo cáo tháng 6/2020 (lập từ số liệu + khung Word)",
            median_seconds(seed_docx, args.runs),
            "khung Word với văn bản một đoạn",
            median_seconds(tiny_docx, args.runs),
            0.1,
        ),
    ]
    if pdf.find_soffice():
        pdf_runs = max(3, args.runs // 2)
        rows.append(
            (
                "PDF báo cáo tháng 6/2020 (LibreOffice, hồ sơ mới mỗi lần)",
                median_seconds(lambda: pdf.convert_to_pdf(seed), pdf_runs),
                "LibreOffice chuyển văn bản một đoạn",
                median_seconds(lambda: pdf.convert_to_pdf(tiny), pdf_runs),
                3.0,
            )
        )
        with pdf.warm_office() as address:
            if address is None:
                print("Bỏ qua PDF thường trực: không khởi động được unoserver (cần python3-uno).")
            else:
                pdf.convert_to_pdf(tiny)  # the first conversion loads Writer's libraries
                warm_runs = max(5, args.runs)
                tiny_warm = median_seconds(lambda: pdf.convert_to_pdf(tiny), warm_runs)
                rows.append(
                    (
                        "PDF báo cáo tháng 6/2020 (LibreOffice thường trực)",
                        median_seconds(lambda: pdf.convert_to_pdf(seed), warm_runs),
                        "văn bản một đoạn, thường trực",
                        tiny_warm,
                        0.5,
                    )
                )
                rows.append(
                    (
                        "PDF/A-2b báo cáo tháng 6/2020 (thường trực)",
                        median_seconds(lambda: pdf.convert_to_pdf(seed, pdfa=True), warm_runs),
                        "văn bản một đoạn, thường trực",
                        tiny_warm,
                        0.5,
                    )
                )
    else:
        print("Bỏ qua PDF: chưa cài LibreOffice (" + pdf.INSTALL_HINT + ").")

    print(f"Máy: {platform.platform()}, {os.cpu_count()} lõi, Python {platform.python_version()}")
    print(f"{'Phép đo':58} {'trung vị':>9} {'mốc':>9} {'tỷ lệ':>6}  mục tiêu")
    for name, value, base_name, base, target in rows:
        verdict = "đạt" if value < target else "CHƯA ĐẠT"
        ratio = value / base
        print(
            f"{name:58} {value:8.3f}s {base:8.3f}s {ratio:6.2f}  < {target} s: {verdict}  (mốc: {base_name})"
        )
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [seed_docx() for _ in range(args.runs)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
