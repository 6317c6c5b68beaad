"""Digital signing (ký số) of issued PDFs with pyHanko, and their verification (issue 18).

A library without models or pages: keys from PKCS#12 files or PKCS#11 tokens, the Decree 30 visible stamp,
PAdES signatures and their validation in Vietnamese. The issuing flow lives in `baocao.reports`.

Modules (each documents its API):

- ``keys``: :class:`SignerSource`, :func:`open_signer` (context manager yielding a pyHanko signer),
  :func:`check_signer_identity`, :func:`check_certificate_validity`;
- ``placement``: :func:`find_signature_block` (the leader's signature, found from the signer's name in
  the PDF), :func:`find_top_right` (the organisation's signature on copies and annexes);
- ``stamp``: :func:`leader_stamp`, :func:`attachment_stamp` (annexes), :func:`organisation_stamp` (copies):
  what the visible signature shows;
- ``sign``: :func:`sign_pdf` (PAdES B-B, B-T with a timestamp URL; incremental);
- ``verify``: :func:`verify_pdf` (never raises; Vietnamese messages);
- ``errors``: :class:`SigningError` and its subclasses;
- ``config``: the installation's sources, trust roots, TSA and images from the ``BAOCAO_SIGNING_*``
  settings;
- ``demo_pki``: the demo's throw-away CA, keys and sample images (``manage.py make_demo_pki``).
"""

from .errors import (
    CertificateExpiredError,
    CertificateNotYetValidError,
    CertificateValidityError,
    KeyNotFoundError,
    NotAPdfError,
    SignerMismatchError,
    SigningConfigError,
    SigningError,
    TimestampError,
    TokenNotFoundError,
    WrongPasswordError,
)
from .keys import SignerSource, check_certificate_validity, check_signer_identity, open_signer
from .placement import Placement, PlacementNotFoundError, Rect, find_signature_block, find_top_right
from .sign import sign_pdf
from .stamp import Stamp, attachment_stamp, iso_signing_time, leader_stamp, organisation_stamp
from .verify import SignatureReport, Verification, verify_pdf

__all__ = [
    "CertificateExpiredError",
    "CertificateNotYetValidError",
    "CertificateValidityError",
    "KeyNotFoundError",
    "NotAPdfError",
    "Placement",
    "PlacementNotFoundError",
    "Rect",
    "SignatureReport",
    "SignerMismatchError",
    "SignerSource",
    "SigningConfigError",
    "SigningError",
    "Stamp",
    "TimestampError",
    "TokenNotFoundError",
    "Verification",
    "WrongPasswordError",
    "attachment_stamp",
    "check_certificate_validity",
    "check_signer_identity",
    "find_signature_block",
    "find_top_right",
    "iso_signing_time",
    "leader_stamp",
    "open_signer",
    "organisation_stamp",
    "sign_pdf",
    "verify_pdf",
]
