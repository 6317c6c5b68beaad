"""The little markup a block may use: ``<b>``, ``<i>`` and ``<sup>`` around literal text.

A block renders with autoescape, so data (names, comments) arrives escaped (``&lt;``) and only tags the
template author wrote remain tags. :func:`parse_runs` turns one rendered line into formatted runs and
refuses any other tag, so nothing from the data can change the document's structure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from baocao.core.text import nfc
from baocao.reports.document import Run
from baocao.reports.rendering import RenderError

__all__ = ["ALLOWED_TAGS", "Chip", "from_editor", "is_chip_source", "literal", "parse_runs", "to_editor"]

ALLOWED_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "sup": "superscript"}
_SPACES = re.compile(r"\s+")


class _RunParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[Run] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS or attrs:
            raise RenderError(
                f"Thẻ <{tag}> không được dùng trong mẫu; chỉ dùng <b>…</b> (đậm), <i>…</i> (nghiêng), "
                "<sup>…</sup> (chỉ số trên), không kèm thuộc tính."
            )
        self.open.append(ALLOWED_TAGS[tag])

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS or not self.open or self.open[-1] != ALLOWED_TAGS[tag]:
            raise RenderError(f"Thẻ đóng </{tag}> không khớp với thẻ mở.")
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if not data:
            return
        run = Run(
            data,
            bold="bold" in self.open,
            italic="italic" in self.open,
            superscript="superscript" in self.open,
        )
        last = self.runs[-1] if self.runs else None
        if last and (last.bold, last.italic, last.superscript) == (run.bold, run.italic, run.superscript):
            self.runs[-1] = Run(last.text + data, run.bold, run.italic, run.superscript)
        else:
            self.runs.append(run)


def parse_runs(line: str) -> tuple[Run, ...]:
    """``"xảy ra <b>07</b> vụ"`` → (Run("xảy ra "), Run("07", bold=True), Run(" vụ")). Runs of spaces
    become one space; leading and trailing spaces of the line are dropped."""
    parser = _RunParser()
    parser.feed(_SPACES.sub(" ", line).strip())
    parser.close()
    if parser.open:
        raise RenderError("Thiếu thẻ đóng cho <b>, <i> hoặc <sup> trong mẫu.")
    return tuple(parser.runs)


# ------------------------------------------------------------------ the clerks' editor (issue 14)
#
# A unit's narrative is stored as a block source (Contribution.text): literal text with the marks above,
# paragraphs separated by a blank line, and data fields as template tags (``{{ f.HS_VU.value|dem }}``).
# Clerks never see that source: the editor shows paragraphs, the marks and each tag as a "chip" (a
# ``<span class="bc-figure" data-src="{{ … }}">07</span>`` that reads as the value it prints). What the
# editor posts back is untrusted HTML: :func:`from_editor` sanitises it with nh3 to the allowed marks,
# turns chips back into their tags and everything else into literal text (a ``{`` typed or pasted by a
# clerk is written as ``&#123;`` so it can never start a tag).

EDITOR_TAGS = frozenset({"p", "div", "br", "b", "strong", "i", "em", "sup", "span"})
_MARKS = {"b": "b", "strong": "b", "i": "i", "em": "i", "sup": "sup"}
_BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"})
# One template tag as a chip carries it: an expression, a statement or a comment, without a second tag
# inside (so a chip's source is exactly one tag).
_TAG = re.compile(
    r"\{\{(?:(?!\{\{|\}\}|\{%|\{#).)*\}\}|\{%(?:(?!%\}|\{\{|\{%|\{#).)*%\}|\{#(?:(?!#\}).)*#\}", re.S
)
_BLANK = re.compile(r"\n[ \t]*\n")
_GUARDS = dict.fromkeys(map(ord, "\ufeff\u200b"), None)


def is_chip_source(source: str) -> bool:
    """Whether ``source`` is exactly one template tag (what a chip may carry)."""
    return _TAG.fullmatch(source) is not None


def literal(text: str) -> str:
    """Plain text as block source: HTML-escaped, and ``{`` as a character reference so it never opens a
    template tag."""
    return html.escape(text, quote=False).replace("{", "&#123;")


class _EditorParser(HTMLParser):
    """Cleaned editor HTML → block source (see :func:`from_editor`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = [[]]
        self.stack: list[str | None] = []  # the mark each open element wrote (None: wrote none)
        self.chip_depth = 0  # inside a chip: its text is the display, not content

    def _break(self) -> None:
        if self.paragraphs[-1]:
            # close the open marks at the paragraph's end and reopen them in the next one
            marks = [m for m in self.stack if m]
            self.paragraphs[-1].extend(f"</{m}>" for m in reversed(marks))
            self.paragraphs.append([f"<{m}>" for m in marks])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            if not self.chip_depth:
                self.paragraphs[-1].append("\n")
            return
        if self.chip_depth:
            self.chip_depth += 1
            self.stack.append(None)
            return
        if tag in _BLOCKS:
            self._break()
            self.stack.append(None)
            return
        source = dict(attrs).get("data-src") if tag == "span" else None
        if source is not None:
            source = nfc(source).strip()
            if is_chip_source(source):
                self.paragraphs[-1].append(source)
                self.chip_depth = 1
                self.stack.append(None)
                return
        mark = _MARKS.get(tag)
        if mark and mark in self.stack:
            mark = None  # <b> inside <b>: one level is enough
        if mark:
            self.paragraphs[-1].append(f"<{mark}>")
        self.stack.append(mark)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self.chip_depth:
            self.paragraphs[-1].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "br" or not self.stack:
            return
        mark = self.stack.pop()
        if self.chip_depth:
            self.chip_depth -= 1
            return
        if mark:
            self.paragraphs[-1].append(f"</{mark}>")
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.chip_depth:
            self.paragraphs[-1].append(literal(data.translate(_GUARDS)))


_EMPTY_MARKS = re.compile(r"<(b|i|sup)>\s*</\1>")
_SPACE_RUNS = re.compile(r"[ \t\u00a0]*\n[ \t\u00a0]*|[ \t\u00a0]{2,}")


def from_editor(html_text: str) -> str:
    """The editor's (untrusted) HTML → block source: only paragraphs, bold, italic, superscript and
    chips survive (scripts, styles and other tags go, their text stays); NFC; paragraphs joined by a
    blank line; empty paragraphs and empty marks dropped."""
    cleaned = nh3.clean(
        nfc(html_text),
        tags=set(EDITOR_TAGS | _BLOCKS),
        attributes={"span": {"data-src"}},
        clean_content_tags={"script", "style", "template", "noscript", "title", "head"},
        strip_comments=True,
        link_rel=None,
    )
    parser = _EditorParser()
    parser.feed(cleaned)
    parser.close()
    out = []
    for parts in parser.paragraphs:
        text = "".join(parts)
        previous = None
        while previous != text:  # "<b></b>" inside "<i>…</i>" may leave "<i></i>" behind
            previous, text = text, _EMPTY_MARKS.sub("", text)
        text = _SPACE_RUNS.sub(lambda m: "\n" if "\n" in m.group() else " ", text).strip()
        if text:
            out.append(text)
    return "\n\n".join(out)


@dataclass(frozen=True)
class Chip:
    """One template tag of a block source as the editor shows it."""

    source: str
    text: str  # what it prints (or a short Vietnamese word when it prints nothing or fails)
    ok: bool = True


def to_editor(source: str, show: Callable[[str], Chip]) -> str:
    """Block source → the editor's HTML: ``<p>`` per paragraph, the marks as they are, each template tag
    a chip whose text ``show`` gives. The paragraph is re-sanitised (a stored text may be old or hand
    made), so whatever was stored, only the allowed marks and the chips reach the page."""
    paragraphs: list[str] = []
    for chunk in _BLANK.split(source.replace("\r\n", "\n")):
        pieces: list[str] = []
        last = 0
        for match in _TAG.finditer(chunk):
            pieces.append(chunk[last : match.start()])
            chip = show(match.group())
            state = "" if chip.ok else ' data-problem="1"'
            pieces.append(
                f'<span class="bc-figure" data-src="{html.escape(match.group())}"'
                f' data-text="{html.escape(chip.text)}"{state}>{html.escape(chip.text)}</span>'
            )
            last = match.end()
        pieces.append(chunk[last:])
        body = nh3.clean(
            "".join(pieces),
            tags={"b", "strong", "i", "em", "sup", "span"},
            attributes={"span": {"class", "data-src", "data-text", "data-problem"}},
            link_rel=None,
        )
        body = " ".join(body.split())
        if body:
            paragraphs.append(f"<p>{body}</p>")
    return "".join(paragraphs)
