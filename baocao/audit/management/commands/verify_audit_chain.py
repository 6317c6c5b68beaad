"""manage.py verify_audit_chain: recompute the whole chain, check its signed head and checkpoints and the
rows it covers; print the first broken link; exit status 1 when anything is broken."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao.audit import chain
from baocao.core.numbers import format_number


class Command(BaseCommand):
    help = "Kiểm tra toàn bộ chuỗi nhật ký kiểm toán và nêu mắt xích hỏng đầu tiên."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--links-only", action="store_true", help="Chỉ kiểm tra các mắt xích, không so với dữ liệu."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = chain.verify(subjects=not options["links_only"])
        self.stdout.write(
            f"Đã kiểm tra {format_number(result.entries)} mục trong "
            f"{format_number(Decimal(str(result.seconds)), 2)} giây "
            f"({format_number(round(result.rate))} mục/giây), {result.checkpoints} mốc đã ký."
        )
        first = result.first_break
        if first is None:
            self.stdout.write("Chuỗi nguyên vẹn: không có mắt xích nào hỏng.")
            return
        self.stdout.write(f"Mắt xích hỏng đầu tiên: {first.where}: {first.message}")
        for brk in result.breaks:
            if brk is not first:
                self.stdout.write(f"- {brk.where}: {brk.message}")
        raise CommandError(f"Chuỗi nhật ký kiểm toán bị hỏng ({len(result.breaks)} chỗ).")
