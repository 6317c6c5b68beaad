from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.core.periods import Period, PeriodError
from baocao.orgunits.models import OrgUnit
from baocao.reports import docx, pdf
from baocao.reports.building import build_document
from baocao.reports.errors import ReportError
from baocao.reports.models import ReportRun, ReportType, RunStatus
from baocao.reports.runs import run_docx
from baocao.reports.word_frames import frame_of


class Command(BaseCommand):
    help = (
        "Lập báo cáo của một kỳ thành tệp Word hoặc PDF. Báo cáo đã ban hành lấy đúng bản đã ban hành; "
        "chưa ban hành thì lập từ số liệu hiện có."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", required=True, help="Kỳ báo cáo, ví dụ 202006 (tháng 6/2020).")
        parser.add_argument(
            "--format", choices=["docx", "pdf"], default="docx", help="docx (mặc định) hoặc pdf."
        )
        parser.add_argument("--output", required=True, help="Tệp kết quả.")
        parser.add_argument(
            "--report-type",
            default=None,
            help="Mã loại báo cáo (mặc định: loại đang dùng đầu tiên, ví dụ KTXH_THANG).",
        )
        parser.add_argument("--unit", default=None, help="Mã đơn vị (mặc định: đơn vị của loại báo cáo).")
        parser.add_argument("--timeout", type=float, default=120, help="Thời gian tối đa tạo PDF (giây).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        types = ReportType.objects.filter(is_active=True).select_related("org_unit")
        report_type = (
            types.filter(code=options["report_type"]).first() if options["report_type"] else types.first()
        )
        if report_type is None:
            raise CommandError(
                f"Không có loại báo cáo “{options['report_type']}”."
                if options["report_type"]
                else "Chưa có loại báo cáo nào."
            )
        unit = report_type.org_unit
        if options["unit"]:
            found = OrgUnit.objects.filter(code=options["unit"]).first()
            if found is None:
                raise CommandError(f"Không có đơn vị mã “{options['unit']}”.")
            unit = found
        run = (
            ReportRun.objects.filter(report_type=report_type, org_unit=unit, period=period.id)
            .exclude(status=RunStatus.WITHDRAWN)  # the period's current report, not a withdrawn one
            .first()
        )
        try:
            if run is not None:
                data = run_docx(run)
            else:
                data = docx.render_docx(
                    build_document(report_type, unit, period).document, frame_of(report_type)
                )
            if options["format"] == "pdf":
                if run is not None and run.is_issued and run.signed_pdf is not None:
                    data = bytes(run.signed_pdf)  # signed and issued: the signed PDF/A is the report
                elif run is not None and run.is_issued and run.pdf is not None:
                    data = bytes(run.pdf)
                else:
                    data = pdf.convert_to_pdf(data, timeout=options["timeout"])
        except (ReportError, docx.DocxError, pdf.PdfError) as exc:
            raise CommandError(str(exc)) from None
        output = Path(options["output"])
        output.write_bytes(data)
        self.stdout.write(
            self.style.SUCCESS(f"Đã ghi {output} ({len(data):,} byte): {report_type.name}, {period.label}.")
        )
