from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from baocao.core.csvio import ImportRejected
from baocao.demo.loader import load_demo
from baocao.demo.reform import WARD_LOGIN_PREFIX
from baocao.demo.users import DEMO_CITY, DEMO_PASSWORD, DEMO_USERS, demo_unit_users
from baocao.orgunits.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: báo cáo tháng 6/2020 của UBND thành phố Lạng Sơn (chạy nhiều lần không nhân bản)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--print-logins", action="store_true", help="In tài khoản đăng nhập mẫu.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.BAOCAO_PRODUCTION:
            # The demo creates a superuser whose password is published in the README.
            raise CommandError(
                "Không nạp dữ liệu mẫu ở chế độ chạy thật (BAOCAO_PRODUCTION=1): dữ liệu mẫu tạo tài khoản "
                "quản trị với mật khẩu công khai. Chỉ dùng load_demo trên máy thử."
            )
        try:
            counts = load_demo(submitted=True)  # June's forms sent as of the demo's today (0020)
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
            self.stdout.write(f"Tài khoản đăng nhập mẫu (chỉ dùng để thử), mật khẩu chung: {DEMO_PASSWORD}")
            for spec in DEMO_USERS:
                self.stdout.write(f"  {spec['username']:<16} {spec['first_name']}")
            units = (
                OrgUnit.objects.filter(
                    role_assignments__user__username__endswith=".canbo", code__startswith=f"{DEMO_CITY}_"
                )
                .distinct()
                .order_by("sort_order")
            )
            for unit in units:
                staff, head = demo_unit_users(unit.code, unit.name)
                self.stdout.write(
                    f"  {staff['username']:<16} {head['username']:<18} {unit.name} (nhập / gửi)"
                )
            ward = User.objects.filter(username__startswith=WARD_LOGIN_PREFIX).order_by("username")
            self.stdout.write("Phường Lương Văn Tri (sau sắp xếp 01/7/2025, dữ liệu minh họa):")
            for user in ward:  # the second demo (baocao.demo.reform), same password
                self.stdout.write(f"  {user.username:<16} {user.first_name}")
