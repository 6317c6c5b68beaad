"""manage.py audit_checkpoint [--out FILE]: keep a signed copy of the chain's head (run daily, e.g. from
cron); with --out, also append it as a JSON line to a file that can be kept off the server."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from baocao.audit import chain


class Command(BaseCommand):
    help = "Ký và lưu mốc đầu chuỗi nhật ký kiểm toán."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="Tệp (JSON mỗi dòng) để ghi thêm mốc.")

    def handle(self, *args: Any, **options: Any) -> None:
        point = chain.take_checkpoint()
        if point is None:
            self.stdout.write("Chuỗi còn trống: chưa có mốc để ký.")
            return
        line = json.dumps(
            {"seq": point.seq, "hash": point.hash, "signature": point.signature, "at": point.at.isoformat()}
        )
        if options["out"]:
            with open(options["out"], "a", encoding="utf-8") as out:
                out.write(line + "\n")
        self.stdout.write(f"Đã ký mốc #{point.seq}: {point.hash}")
