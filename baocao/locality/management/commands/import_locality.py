from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from baocao.locality.api import apply_import, read_bundle


class Command(BaseCommand):
    help = (
        "Nhập bộ cấu hình địa phương (thư mục, tệp ZIP hoặc Excel; docs/locality-bundle.md): tất cả hoặc "
        "không gì cả; --dry-run chỉ in những gì sẽ tạo mới, thay đổi, giữ nguyên."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="Thư mục bộ cấu hình, tệp .zip hoặc tệp .xlsx.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra và in kế hoạch, không ghi.")
        parser.add_argument(
            "--as",
            dest="username",
            help="Nhập với quyền của người dùng này (phạm vi được quản trị); bỏ trống: quyền hệ thống.",
        )
        parser.add_argument(
            "--list-unchanged", action="store_true", help="Liệt kê cả các đối tượng không đổi."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"Không có người dùng “{options['username']}”.")
        bundle = read_bundle(options["source"])
        result = apply_import(actor, bundle, dry_run=options["dry_run"])
        lines = result.plan.lines(unchanged=options["list_unchanged"], done=result.applied)
        if not result.ok:
            self.stderr.write("\n".join(lines))
            raise CommandError("Bộ cấu hình không được nhập (không ghi gì).")
        self.stdout.write("\n".join(lines))
        if options["dry_run"]:
            self.stdout.write("Chạy thử: chưa ghi gì.")
            names = ", ".join(link.username for link in result.password_links)
            if names:
                self.stdout.write(f"Khi nhập thật sẽ có đường dẫn đặt mật khẩu cho: {names}.")
            return
        self.stdout.write(self.style.SUCCESS(f"Đã nhập bộ cấu hình “{bundle.name}”."))
        if result.password_links:
            self.stdout.write("Đường dẫn đặt mật khẩu lần đầu (gửi riêng cho từng người, dùng một lần):")
            for link in result.password_links:
                self.stdout.write(f"  {link.username:<20} {link.path}")
