from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.collection.export import to_csv, to_json, to_xlsx, value_rows, values_of
from baocao.core.csvio import ImportRejected
from baocao.core.periods import Period, PeriodError


class Command(BaseCommand):
    help = (
        "Xuất số liệu của một hoặc nhiều kỳ (cùng định dạng với import_values): CSV hoặc JSON trên đầu ra "
        "chuẩn, XLSX vào tệp --output."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--period",
            required=True,
            action="append",
            help="Mã kỳ (202006, 2020Q2, 2020S1, 2020N9, 2020); lặp lại được.",
        )
        parser.add_argument("--unit", help="Mã đơn vị: chỉ xuất đơn vị này và các đơn vị cấp dưới.")
        parser.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv", help="Mặc định: csv.")
        parser.add_argument("--output", help="Tệp để ghi (bắt buộc với xlsx).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            periods = [Period.parse(p) for p in options["period"]]
        except PeriodError as exc:
            raise CommandError(f"Tham số --period: {exc}") from exc
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("Xuất XLSX cần tham số --output TỆP.xlsx.")
        try:
            rows = value_rows(values_of(periods, options["unit"]))
            if options["format"] == "xlsx":
                with open(options["output"], "wb") as out:
                    out.write(to_xlsx(rows))
                return
            pieces = to_json(rows) if options["format"] == "json" else to_csv(rows)
            if options["output"]:
                with open(options["output"], "w", encoding="utf-8", newline="") as text:
                    text.writelines(pieces)
                return
            for piece in pieces:
                self.stdout.write(piece, ending="")
        except ImportRejected as exc:
            raise CommandError(exc.summary()) from exc
