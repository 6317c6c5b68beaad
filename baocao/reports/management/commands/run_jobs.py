import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from baocao.reports.jobs import run_pending_jobs, run_periodic_jobs


class Command(BaseCommand):
    help = (
        "Chạy các việc tạo PDF đang chờ (dùng khi BAOCAO_PDF_IN_THREAD=False) và các việc định kỳ "
        "(nhắc hạn; BAOCAO_PERIODIC_JOBS, mỗi BAOCAO_PERIODIC_INTERVAL giây)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Chạy hết việc đang chờ rồi dừng.")
        parser.add_argument("--interval", type=float, default=2.0, help="Số giây nghỉ giữa hai lần kiểm tra.")

    def handle(self, *args: Any, **options: Any) -> None:
        last_periodic = float("-inf")
        while True:
            count = run_pending_jobs()
            if count:
                self.stdout.write(f"Đã chạy {count} việc tạo PDF.")
            if time.monotonic() - last_periodic >= settings.BAOCAO_PERIODIC_INTERVAL:
                run_periodic_jobs()  # the scheduled reminders (settings.BAOCAO_PERIODIC_JOBS)
                last_periodic = time.monotonic()
            if options["once"]:
                return
            time.sleep(options["interval"])
