"""Where the signing key comes from: a PKCS#12 file or a PKCS#11 token (USB token, HSM, SoftHSM).

API:

- :class:`SignerSource` — the configuration of one key: ``SignerSource.pkcs12(path, password)`` or
  ``SignerSource.pkcs11(library, token_label, key_label, pin, ca_certs=(...))`` (an empty
  ``key_label``: the token's only signing key, found by its ID, with the certificate of the same ID);
  its ``repr`` hides the password and the PIN.
- :func:`open_signer` — a context manager that yields a pyHanko ``Signer`` whose certificate has been
  read (so the errors below surface here, not in the middle of signing) and closes the token session
  afterwards::

      with open_signer(source) as signer:
          signed = sign_pdf(pdf, signer, ...)

  Errors (all :class:`~baocao.signing.errors.SigningError`, with Vietnamese messages):
  :class:`WrongPasswordError` ("Mật khẩu / mã PIN không đúng."), :class:`TokenNotFoundError`,
  :class:`KeyNotFoundError`, :class:`SigningConfigError` (file or library missing).
- :func:`check_certificate_validity` — :class:`CertificateExpiredError` /
  :class:`CertificateNotYetValidError` when the certificate is not valid at the signing time.
- :func:`check_signer_identity` — :class:`SignerMismatchError` when the certificate's holder (its
  common name) is not the signer named in the report (compared after NFC, whitespace and case folding;
  accents count: "Lê Trí Thức" is not "Lê Trí Thúc").
- :func:`certificate_holder` — the certificate's common name (or the whole subject when it has none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pkcs11
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from baocao.core.text import clean

from .errors import (
    CertificateExpiredError,
    CertificateNotYetValidError,
    KeyNotFoundError,
    SignerMismatchError,
    SigningConfigError,
    TokenNotFoundError,
    WrongPasswordError,
)

__all__ = [
    "SignerSource",
    "certificate_holder",
    "check_certificate_validity",
    "check_signer_identity",
    "open_signer",
]

MAX_PKCS12_BYTES = 1_000_000  # a PKCS#12 file with a key and a few certificates is a few kilobytes
_TIME_FORMAT = "%d/%m/%Y %H:%M"


@dataclass(frozen=True)
class SignerSource:
    """One signing key: a PKCS#12 file (``kind="pkcs12"``) or a key on a PKCS#11 token (``"pkcs11"``)."""

    kind: Literal["pkcs12", "pkcs11"]
    path: Path | None = None
    password: str = field(default="", repr=False)
    library: str = ""
    token_label: str = ""
    key_label: str = ""
    pin: str = field(default="", repr=False)
    ca_certs: tuple[Path, ...] = ()

    @classmethod
    def pkcs12(cls, path: Path | str, password: str) -> SignerSource:
        """A key and certificate (and its CA chain) in a password-protected PKCS#12 (.p12/.pfx) file."""
        return cls(kind="pkcs12", path=Path(path), password=password)

    @classmethod
    def pkcs11(
        cls,
        library: str,
        token_label: str,
        key_label: str,
        pin: str,
        *,
        ca_certs: tuple[Path, ...] = (),
    ) -> SignerSource:
        """A key on a PKCS#11 token: the module (.so), the token's label, the key's (and its
        certificate's) label, the user PIN; ``ca_certs``: PEM/DER files of the issuing CAs to embed."""
        return cls(
            kind="pkcs11",
            library=library,
            token_label=token_label,
            key_label=key_label,
            pin=pin,
            ca_certs=tuple(Path(p) for p in ca_certs),
        )


def certificate_holder(cert: x509.Certificate) -> str:
    """The holder's name: the certificate's common name (the whole subject when it has none)."""
    subject = cert.subject.native
    name = subject.get("common_name") or cert.subject.human_friendly
    if isinstance(name, list):  # several CN attributes: the last is the most specific
        name = name[-1]
    return clean(str(name))


def check_signer_identity(cert: x509.Certificate, expected_name: str) -> None:
    """:class:`SignerMismatchError` unless the certificate belongs to ``expected_name``."""
    holder = certificate_holder(cert)
    if clean(expected_name).casefold() != holder.casefold():
        raise SignerMismatchError(
            f"Chứng thư số là của {holder}, không phải của người ký ghi trong báo cáo "
            f"({clean(expected_name)}). Hãy dùng chứng thư số của người ký hoặc sửa người ký."
        )


def check_certificate_validity(cert: x509.Certificate, at: dt.datetime) -> None:
    """:class:`CertificateExpiredError` / :class:`CertificateNotYetValidError` unless ``cert`` is
    valid at ``at`` (the signing time)."""
    validity = cert["tbs_certificate"]["validity"]
    not_before: dt.datetime = validity["not_before"].native
    not_after: dt.datetime = validity["not_after"].native
    holder = certificate_holder(cert)
    if at < not_before:
        raise CertificateNotYetValidError(
            f"Chứng thư số của {holder} chưa có hiệu lực: hiệu lực từ "
            f"{not_before.strftime(_TIME_FORMAT)} (UTC), thời điểm ký là {at.strftime(_TIME_FORMAT)}."
        )
    if at > not_after:
        raise CertificateExpiredError(
            f"Chứng thư số của {holder} đã hết hạn ngày {not_after.strftime(_TIME_FORMAT)} (UTC); "
            "không ký được bằng chứng thư đã hết hạn."
        )


def _open_pkcs12(source: SignerSource) -> signers.SimpleSigner:
    path = source.path
    if path is None or not path.is_file():
        raise SigningConfigError(f"Không tìm thấy tệp khóa ký số (PKCS#12) {path}.")
    if path.stat().st_size > MAX_PKCS12_BYTES:
        raise KeyNotFoundError(f"Tệp {path.name} quá lớn, không phải tệp khóa ký số PKCS#12.")
    data = path.read_bytes()
    try:
        # The structure first: if it is not PKCS#12 at all, a wrong password is not the problem.
        asn1_pkcs12.Pfx.load(data).native  # noqa: B018 (parses the whole structure)
    except (ValueError, TypeError, KeyError) as exc:
        raise KeyNotFoundError(f"Tệp {path.name} không phải tệp khóa ký số PKCS#12 (.p12, .pfx).") from exc
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=source.password.encode() or None
        )
    except ValueError as exc:
        raise WrongPasswordError() from exc
    if signer.signing_cert is None:
        raise KeyNotFoundError(f"Tệp {path.name} không có chứng thư số của người ký.")
    return signer


def _ca_chain(source: SignerSource) -> list[x509.Certificate]:
    missing = [str(p) for p in source.ca_certs if not p.is_file()]
    if missing:
        raise SigningConfigError(f"Không tìm thấy tệp chứng thư CA: {', '.join(missing)}.")
    return list(load_certs_from_pemder([str(p) for p in source.ca_certs]))


@contextmanager
def _open_pkcs11(source: SignerSource) -> Iterator[PKCS11Signer]:
    if not source.library or not Path(source.library).is_file():
        raise SigningConfigError(
            f"Không tìm thấy thư viện PKCS#11 của token: {source.library or '(chưa đặt)'}."
        )
    ca_chain = _ca_chain(source)
    try:
        session = open_pkcs11_session(
            source.library, token_criteria=TokenCriteria(label=source.token_label), user_pin=source.pin
        )
    except (
        pkcs11.exceptions.PinIncorrect,
        pkcs11.exceptions.PinInvalid,
        pkcs11.exceptions.PinLenRange,
    ) as exc:
        raise WrongPasswordError() from exc
    except pkcs11.exceptions.PinLocked as exc:
        raise WrongPasswordError("Mã PIN của token đã bị khóa do nhập sai nhiều lần.") from exc
    except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
        raise TokenNotFoundError(
            f"Không tìm thấy token ký số có nhãn «{source.token_label}». Hãy cắm token và thử lại."
        ) from exc
    try:
        if source.key_label:
            signer = PKCS11Signer(session, key_label=source.key_label, ca_chain=ca_chain)
        else:
            signer = PKCS11Signer(session, key_id=_only_key_id(session, source), ca_chain=ca_chain)
        try:
            signer.signing_cert  # noqa: B018 (reads the key and the certificate from the token now)
        except (pkcs11.PKCS11Error, PyHankoSigningError) as exc:
            raise KeyNotFoundError(
                f"Token «{source.token_label}» không có khóa ký số và chứng thư số "
                f"có nhãn «{source.key_label}»."
                if source.key_label
                else f"Token «{source.token_label}» không có chứng thư số đi kèm khóa ký số."
            ) from exc
        yield signer
    finally:
        session.close()


def _only_key_id(session: pkcs11.Session, source: SignerSource) -> bytes:
    """The ID of the token's one signing key (a USB token usually holds one), when no label is given."""
    keys = list(session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY}))
    if len(keys) != 1:
        raise KeyNotFoundError(
            f"Token «{source.token_label}» có {len(keys)} khóa ký số: hãy ghi nhãn của khóa cần dùng "
            "(BAOCAO_SIGNING_PKCS11_KEY)."
            if keys
            else f"Token «{source.token_label}» không có khóa ký số nào."
        )
    try:
        return bytes(keys[0][pkcs11.Attribute.ID])
    except (pkcs11.PKCS11Error, KeyError) as exc:
        raise KeyNotFoundError(
            f"Khóa ký số trên token «{source.token_label}» không có mã (ID): hãy ghi nhãn của khóa."
        ) from exc


@contextmanager
def open_signer(source: SignerSource) -> Iterator[signers.Signer]:
    """The pyHanko signer of ``source``, its certificate loaded; the token session closes on exit."""
    if source.kind == "pkcs12":
        yield _open_pkcs12(source)
    elif source.kind == "pkcs11":
        with _open_pkcs11(source) as signer:
            yield signer
    else:
        raise SigningConfigError(f"Nguồn khóa ký số không hợp lệ: {source.kind!r} (chỉ pkcs12 hoặc pkcs11).")
