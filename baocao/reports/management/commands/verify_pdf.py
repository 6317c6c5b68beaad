"""manage.py verify_pdf FILE: whether a PDF's digital signature is valid, who signed, when, and whether
the document was changed after signing, in Vietnamese. Exit status 1 when it is not valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao.reports.verification import MAX_UPLOAD_BYTES, check_pdf, findings


class Command(BaseCommand):
    help = "Kiểm tra chữ ký số của tệp PDF: hợp lệ không, ai ký, lúc nào, có bị sửa sau khi ký không."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp PDF cần kiểm tra")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_UPLOAD_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror or exc}.") from exc
        result = check_pdf(data)
        for finding in findings(result):
            self.stdout.write(f"{finding.label}: {finding.value}")
        if not result.valid:
            raise CommandError(f"Chữ ký số của {path.name} không hợp lệ.", returncode=1)
