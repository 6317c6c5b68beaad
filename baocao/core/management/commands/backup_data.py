from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Sao lưu toàn bộ hệ thống vào một tệp .tar.gz: cơ sở dữ liệu (SQLite: bản sao trực tuyến; "
        "PostgreSQL: pg_dump --format=custom), kể cả các tệp Word/PDF của báo cáo đã ban hành, và thư mục "
        "MEDIA_ROOT, kèm manifest.json (thời điểm, phiên bản, loại cơ sở dữ liệu, di trú, tổng kiểm tra). "
        "Chạy được khi hệ thống đang hoạt động. Khôi phục: restore_data."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "destination",
            help="Thư mục (tệp baocao-sao-luu-NĂMTHÁNGNGÀY-GIỜPHÚTGIÂY.tar.gz được tạo trong đó) hoặc tệp.",
        )
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu (mặc định default).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path, manifest = create_backup(Path(options["destination"]), alias=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"Đã sao lưu vào {path}: cơ sở dữ liệu {manifest['database']['vendor']}, "
            f"{len(manifest['migrations']['applied'])} di trú, {media} tệp trong MEDIA_ROOT."
        )
