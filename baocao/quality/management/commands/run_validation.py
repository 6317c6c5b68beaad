from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.core.periods import Period, PeriodError
from baocao.orgunits.models import OrgUnit
from baocao.quality.services import run_period


class Command(BaseCommand):
    help = (
        "Kiểm tra số liệu một kỳ của mọi đơn vị theo các quy tắc; in các vi phạm. "
        "Thoát với mã 1 khi có vi phạm mức cao."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--period", required=True, help="Kỳ, ví dụ 202006 (tháng 6/2020).")
        parser.add_argument("--unit", default=None, help="Chỉ đơn vị này và các đơn vị trực thuộc (mã).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        visible = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"Không có đơn vị mã {options['unit']}.")
            visible = set(OrgUnit.objects.subtree([unit]).values_list("pk", flat=True))
        violations = run_period(period, visible)
        for v in violations:
            self.stdout.write(f"[{v.importance_label}] {v} ({v.rule})")
        blocking = sum(1 for v in violations if v.blocks)
        self.stdout.write(f"{period.label}: {len(violations)} vấn đề, {blocking} ở mức cao.")
        if blocking:
            raise CommandError(f"Có {blocking} vi phạm mức cao trong {period.label}.", returncode=1)
