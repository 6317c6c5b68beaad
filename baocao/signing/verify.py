"""Verify the digital signatures of a PDF, for people: who signed, when, whether it still holds.

:func:`verify_pdf` ``(pdf: bytes, trust_roots) -> Verification`` never raises: a file that is not a
PDF, is damaged, too large, unsigned, changed after signing or signed by an untrusted certificate each
gives ``valid=False`` and a Vietnamese sentence in ``messages``. It is meant for files uploaded by anyone
(the verification page): sizes are bounded and pyHanko reads with its limits for untrusted input.

``Verification`` fields:

- ``valid``: the file is signed, every signature is intact, cryptographically valid and from a trusted
  certificate, and nothing but further signatures was added after any of them;
- ``is_pdf``, ``signed``; ``intact`` (every signature's bytes still match), ``covers_whole_file`` (the
  last signature covers the file up to its end);
- ``signer_name``, ``signing_time``, ``organisation`` of the last signature (``signatures`` has all);
- ``modified_after_signing``: content was changed after a signature (more than adding signatures);
- ``messages``: one Vietnamese sentence per finding, the verdict first;
- ``signatures``: one :class:`SignatureReport` per signature, in signing order.

Trust: ``trust_roots`` are the CA certificates to trust (paths to PEM/DER files, bytes, or asn1crypto
certificates): for the demo, the demo CA; in production, the national root CA (Root CA of the Ministry
of Information and Communications / Ban Cơ yếu Chính phủ) configured in ``BAOCAO_SIGNING_TRUST_ROOTS``.
Revocation is checked only when the certificate points to a CRL/OCSP that can be fetched
(``allow_fetching``); by default it is not fetched and that is not held against the signature.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from baocao.core.text import clean

from . import aio
from .keys import certificate_holder
from .stamp import iso_signing_time

__all__ = ["MAX_VERIFY_BYTES", "SignatureReport", "Verification", "load_trust_roots", "verify_pdf"]

logger = logging.getLogger(__name__)

MAX_VERIFY_BYTES = 50_000_000
MAX_SIGNATURES = 20
_HEADER_WINDOW = 1024  # the PDF header may follow a little garbage, as readers accept

TrustRoot: TypeAlias = Path | str | bytes | x509.Certificate


@dataclass(frozen=True)
class SignatureReport:
    """One signature of the file."""

    field_name: str
    signer_name: str
    organisation: str
    signing_time: dt.datetime | None
    timestamp_time: dt.datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    modified_after_signing: bool
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Verification:
    """The verdict on a file (see the module docstring)."""

    valid: bool
    messages: tuple[str, ...]
    is_pdf: bool = True
    signed: bool = False
    intact: bool = False
    covers_whole_file: bool = False
    signer_name: str = ""
    organisation: str = ""
    signing_time: dt.datetime | None = None
    modified_after_signing: bool = False
    signatures: tuple[SignatureReport, ...] = field(default=())


def load_trust_roots(roots: Iterable[TrustRoot]) -> list[x509.Certificate]:
    """asn1crypto certificates from paths (PEM, possibly several per file, or DER), bytes or certificates.

    Unreadable entries are skipped (logged): a missing trust root makes signatures untrusted, it does not
    crash the page."""
    certs: list[x509.Certificate] = []
    for root in roots:
        if isinstance(root, x509.Certificate):
            certs.append(root)
            continue
        try:
            data = Path(root).read_bytes() if isinstance(root, Path | str) else root
            if pem.detect(data):
                certs.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
            else:
                certs.append(x509.Certificate.load(data))
        except (OSError, ValueError, TypeError) as exc:
            logger.warning("Không đọc được chứng thư gốc tin cậy %r: %s", root, exc)
    return certs


def _organisation(cert: x509.Certificate) -> str:
    value = cert.subject.native.get("organization_name", "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return clean(str(value))


def _fail(message: str, *, is_pdf: bool = True) -> Verification:
    return Verification(valid=False, messages=(message,), is_pdf=is_pdf)


def verify_pdf(
    pdf: bytes,
    trust_roots: Iterable[TrustRoot],
    *,
    allow_fetching: bool = False,
    at: dt.datetime | None = None,
) -> Verification:
    """The verdict on ``pdf``'s signatures (never raises; see the module docstring).

    ``at``: the validation time (default now); ``allow_fetching``: fetch CRL/OCSP over the network."""
    if len(pdf) > MAX_VERIFY_BYTES:
        return _fail(f"Tệp quá lớn để kiểm tra (tối đa {MAX_VERIFY_BYTES // 1_000_000} MB).", is_pdf=False)
    if b"%PDF-" not in pdf[:_HEADER_WINDOW]:
        return _fail("Tệp này không phải tệp PDF.", is_pdf=False)
    try:
        roots = load_trust_roots(trust_roots)
        return aio.run(_verify(pdf, roots, allow_fetching=allow_fetching, at=at))
    except Exception:  # hostile input: any failure of the PDF parser or validator is a verdict, not a 500
        logger.info("Kiểm tra chữ ký: tệp PDF không đọc được", exc_info=True)
        return _fail("Tệp PDF bị hỏng hoặc có cấu trúc không đọc được, không kiểm tra được chữ ký.")


async def _verify(
    pdf: bytes, roots: Sequence[x509.Certificate], *, allow_fetching: bool, at: dt.datetime | None
) -> Verification:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    if reader.encrypted:
        return _fail("Tệp PDF được đặt mật khẩu (mã hóa), không kiểm tra được chữ ký.")
    embedded = reader.embedded_regular_signatures[:MAX_SIGNATURES]
    if not embedded:
        return Verification(
            valid=False,
            messages=("Tệp PDF không có chữ ký số.",),
            signed=False,
        )
    reports: list[SignatureReport] = []
    for signature in embedded:
        context = ValidationContext(
            trust_roots=list(roots),
            allow_fetching=allow_fetching,
            revocation_mode="soft-fail",
            moment=at,
        )
        status = await async_validate_pdf_signature(signature, signer_validation_context=context)
        reports.append(_report(signature.field_name, status))
    last = reports[-1]
    intact = all(r.intact for r in reports)
    modified = any(r.modified_after_signing for r in reports)
    valid = (
        all(r.valid and r.trusted and r.intact for r in reports) and not modified and last.covers_whole_file
    )
    if valid and len(reports) == 1:
        when = iso_signing_time(last.signing_time) if last.signing_time else "(không rõ thời điểm)"
        verdict = (
            f"Chữ ký số hợp lệ: văn bản do {last.signer_name} ký lúc {when} và không bị thay đổi sau khi ký."
        )
    elif valid:
        names = ", ".join(dict.fromkeys(r.signer_name for r in reports))
        verdict = f"{len(reports)} chữ ký số hợp lệ: văn bản do {names} ký và không bị thay đổi sau khi ký."
    elif not intact or modified:
        verdict = "Chữ ký số KHÔNG hợp lệ: văn bản đã bị thay đổi sau khi ký."
    elif all(r.valid and r.trusted for r in reports) and not last.covers_whole_file:
        verdict = (
            "Chữ ký số KHÔNG hợp lệ: tệp có thêm dữ liệu sau chữ ký cuối cùng (không phải một chữ ký số), "
            "nên tệp không còn đúng như khi ký; hãy dùng bản gốc tải từ hệ thống."
        )
    else:
        verdict = "Chữ ký số KHÔNG hợp lệ."
    messages = [verdict]
    for report in reports:
        messages.extend(report.messages)
    return Verification(
        valid=valid,
        messages=tuple(dict.fromkeys(messages)),
        signed=True,
        intact=intact,
        covers_whole_file=last.covers_whole_file,
        signer_name=last.signer_name,
        organisation=last.organisation,
        signing_time=last.signing_time,
        modified_after_signing=modified or not intact,
        signatures=tuple(reports),
    )


def _report(field_name: str, status: PdfSignatureStatus) -> SignatureReport:
    cert = status.signing_cert
    holder = certificate_holder(cert)
    signing_time = status.signer_reported_dt
    timestamp_time = status.timestamp_validity.timestamp if status.timestamp_validity else None
    covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    modified = not covers and (
        isinstance(status.diff_result, SuspiciousModification)
        or level is None
        or level
        not in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
        or status.docmdp_ok is False
    )
    messages: list[str] = []
    who = f"Chữ ký «{field_name}» của {holder}"
    if not status.intact:
        messages.append(f"{who}: nội dung văn bản không còn khớp với chữ ký — văn bản đã bị sửa sau khi ký.")
    elif not status.valid:
        messages.append(f"{who}: chữ ký không hợp lệ về mật mã (chữ ký hoặc thuật toán không đúng).")
    if modified:
        messages.append(f"{who}: văn bản đã bị sửa đổi sau khi ký (không chỉ thêm chữ ký khác).")
    if status.intact and status.valid and not status.trusted:
        messages.append(_trust_message(who, status))
    if not messages:
        when = iso_signing_time(signing_time) if signing_time else "(không rõ thời điểm)"
        later = "" if covers else "; phần đã ký không đổi, nhưng sau chữ ký này tệp còn được thêm dữ liệu"
        messages.append(f"{who}: hợp lệ, ký lúc {when}, chứng thư số tin cậy{later}.")
    if timestamp_time is not None:
        messages.append(
            f"{who}: có dấu thời gian của tổ chức cấp dấu thời gian: {iso_signing_time(timestamp_time)}."
        )
    return SignatureReport(
        field_name=field_name,
        signer_name=holder,
        organisation=_organisation(cert),
        signing_time=signing_time,
        timestamp_time=timestamp_time,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        covers_whole_file=covers,
        modified_after_signing=modified,
        messages=tuple(messages),
    )


def _trust_message(who: str, status: PdfSignatureStatus) -> str:
    cert = status.signing_cert
    validity = cert["tbs_certificate"]["validity"]
    not_after: dt.datetime = validity["not_after"].native
    not_before: dt.datetime = validity["not_before"].native
    now = status.validation_time or dt.datetime.now(dt.UTC)
    if now > not_after:
        return f"{who}: chứng thư số đã hết hạn ngày {not_after.astimezone(dt.UTC):%d/%m/%Y}."
    if now < not_before:
        return f"{who}: chứng thư số chưa có hiệu lực (từ ngày {not_before.astimezone(dt.UTC):%d/%m/%Y})."
    if status.revocation_details is not None:
        return f"{who}: chứng thư số đã bị thu hồi."
    issuer = clean(cert.issuer.human_friendly)
    return (
        f"{who}: chứng thư số không do tổ chức chứng thực tin cậy cấp (cấp bởi: {issuer}); "
        "không xác nhận được người ký."
    )
