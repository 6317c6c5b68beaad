"""What can go wrong while signing, each with a Vietnamese message for the person who signs.

Every exception is a :class:`SigningError`; ``str(error)`` is the message to show. Catch the subclasses
to react differently (e.g. ask again for the password on :class:`WrongPasswordError`).
"""

from __future__ import annotations

__all__ = [
    "CertificateExpiredError",
    "CertificateNotYetValidError",
    "CertificateValidityError",
    "KeyNotFoundError",
    "NotAPdfError",
    "SignerMismatchError",
    "SigningConfigError",
    "SigningError",
    "TimestampError",
    "TokenNotFoundError",
    "WrongPasswordError",
]


class SigningError(Exception):
    """Signing failed; the message says why, in Vietnamese."""


class SigningConfigError(SigningError):
    """The server is not set up for signing (a key file, library, image or font is missing)."""


class WrongPasswordError(SigningError):
    """The PKCS#12 password or the token PIN is wrong."""

    def __init__(self, message: str = "Mật khẩu / mã PIN không đúng.") -> None:
        super().__init__(message)


class TokenNotFoundError(SigningError):
    """No PKCS#11 token with the configured label is plugged in."""


class KeyNotFoundError(SigningError):
    """The token or file holds no key (or no certificate) with the configured label."""


class CertificateValidityError(SigningError):
    """The certificate is not valid at the signing time."""


class CertificateExpiredError(CertificateValidityError):
    """The certificate expired before the signing time."""


class CertificateNotYetValidError(CertificateValidityError):
    """The certificate becomes valid only after the signing time."""


class SignerMismatchError(SigningError):
    """The certificate belongs to someone other than the signer named in the report."""


class NotAPdfError(SigningError):
    """The file to sign is not a PDF that can be signed."""


class TimestampError(SigningError):
    """The timestamp authority (TSA) could not be reached or refused the request."""
