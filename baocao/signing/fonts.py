"""Times New Roman text in a signature appearance: an embedded subset of a TrueType font.

pyHanko's own font embedding needs HarfBuzz (``uharfbuzz``), which is not installed; Vietnamese needs no
shaping (NFC text is one precomposed glyph per character in Liberation Serif), so this module embeds the
font itself with fontTools: a Type0 font with Identity-H encoding over a CIDFontType2 whose CIDs are the
glyph ids (``CIDToGIDMap /Identity``), the subset keeps the glyph ids, widths come from the font's
``hmtx`` table and a ``ToUnicode`` map makes the text searchable and copyable. That is what PDF/A-2b asks
of a font (embedded, consistent widths, Unicode mapping).

Times New Roman is used when installed; otherwise Liberation Serif, its metric-compatible stand-in
(``fonts-liberation2``); ``$BAOCAO_SIGNING_FONT`` names another file.
"""

from __future__ import annotations

import hashlib
import io
import os
import string
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from .errors import SigningConfigError

__all__ = ["EmbeddedFont", "find_font"]

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/times.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)
ITALIC_CANDIDATES = (
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Italic.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/timesi.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf",
)
BOLD_CANDIDATES = (
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Bold.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/timesbd.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
)


def find_font(*, bold: bool = False, italic: bool = False) -> Path:
    """The Times New Roman (or Liberation Serif) font file; :class:`SigningConfigError` when none."""
    configured = os.environ.get("BAOCAO_SIGNING_FONT", "")
    if configured and not (bold or italic):
        if Path(configured).is_file():
            return Path(configured)
        raise SigningConfigError(f"Không tìm thấy tệp phông chữ {configured} (BAOCAO_SIGNING_FONT).")
    candidates = BOLD_CANDIDATES if bold else ITALIC_CANDIDATES if italic else FONT_CANDIDATES
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise SigningConfigError(
        "Máy chủ chưa có phông Times New Roman hoặc Liberation Serif để in dòng thông tin chữ ký số. "
        "Cài bằng: apt-get install fonts-liberation2"
    )


def _pdf_hex(codes: list[int]) -> bytes:
    return b"<" + "".join(f"{code:04X}" for code in codes).encode("ascii") + b">"


class EmbeddedFont:
    """One font for one appearance: measure and encode text, then :meth:`register` the used glyphs.

    >>> font = EmbeddedFont(find_font())
    >>> round(font.width("Lạng Sơn", 10), 1) > 0
    True
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._font = TTFont(str(path), lazy=True)
        self._cmap: dict[int, str] = self._font.getBestCmap()
        self._glyph_ids: dict[str, int] = {
            name: index for index, name in enumerate(self._font.getGlyphOrder())
        }
        self._units = self._font["head"].unitsPerEm
        self._hmtx = self._font["hmtx"]
        self._used: dict[int, str] = {}  # glyph id -> the text it stands for

    def _glyphs(self, text: str) -> list[int]:
        glyphs = []
        for char in unicodedata.normalize("NFC", text):
            name = self._cmap.get(ord(char))
            gid = self._glyph_ids.get(name, 0) if name else 0
            self._used.setdefault(gid, char if gid else "")
            glyphs.append(gid)
        return glyphs

    def _advance(self, gid: int) -> float:
        name = self._font.getGlyphOrder()[gid]
        return float(self._hmtx[name][0]) * 1000 / self._units

    def width(self, text: str, size: float) -> float:
        """The width of ``text`` at ``size`` points."""
        return sum(self._advance(gid) for gid in self._glyphs(text)) * size / 1000

    def encode(self, text: str) -> bytes:
        """``text`` as a PDF hex string of glyph ids (for ``Tj`` with this font selected)."""
        return _pdf_hex(self._glyphs(text))

    @property
    def ascent(self) -> float:
        return float(self._font["hhea"].ascent) * 1000 / self._units

    @property
    def descent(self) -> float:
        return float(self._font["hhea"].descent) * 1000 / self._units

    def _subset_bytes(self) -> bytes:
        font = TTFont(str(self.path))
        options = subset.Options()
        options.retain_gids = True
        options.notdef_outline = True
        options.layout_features = []
        options.name_IDs = ["*"]
        options.hinting = False
        options.drop_tables = [
            *options.drop_tables,
            "FFTM",
        ]  # FontForge's timestamps: not needed, not subsettable
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=sorted(self._used | {0: ""}))
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()

    def _to_unicode(self) -> bytes:
        entries = [
            b"<%04X> <%s>" % (gid, "".join(f"{b:02X}" for b in text.encode("utf-16-be")).encode("ascii"))
            for gid, text in sorted(self._used.items())
            if text
        ]
        lines = [
            b"/CIDInit /ProcSet findresource begin",
            b"12 dict begin",
            b"begincmap",
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            b"/CMapName /Adobe-Identity-UCS def",
            b"/CMapType 2 def",
            b"1 begincodespacerange",
            b"<0000> <FFFF>",
            b"endcodespacerange",
        ]
        for start in range(0, len(entries), 100):
            chunk = entries[start : start + 100]
            lines.append(b"%d beginbfchar" % len(chunk))
            lines.extend(chunk)
            lines.append(b"endbfchar")
        lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
        return b"\n".join(lines)

    def register(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        """Write the font (a subset with the glyphs used so far) to ``writer``; its reference."""
        used = sorted(self._used)
        digest = hashlib.sha256(repr(used).encode() + self.path.name.encode()).digest()
        tag = "".join(string.ascii_uppercase[b % 26] for b in digest[:6])
        ps_name = self._font["name"].getDebugName(6) or "TimesNewRoman"
        base_font = pdf_name(f"/{tag}+{ps_name}")
        head, os2 = self._font["head"], self._font["OS/2"]
        scale = 1000 / self._units
        font_file = generic.StreamObject(stream_data=self._subset_bytes())
        font_file.compress()
        descriptor = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/FontDescriptor"),
                pdf_name("/FontName"): base_font,
                pdf_name("/Flags"): generic.NumberObject(6),  # serif, symbolic (CID font)
                pdf_name("/FontBBox"): generic.ArrayObject(
                    generic.NumberObject(round(value * scale))
                    for value in (head.xMin, head.yMin, head.xMax, head.yMax)
                ),
                pdf_name("/ItalicAngle"): generic.NumberObject(0),
                pdf_name("/Ascent"): generic.NumberObject(round(self.ascent)),
                pdf_name("/Descent"): generic.NumberObject(round(self.descent)),
                pdf_name("/CapHeight"): generic.NumberObject(
                    round(getattr(os2, "sCapHeight", 0) * scale or self.ascent)
                ),
                pdf_name("/StemV"): generic.NumberObject(80),
                pdf_name("/FontFile2"): writer.add_object(font_file),
            }
        )
        widths = generic.ArrayObject()
        for gid in used:
            widths.append(generic.NumberObject(gid))
            widths.append(generic.ArrayObject([generic.NumberObject(round(self._advance(gid)))]))
        cid_font = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
                pdf_name("/BaseFont"): base_font,
                pdf_name("/CIDSystemInfo"): generic.DictionaryObject(
                    {
                        pdf_name("/Registry"): generic.pdf_string("Adobe"),
                        pdf_name("/Ordering"): generic.pdf_string("Identity"),
                        pdf_name("/Supplement"): generic.NumberObject(0),
                    }
                ),
                pdf_name("/FontDescriptor"): writer.add_object(descriptor),
                pdf_name("/W"): widths,
                pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
            }
        )
        to_unicode = generic.StreamObject(stream_data=self._to_unicode())
        to_unicode.compress()
        type0 = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type0"),
                pdf_name("/BaseFont"): base_font,
                pdf_name("/Encoding"): pdf_name("/Identity-H"),
                pdf_name("/DescendantFonts"): generic.ArrayObject([writer.add_object(cid_font)]),
                pdf_name("/ToUnicode"): writer.add_object(to_unicode),
            }
        )
        return writer.add_object(type0)
