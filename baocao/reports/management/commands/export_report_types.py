from typing import Any

from django.core.management.base import BaseCommand

from baocao.reports.models import ReportType
from baocao.reports.template_files import export_report_types


class Command(BaseCommand):
    help = "Xuất loại báo cáo, đề cương và các khối nội dung ra YAML (in ra màn hình hoặc ghi tệp)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", default=None, help="Tệp kết quả (mặc định: in ra màn hình).")

    def handle(self, *args: Any, **options: Any) -> None:
        text = export_report_types(ReportType.objects.select_related("org_unit"))
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as f:
                f.write(text)
        else:
            self.stdout.write(text, ending="")
