from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from baocao.reports.models import ReportType
from baocao.signing.demo_pki import SAMPLE_MARK, load_demo_pki, make_demo_pki
from baocao.signing.errors import SigningError


def _organisation(report_type: ReportType) -> str:
    """The issuing body's name in ordinary case ("UBND thành phố Lạng Sơn" → "Ủy ban nhân dân thành phố
    Lạng Sơn"), as a certificate and the info line print it."""
    short = report_type.issuer_short or " ".join(report_type.issuer.split())
    return short.replace("UBND", "Ủy ban nhân dân", 1)


class Command(BaseCommand):
    help = (
        "Tạo bộ khóa ký số thử nghiệm cho bản demo (CA thử nghiệm, chứng thư số của lãnh đạo và của cơ quan, "
        f"ảnh chữ ký và con dấu mẫu — {SAMPLE_MARK}) vào thư mục BAOCAO_SIGNING_DIR. "
        "Đã có thì giữ nguyên (dùng --force để tạo lại)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dir", default=None, help="Thư mục (mặc định: BAOCAO_SIGNING_DIR).")
        parser.add_argument(
            "--leader", default=None, help="Họ tên người ký (mặc định: người ký của loại báo cáo)."
        )
        parser.add_argument("--organisation", default=None, help="Tên cơ quan (mặc định: của loại báo cáo).")
        parser.add_argument("--force", action="store_true", help="Tạo lại dù đã có.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.BAOCAO_PRODUCTION:
            raise CommandError("Không tạo khóa ký số thử nghiệm trên máy chủ thật (BAOCAO_PRODUCTION=1).")
        directory = Path(options["dir"] or settings.BAOCAO_SIGNING_DIR)
        password = settings.BAOCAO_SIGNING_PASSWORD
        if not password:
            raise CommandError("Chưa đặt mật khẩu tệp khóa (BAOCAO_SIGNING_PASSWORD).")
        existing = load_demo_pki(directory, password)
        if existing is not None and not options["force"]:
            self.stdout.write(f"Đã có bộ khóa ký số thử nghiệm trong {directory}; giữ nguyên.")
            return
        leader, organisation = options["leader"], options["organisation"]
        if not (leader and organisation):
            report_type = ReportType.objects.filter(is_active=True).order_by("pk").first()
            if report_type is None:
                raise CommandError(
                    "Chưa có loại báo cáo nào: hãy nạp bản demo hoặc ghi --leader và --organisation."
                )
            leader = leader or report_type.signer_name
            organisation = organisation or _organisation(report_type)
        if not leader:
            raise CommandError("Loại báo cáo chưa ghi người ký: hãy ghi --leader.")
        try:
            pki = make_demo_pki(directory, leader_name=leader, organisation=organisation, password=password)
        except (OSError, SigningError) as exc:
            raise CommandError(f"Không tạo được bộ khóa ký số thử nghiệm: {exc}") from exc
        self.stdout.write(
            f"Đã tạo bộ khóa ký số thử nghiệm ({SAMPLE_MARK}) trong {pki.directory}: "
            f"CA {pki.ca_cert.name}, lãnh đạo {leader} ({pki.leader_p12.name}), "
            f"cơ quan {organisation} ({pki.organisation_p12.name}), ảnh chữ ký và con dấu mẫu."
        )
