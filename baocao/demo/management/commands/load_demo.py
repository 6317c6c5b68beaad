from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.core.csvio import ImportRejected
from baocao.demo.loader import DEMO_USERS, load_demo


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: báo cáo tháng 6/2020 của UBND thành phố Lạng Sơn (chạy nhiều lần không nhân bản)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--print-logins", action="store_true", help="In tài khoản đăng nhập mẫu.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_demo()
        except ImportRejected as exc:
            raise CommandError(exc.summary()) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp dữ liệu mẫu: {counts['org_units']} đơn vị, {counts['indicators']} chỉ tiêu, "
                f"{counts['values_created']} số liệu mới, {counts['values_updated']} số liệu cập nhật, "
                f"{counts['targets']} chỉ tiêu kế hoạch."
            )
        )
        if options["print_logins"]:
            self.stdout.write("Tài khoản đăng nhập mẫu (chỉ dùng để thử):")
            for spec in DEMO_USERS:
                self.stdout.write(f"  {spec['username']} / {spec['password']}  ({spec['first_name']})")
