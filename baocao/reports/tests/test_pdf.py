"""The PDF output: LibreOffice headless turns the rendered report into a faithful A4 PDF."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import subprocess
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from baocao.reports.docx import render_docx
from baocao.reports.pdf import INSTALL_HINT, PdfError, convert_to_pdf, find_soffice
from baocao.reports.tests.test_docx import ANNEX_TABLE, sample_report

TOP_MARGIN_PT = 20 / 25.4 * 72
TEXT_CENTRE_PT = (30 + (210 - 30 - 15) / 2) / 25.4 * 72
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def _require_tools() -> None:
    if find_soffice() is None:
        pytest.skip(f"Chưa cài LibreOffice để tạo PDF: {INSTALL_HINT}")
    missing = [tool for tool in ("pdfinfo", "pdffonts", "pdftotext") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"Thiếu {', '.join(missing)}: apt-get install poppler-utils")


def _poppler(tool: str, pdf: Path, *args: str) -> str:
    to_stdout = ["-"] if tool == "pdftotext" else []
    return subprocess.run(
        [tool, *args, str(pdf), *to_stdout], capture_output=True, check=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample report, its annex long enough to run onto a second page."""
    _require_tools()
    report = sample_report()
    annex = dataclasses.replace(
        report.annexes[0], items=(dataclasses.replace(ANNEX_TABLE, rows=ANNEX_TABLE.rows * 7),)
    )
    path = tmp_path_factory.mktemp("pdf") / "bao-cao.pdf"
    path.write_bytes(convert_to_pdf(render_docx(dataclasses.replace(report, annexes=(annex,)))))
    return path


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def _top_margin_words(pdf: Path, page: int) -> list[tuple[str, float]]:
    """Words printed in the top margin of ``page``, with their horizontal centre."""
    layout = _poppler("pdftotext", pdf, "-bbox", "-f", str(page), "-l", str(page))
    return [
        (html.unescape(text), (float(x0) + float(x1)) / 2)
        for x0, y0, x1, y1, text in WORD.findall(layout)
        if float(y1) < TOP_MARGIN_PT
    ]


def test_page_count_and_paper(pdf: Path) -> None:
    assert 4 <= _pages(pdf) <= 7
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", info), info


def test_a_times_metric_font_is_embedded(pdf: Path) -> None:
    fonts = _poppler("pdffonts", pdf).splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in fonts}
    assert names, "PDF không nhúng phông nào"
    assert all(re.match(r"(LiberationSerif|TimesNewRoman|Times-?New-?Roman)", name) for name in names), names
    assert all(" yes " in line for line in fonts)  # embedded


def test_vietnamese_text_is_intact(pdf: Path) -> None:
    text = unicodedata.normalize("NFC", _poppler("pdftotext", pdf))
    flat = " ".join(text.split())
    for sentence in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TP. Lạng Sơn, ngày 05 tháng 6 năm 2020",
        "Tình hình phát triển kinh tế - xã hội, quốc phòng - an ninh",
        "Phạm pháp hình sự xảy ra 07 vụ, làm chết 01 người, bị thương 06 người",
        "Tổ chức khảo sát hệ thống mương thủy lợi phục vụ công tác tưới tiêu cho vụ Hè năm 2020",
        "Duy trì tốt công tác chăm sóc sức khỏe nhân dân.",
        "Sở KH&ĐT tỉnh;",
        "BIỂU TỔNG HỢP MỘT SỐ CHỈ TIÊU KINH TẾ - XÃ HỘI THÁNG 6/2020",
        "Lê Trí Thức",
    ):
        assert sentence in flat, sentence
    # Superscripts stay in the text (in content order; the layout mode moves the raised "2" away).
    raw = " ".join(unicodedata.normalize("NFC", _poppler("pdftotext", pdf, "-raw")).split())
    assert re.search(r"879,1 m ?2 ?; cấp GCN", raw) and re.search(r"632,9 m ?2 ?\.", raw)


def test_page_numbers_skip_page_one_and_restart_in_the_annex(pdf: Path) -> None:
    pages = _pages(pdf)
    assert _top_margin_words(pdf, 1) == []
    second = _top_margin_words(pdf, 2)
    assert [text for text, _ in second] == ["2"]
    assert abs(second[0][1] - TEXT_CENTRE_PT) < 6  # centred over the text
    # The annex starts a page without a number; its next page is numbered 2 again.
    annex_first = next(
        page
        for page in range(2, pages + 1)
        if "Phụ lục" in _poppler("pdftotext", pdf, "-f", str(page), "-l", str(page))
    )
    assert _top_margin_words(pdf, annex_first) == []
    assert [text for text, _ in _top_margin_words(pdf, annex_first + 1)] == ["2"]


def test_parallel_conversions_do_not_share_a_profile() -> None:
    _require_tools()
    docx = render_docx(sample_report(annexes=()))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: convert_to_pdf(docx), range(2)))
    assert all(result.startswith(b"%PDF") for result in results)


def test_missing_libreoffice_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAOCAO_SOFFICE", "/nonexistent/soffice")
    assert find_soffice() is None
    with pytest.raises(PdfError, match="apt-get install libreoffice-writer-nogui fonts-liberation2"):
        convert_to_pdf(b"PK")


def _fake_soffice(tmp_path: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BAOCAO_SOFFICE", str(fake))


def test_a_hanging_conversion_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_soffice(tmp_path, "sleep 30", monkeypatch)
    with pytest.raises(PdfError, match="quá thời gian"):
        convert_to_pdf(b"PK", timeout=0.5)


def test_exit_code_zero_without_output_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_soffice(tmp_path, "echo 'source file could not be loaded' >&2; exit 0", monkeypatch)
    with pytest.raises(PdfError, match=r"không chuyển được.*could not be loaded"):
        convert_to_pdf(b"PK")
