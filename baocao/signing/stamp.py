"""The visible signature of Decree 30/2020 (Phụ lục I; vn-rules.md §2.3).

Two kinds (:class:`Stamp`):

- :func:`leader_stamp` — the leader's signature on the issued document: the signer's signature image
  (blue, transparent PNG) between the title and the name, the organisation's red seal (transparent PNG,
  at its real size, about 35 mm) over about the left third of it, and an info line in Times New Roman
  10 pt, black, upright: the signer, the organisation and the signing time in ISO 8601 with the Vietnam
  offset ("2020-06-05T09:30:00+07:00");
- :func:`attachment_stamp` — the organisation's signature on an annex signed as a file of its own, at
  the top right of its first page: no image, the number and code of the document it belongs to and the
  signing time (what Decree 30 shows on electronic attachments);
- :func:`organisation_stamp` — the organisation's signature on copies, at the top right of the first
  page: the organisation, the document's number (when given) and the signing time, in the same font; the
  seal image is optional (not shown by default).

A stamp is drawn into the rectangle chosen by :mod:`baocao.signing.placement` by
:class:`Decree30StampStyle`, a pyHanko stamp style; :func:`baocao.signing.sign.sign_pdf` puts them
together. The font is embedded (:mod:`baocao.signing.fonts`), so the signed file stays PDF/A.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import pil_image
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle

from baocao.core.text import clean

from .errors import SigningConfigError
from .fonts import EmbeddedFont, find_font
from .placement import INFO_LINE_HEIGHT, SEAL_SIZE, Placement, Rect

__all__ = [
    "FONT_SIZE",
    "VIETNAM",
    "Decree30StampStyle",
    "Stamp",
    "attachment_stamp",
    "iso_signing_time",
    "leader_stamp",
    "organisation_stamp",
]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_SIZE = 10.0
MAX_IMAGE_BYTES = 10_000_000
MAX_IMAGE_SIDE = 1000  # pixels kept in the PDF: sharp at the printed size, small file


def iso_signing_time(at: dt.datetime) -> str:
    """The signing time as Decree 30 prints it: ISO 8601, seconds, Vietnam's offset."""
    return at.astimezone(VIETNAM).isoformat(timespec="seconds")


def _load_image(image: Path | bytes | Image.Image | None, what: str) -> Image.Image | None:
    if image is None or isinstance(image, Image.Image):
        return image
    if isinstance(image, Path):
        if not image.is_file():
            raise SigningConfigError(f"Không tìm thấy tệp {what}: {image}.")
        if image.stat().st_size > MAX_IMAGE_BYTES:
            raise SigningConfigError(f"Tệp {what} quá lớn (tối đa 10 MB): {image}.")
        image = image.read_bytes()
    try:
        opened = Image.open(io.BytesIO(image))
        opened.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise SigningConfigError(f"Tệp {what} không phải ảnh PNG/JPEG đọc được.") from exc
    loaded = opened.convert("RGBA")
    loaded.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    return loaded


@dataclass(frozen=True)
class Stamp:
    """What a visible signature shows (build it with :func:`leader_stamp` or :func:`organisation_stamp`)."""

    kind: Literal["leader", "organisation", "attachment"]
    organisation: str
    signer_name: str = ""
    document_number: str = ""
    signature_image: Image.Image | None = field(default=None, compare=False, repr=False)
    seal_image: Image.Image | None = field(default=None, compare=False, repr=False)

    def info_lines(self, signing_time: dt.datetime) -> list[str]:
        """The info line's parts, before wrapping ("chữ in thường, kiểu chữ đứng, cỡ chữ 10")."""
        when = f"Thời gian ký: {iso_signing_time(signing_time)}"
        if self.kind == "leader":
            return [f"Người ký: {self.signer_name}", f"Cơ quan: {self.organisation}", when]
        if self.kind == "attachment":
            return [f"Số, ký hiệu: {self.document_number}", when]
        lines = [f"Cơ quan: {self.organisation}"]
        if self.document_number:
            lines.append(f"Số, ký hiệu: {self.document_number}")
        return [*lines, when]


def leader_stamp(
    *,
    signer_name: str,
    organisation: str,
    signature_image: Path | bytes | Image.Image | None,
    seal_image: Path | bytes | Image.Image | None,
) -> Stamp:
    """The leader's visible signature: signature image, the seal over its left third, the info line."""
    return Stamp(
        kind="leader",
        organisation=clean(organisation),
        signer_name=clean(signer_name),
        signature_image=_load_image(signature_image, "ảnh chữ ký"),
        seal_image=_load_image(seal_image, "ảnh con dấu"),
    )


def organisation_stamp(
    *,
    organisation: str,
    document_number: str = "",
    seal_image: Path | bytes | Image.Image | None = None,
) -> Stamp:
    """The organisation's visible signature for copies and annexes (top right of the first page)."""
    return Stamp(
        kind="organisation",
        organisation=clean(organisation),
        document_number=clean(document_number),
        seal_image=_load_image(seal_image, "ảnh con dấu"),
    )


def attachment_stamp(*, document_number: str) -> Stamp:
    """The organisation's signature on an attachment signed as a file of its own (an annex): Decree 30
    shows no image, only the number and code of the document it belongs to and the signing time, at
    the top right of its first page (vn-rules.md, "Electronic attachments")."""
    return Stamp(kind="attachment", organisation="", document_number=clean(document_number))


def wrap(text: str, font: EmbeddedFont, width: float, size: float = FONT_SIZE) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a long word stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and font.width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def text_column(stamp: Stamp, area: Rect) -> tuple[float, float]:
    """(left edge, width) of the info lines in ``area``: beside the seal when the organisation's
    stamp shows one, else the whole width."""
    left = area.x1
    if stamp.kind == "organisation" and stamp.seal_image is not None:
        left += area.height + 4
    return left, area.x2 - left


def info_text_lines(stamp: Stamp, signing_time: dt.datetime, area: Rect) -> list[str]:
    """The info lines as they are printed in ``area`` (wrapped to its text column)."""
    font = EmbeddedFont(find_font())
    _, width = text_column(stamp, area)
    return [line for part in stamp.info_lines(signing_time) for line in wrap(part, font, width)]


@dataclass(frozen=True)
class Decree30StampStyle(BaseStampStyle):
    """A pyHanko stamp style that draws :class:`Stamp` into the areas of a :class:`Placement`.

    ``signing_time`` must be the time written into the signature (``sign_pdf`` sees to it)."""

    stamp: Stamp | None = None
    placement: Placement | None = None
    signing_time: dt.datetime | None = None
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict[str, Any]
    ) -> Decree30Appearance:
        return Decree30Appearance(writer=writer, style=self, box=box)


class Decree30Appearance(BaseStamp):
    """The appearance stream of one visible signature."""

    style: Decree30StampStyle

    def render(self) -> bytes:
        style = self.style
        stamp, placement, signing_time = style.stamp, style.placement, style.signing_time
        if stamp is None or placement is None or signing_time is None:
            raise SigningConfigError("Thiếu nội dung hoặc vị trí của chữ ký hiển thị.")
        writer = self._ensure_writer
        origin = placement.box
        commands: list[bytes] = [b"q"]
        if stamp.kind == "leader":
            commands += self._leader_images(
                stamp, placement.image_area.relative_to(origin), placement, writer
            )
        elif stamp.seal_image is not None:
            commands += self._seal_left(stamp.seal_image, Rect(0, 0, origin.width, origin.height), writer)
        commands += self._text(stamp, signing_time, placement, writer)
        commands.append(b"Q")
        return b"\n".join(commands)

    def _image(self, image: Image.Image, name: str, rect: Rect, writer: BasePdfFileWriter) -> bytes:
        self.set_resource(ResourceType.XOBJECT, pdf_name(f"/{name}"), pil_image(image, writer))
        return b"q %.2f 0 0 %.2f %.2f %.2f cm /%s Do Q" % (
            rect.width,
            rect.height,
            rect.x1,
            rect.y1,
            name.encode("ascii"),
        )

    def _leader_images(
        self, stamp: Stamp, area: Rect, placement: Placement, writer: BasePdfFileWriter
    ) -> list[bytes]:
        commands: list[bytes] = []
        gap_top = (placement.gap_top - placement.box.y1) if placement.gap_top else area.y2
        sig_height = max(12.0, min(gap_top - area.y1 - 2, 80.0))
        signature = stamp.signature_image
        sig_rect = Rect(area.x1, area.y1 + 1, area.x1, area.y1 + 1 + sig_height)
        if signature is not None:
            ratio = signature.width / signature.height
            sig_width = min(sig_height * ratio, area.width * 0.8)
            sig_height = sig_width / ratio
            x1 = area.x1 + (area.width - sig_width) / 2
            y1 = area.y1 + 1 + max(0.0, (gap_top - area.y1 - 2 - sig_height) / 2)
            sig_rect = Rect(x1, y1, x1 + sig_width, y1 + sig_height)
            commands.append(self._image(signature, "ChuKy", sig_rect, writer))
        if stamp.seal_image is not None:
            diameter = min(SEAL_SIZE, area.height)
            right = sig_rect.x1 + sig_rect.width / 3  # the seal covers about the left third
            x1 = max(area.x1, right - diameter)
            centre_y = (sig_rect.y1 + sig_rect.y2) / 2
            y1 = min(max(area.y1, centre_y - diameter / 2), area.y2 - diameter)
            ratio = stamp.seal_image.width / stamp.seal_image.height
            commands.append(
                self._image(
                    stamp.seal_image, "ConDau", Rect(x1, y1, x1 + diameter * ratio, y1 + diameter), writer
                )
            )
        return commands

    def _seal_left(self, seal: Image.Image, area: Rect, writer: BasePdfFileWriter) -> list[bytes]:
        size = area.height
        return [self._image(seal, "ConDau", Rect(area.x1, area.y1, area.x1 + size, area.y1 + size), writer)]

    def _text(
        self, stamp: Stamp, signing_time: dt.datetime, placement: Placement, writer: BasePdfFileWriter
    ) -> list[bytes]:
        area = placement.text_area.relative_to(placement.box)
        font = EmbeddedFont(find_font())
        left, width = text_column(stamp, area)
        lines = [line for part in stamp.info_lines(signing_time) for line in wrap(part, font, width)]
        commands = [b"BT", b"0 g", b"/F1 %.1f Tf" % FONT_SIZE]
        baseline = area.y2 - FONT_SIZE * font.ascent / 1000 - 1
        for index, line in enumerate(lines):
            line_width = font.width(line, FONT_SIZE)
            x = left + (width - line_width) / 2 if stamp.kind == "leader" else left
            y = baseline - index * INFO_LINE_HEIGHT
            commands.append(b"1 0 0 1 %.2f %.2f Tm %s Tj" % (x, y, font.encode(line)))
        commands.append(b"ET")
        self.set_resource(ResourceType.FONT, pdf_name("/F1"), font.register(writer))
        return commands

    def as_form_xobject(self) -> generic.StreamObject:
        # ``render`` first: it adds the fonts and images to the resources the form XObject lists.
        stream = self.render()
        from_writer = generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject(
                    [
                        generic.FloatObject(0),
                        generic.FloatObject(0),
                        generic.FloatObject(self.box.width),
                        generic.FloatObject(self.box.height),
                    ]
                ),
                pdf_name("/Resources"): self.resources.as_pdf_object(),
            },
            stream_data=stream,
        )
        from_writer.compress()
        return from_writer
