"""A local, throw-away PKI for the demo and the tests: a test CA, the leader's and the organisation's
certificates in password-protected PKCS#12 files, and a sample signature image and seal image.

Nothing here has legal value, and everything says so: every certificate's organisation unit and the two
images carry "MẪU – KHÔNG CÓ GIÁ TRỊ PHÁP LÝ". Private keys are generated at run time into a directory
(``settings.BAOCAO_SIGNING_DIR`` for the demo, a temporary directory in the tests), never committed.

Files written by :func:`make_demo_pki` into ``directory``:

- ``ca.pem``: the test CA's certificate (the trust root the verification page uses for the demo);
- ``leader.p12``: the leader's key and certificate (CN = the signer named in the report), with the CA;
- ``organisation.p12``: the organisation's key and certificate (CN = the organisation's name), for
  copies and annexes;
- ``signature.png``: a handwritten-looking signature of the leader (transparent background);
- ``seal.png``: a round red seal of the organisation (transparent background);
- ``leader-key.pem`` / ``leader-cert.pem``: the leader's key as unencrypted PKCS#8 and certificate in
  PEM, for importing into a software token (SoftHSM) — only because this is a demo.

:func:`issue_certificate` makes further certificates under the same CA (the tests use it for an
expired, a not-yet-valid and another person's certificate).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image, ImageDraw, ImageFont

from baocao.core.text import clean

from .fonts import find_font

__all__ = [
    "SAMPLE_MARK",
    "CertificateAuthority",
    "DemoPki",
    "issue_certificate",
    "load_demo_pki",
    "make_ca",
    "make_demo_pki",
    "write_pkcs12",
]

SAMPLE_MARK = "MẪU – KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
CA_NAME = "CA thử nghiệm baocao (MẪU)"
KEY_SIZE = 2048


@dataclass(frozen=True)
class CertificateAuthority:
    """A CA's key and certificate (cryptography objects)."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate


@dataclass(frozen=True)
class DemoPki:
    """Paths of the demo PKI's files (see the module docstring) and the PKCS#12 password."""

    directory: Path
    password: str
    ca_cert: Path
    leader_p12: Path
    organisation_p12: Path
    signature_image: Path
    seal_image: Path
    leader_key_pem: Path
    leader_cert_pem: Path


def _name(common_name: str, organisation: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, SAMPLE_MARK))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def make_ca(*, now: dt.datetime | None = None, years: int = 10) -> CertificateAuthority:
    """A self-signed test CA valid from a day before ``now`` for ``years`` years."""
    now = now or dt.datetime.now(dt.UTC)
    key = _new_key()
    name = _name(CA_NAME)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertificateAuthority(key=key, cert=cert)


def issue_certificate(
    ca: CertificateAuthority,
    common_name: str,
    *,
    organisation: str = "",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    key: rsa.RSAPrivateKey | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A signing certificate (non-repudiation, document signing) for ``common_name`` under ``ca``.

    Valid from ``not_before`` (default: a day ago) to ``not_after`` (default: in three years)."""
    now = dt.datetime.now(dt.UTC)
    not_before = not_before or now - dt.timedelta(days=1)
    not_after = not_after or now + dt.timedelta(days=3 * 365)
    key = key or _new_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(clean(common_name), clean(organisation)))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return key, cert


def write_pkcs12(
    path: Path,
    key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    ca_cert: x509.Certificate,
    password: str,
    *,
    friendly_name: str = "baocao",
) -> Path:
    """Write a password-protected PKCS#12 file with the key, its certificate and the CA certificate."""
    data = pkcs12.serialize_key_and_certificates(
        friendly_name.encode(),
        key,
        cert,
        [ca_cert],
        serialization.BestAvailableEncryption(password.encode()),
    )
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(find_font()), size)


def draw_signature_image(name: str, width: int = 640, height: int = 260) -> Image.Image:
    """A handwritten-looking signature in blue ink: the signer's last name in italics with a flourish
    under it, and the sample mark. The same picture on every run."""
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    ink = (20, 40, 160, 255)
    last_name = clean(name).split()[-1] if clean(name) else ""
    italic = ImageFont.truetype(str(find_font(italic=True)), 118)
    draw.text((width * 0.48, height * 0.38), last_name, fill=ink, font=italic, anchor="mm")
    # the flourish: a long stroke rising to the right with a loop at its start
    points = []
    for i in range(0, 240):
        t = i / 240
        loop = math.sin(t * math.pi * 2) * 26 * (1 - t) if t < 0.5 else 0.0
        x = 70 + t * (width - 140) + loop
        y = height * 0.70 - t * 42 + math.cos(t * math.pi * 2) * 14 * (1 - t)
        points.append((x, y))
    draw.line(points, fill=ink, width=7, joint="curve")
    draw.text((width / 2, height - 22), SAMPLE_MARK, fill=(200, 0, 0, 255), font=_font(26), anchor="mm")
    return image


def draw_seal_image(organisation: str, size: int = 480) -> Image.Image:
    """A round red seal with the organisation's name around it and the sample mark across it."""
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    red = (215, 20, 30, 220)
    centre = size / 2
    for radius, width in ((centre - 6, 10), (centre - 70, 4)):
        draw.ellipse(
            (centre - radius, centre - radius, centre + radius, centre + radius), outline=red, width=width
        )
    text = clean(organisation).upper()
    font = _font(30)
    ring = centre - 40
    count = max(len(text), 1)
    for i, char in enumerate(text):
        angle = math.pi + (i + 0.5) / count * 2 * math.pi * 0.92 + 0.04 * math.pi
        x = centre + ring * math.cos(angle)
        y = centre + ring * math.sin(angle)
        glyph = Image.new("RGBA", (48, 48), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((24, 24), char, fill=red, font=font, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (int(x - 24), int(y - 24)))
    # a star in the middle, and the sample mark across
    star = [
        (
            centre + (60 if k % 2 == 0 else 24) * math.cos(-math.pi / 2 + k * math.pi / 5),
            centre - 30 + (60 if k % 2 == 0 else 24) * math.sin(-math.pi / 2 + k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(star, fill=red)
    draw.text((centre, centre + 55), "MẪU", fill=red, font=_font(44), anchor="mm")
    draw.text((centre, centre + 100), "KHÔNG CÓ GIÁ TRỊ", fill=red, font=_font(22), anchor="mm")
    draw.text((centre, centre + 124), "PHÁP LÝ", fill=red, font=_font(22), anchor="mm")
    return image


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_demo_pki(
    directory: Path,
    *,
    leader_name: str,
    organisation: str,
    password: str,
    now: dt.datetime | None = None,
) -> DemoPki:
    """Generate the demo PKI into ``directory`` (created; existing files are replaced)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = make_ca(now=now)
    leader_key, leader_cert = issue_certificate(ca, leader_name, organisation=organisation)
    org_key, org_cert = issue_certificate(ca, organisation, organisation=organisation)
    pki = demo_pki_paths(directory, password)
    pki.ca_cert.write_bytes(ca.cert.public_bytes(serialization.Encoding.PEM))
    write_pkcs12(pki.leader_p12, leader_key, leader_cert, ca.cert, password, friendly_name=leader_name)
    write_pkcs12(pki.organisation_p12, org_key, org_cert, ca.cert, password, friendly_name=organisation)
    pki.leader_key_pem.write_bytes(_pem_key(leader_key))
    pki.leader_key_pem.chmod(0o600)
    pki.leader_cert_pem.write_bytes(leader_cert.public_bytes(serialization.Encoding.PEM))
    draw_signature_image(leader_name).save(pki.signature_image)
    draw_seal_image(organisation).save(pki.seal_image)
    return pki


def demo_pki_paths(directory: Path, password: str) -> DemoPki:
    """The file names :func:`make_demo_pki` writes in ``directory``."""
    return DemoPki(
        directory=directory,
        password=password,
        ca_cert=directory / "ca.pem",
        leader_p12=directory / "leader.p12",
        organisation_p12=directory / "organisation.p12",
        signature_image=directory / "signature.png",
        seal_image=directory / "seal.png",
        leader_key_pem=directory / "leader-key.pem",
        leader_cert_pem=directory / "leader-cert.pem",
    )


def load_demo_pki(directory: Path, password: str) -> DemoPki | None:
    """The demo PKI in ``directory`` when all its files are there, else None."""
    pki = demo_pki_paths(directory, password)
    files = (pki.ca_cert, pki.leader_p12, pki.organisation_p12, pki.signature_image, pki.seal_image)
    return pki if all(path.is_file() for path in files) else None
