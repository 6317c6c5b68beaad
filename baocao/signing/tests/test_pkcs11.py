"""Signing through PKCS#11, the interface of the USB tokens Vietnamese officials sign with, on SoftHSM.

A software token is initialised in a temporary SOFTHSM2_CONF directory; the demo leader's key is
imported with ``softhsm2-util --import`` (PKCS#8) and the certificate with python-pkcs11. Skipped only
when SoftHSM is not installed (``apt-get install softhsm2``; CI installs it, and strict mode fails a skip).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pkcs11 import Attribute, ObjectClass
from pkcs11.util.x509 import decode_x509_certificate

from baocao.signing import (
    KeyNotFoundError,
    SignerSource,
    TokenNotFoundError,
    WrongPasswordError,
    find_signature_block,
    leader_stamp,
    open_signer,
    sign_pdf,
    verify_pdf,
)
from baocao.signing.demo_pki import DemoPki

from .conftest import pdfsig

SOFTHSM = os.environ.get("BAOCAO_SOFTHSM_LIBRARY", "/usr/lib/softhsm/libsofthsm2.so")
TOKEN = "baocao-thu-nghiem"
KEY = "lanh-dao"
PIN = "246810"
SO_PIN = "13579135"


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory, pki: DemoPki) -> Iterator[str]:
    """A SoftHSM token holding the demo leader's key and certificate; yields the module path."""
    if not Path(SOFTHSM).is_file() or shutil.which("softhsm2-util") is None:
        pytest.skip(f"Chưa cài SoftHSM ({SOFTHSM}, softhsm2-util): apt-get install softhsm2")
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by the library when it is first loaded in this process
    try:
        util = ["softhsm2-util"]
        subprocess.run(
            [*util, "--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN, "--pin", PIN],
            check=True,
            capture_output=True,
        )
        key_file = str(pki.leader_key_pem)
        subprocess.run(
            [*util, "--import", key_file, "--token", TOKEN, "--label", KEY, "--id", "01", "--pin", PIN],
            check=True,
            capture_output=True,
        )
        cert = x509.load_pem_x509_certificate(pki.leader_cert_pem.read_bytes())
        cert_der = cert.public_bytes(Encoding.DER)
        session = pkcs11.lib(SOFTHSM).get_token(token_label=TOKEN).open(rw=True, user_pin=PIN)
        with session:
            attributes = decode_x509_certificate(cert_der)
            attributes.update({Attribute.TOKEN: True, Attribute.LABEL: KEY, Attribute.ID: b"\x01"})
            session.create_object(attributes)
            assert list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: KEY}))
        yield SOFTHSM
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


def test_signs_through_pkcs11_and_verifies(token, pki, report_pdf, demo_signer, tmp_path):
    source = SignerSource.pkcs11(token, TOKEN, KEY, PIN, ca_certs=(pki.ca_cert,))
    placement = find_signature_block(report_pdf, demo_signer.name, titles=demo_signer.titles)
    stamp = leader_stamp(
        signer_name=demo_signer.name,
        organisation=demo_signer.organisation,
        signature_image=pki.signature_image,
        seal_image=pki.seal_image,
    )
    with open_signer(source) as signer:
        signed = sign_pdf(
            report_pdf,
            signer,
            field_name="ChuKyToken",
            stamp=stamp,
            placement=placement,
            expected_signer_name=demo_signer.name,
        )
    result = verify_pdf(signed, [pki.ca_cert])
    assert result.valid, result.messages
    assert result.signer_name == demo_signer.name and result.covers_whole_file
    report = pdfsig(signed, tmp_path)
    assert "Signature Validation: Signature is Valid." in report and "Total document signed" in report


def test_wrong_pin_unknown_token_and_unknown_key_are_named(token, pki):
    with pytest.raises(WrongPasswordError, match=r"^Mật khẩu / mã PIN không đúng\.$"):
        with open_signer(SignerSource.pkcs11(token, TOKEN, KEY, "000000")):
            pass
    with pytest.raises(TokenNotFoundError, match="Không tìm thấy token ký số có nhãn «token-khac»"):
        with open_signer(SignerSource.pkcs11(token, "token-khac", KEY, PIN)):
            pass
    with pytest.raises(KeyNotFoundError, match=f"Token «{TOKEN}» không có khóa ký số"):
        with open_signer(SignerSource.pkcs11(token, TOKEN, "khoa-khac", PIN)):
            pass


def test_a_token_with_one_key_needs_no_key_label(token, pki, report_pdf, demo_signer):
    with open_signer(SignerSource.pkcs11(token, TOKEN, "", PIN, ca_certs=(pki.ca_cert,))) as signer:
        signed = sign_pdf(report_pdf, signer, field_name="ChuKyToken", expected_signer_name=demo_signer.name)
    assert verify_pdf(signed, [pki.ca_cert]).valid
