from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.collection.export import to_csv, value_rows, values_of
from baocao.core.csvio import ImportRejected
from baocao.core.periods import Period, PeriodError


class Command(BaseCommand):
    help = "Xuất số liệu của một hoặc nhiều kỳ ra CSV (cùng định dạng với import_values) trên đầu ra chuẩn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--period",
            required=True,
            action="append",
            help="Mã kỳ (202006, 2020Q2, 2020S1, 2020N9, 2020); lặp lại được.",
        )
        parser.add_argument("--unit", help="Mã đơn vị: chỉ xuất đơn vị này và các đơn vị cấp dưới.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            periods = [Period.parse(p) for p in options["period"]]
        except PeriodError as exc:
            raise CommandError(f"Tham số --period: {exc}") from exc
        try:
            for piece in to_csv(value_rows(values_of(periods, options["unit"]))):
                self.stdout.write(piece, ending="")
        except ImportRejected as exc:
            raise CommandError(exc.summary()) from exc
