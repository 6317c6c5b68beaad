"""LibreOffice kept warm (issue 16): the PDF made through a running unoserver, and the fallback to one
LibreOffice process per conversion when none answers — the same PDF/A-2b, fonts embedded, either way."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baocao.reports import pdf
from baocao.reports.pdfa_check import check_pdfa
from baocao.testing.factories import computed_from_demo, june_report_docx


def _require_tools() -> None:
    if pdf.find_soffice() is None:
        pytest.skip(f"Chưa cài LibreOffice để tạo PDF: {pdf.INSTALL_HINT}")
    if shutil.which("pdffonts") is None or shutil.which("pdftotext") is None:
        pytest.skip("Thiếu pdffonts/pdftotext: apt-get install poppler-utils")


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> tuple[bytes, pdf.PdfMetadata]:
    """The demo report of June 2020 as Word, and the metadata its issued PDF carries."""
    return computed_from_demo(django_db_blocker, june_report_docx)


@pytest.fixture(scope="class")
def warm() -> Iterator[str]:
    """One unoserver for the tests of :class:`TestWarmOffice`, stopped after them."""
    _require_tools()
    with pdf.warm_office() as address:
        if address is None:
            pytest.skip("Không khởi động được unoserver (cần python3-uno cho /usr/bin/python3).")
        yield address


@pytest.fixture
def no_cold_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-process-per-conversion path made impossible: a PDF can then only come from the warm one."""
    monkeypatch.setenv("BAOCAO_SOFFICE", "/nonexistent/soffice")
    assert pdf.find_soffice() is None


def _fonts(document: bytes, tmp: Any) -> list[list[str]]:
    path = tmp / "out.pdf"
    path.write_bytes(document)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in listing.splitlines()[2:] if line.strip()]


def _text(document: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=document, capture_output=True, check=True
    ).stdout.decode()


class TestWarmOffice:
    """Through one unoserver, the one-process path made impossible (``no_cold_path``)."""

    def test_the_issued_pdf_is_pdfa_2b_with_its_fonts_embedded(
        self, warm: str, demo: tuple[bytes, pdf.PdfMetadata], no_cold_path: None, tmp_path: Any
    ) -> None:
        docx, metadata = demo
        assert pdf.unoserver_address() == warm
        issued = pdf.convert_to_pdf(docx, pdfa=True, metadata=metadata)
        assert check_pdfa(issued, expected=metadata) == []
        fonts = _fonts(issued, tmp_path)
        assert any("Serif" in row[0] for row in fonts)
        assert all(row[-5] == "yes" for row in fonts)  # the "emb" column: every font embedded
        text = _text(issued)
        assert "Lạng Sơn" in text and "Nơi nhận:" in text

    def test_a_plain_pdf_keeps_the_vietnamese_text(
        self, warm: str, demo: tuple[bytes, pdf.PdfMetadata], no_cold_path: None
    ) -> None:
        plain = pdf.convert_to_pdf(demo[0])
        assert plain.startswith(b"%PDF-")
        assert "xmp-missing" in {finding.code for finding in check_pdfa(plain)}  # not PDF/A unless asked
        assert "BÁO CÁO" in _text(plain)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_when_no_unoserver_answers_one_libreoffice_process_converts(
    settings: Any,
    demo: tuple[bytes, pdf.PdfMetadata],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Any,
) -> None:
    _require_tools()
    settings.BAOCAO_UNOSERVER = f"127.0.0.1:{_free_port()}"  # nothing listens there
    docx, metadata = demo
    with caplog.at_level(logging.WARNING, logger="baocao.reports.pdf"):
        issued = pdf.convert_to_pdf(docx, pdfa=True, metadata=metadata)
    assert "không trả lời" in caplog.text and settings.BAOCAO_UNOSERVER in caplog.text
    assert check_pdfa(issued, expected=metadata) == []
    assert all(row[-5] == "yes" for row in _fonts(issued, tmp_path))


def test_a_malformed_address_is_named_in_vietnamese(settings: Any) -> None:
    settings.BAOCAO_UNOSERVER = "unoserver-without-port"
    with pytest.raises(pdf.PdfError, match=r"BAOCAO_UNOSERVER.*máy:cổng"):
        pdf.convert_to_pdf(b"PK")


def test_the_warm_office_is_gone_after_its_block() -> None:
    """Started and stopped on its own (not the module's): after the block nothing listens there and the
    process's conversions no longer go to it."""
    _require_tools()
    with pdf.warm_office() as address:
        if address is None:
            pytest.skip("Không khởi động được unoserver (cần python3-uno cho /usr/bin/python3).")
        assert pdf.unoserver_address() == address
    assert pdf.unoserver_address() is None
    host, port = address.rsplit(":", 1)
    with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=2):
        pass


def test_a_configured_shared_unoserver_is_used_instead_of_starting_one(settings: Any) -> None:
    settings.BAOCAO_UNOSERVER = f"127.0.0.1:{_free_port()}"
    with pdf.warm_office() as address:
        assert address == settings.BAOCAO_UNOSERVER == pdf.unoserver_address()


_KILLED_WORKER = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
import django
django.setup()
from baocao.reports import pdf
with pdf.warm_office() as address:
    print(address, flush=True)
    time.sleep(600)
"""


def _command_lines() -> list[str]:
    lines = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            lines.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:  # gone meanwhile
            continue
    return lines


def test_a_killed_worker_leaves_no_libreoffice_behind() -> None:
    """A worker killed with SIGKILL never leaves its ``with`` block: its unoserver notices the parent is gone
    and stops, LibreOffice with it."""
    _require_tools()
    root = Path(__file__).resolve().parents[3]
    worker = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER], stdout=subprocess.PIPE, text=True, cwd=root
    )
    try:
        address = (worker.stdout.readline() if worker.stdout else "").strip()
        if address in {"", "None"}:
            pytest.skip("Không khởi động được unoserver (cần python3-uno cho /usr/bin/python3).")
        port = address.rsplit(":", 1)[1]
        server = next(line for line in _command_lines() if "unoserver" in line and f"--port {port} " in line)
        uno_port = server.split("--uno-port ", 1)[1].split()[0]
        assert any(f"port={uno_port}," in line for line in _command_lines())  # its LibreOffice runs
    finally:
        worker.kill()
        worker.wait()
    deadline = time.monotonic() + 30
    while any(f"port={uno_port}," in line or f"--port {port} " in line for line in _command_lines()):
        if time.monotonic() > deadline:
            pytest.fail(
                f"LibreOffice của unoserver {address} vẫn chạy 30 giây sau khi tiến trình làm việc bị dừng."
            )
        time.sleep(0.5)
