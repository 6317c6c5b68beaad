"""DOCX to PDF through LibreOffice headless (python-anchors.md §2.2).

One conversion per ``soffice`` process, each with a fresh temporary user profile (a shared profile
makes parallel conversions fail silently), ``--norestore``, a timeout, and a check that the PDF exists
even when the exit code is 0. Times New Roman falls back to the metric-compatible Liberation Serif
(``fonts-liberation2``) where the real font is not installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

__all__ = ["INSTALL_HINT", "PdfError", "convert_to_pdf", "find_soffice"]

INSTALL_HINT = "apt-get install libreoffice-writer-nogui fonts-liberation2"


class PdfError(RuntimeError):
    """The PDF could not be made; the message says why, in Vietnamese."""


def find_soffice() -> str | None:
    """The LibreOffice binary: ``$BAOCAO_SOFFICE`` when set (even if it does not exist), else on PATH."""
    configured = os.environ.get("BAOCAO_SOFFICE")
    if configured:
        return configured if Path(configured).is_file() and os.access(configured, os.X_OK) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(docx: bytes, *, timeout: float = 120) -> bytes:
    """The PDF of a .docx, converted by LibreOffice headless."""
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
            "pdf",
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
