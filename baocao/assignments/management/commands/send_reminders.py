from typing import Any

from django.core.management.base import BaseCommand, CommandError

from baocao.assignments.reminders import send_reminders
from baocao.core.dates import DateParseError, parse_date


class Command(BaseCommand):
    help = (
        "Gửi các thông báo nhắc hạn đến hạn hôm nay (trước hạn gửi biểu mẫu, hạn nhiệm vụ và ngày sau hạn); "
        "mỗi lời nhắc chỉ gửi một lần, chạy lại nhiều lần không sao."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ngay", dest="day", help="Coi hôm nay là ngày này (ví dụ 12/6/2020).")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["day"]:
            try:
                day = parse_date(options["day"])
            except DateParseError as exc:
                raise CommandError(str(exc)) from None
        count = send_reminders(day)
        self.stdout.write(f"Đã gửi {count} lời nhắc mới.")
