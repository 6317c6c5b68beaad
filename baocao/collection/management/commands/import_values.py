from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.collection.models import ChangeSource
from baocao.collection.values import import_values_csv
from baocao.core.csvio import ImportRejected


class Command(BaseCommand):
    help = (
        "Nhập số liệu từ tệp CSV (cột indicator, org_unit, period, kind, value, comment). "
        "Tệp có lỗi thì không ghi dòng nào; mọi lỗi được liệt kê theo số dòng."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="Đường dẫn tệp CSV (UTF-8).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["file"], "rb") as f:
                result = import_values_csv(f, via=ChangeSource.COMMAND, dry_run=options["dry_run"])
        except FileNotFoundError as exc:
            raise CommandError(f"Không tìm thấy tệp {options['file']}.") from exc
        except ImportRejected as exc:
            raise CommandError(exc.summary()) from exc
        self.stdout.write(self.style.SUCCESS(result.summary()))
