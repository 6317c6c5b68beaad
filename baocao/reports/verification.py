"""Checking a signed PDF for people (the verification page and ``manage.py verify_pdf``): whether its
digital signature is valid, who signed, when, and whether the document was changed after signing — in
Vietnamese. :func:`baocao.signing.verify.verify_pdf` does the work against the configured trust roots
(``BAOCAO_SIGNING_TRUST_ROOTS``: the demo's test CA, or the national root CA in production); this module
bounds the input and turns the verdict into the lines both surfaces print."""

from __future__ import annotations

from dataclasses import dataclass

from baocao.signing import config as signing_config
from baocao.signing.stamp import iso_signing_time
from baocao.signing.verify import Verification, verify_pdf

__all__ = ["MAX_UPLOAD_BYTES", "Finding", "check_pdf", "findings"]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # an issued monthly report with its annex is well under 5 MB


@dataclass(frozen=True)
class Finding:
    """One line of the answer: a label ("Người ký") and its value."""

    label: str
    value: str


def check_pdf(data: bytes) -> Verification:
    """The verdict on ``data`` (never raises: garbage, a file too large, an unsigned or changed PDF each
    give ``valid=False`` with a Vietnamese message)."""
    if len(data) > MAX_UPLOAD_BYTES:
        return Verification(
            valid=False,
            messages=(f"Tệp quá lớn để kiểm tra (tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).",),
            is_pdf=False,
        )
    return verify_pdf(data, signing_config.trust_roots())


def _yes_no(value: bool) -> str:
    return "Có" if value else "Không"


def findings(result: Verification) -> list[Finding]:
    """The answer as labelled lines: verdict, signer, organisation, time, changed after signing, then one
    line per signature when there are several (e.g. the leader's and the organisation's)."""
    verdict = "HỢP LỆ" if result.valid else "KHÔNG HỢP LỆ"
    lines = [
        Finding("Kết quả", f"Chữ ký số {verdict}. {result.messages[0] if result.messages else ''}".strip())
    ]
    if not result.signed:
        return lines
    lines.append(Finding("Người ký", result.signer_name or "(không rõ)"))
    if result.organisation:
        lines.append(Finding("Cơ quan", result.organisation))
    when = iso_signing_time(result.signing_time) if result.signing_time else "(không rõ)"
    lines.append(Finding("Thời điểm ký", when))
    lines.append(Finding("Văn bản bị thay đổi sau khi ký", _yes_no(result.modified_after_signing)))
    lines.append(Finding("Chữ ký bao trùm toàn bộ tệp", _yes_no(result.covers_whole_file)))
    for n, signature in enumerate(result.signatures, start=1):
        at = iso_signing_time(signature.signing_time) if signature.signing_time else "(không rõ)"
        state = "hợp lệ" if signature.valid and signature.trusted and signature.intact else "không hợp lệ"
        lines.append(Finding(f"Chữ ký {n}", f"{signature.signer_name or '(không rõ)'}, {at}: {state}"))
    lines.extend(Finding("Chi tiết", message) for message in result.messages[1:])
    return lines
