"""Where the visible signature goes, found from the document itself (no fixed coordinates).

The leader's signature (:func:`find_signature_block`): the signer's name line (ô 7b of Decree 30) is
looked up in the text of the PDF with its position (poppler's ``pdftotext -bbox-layout``), from the last
page backwards, preferring a line that is exactly the name and has the title lines (ô 7a, "TM. ỦY BAN
NHÂN DÂN / CHỦ TỊCH") right above it. The signature field then spans, in the signer's column:

- the *image area*: from the top of the title lines down to the name — the signature image sits in the
  space between the last title line and the name ("canh giữa chức vụ và họ tên người ký"), and the red
  seal covers about a third of it on the left at its real size, over the title lines as a paper seal
  would;
- the name line itself, which the appearance leaves untouched (it is drawn by the document);
- the *text area* right below the name: the info line(s) in Times New Roman 10 pt.

When the name is not found (or poppler is missing), :func:`find_signature_block` falls back to the lower
right of the last page and says so in ``Placement.note`` (``found`` is False); with ``strict=True`` it
raises :class:`PlacementNotFoundError` instead.

Copies and annexes (:func:`find_top_right`): the organisation's signature goes at the top right of the
given page, above the first line of text, inside the page's top margin.

Coordinates are PDF user space (points, origin at the bottom left of the page).
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from baocao.core.text import clean

from .errors import SigningError

__all__ = [
    "Placement",
    "PlacementNotFoundError",
    "Rect",
    "TextLine",
    "find_signature_block",
    "find_top_right",
    "text_lines",
]

INFO_LINE_HEIGHT = 11.5  # Times New Roman 10 pt with a little leading
INFO_LINES = 3
SEAL_SIZE = 99.0  # a People's Committee seal is about 35 mm across; Decree 30 wants it at real size
STAMP_WIDTH = 230.0
TOP_RIGHT_WIDTH = 280.0  # the organisation's stamp, at most: the right half of the page
PAGE_EDGE = 20.0
PDFTOTEXT_TIMEOUT = 60


class PlacementNotFoundError(SigningError):
    """The signature block (the signer's name) was not found in the PDF."""


@dataclass(frozen=True)
class Rect:
    """A rectangle in PDF user space: (x1, y1) bottom left, (x2, y2) top right."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    def contains(self, other: Rect, tolerance: float = 0.5) -> bool:
        return (
            self.x1 - tolerance <= other.x1
            and self.y1 - tolerance <= other.y1
            and other.x2 <= self.x2 + tolerance
            and other.y2 <= self.y2 + tolerance
        )

    def relative_to(self, outer: Rect) -> Rect:
        """This rectangle in the coordinates of ``outer`` (origin at its bottom left)."""
        return Rect(self.x1 - outer.x1, self.y1 - outer.y1, self.x2 - outer.x1, self.y2 - outer.y1)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x1, self.y1, self.x2, self.y2)


@dataclass(frozen=True)
class TextLine:
    """One printed line: its page (0-based), the page's size, its text and its box (PDF coordinates)."""

    page: int
    page_width: float
    page_height: float
    text: str
    rect: Rect


@dataclass(frozen=True)
class Placement:
    """Where a visible signature goes.

    ``box`` is the signature field's rectangle on page ``page`` (0-based); ``image_area`` (signature image
    and seal) and ``text_area`` (the info lines) lie inside it; ``keep_clear`` is the part the appearance
    must not paint (the signer's name, printed by the document). ``found`` is False for a fallback
    position, ``note`` says in Vietnamese how the place was chosen.
    """

    page: int
    box: Rect
    image_area: Rect
    text_area: Rect
    found: bool
    note: str
    keep_clear: Rect | None = None
    gap_top: float | None = None  # bottom of the last title line: the signature image goes below it


_LINE = re.compile(
    r"<line xMin=\"([\d.]+)\" yMin=\"([\d.]+)\" xMax=\"([\d.]+)\" yMax=\"([\d.]+)\">(.*?)</line>", re.S
)
_WORD = re.compile(r"<word [^>]*>(.*?)</word>", re.S)
_PAGE = re.compile(r"<page width=\"([\d.]+)\" height=\"([\d.]+)\">(.*?)</page>", re.S)


def text_lines(pdf: bytes, *, first_page: int | None = None, last_page: int | None = None) -> list[TextLine]:
    """The printed lines of ``pdf`` with their positions (poppler ``pdftotext -bbox-layout``).

    Empty when poppler is missing or cannot read the file. ``first_page``/``last_page`` are 1-based,
    as for ``pdftotext -f/-l``."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return []
    with tempfile.TemporaryDirectory(prefix="baocao-place-") as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        command = [pdftotext, "-bbox-layout", "-enc", "UTF-8"]
        if first_page:
            command += ["-f", str(first_page)]
        if last_page:
            command += ["-l", str(last_page)]
        try:
            result = subprocess.run(
                [*command, str(source), "-"],
                capture_output=True,
                timeout=PDFTOTEXT_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
    if result.returncode != 0:
        return []
    output = result.stdout.decode("utf-8", "replace")
    lines: list[TextLine] = []
    offset = (first_page or 1) - 1
    for index, page in enumerate(_PAGE.finditer(output)):
        width, height = float(page.group(1)), float(page.group(2))
        for match in _LINE.finditer(page.group(3)):
            x_min, y_min, x_max, y_max = (float(match.group(i)) for i in range(1, 5))
            words = [html.unescape(word) for word in _WORD.findall(match.group(5))]
            text = clean(" ".join(words))
            if text:
                rect = Rect(x_min, height - y_max, x_max, height - y_min)
                lines.append(TextLine(offset + index, width, height, text, rect))
    return lines


def _key(text: str) -> str:
    return clean(text).casefold()


def _overlaps(a: Rect, b: Rect) -> bool:
    return a.x1 < b.x2 and b.x1 < a.x2


def _lines_above(name: TextLine, lines: list[TextLine]) -> list[TextLine]:
    """The lines right above ``name`` in its column, nearest first (a run with no big vertical gap)."""
    column = [
        line
        for line in lines
        if line.page == name.page and line.rect.y1 >= name.rect.y2 - 1 and _overlaps(line.rect, name.rect)
    ]
    column.sort(key=lambda line: line.rect.y1)
    run: list[TextLine] = []
    bottom_limit = name.rect.y2
    for line in column:
        gap = line.rect.y1 - bottom_limit
        if run and gap > 8:
            break
        if not run and gap > 160:
            break
        run.append(line)
        bottom_limit = line.rect.y2
        if len(run) == 4:
            break
    return run


def _choose_name_line(lines: list[TextLine], signer_name: str, titles: tuple[str, ...]) -> TextLine | None:
    wanted = _key(signer_name)
    title_keys = {_key(t) for t in titles if t.strip()}
    exact = [line for line in lines if _key(line.text) == wanted]
    partial = [line for line in lines if wanted in _key(line.text)]
    for candidates in (exact, partial):
        if not candidates:
            continue
        with_titles = [
            line
            for line in candidates
            if title_keys and any(_key(above.text) in title_keys for above in _lines_above(line, lines))
        ]
        chosen = with_titles or candidates
        return max(chosen, key=lambda line: (line.page, -line.rect.y1))
    return None


def find_signature_block(
    pdf: bytes,
    signer_name: str,
    *,
    titles: tuple[str, ...] = (),
    strict: bool = False,
) -> Placement:
    """Where the leader's signature goes: around the signer's name line (see the module docstring).

    ``titles``: the title lines printed above the name ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), used to
    pick the right line when the name occurs more than once."""
    lines = text_lines(pdf)
    name = _choose_name_line(lines, signer_name, titles) if signer_name.strip() else None
    if name is None:
        if strict:
            raise PlacementNotFoundError(
                f"Không tìm thấy họ tên người ký «{clean(signer_name)}» trong văn bản PDF nên không xác định "
                "được vị trí chữ ký."
            )
        return _fallback(pdf, lines, signer_name)
    above = _lines_above(name, lines)
    gap_bottom = name.rect.y2 + 1
    if above:
        block_top = max(line.rect.y2 for line in above)
        gap_top = above[0].rect.y1
    else:
        block_top = gap_bottom + SEAL_SIZE
        gap_top = block_top
    image_top = max(block_top, gap_bottom + min(SEAL_SIZE, 60.0))
    image_top = min(image_top, name.page_height - PAGE_EDGE)
    centre = (name.rect.x1 + name.rect.x2) / 2
    half = STAMP_WIDTH / 2
    x1 = max(PAGE_EDGE, centre - half)
    x2 = min(name.page_width - PAGE_EDGE, centre + half)
    text_top = name.rect.y1 - 1
    text_bottom = max(PAGE_EDGE / 2, text_top - INFO_LINES * INFO_LINE_HEIGHT - 2)
    box = Rect(x1, text_bottom, x2, image_top)
    image_area = Rect(x1, gap_bottom, x2, image_top)
    text_area = Rect(x1, text_bottom, x2, text_top)
    keep_clear = Rect(x1, text_top, x2, gap_bottom)
    note = f"Chữ ký đặt tại khối chữ ký trang {name.page + 1}: giữa chức vụ và họ tên người ký «{name.text}»."
    return Placement(
        page=name.page,
        box=box,
        image_area=image_area,
        text_area=text_area,
        found=True,
        note=note,
        keep_clear=keep_clear,
        gap_top=min(gap_top, image_top),
    )


def _fallback(pdf: bytes, lines: list[TextLine], signer_name: str) -> Placement:
    """The lower right of the last page (below its last line when there is room)."""
    if lines:
        last_page = max(line.page for line in lines)
        width = lines[-1].page_width
        page_lines = [line for line in lines if line.page == last_page]
        lowest = min(line.rect.y1 for line in page_lines)
        page = last_page
    else:
        page, width, lowest = _last_page_size(pdf)
    height = SEAL_SIZE + INFO_LINES * INFO_LINE_HEIGHT + 4
    top = max(PAGE_EDGE + height, min(lowest - 6, PAGE_EDGE + height + 60))
    x2 = width - 56
    x1 = x2 - STAMP_WIDTH
    box = Rect(x1, top - height, x2, top)
    text_top = box.y1 + INFO_LINES * INFO_LINE_HEIGHT + 2
    reason = (
        f"Không tìm thấy họ tên người ký «{clean(signer_name)}» trong văn bản"
        if lines
        else "Không đọc được chữ trong văn bản PDF (thiếu poppler hoặc PDF không có lớp chữ)"
    )
    return Placement(
        page=page,
        box=box,
        image_area=Rect(x1, text_top, x2, top),
        text_area=Rect(x1, box.y1, x2, text_top),
        found=False,
        note=f"{reason}; chữ ký được đặt ở góc dưới bên phải trang cuối.",
    )


def _last_page_size(pdf: bytes) -> tuple[int, float, float]:
    """(index, width, a low y) of the last page, read with pikepdf; A4 when unreadable."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            count = len(document.pages)
            box = [float(v) for v in document.pages[-1].mediabox]
            return count - 1, box[2] - box[0], 200.0
    except Exception:  # an unreadable PDF: signing will report it; here only a position is needed
        return 0, 595.3, 200.0


def find_top_right(pdf: bytes, *, page: int = 0, lines_of_text: int = 3) -> Placement:
    """Where the organisation's signature goes on a copy or an annex: the top right of ``page``,
    above its first line of text (Decree 30: "góc trên, bên phải, trang đầu")."""
    lines = [line for line in text_lines(pdf, first_page=page + 1, last_page=page + 1) if line.page == page]
    if lines:
        width, height = lines[0].page_width, lines[0].page_height
        first_top = max(line.rect.y2 for line in lines)
        right = max(line.rect.x2 for line in lines)
    else:
        _, width, _ = _last_page_size(pdf)
        height, first_top, right = 841.89, 841.89 - 56, width - 56
    box_height = lines_of_text * INFO_LINE_HEIGHT + 4
    top = height - 12
    bottom = max(first_top + 1, top - box_height)
    found = top - bottom >= box_height - 0.5
    if not found:  # no room above the text: keep the height, overlap rather than squeeze
        bottom = top - box_height
    x2 = min(width - PAGE_EDGE, max(right, width - 56))
    box = Rect(max(width / 2 + 1, x2 - TOP_RIGHT_WIDTH), bottom, x2, top)  # within the right half
    note = (
        f"Chữ ký số của cơ quan đặt ở góc trên bên phải trang {page + 1}."
        if found
        else f"Lề trên trang {page + 1} hẹp: chữ ký số của cơ quan đặt ở góc trên bên phải, đè lên dòng đầu."
    )
    return Placement(page=page, box=box, image_area=box, text_area=box, found=found, note=note)
