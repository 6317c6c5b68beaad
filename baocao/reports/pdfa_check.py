"""Does a PDF hold to PDF/A-2b? The checks the archive copy of an issued report must pass, in Vietnamese.

No PDF/A validator is packaged in Debian (veraPDF is not) and none runs on PyPI without Java (the
``pdfa-parser`` package only calls an installed veraPDF); docs/decisions/0012-pdf-layout-and-pdfa.md.
So this module checks, with pikepdf (qpdf) and poppler's ``pdffonts``, the requirements of ISO 19005-2
level B that a LibreOffice export and a later signature could break:

- the file header with its binary comment, a trailer ``/ID``, no encryption, no LZW or Crypt filter;
- an XMP metadata stream (not compressed) that says ``pdfaid:part`` 2 and ``pdfaid:conformance`` B;
- an OutputIntent ``GTS_PDFA1`` with an embedded ICC profile whose colour space matches ``/N``;
- every font embedded (pikepdf over every font dictionary of the file, pdffonts as a second reader);
- no JavaScript, no forbidden action (Launch, ImportData, ResetForm, Sound, Movie, ...), no
  additional actions (``/AA``) on the document or its pages;
- transparency only with the blend modes PDF/A-2 allows (PDF/A-2, unlike PDF/A-1, allows transparency
  groups and soft masks, which a signature's seal image needs);
- annotations printable and not hidden, with an appearance stream (a visible signature is one);
- no embedded files (an attachment would have to be PDF/A itself; issued reports have none);
- the Info dictionary and the XMP packet agree (title, author, subject, keywords, creator tool, producer,
  dates), and, when the caller says what to expect, the title, author, subject and keywords are those.

:func:`check_pdfa` returns the findings (empty when the file passes); :func:`require_pdfa` raises with
them. It is not a full validator (fonts' glyph widths, colour spaces inside content streams and XMP
extension schemas are not examined); the decision record says what it covers and why.
"""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf.models.metadata import decode_pdf_date

from baocao.reports.pdf import PdfMetadata

__all__ = ["Finding", "PdfaError", "check_pdfa", "require_pdfa"]

# PDF/A-2 (ISO 19005-2, 6.6): Info key → XMP property that must hold the same value.
INFO_TO_XMP = {
    "/Title": "dc:title",
    "/Author": "dc:creator",
    "/Subject": "dc:description",
    "/Keywords": "pdf:Keywords",
    "/Creator": "xmp:CreatorTool",
    "/Producer": "pdf:Producer",
    "/CreationDate": "xmp:CreateDate",
    "/ModDate": "xmp:ModifyDate",
}
INFO_NAMES = {
    "/Title": "tiêu đề",
    "/Author": "tác giả",
    "/Subject": "chủ đề",
    "/Keywords": "từ khóa",
    "/Creator": "phần mềm soạn",
    "/Producer": "phần mềm tạo PDF",
    "/CreationDate": "ngày tạo",
    "/ModDate": "ngày sửa",
}
FORBIDDEN_ACTIONS = {
    "/Launch",
    "/Sound",
    "/Movie",
    "/ResetForm",
    "/ImportData",
    "/Hide",
    "/SetOCGState",
    "/Rendition",
    "/Trans",
    "/GoTo3DView",
    "/JavaScript",
}
BLEND_MODES = {
    "/Normal",
    "/Compatible",
    "/Multiply",
    "/Screen",
    "/Overlay",
    "/Darken",
    "/Lighten",
    "/ColorDodge",
    "/ColorBurn",
    "/HardLight",
    "/SoftLight",
    "/Difference",
    "/Exclusion",
    "/Hue",
    "/Saturation",
    "/Color",
    "/Luminosity",
}
ICC_SPACES = {b"RGB ": 3, b"GRAY": 1, b"CMYK": 4}
# Annotation flags (PDF 32000-1, 12.5.3): Print must be set; Hidden, Invisible, NoView must not.
PRINT, HIDDEN, INVISIBLE, NOVIEW = 4, 2, 1, 32


@dataclass(frozen=True)
class Finding:
    """One way the file falls short: ``code`` names the rule (for tests and logs), ``message`` says it in
    Vietnamese for the page."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


class PdfaError(ValueError):
    """The file is not the PDF/A-2b it should be; ``findings`` says why."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("Tệp PDF chưa đạt PDF/A-2b: " + "; ".join(f.message for f in findings))


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


def _objects(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary | pikepdf.Stream]:
    """Every dictionary (and stream dictionary) among the file's indirect objects."""
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            yield obj


def _name(value: Any) -> str:
    return str(value) if isinstance(value, pikepdf.Name) else ""


# ------------------------------------------------------------------------------------------- the checks
def _file_structure(data: bytes, pdf: pikepdf.Pdf, found: list[Finding]) -> None:
    header = re.match(rb"%PDF-(\d\.\d)\r?\n?%([^\r\n]{4})", data[:64])
    if header is None or not all(byte > 127 for byte in header.group(2)):
        found.append(
            Finding("header", "Đầu tệp phải là “%PDF-1.x” kèm dòng chú thích có ít nhất 4 byte nhị phân.")
        )
    if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
        found.append(Finding("encrypted", "Tệp PDF được mã hóa hoặc đặt mật khẩu; PDF/A không cho phép."))
    if "/ID" not in pdf.trailer:
        found.append(Finding("trailer-id", "Phần cuối tệp (trailer) thiếu mã định danh /ID."))
    filters = set()
    for obj in _objects(pdf):
        if isinstance(obj, pikepdf.Stream):
            value = obj.get("/Filter")
            names: list[Any] = list(value) if isinstance(value, pikepdf.Array) else [value]
            filters |= {str(n) for n in names if isinstance(n, pikepdf.Name)}
    for bad in sorted(filters & {"/LZWDecode", "/Crypt"}):
        found.append(Finding("filter", f"Tệp dùng bộ lọc nén {bad[1:]}, PDF/A không cho phép."))


def _xmp(pdf: pikepdf.Pdf, found: list[Finding]) -> pikepdf.models.PdfMetadata | None:
    metadata = pdf.Root.get("/Metadata")
    if not isinstance(metadata, pikepdf.Stream):
        found.append(Finding("xmp-missing", "Tệp không có gói siêu dữ liệu XMP (/Metadata của Catalog)."))
        return None
    if "/Filter" in metadata:
        found.append(Finding("xmp-filter", "Gói siêu dữ liệu XMP bị nén (/Filter); PDF/A yêu cầu để nguyên."))
    try:
        xmp = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        part, conformance = xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")
    except Exception:  # a broken packet: say so rather than fail the check
        found.append(Finding("xmp-invalid", "Gói siêu dữ liệu XMP không đọc được (XML hỏng)."))
        return None
    if str(part) != "2" or str(conformance).upper() != "B":
        claimed = f"phần {part}, mức {conformance}" if part else "không khai báo"
        found.append(
            Finding(
                "pdfa-id",
                f"Siêu dữ liệu XMP không khai báo PDF/A-2b (pdfaid:part 2, conformance B): {claimed}.",
            )
        )
    return xmp


def _output_intent(pdf: pikepdf.Pdf, found: list[Finding]) -> None:
    intents = pdf.Root.get("/OutputIntents")
    pdfa = [i for i in (intents or []) if isinstance(i, pikepdf.Dictionary) and i.get("/S") == "/GTS_PDFA1"]
    if not pdfa:
        found.append(Finding("output-intent", "Thiếu OutputIntent GTS_PDFA1 (hồ sơ màu ICC của tệp)."))
        return
    profile = pdfa[0].get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        found.append(Finding("icc-missing", "OutputIntent không kèm hồ sơ màu ICC (/DestOutputProfile)."))
        return
    try:
        icc = profile.read_bytes()
    except pikepdf.PdfError:
        icc = b""
    if len(icc) < 128 or icc[36:40] != b"acsp":
        found.append(Finding("icc-invalid", "Hồ sơ màu ICC của OutputIntent không hợp lệ."))
        return
    channels = ICC_SPACES.get(icc[16:20])
    if channels is None or int(profile.get("/N", channels)) != channels:
        found.append(Finding("icc-invalid", "Hồ sơ màu ICC của OutputIntent không khớp số kênh màu /N."))


def _fonts(pdf: pikepdf.Pdf, found: list[Finding]) -> None:
    missing: set[str] = set()
    for obj in _objects(pdf):
        if obj.get("/Type") != "/Font" or obj.get("/Subtype") in ("/Type3", "/Type0"):
            continue  # Type 3 glyphs are in the file; a Type 0 font is checked through its descendant
        descriptor = obj.get("/FontDescriptor")
        embedded = isinstance(descriptor, pikepdf.Dictionary) and any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        if not embedded:
            missing.add(str(obj.get("/BaseFont", "?")).lstrip("/"))
    for name in sorted(missing):
        found.append(Finding("font-not-embedded", f"Phông chữ “{name}” không được nhúng vào tệp."))


def _pdffonts(data: bytes, found: list[Finding]) -> None:
    """poppler's reading of the fonts (page resources and annotation appearances)."""
    tool = shutil.which("pdffonts")
    if tool is None:
        return
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run([tool, handle.name], capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        found.append(Finding("pdffonts", "poppler (pdffonts) không đọc được danh sách phông chữ của tệp."))
        return
    known = {f.message for f in found}
    for line in result.stdout.splitlines()[2:]:
        fields = line.split()
        if len(fields) < 6 or "Type 3" in line:
            continue
        if fields[-5] != "yes":
            message = f"Phông chữ “{fields[0].split('+')[-1]}” không được nhúng vào tệp."
            if message not in known:
                found.append(Finding("font-not-embedded", message))


def _actions(pdf: pikepdf.Pdf, found: list[Finding]) -> None:
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        found.append(Finding("javascript", "Tệp có mã JavaScript (/Names /JavaScript)."))
    if isinstance(names, pikepdf.Dictionary) and "/EmbeddedFiles" in names:
        found.append(
            Finding("embedded-file", "Tệp có tệp đính kèm nhúng bên trong; bản lưu trữ không được có.")
        )
    if "/AA" in pdf.Root:
        found.append(Finding("additional-actions", "Tài liệu có hành động tự động (/AA)."))
    for number, page in enumerate(pdf.pages, start=1):
        if "/AA" in page.obj:
            found.append(Finding("additional-actions", f"Trang {number} có hành động tự động (/AA)."))
    kinds = set()
    for obj in _objects(pdf):
        if "/JS" in obj or (obj.get("/S") in FORBIDDEN_ACTIONS and obj.get("/Type", "/Action") == "/Action"):
            kinds.add(_name(obj.get("/S")) or "/JavaScript")
    for kind in sorted(kinds):
        what = "mã JavaScript" if kind == "/JavaScript" else f"hành động {kind[1:]}"
        found.append(Finding("javascript" if kind == "/JavaScript" else "action", f"Tệp có {what}."))


def _transparency(pdf: pikepdf.Pdf, found: list[Finding]) -> None:
    modes: set[str] = set()
    for obj in _objects(pdf):
        mode = obj.get("/BM")
        values: list[Any] = (
            list(mode) if isinstance(mode, pikepdf.Array) else [mode] if mode is not None else []
        )
        modes |= {str(v) for v in values if str(v) not in BLEND_MODES}
    for bad in sorted(modes):
        found.append(Finding("blend-mode", f"Chế độ hòa trộn trong suốt {bad} không thuộc PDF/A-2."))


def _annotations(pdf: pikepdf.Pdf, found: list[Finding]) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        for annot in page.obj.get("/Annots") or []:
            if not isinstance(annot, pikepdf.Dictionary) or annot.get("/Subtype") == "/Popup":
                continue
            kind = str(annot.get("/Subtype", "/?"))[1:]
            flags = int(annot.get("/F", 0))
            if not flags & PRINT or flags & (HIDDEN | INVISIBLE | NOVIEW):
                found.append(
                    Finding("annotation-flags", f"Trang {number}: chú thích {kind} không được đặt để in ra.")
                )
            rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
            has_area = abs(rect[2] - rect[0]) > 0 and abs(rect[3] - rect[1]) > 0
            if kind != "Link" and has_area and "/AP" not in annot:
                found.append(
                    Finding(
                        "annotation-appearance",
                        f"Trang {number}: chú thích {kind} thiếu hình hiển thị (/AP).",
                    )
                )


def _same(info_key: str, info: Any, xmp: Any) -> bool:
    if info_key.endswith("Date"):
        try:
            left = decode_pdf_date(str(info))
            right = datetime.datetime.fromisoformat(str(xmp).replace("Z", "+00:00"))
        except (ValueError, TypeError):
            return False
        if left.tzinfo is None or right.tzinfo is None:
            return left.replace(tzinfo=None) == right.replace(tzinfo=None)
        return left == right
    if isinstance(xmp, list | tuple | set):
        xmp = ", ".join(str(v) for v in xmp)  # dc:creator is a sequence; the Info Author one string
    return _nfc(info) == _nfc(xmp)


def _metadata(pdf: pikepdf.Pdf, xmp: Any, expected: PdfMetadata | None, found: list[Finding]) -> None:
    info = pdf.docinfo
    if xmp is not None:
        for key, prop in INFO_TO_XMP.items():
            if key not in info:
                continue
            value = xmp.get(prop)
            if value is None or not _same(key, info[key], value):
                shown = "" if value is None else _nfc(value)
                found.append(
                    Finding(
                        "metadata-mismatch",
                        f"Thông tin văn bản “{INFO_NAMES[key]}” khác nhau giữa từ điển Info "
                        f"(“{_nfc(info[key])}”) và siêu dữ liệu XMP (“{shown}”).",
                    )
                )
    for key in ("/Title", "/Author", "/Subject", "/Keywords"):
        if not _nfc(info.get(key, "")):
            found.append(
                Finding("metadata-missing", f"Tệp chưa có {INFO_NAMES[key]} (siêu dữ liệu {key[1:]}).")
            )
    if expected is not None:
        wanted = {
            "/Title": expected.title,
            "/Author": expected.author,
            "/Subject": expected.subject,
            "/Keywords": ", ".join(k.strip() for k in expected.keywords if k.strip()),
        }
        for key, value in wanted.items():
            if value and key in info and _nfc(info[key]) != _nfc(value):
                found.append(
                    Finding(
                        "metadata-value",
                        f"{INFO_NAMES[key].capitalize()} của tệp là “{_nfc(info[key])}”, "
                        f"cần “{_nfc(value)}”.",
                    )
                )


# ------------------------------------------------------------------------------------------- entry points
def check_pdfa(data: bytes, *, expected: PdfMetadata | None = None) -> list[Finding]:
    """What keeps ``data`` from being the PDF/A-2b archive copy of a report (empty: it passes).

    ``expected``: the title, author, subject and keywords the file must carry (as given to
    :func:`baocao.reports.pdf.convert_to_pdf`)."""
    found: list[Finding] = []
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return [Finding("encrypted", "Tệp PDF được đặt mật khẩu; PDF/A không cho phép mã hóa.")]
    except pikepdf.PdfError:
        return [Finding("not-pdf", "Tệp không phải PDF đọc được.")]
    with pdf:
        _file_structure(data, pdf, found)
        xmp = _xmp(pdf, found)
        _output_intent(pdf, found)
        _fonts(pdf, found)
        _pdffonts(data, found)
        _actions(pdf, found)
        _transparency(pdf, found)
        _annotations(pdf, found)
        _metadata(pdf, xmp, expected, found)
    return found


def require_pdfa(data: bytes, *, expected: PdfMetadata | None = None) -> None:
    """Raise :class:`PdfaError` (with the Vietnamese findings) unless ``data`` passes :func:`check_pdfa`."""
    findings = check_pdfa(data, expected=expected)
    if findings:
        raise PdfaError(findings)


def main(paths: list[str]) -> int:
    """``python -m baocao.reports.pdfa_check FILE.pdf...``: the findings of each file; exit status 1 when
    any file falls short."""
    status = 0
    for path in paths:
        findings = check_pdfa(Path(path).read_bytes())
        print(
            f"{path}: "
            + ("đạt PDF/A-2b." if not findings else f"chưa đạt PDF/A-2b ({len(findings)} vấn đề):")
        )
        for finding in findings:
            print(f"  - [{finding.code}] {finding.message}")
        status = status or (1 if findings else 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
