"""Sign a PDF: PAdES baseline B-B (B-T with a timestamp authority), as an incremental update.

:func:`sign_pdf` is the one entry point::

    with open_signer(source) as signer:
        placement = find_signature_block(pdf, "Lê Trí Thức", titles=("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"))
        stamp = leader_stamp(signer_name=..., organisation=..., signature_image=..., seal_image=...)
        signed = sign_pdf(pdf, signer, field_name="ChuKyLanhDao", stamp=stamp, placement=placement,
                          reason="Ban hành báo cáo", location="TP. Lạng Sơn",
                          expected_signer_name="Lê Trí Thức")

- The signature is a CAdES-detached CMS (``/SubFilter /ETSI.CAdES.detached``) over the whole file,
  SHA-256, with the signer's certificate chain embedded: PAdES B-B. With ``timestamp_url`` (an RFC 3161
  timestamp authority) the CMS also carries a signature timestamp: PAdES B-T.
- The original bytes are kept unchanged and the signature is appended (incremental update), so a
  PDF/A file stays PDF/A: sign last, after the conversion; the appearance's font is embedded.
- Before anything is written the certificate is checked at the signing time (expired / not yet valid)
  and, with ``expected_signer_name``, against the signer named in the report. Every failure is a
  :class:`~baocao.signing.errors.SigningError` with a Vietnamese message; nothing half-signed is returned.
- The signing time is the same in the signature dictionary (``/M``) and in the visible info line.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper, TimestampRequestError

from . import aio
from .errors import NotAPdfError, SigningError, TimestampError
from .keys import check_certificate_validity, check_signer_identity
from .placement import INFO_LINE_HEIGHT, Placement, Rect
from .stamp import Decree30StampStyle, Stamp, info_text_lines

__all__ = ["MAX_PDF_BYTES", "sign_pdf"]

MAX_PDF_BYTES = 100_000_000  # a monthly report with annexes is well under 10 MB
TIMESTAMP_TIMEOUT = 15  # seconds


class _KeepMetadataWriter(IncrementalPdfFileWriter):
    """An incremental writer that leaves the document's metadata as it was.

    pyHanko's writer appends "; pyHanko" to the Info dictionary's /Producer but writes only "pyHanko" to
    the XMP pdf:Producer, so the two no longer agree — which PDF/A forbids (ISO 19005-2 §6.6.3; veraPDF
    rule 6.6.2.3.1). Signing changes nothing the metadata describes (the signature has its own /M), so
    the metadata update is skipped: the Info dictionary and the XMP stream stay those of the PDF/A file.
    """

    def _update_meta(self) -> None:
        return None


def _check_pdf(pdf: bytes) -> None:
    if len(pdf) > MAX_PDF_BYTES:
        raise NotAPdfError(f"Tệp PDF quá lớn để ký (tối đa {MAX_PDF_BYTES // 1_000_000} MB).")
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise NotAPdfError("Tệp cần ký không phải tệp PDF.")


def _fit_text(placement: Placement, stamp: Stamp, signing_time: dt.datetime) -> Placement:
    """Grow the text area downwards when the info line wraps to more lines than it holds."""
    area = placement.text_area
    lines = info_text_lines(stamp, signing_time, area)
    needed = len(lines) * INFO_LINE_HEIGHT + 3
    if needed <= area.height:
        return placement
    extra = needed - area.height
    box = placement.box
    new_bottom = max(2.0, area.y1 - extra)
    return replace(
        placement,
        box=Rect(box.x1, min(box.y1, new_bottom), box.x2, box.y2),
        text_area=Rect(area.x1, new_bottom, area.x2, area.y2),
    )


def sign_pdf(
    pdf: bytes,
    signer: signers.Signer,
    *,
    field_name: str,
    stamp: Stamp | None = None,
    placement: Placement | None = None,
    reason: str = "",
    location: str = "",
    timestamp_url: str | None = None,
    timestamper: TimeStamper | None = None,
    signing_time: dt.datetime | None = None,
    expected_signer_name: str | None = None,
) -> bytes:
    """``pdf`` with a PAdES signature by ``signer`` appended (see the module docstring).

    ``field_name``: the new signature field's name (unique in the document); ``stamp`` and ``placement``:
    the visible signature (both or neither: without them the signature is invisible); ``reason`` and
    ``location``: written into the signature; ``timestamp_url`` (or a ready ``timestamper``): B-T;
    ``signing_time``: defaults to now; ``expected_signer_name``: refuse another person's certificate."""
    _check_pdf(pdf)
    if (stamp is None) != (placement is None):
        raise SigningError("Chữ ký hiển thị cần cả nội dung (stamp) và vị trí (placement).")
    signing_time = (signing_time or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    if signing_time.tzinfo is None:
        raise SigningError("Thời điểm ký phải có múi giờ.")
    cert = signer.signing_cert
    if cert is None:
        raise SigningError("Không đọc được chứng thư số của người ký.")
    check_certificate_validity(cert, signing_time)
    if expected_signer_name is not None:
        check_signer_identity(cert, expected_signer_name)

    try:
        writer = _KeepMetadataWriter(io.BytesIO(pdf), strict=False)
    except (PyHankoPdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise NotAPdfError("Tệp PDF bị hỏng, không ký được.") from exc
    if writer.prev.encrypted:
        raise NotAPdfError("Tệp PDF được đặt mật khẩu (mã hóa), không ký được.")
    try:
        filled = [name for name, *_ in fields.enumerate_sig_fields(writer.prev, filled_status=True)]
    except (PyHankoPdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise NotAPdfError("Tệp PDF bị hỏng, không ký được.") from exc
    if field_name in filled:
        raise SigningError(f"Văn bản đã có chữ ký số ở ô «{field_name}»; không ký đè lên chữ ký đã có.")

    style = None
    field_spec = fields.SigFieldSpec(
        sig_field_name=field_name,
        invis_sig_settings=fields.InvisSigSettings(set_print_flag=True, set_hidden_flag=False),
    )
    if stamp is not None and placement is not None:
        placement = _fit_text(placement, stamp, signing_time)
        style = Decree30StampStyle(stamp=stamp, placement=placement, signing_time=signing_time)
        box = placement.box
        field_spec = fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=placement.page,
            box=(round(box.x1, 2), round(box.y1, 2), round(box.x2, 2), round(box.y2, 2)),  # type: ignore[arg-type]
        )
    if timestamper is None and timestamp_url:
        timestamper = HTTPTimeStamper(timestamp_url, timeout=TIMESTAMP_TIMEOUT)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    pdf_signer = signers.PdfSigner(
        metadata, signer, timestamper=timestamper, stamp_style=style, new_field_spec=field_spec
    )
    try:
        return aio.run(_sign(pdf_signer, writer, signing_time))
    except SigningError:
        raise
    except TimestampRequestError as exc:
        raise TimestampError(
            f"Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian ({timestamp_url}): {exc}"
        ) from exc
    except PyHankoSigningError as exc:
        raise SigningError(f"Không ký được văn bản: {exc}") from exc
    except (PyHankoPdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise NotAPdfError(f"Tệp PDF có cấu trúc không ký được: {exc}") from exc


async def _sign(pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter, at: dt.datetime) -> bytes:
    """pyHanko's signing steps (``PdfSigner.async_sign_pdf``) with the signing time fixed to ``at``,
    so that the visible info line and the signature's ``/M`` agree."""
    session = pdf_signer.init_signing_session(writer)
    session.system_time = at
    validation_info = await session.perform_presign_validation(writer)
    bytes_reserved = await session.estimate_signature_container_size(validation_info, tight=False)
    tbs = session.prepare_tbs_document(validation_info=validation_info, bytes_reserved=bytes_reserved)
    prepared, output = tbs.digest_tbs_document(output=io.BytesIO())
    post = await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=at),
    )
    await post.post_signature_processing(output)
    output.seek(0)
    return output.read()
