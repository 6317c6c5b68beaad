"""DOCX to PDF (or PDF/A-2b) through LibreOffice headless (python-anchors.md §2.2).

One conversion per ``soffice`` process, each with a fresh temporary user profile (a shared profile
makes parallel conversions fail silently), ``--norestore``, a timeout, and a check that the PDF exists
even when the exit code is 0. Times New Roman falls back to the metric-compatible Liberation Serif
(``fonts-liberation2``) where the real font is not installed.

The issued report is archived as PDF/A-2b (``pdfa=True``: LibreOffice's export filter option
``SelectPdfVersion`` 2, fonts embedded, an sRGB OutputIntent, XMP metadata). Its title, author (the
issuing committee), subject and keywords (:class:`PdfMetadata`) are written into the Word file's core
properties first, from which LibreOffice fills both the PDF's Info dictionary and its XMP packet;
:mod:`baocao.reports.pdfa_check` checks the result (docs/decisions/0012-pdf-layout-and-pdfa.md).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from docx import Document

from baocao.core.text import nfc
from baocao.reports.document import ReportDocument

__all__ = [
    "INSTALL_HINT",
    "PdfError",
    "PdfMetadata",
    "convert_to_pdf",
    "find_soffice",
    "layout_problems",
    "with_metadata",
]

INSTALL_HINT = "apt-get install libreoffice-writer-nogui fonts-liberation2"


class PdfError(RuntimeError):
    """The PDF could not be made; the message says why, in Vietnamese."""


def find_soffice() -> str | None:
    """The LibreOffice binary: ``$BAOCAO_SOFFICE`` when set (even if it does not exist), else on PATH."""
    configured = os.environ.get("BAOCAO_SOFFICE")
    if configured:
        return configured if Path(configured).is_file() and os.access(configured, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


@dataclass(frozen=True)
class PdfMetadata:
    """What the PDF says about itself (Info dictionary and XMP), in Vietnamese.

    ``title``: the report's name ("Báo cáo tình hình ... tháng 6 năm 2020"); ``author``: the issuing
    body ("Ủy ban nhân dân thành phố Lạng Sơn"); ``subject``: the trích yếu or the number line;
    ``keywords``: a few words ("báo cáo", "kinh tế - xã hội", "tháng 6/2020")."""

    title: str
    author: str
    subject: str = ""
    keywords: tuple[str, ...] = ()


# LibreOffice 7.4's JSON form of the PDF export filter's options: 2 is PDF/A-2b (1 would be PDF/A-1b,
# 3 PDF/A-3b); fonts are always embedded in PDF/A.
PDFA_FILTER = "pdf:writer_pdf_Export:" + json.dumps(
    {"SelectPdfVersion": {"type": "long", "value": "2"}}, separators=(",", ":")
)


def _keywords(metadata: PdfMetadata) -> str:
    return ", ".join(nfc(word).strip() for word in metadata.keywords if word.strip())


def _restore_keywords(pdf: bytes, metadata: PdfMetadata) -> bytes:
    """LibreOffice reads a Word file's keywords as single words ("kinh tế" becomes "kinh", "tế"): write
    the keywords as given into both the Info dictionary and the XMP packet, which must agree in PDF/A."""
    keywords = _keywords(metadata)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["pdf:Keywords"] = keywords
        document.docinfo[pikepdf.Name.Keywords] = keywords
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def with_metadata(docx: bytes, metadata: PdfMetadata) -> bytes:
    """``docx`` with its core properties (title, creator, subject, keywords) set from ``metadata``: what
    LibreOffice copies into the PDF. The body is untouched."""
    try:
        document = Document(io.BytesIO(docx))
    except Exception as exc:  # python-docx raises several types for a broken package
        raise PdfError(
            "Tệp Word không hợp lệ nên không ghi được thông tin văn bản (tiêu đề, tác giả)."
        ) from exc
    props = document.core_properties
    props.title = nfc(metadata.title)
    props.author = props.last_modified_by = nfc(metadata.author)
    props.subject = nfc(metadata.subject)
    props.keywords = _keywords(metadata)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def convert_to_pdf(
    docx: bytes, *, timeout: float = 120, pdfa: bool = False, metadata: PdfMetadata | None = None
) -> bytes:
    """The PDF of a .docx, converted by LibreOffice headless.

    ``pdfa``: a PDF/A-2b file (for the issued report); ``metadata``: the title, author, subject and
    keywords the PDF carries (else those of the Word file)."""
    if metadata is not None:
        docx = with_metadata(docx, metadata)
    soffice = find_soffice()
    if soffice is None:
        raise PdfError(f"Máy chủ chưa cài LibreOffice nên không tạo được PDF. Cài bằng: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="baocao-pdf-") as tmp:
        work = Path(tmp)
        profile, outdir = work / "profile", work / "out"
        outdir.mkdir()
        source = work / "bao-cao.docx"
        source.write_bytes(docx)
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            PDFA_FILTER if pdfa else "pdf",
            "--outdir",
            str(outdir),
            str(source),
        ]
        try:
            # A new session, so that a timeout kills soffice.bin too, not only its launcher.
            with subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={**os.environ, "HOME": tmp},
                start_new_session=True,
            ) as process:
                try:
                    stdout, stderr = process.communicate(timeout=timeout)
                except subprocess.TimeoutExpired as exc:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.communicate()
                    raise PdfError(
                        f"Chuyển sang PDF quá thời gian ({timeout:g} giây); LibreOffice đã bị dừng."
                    ) from exc
        except OSError as exc:
            raise PdfError(f"Không chạy được LibreOffice ({soffice}): {exc.strerror or exc}.") from exc
        pdf = outdir / "bao-cao.pdf"
        if process.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            detail = (stderr or stdout).decode("utf-8", "replace").strip()[-500:]
            raise PdfError(
                f"LibreOffice không chuyển được văn bản sang PDF (mã thoát {process.returncode})"
                + (f": {detail}" if detail else ".")
            )
        result = pdf.read_bytes()
    if metadata is not None and metadata.keywords:
        result = _restore_keywords(result, metadata)
    return result


# ------------------------------------------------------------------------------------------- layout check
_PAGE_NUMBER = re.compile(r"\d+")
_BROKEN_PERCENT = re.compile(r"\d[ \u00a0]+%")


def _printed_pages(pdf: bytes) -> list[list[str]]:
    """The printed lines of each page in the order they are drawn (poppler ``pdftotext -raw``: a table
    cell's lines stay together, a recipient that wraps reads as one text), spaces collapsed, NFC."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise PdfError("Thiếu pdftotext để đọc bố cục PDF. Cài bằng: apt-get install poppler-utils")
    result = subprocess.run(
        [tool, "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, timeout=60, check=False
    )
    if result.returncode != 0:
        raise PdfError("poppler (pdftotext) không đọc được tệp PDF.")
    text = nfc(result.stdout.decode("utf-8", "replace"))
    return [
        [" ".join(line.split()) for line in page.splitlines() if line.strip()] for page in text.split("\f")
    ]


def layout_problems(pdf: bytes, document: ReportDocument) -> list[str]:
    """What a clerk would refuse to sign in the printed ``document`` (in Vietnamese; empty when none):
    the signature block (Nơi nhận and every recipient, the authority, the titles, the signer's name) not
    whole on one page, that page without body text above the block, a percentage broken at a line end."""
    pages = _printed_pages(pdf)
    problems: list[str] = []
    block = [
        "Nơi nhận:",
        *(f"- {nfc(line)}" for line in document.recipients),
        nfc(document.authority),
        *(nfc(title) for title in document.signer_titles),
        nfc(document.signer_name),
    ]
    where = [i for i, lines in enumerate(pages) if any(line.startswith("Nơi nhận:") for line in lines)]
    if len(where) != 1:
        problems.append("Không tìm thấy khối chữ ký (“Nơi nhận:”) trên đúng một trang của văn bản.")
    else:
        number, lines = where[0] + 1, pages[where[0]]
        flat = " ".join(lines)
        missing = [line for line in block if line not in flat]
        if missing:
            problems.append(
                f"Khối chữ ký bị tách trang: trang {number} thiếu "
                + ", ".join(f"“{m}”" for m in missing)
                + "."
            )
        start = next(i for i, line in enumerate(lines) if line.startswith("Nơi nhận:"))
        if not [line for line in lines[:start] if not _PAGE_NUMBER.fullmatch(line)]:
            problems.append(
                f"Khối chữ ký đứng một mình ở đầu trang {number}, không có nội dung văn bản phía trên; "
                "hãy rút ngắn hoặc tách đoạn cuối của báo cáo."
            )
    for number, lines in enumerate(pages, start=1):
        if any(line.startswith("%") for line in lines) or any(_BROKEN_PERCENT.search(line) for line in lines):
            problems.append(f"Trang {number} có tỷ lệ phần trăm bị ngắt hoặc có dấu cách trước “%”.")
    return problems
