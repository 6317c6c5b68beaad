from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.reports.errors import TemplateProblems
from baocao.reports.template_files import import_report_types


class Command(BaseCommand):
    help = "Nhập loại báo cáo, đề cương và các khối nội dung từ tệp YAML (kiểm tra toàn bộ trước khi lưu)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="Tệp YAML (xem export_report_types).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            saved = import_report_types(Path(options["file"]).read_bytes())
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc}") from None
        except TemplateProblems as exc:
            raise CommandError("Không nhập được, không có gì thay đổi:\n" + "\n".join(exc.problems)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Đã nhập {len(saved)} loại báo cáo: {', '.join(t.code for t in saved)}.")
        )
