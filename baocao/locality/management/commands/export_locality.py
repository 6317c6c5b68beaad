from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.locality.api import export_bundle, export_workbook
from baocao.orgunits.models import OrgUnit


class Command(BaseCommand):
    help = "Xuất bộ cấu hình địa phương ra thư mục (và tệp Excel cùng nội dung); docs/locality-bundle.md."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="Thư mục ghi bộ cấu hình.")
        parser.add_argument("--unit", help="Chỉ xuất đơn vị có mã này và các đơn vị trực thuộc.")
        parser.add_argument("--xlsx", help="Ghi thêm tệp Excel cùng nội dung (mỗi tệp một trang tính).")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"Không có đơn vị mã “{options['unit']}”.")
        written = export_bundle(options["directory"], unit)
        if options["xlsx"]:
            export_workbook(options["xlsx"], unit)
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {len(written)} tệp vào {options['directory']}."))
