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

LibreOffice kept warm (issue 16, docs/decisions/0034-warm-libreoffice.md): when a unoserver answers at
``settings.BAOCAO_UNOSERVER`` ("host:port"), or at the one :func:`warm_office` started for this process, the
Word file is sent to it over XML-RPC and the PDF comes back, without LibreOffice's start-up; when none
answers, the conversion falls back to one ``soffice`` process as above.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pikepdf
import unoserver
from django.conf import settings
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
    "unoserver_address",
    "warm_office",
    "with_metadata",
]

log = logging.getLogger(__name__)

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
    keywords the PDF carries (else those of the Word file). Through the warm unoserver when one answers
    (:func:`unoserver_address`), else one LibreOffice process for this conversion."""
    if metadata is not None:
        docx = with_metadata(docx, metadata)
    address = unoserver_address()
    result = _convert_warm(address, docx, timeout=timeout, pdfa=pdfa) if address else None
    if result is None:
        result = _convert_cold(docx, timeout=timeout, pdfa=pdfa)
    if metadata is not None and metadata.keywords:
        result = _restore_keywords(result, metadata)
    return result


def _convert_cold(docx: bytes, *, timeout: float, pdfa: bool) -> bytes:
    """One ``soffice --convert-to`` process with a fresh profile: LibreOffice's start-up paid each time."""
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
        return pdf.read_bytes()


# ------------------------------------------------------------------------------ LibreOffice kept warm
# The export filter and its options as unoserver's XML-RPC ``convert`` takes them ("Name=Value" strings
# become the filter's FilterData): the same PDF/A-2b choice as PDFA_FILTER above.
_UNO_FILTER = "writer_pdf_Export"
_UNO_PDFA_OPTIONS = ["SelectPdfVersion=2"]
_warm_address: str | None = None  # set by warm_office() for this process's lifetime


def unoserver_address() -> str | None:
    """Where the warm LibreOffice listens ("host:port"): the unoserver :func:`warm_office` started in this
    process, else ``settings.BAOCAO_UNOSERVER`` (a shared one, possibly on another machine), else None."""
    return _warm_address or (getattr(settings, "BAOCAO_UNOSERVER", "") or "").strip() or None


def _split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    try:
        return host or "127.0.0.1", int(port)
    except ValueError:
        raise PdfError(
            f"Địa chỉ unoserver “{address}” (BAOCAO_UNOSERVER) không hợp lệ; cần dạng máy:cổng, "
            "ví dụ 127.0.0.1:2003."
        ) from None


class _TimeoutTransport(xmlrpc.client.Transport):
    """xmlrpc.client's HTTP transport with a socket timeout: a stuck LibreOffice must not hang a worker."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: object) -> HTTPConnection:
        connection = super().make_connection(host)  # type: ignore[arg-type]
        connection.timeout = self._timeout
        return connection


def _proxy(address: str, timeout: float) -> xmlrpc.client.ServerProxy:
    host, port = _split_address(address)
    return xmlrpc.client.ServerProxy(
        f"http://{host}:{port}", transport=_TimeoutTransport(timeout), allow_none=True
    )


def _reachable(address: str) -> bool:
    """A TCP connection opens within two seconds (a refused or unroutable address falls back at once)."""
    try:
        with socket.create_connection(_split_address(address), timeout=2):
            return True
    except OSError:
        return False


def _convert_warm(address: str, docx: bytes, *, timeout: float, pdfa: bool) -> bytes | None:
    """The PDF made by the unoserver at ``address``; None when it does not answer (the caller falls back
    to one LibreOffice process). A document LibreOffice refuses, or a timeout, is a :class:`PdfError`."""
    if not _reachable(address):
        log.warning("unoserver %s không trả lời; chuyển PDF bằng một tiến trình LibreOffice riêng.", address)
        return None
    try:
        # unoserver's XML-RPC API 3: convert(inpath, indata, outpath, convert_to, filtername,
        # filter_options, update_index, infiltername, password). The bytes go over the wire, so the server
        # may live on another machine; update_index off as in the one-process path.
        answer = _proxy(address, timeout).convert(
            None,
            xmlrpc.client.Binary(docx),
            None,
            "pdf",
            _UNO_FILTER,
            _UNO_PDFA_OPTIONS if pdfa else [],
            False,
            None,
            None,
        )
    except TimeoutError as exc:
        raise PdfError(
            f"Chuyển sang PDF quá thời gian ({timeout:g} giây) ở LibreOffice thường trực ({address})."
        ) from exc
    except xmlrpc.client.Fault as exc:
        if "TimeoutError" in exc.faultString:
            raise PdfError(
                f"Chuyển sang PDF quá thời gian ở LibreOffice thường trực ({address}); "
                "LibreOffice đã bị dừng."
            ) from exc
        raise PdfError(
            "LibreOffice không chuyển được văn bản sang PDF: " + exc.faultString.strip()[-500:]
        ) from exc
    except (OSError, xmlrpc.client.ProtocolError) as exc:
        # The server went away during the conversion (LibreOffice died, the worker is stopping): this one
        # document is still converted, by a process of its own.
        log.warning("unoserver %s ngắt giữa chừng (%s); chuyển lại bằng một tiến trình riêng.", address, exc)
        return None
    data = answer.data if isinstance(answer, xmlrpc.client.Binary) else None
    if not data:
        raise PdfError(f"LibreOffice thường trực ({address}) không trả về tệp PDF.")
    return bytes(data)


# The server side runs under a Python that can ``import uno`` (Debian's python3-uno is built for
# /usr/bin/python3; the virtualenv's Python cannot), with unoserver found in this environment's packages.
# A watchdog thread stops it (SIGTERM to itself: unoserver then stops its LibreOffice) when the process that
# started it is gone — a worker killed with SIGKILL never runs warm_office's exit, and its LibreOffice would
# otherwise stay behind for ever.
_SERVER_CODE = """\
import os, signal, sys, threading, time
sys.path.append({site!r})
parent = os.getppid()
def watch():
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)
threading.Thread(target=watch, daemon=True).start()
from unoserver.server import main
sys.exit(main())
"""


def _uno_python() -> str | None:
    """The Python that can ``import uno``: ``$BAOCAO_UNO_PYTHON``, else /usr/bin/python3 (Debian's
    python3-uno); None when it is missing or lacks the uno module."""
    python = os.environ.get("BAOCAO_UNO_PYTHON") or "/usr/bin/python3"
    if not (Path(python).is_file() and os.access(python, os.X_OK)):
        return None
    check = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30, check=False)
    return python if check.returncode == 0 else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to unoserver, which passes it on to LibreOffice and exits; then SIGKILL to whatever of its
    process group is left (LibreOffice's launcher can linger after its soffice.bin has gone)."""
    try:
        process.terminate()
        process.wait(10)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


@contextmanager
def warm_office(*, timeout: float = 120, start_timeout: float = 60) -> Iterator[str | None]:
    """Keep one LibreOffice running (a unoserver on loopback) while the block runs; every
    :func:`convert_to_pdf` of this process goes through it meanwhile. Yields its address ("127.0.0.1:port"),
    or None when it cannot start (no LibreOffice, no Python with ``uno``): conversions then use one process
    each, as before, and a warning says why.

    For the job worker (``run_jobs``), around its whole loop::

        with pdf.warm_office():
            while True:
                run_pending_jobs()
                ...

    ``timeout``: a conversion longer than this makes unoserver stop LibreOffice (the document's job fails
    with a Vietnamese message; later ones fall back to one process each). The server, its LibreOffice and
    their temporary profile are gone when the block ends, even on an exception.

    When ``settings.BAOCAO_UNOSERVER`` names a shared unoserver, none is started: that address is yielded
    and used (each conversion still falls back to one process when it does not answer)."""
    global _warm_address
    configured = (getattr(settings, "BAOCAO_UNOSERVER", "") or "").strip()
    if configured:
        yield configured
        return
    soffice, python = find_soffice(), _uno_python()
    if soffice is None or python is None:
        log.warning(
            "Không khởi động được LibreOffice thường trực (%s); mỗi PDF chạy một tiến trình LibreOffice.",
            "chưa cài LibreOffice" if soffice is None else "thiếu Python có mô-đun uno (python3-uno)",
        )
        yield None
        return
    site = str(Path(unoserver.__file__).resolve().parent.parent)
    port, uno_port = _free_port(), _free_port()
    address = f"127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="baocao-unoserver-") as tmp:
        logfile = Path(tmp) / "unoserver.log"
        command = [
            python,
            "-c",
            _SERVER_CODE.format(site=site),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--uno-port",
            str(uno_port),
            "--executable",
            soffice,
            "--user-installation",
            str(Path(tmp) / "profile"),
            "--temp-dir",
            tmp,
            "--conversion-timeout",
            str(max(1, int(timeout))),
        ]
        with logfile.open("wb") as log_out:
            # A session of its own, so that stopping it stops soffice.bin too; the environment (TZ among
            # it: the PDF's dates) is this process's.
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "HOME": tmp},
                start_new_session=True,
            )
        try:
            if not _wait_ready(address, process, start_timeout):
                tail = logfile.read_text("utf-8", "replace").strip()[-500:]
                log.warning("unoserver không khởi động được; mỗi PDF chạy một tiến trình riêng. %s", tail)
                yield None
                return
            previous, _warm_address = _warm_address, address
            try:
                yield address
            finally:
                _warm_address = previous
        finally:
            _stop(process)


def _wait_ready(address: str, process: subprocess.Popen[bytes], start_timeout: float) -> bool:
    """Poll unoserver's ``info`` until it answers (it first waits for LibreOffice to accept connections)."""
    deadline = time.monotonic() + start_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            _proxy(address, 10).info()
            return True
        except (OSError, xmlrpc.client.Error):
            time.sleep(0.2)
    return False


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
