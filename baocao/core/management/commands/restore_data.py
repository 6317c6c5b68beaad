import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from baocao.core.backup import BackupError, inspect_backup, restore_backup


def _when(created_at: str) -> str:
    """The manifest's moment (ISO, UTC) as the users read time: local, "10:14:14 ngày 02/12/2026"."""
    try:
        moment = timezone.localtime(datetime.datetime.fromisoformat(created_at))
    except (TypeError, ValueError):
        return str(created_at)
    return moment.strftime("%H:%M:%S ngày %d/%m/%Y")


class Command(BaseCommand):
    help = (
        "Khôi phục cơ sở dữ liệu và MEDIA_ROOT từ một tệp của backup_data (có thể vào một cơ sở dữ liệu "
        "mới, trống). Toàn bộ tệp được kiểm tra trước (tổng kiểm tra, loại cơ sở dữ liệu, di trú): tệp hỏng "
        "hoặc không khớp bị từ chối và không có gì bị ghi. Dừng ứng dụng và các tiến trình nền trước khi "
        "khôi phục; dữ liệu hiện có bị thay thế."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="Tệp .tar.gz do backup_data tạo.")
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu (mặc định default).")
        parser.add_argument(
            "--check", action="store_true", help="Chỉ kiểm tra tệp sao lưu, không khôi phục gì."
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Không hỏi xác nhận."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        try:
            if options["check"]:
                manifest = inspect_backup(archive)
                self.stdout.write(
                    f"Tệp sao lưu {archive.name} nguyên vẹn: tạo lúc {_when(manifest['created_at'])}, "
                    f"phiên bản {manifest['app_version']}, cơ sở dữ liệu {manifest['database']['vendor']}, "
                    f"{len(manifest['files'])} tệp đúng tổng kiểm tra."
                )
                return
            if options["interactive"]:
                answer = input(
                    "Dữ liệu hiện có trong cơ sở dữ liệu và MEDIA_ROOT sẽ bị thay bằng bản sao lưu. "
                    "Gõ 'co' để tiếp tục: "
                )
                if answer.strip().lower() not in {"co", "có"}:
                    raise CommandError("Đã hủy: không khôi phục gì.")
            result = restore_backup(archive, alias=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã khôi phục bản sao lưu tạo lúc {_when(result.manifest['created_at'])} "
            f"(phiên bản {result.manifest['app_version']}): cơ sở dữ liệu và "
            f"{result.media_files} tệp MEDIA_ROOT."
        )
        if result.missing_migrations:
            self.stdout.write(
                f"Bản sao lưu cũ hơn mã nguồn ({len(result.missing_migrations)} di trú chưa áp dụng): "
                "chạy `manage.py migrate`."
            )
