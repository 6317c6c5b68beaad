from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "In khóa API (token) của một người dùng, tạo mới nếu chưa có; --rotate để đổi khóa."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="Tên đăng nhập.")
        parser.add_argument("--rotate", action="store_true", help="Hủy khóa cũ, tạo khóa mới.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{options['username']}” đang hoạt động.")
        if options["rotate"]:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
