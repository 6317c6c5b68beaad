"""The signing configuration of this installation, read from the ``BAOCAO_SIGNING_*`` settings.

- :func:`leader_source` / :func:`organisation_source`: the :class:`~baocao.signing.keys.SignerSource` of
  the leader's key (the issued report) and of the organisation's key (copies, annexes): the PKCS#11
  token when ``BAOCAO_SIGNING_PKCS11_LIBRARY`` is set, else the PKCS#12 files;
- :func:`trust_roots`: the CA certificates the verification trusts;
- :func:`timestamp_url`: the RFC 3161 timestamp authority (None: PAdES B-B; set: B-T);
- :func:`signature_image` / :func:`seal_image`: the images of the visible signature.

For the demo, ``manage.py make_demo_pki`` writes all of these into ``BAOCAO_SIGNING_DIR``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .keys import SignerSource

__all__ = [
    "leader_source",
    "organisation_source",
    "seal_image",
    "signature_image",
    "timestamp_url",
    "trust_roots",
]


def _source(pkcs12_path: str, key_label: str) -> SignerSource:
    library = settings.BAOCAO_SIGNING_PKCS11_LIBRARY
    if library:
        return SignerSource.pkcs11(
            library,
            settings.BAOCAO_SIGNING_PKCS11_TOKEN,
            key_label,
            settings.BAOCAO_SIGNING_PKCS11_PIN,
            ca_certs=tuple(Path(p) for p in settings.BAOCAO_SIGNING_TRUST_ROOTS if Path(p).is_file()),
        )
    return SignerSource.pkcs12(pkcs12_path, settings.BAOCAO_SIGNING_PASSWORD)


def leader_source() -> SignerSource:
    """The leader's key (signs the issued report)."""
    return _source(settings.BAOCAO_SIGNING_PKCS12, settings.BAOCAO_SIGNING_PKCS11_KEY)


def organisation_source() -> SignerSource:
    """The organisation's key (signs copies and annexes)."""
    return _source(
        settings.BAOCAO_SIGNING_ORG_PKCS12,
        settings.BAOCAO_SIGNING_PKCS11_ORG_KEY or settings.BAOCAO_SIGNING_PKCS11_KEY,
    )


def trust_roots() -> list[Path]:
    """The trusted CA certificate files."""
    return [Path(p) for p in settings.BAOCAO_SIGNING_TRUST_ROOTS]


def timestamp_url() -> str | None:
    """The timestamp authority's URL, or None."""
    return settings.BAOCAO_SIGNING_TSA_URL or None


def signature_image() -> Path:
    """The leader's signature image (transparent PNG)."""
    return Path(settings.BAOCAO_SIGNING_SIGNATURE_IMAGE)


def seal_image() -> Path:
    """The organisation's seal image (transparent PNG)."""
    return Path(settings.BAOCAO_SIGNING_SEAL_IMAGE)
