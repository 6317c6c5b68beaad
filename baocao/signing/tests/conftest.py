"""Fixtures for the signing tests: the demo PKI in a temporary directory and real LibreOffice PDFs.

Names come from the demo's report type data (its bundle's ``report-types.yaml``,
``baocao/demo/bundles/lang-son-2020/``, or ``baocao/demo/data/`` where the bundle is not there yet), read
here so that the tests sign as the demo leader without typing the demo's data into code.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from baocao.reports.document import Annex, Heading, Paragraph, ReportDocument, Run, Table
from baocao.reports.docx import render_docx
from baocao.reports.pdf import INSTALL_HINT, convert_to_pdf, find_soffice
from baocao.signing.demo_pki import (
    CertificateAuthority,
    DemoPki,
    issue_certificate,
    make_ca,
    make_demo_pki,
    write_pkcs12,
)

PASSWORD = "mat-khau-thu-nghiem"
DEMO = Path(__file__).resolve().parents[2] / "demo"
# The demo's report types: in its locality bundle (before the bundle existed: in demo/data/).
DEMO_REPORT_TYPES = (
    DEMO / "bundles" / "lang-son-2020" / "report-types.yaml",
    DEMO / "data" / "report-types.yaml",
)


@dataclass(frozen=True)
class DemoSigner:
    """The demo report's signer and issuing body, as the report type writes them."""

    name: str
    titles: tuple[str, ...]
    authority: str
    organisation: str
    issuer: tuple[str, ...]
    place: str


@pytest.fixture(scope="session")
def demo_signer() -> DemoSigner:
    source = next(path for path in DEMO_REPORT_TYPES if path.is_file())
    report_type = yaml.safe_load(source.read_text(encoding="utf-8"))["report_types"][0]
    return DemoSigner(
        name=report_type["signer_name"],
        titles=tuple(report_type["signer_titles"]),
        authority=report_type["authority"],
        organisation=report_type["issuer_short"].replace("UBND", "Ủy ban nhân dân", 1),
        issuer=tuple(report_type["issuer"]),
        place=report_type["place_name"],
    )


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory, demo_signer: DemoSigner) -> DemoPki:
    """The demo PKI (test CA, the leader's and the organisation's PKCS#12, sample images)."""
    return make_demo_pki(
        tmp_path_factory.mktemp("pki"),
        leader_name=demo_signer.name,
        organisation=demo_signer.organisation,
        password=PASSWORD,
    )


@pytest.fixture(scope="session")
def other_ca() -> CertificateAuthority:
    """A second CA, for certificates with unusual validity or holder."""
    return make_ca()


@pytest.fixture
def make_p12(tmp_path: Path, other_ca: CertificateAuthority):
    """Write a PKCS#12 for ``name`` valid from ``not_before`` to ``not_after`` (UTC datetimes)."""

    def make(
        name: str, *, not_before: dt.datetime | None = None, not_after: dt.datetime | None = None
    ) -> Path:
        key, cert = issue_certificate(other_ca, name, not_before=not_before, not_after=not_after)
        return write_pkcs12(tmp_path / "other.p12", key, cert, other_ca.cert, PASSWORD)

    return make


def require_tools(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"Thiếu {', '.join(missing)}: apt-get install poppler-utils")


def report_document(signer: DemoSigner, paragraphs: int = 3) -> ReportDocument:
    body: tuple[Heading | Paragraph | Table, ...] = (
        Heading(1, "I.", "KẾT QUẢ THỰC HIỆN"),
        Table(
            columns=("Chỉ tiêu", "Tháng 6"),
            rows=(("Thu ngân sách", "1"),),
            title="Bảng",
            numeric=frozenset({1}),
        ),
        *(
            Paragraph(
                (Run(f"Đoạn {i + 1}: tình hình kinh tế - xã hội trong tháng tiếp tục ổn định, phát triển."),)
            )
            for i in range(paragraphs)
        ),
        Paragraph((Run("Trên đây là báo cáo của Ủy ban nhân dân./."),)),
    )
    return ReportDocument(
        issuer=signer.issuer,
        number_line="Số: 01/BC-UBND",
        place_date=f"{signer.place}, ngày 05 tháng 6 năm 2020",
        doc_type="BÁO CÁO",
        summary=("Thử ký số",),
        body=body,
        recipients=("UBND tỉnh;", "Lưu: VT."),
        authority=signer.authority,
        signer_titles=signer.titles,
        signer_name=signer.name,
        annexes=(
            Annex("Phụ lục", "BIỂU SỐ LIỆU", "(Kèm theo Báo cáo số 01/BC-UBND)", (Paragraph((Run("x"),)),)),
        ),
    )


@pytest.fixture(scope="session")
def report_pdf(demo_signer: DemoSigner) -> bytes:
    """A report made the way the application makes it: Word from the frame, PDF by LibreOffice."""
    if find_soffice() is None:
        pytest.skip(f"Chưa cài LibreOffice để tạo PDF: {INSTALL_HINT}")
    require_tools("pdftotext")
    return convert_to_pdf(render_docx(report_document(demo_signer)))


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    """poppler's ``pdfsig`` report on ``pdf``."""
    require_tools("pdfsig")
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
