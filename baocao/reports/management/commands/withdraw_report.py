from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from baocao.reports.errors import ReportError
from baocao.reports.models import ReportRun
from baocao.reports.withdrawal import withdraw_run


class Command(BaseCommand):
    help = (
        "Thu hồi một báo cáo đã ban hành (giữ nguyên nội dung, tệp và số liệu; ghi người, lúc, lý do). "
        "Báo cáo đã ban hành không xóa được."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("run", type=int, help="Mã báo cáo (số trong địa chỉ /bao-cao/<mã>/).")
        parser.add_argument("--reason", required=True, help="Lý do thu hồi.")
        parser.add_argument("--user", required=True, help="Tên đăng nhập của quản trị hệ thống thu hồi.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{options['user']}”.")
        run = ReportRun.objects.filter(pk=options["run"]).select_related("report_type").first()
        if run is None:
            raise CommandError(f"Không có báo cáo mã {options['run']}.")
        try:
            run = withdraw_run(run, options["reason"], user)
        except (PermissionDenied, ReportError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Đã thu hồi “{run}” (số {run.number}); lý do: {run.withdrawal_reason}")
