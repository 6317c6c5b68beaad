"""The little markup a block may use: ``<b>``, ``<i>`` and ``<sup>`` around literal text.

A block renders with autoescape, so data (names, comments) arrives escaped (``&lt;``) and only tags the
template author wrote remain tags. :func:`parse_runs` turns one rendered line into formatted runs and
refuses any other tag, so nothing from the data can change the document's structure.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from baocao.reports.document import Run
from baocao.reports.rendering import RenderError

__all__ = ["ALLOWED_TAGS", "parse_runs"]

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
