import time
from typing import Any

from django.core.management.base import BaseCommand

from baocao.reports.jobs import run_pending_jobs


class Command(BaseCommand):
    help = "Chạy các việc tạo PDF đang chờ (dùng khi BAOCAO_PDF_IN_THREAD=False)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Chạy hết việc đang chờ rồi dừng.")
        parser.add_argument("--interval", type=float, default=2.0, help="Số giây nghỉ giữa hai lần kiểm tra.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            count = run_pending_jobs()
            if count:
                self.stdout.write(f"Đã chạy {count} việc tạo PDF.")
            if options["once"]:
                return
            time.sleep(options["interval"])
