"""PAdES B-T: with a timestamp authority configured, the signature carries an RFC 3161 timestamp.

The TSA is a real HTTP server on 127.0.0.1 answering RFC 3161 requests with pyHanko's own TSA
implementation and a TSA certificate made here (extended key usage timeStamping)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper

from baocao.signing import SignerSource, TimestampError, open_signer, sign_pdf, verify_pdf
from baocao.signing.demo_pki import CertificateAuthority, make_ca

from .conftest import PASSWORD, pdfsig


def _tsa(ca: CertificateAuthority) -> DummyTimeStamper:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA thử nghiệm")]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(der_key),
    )


@pytest.fixture(scope="module")
def tsa() -> Iterator[tuple[str, CertificateAuthority]]:
    """(URL, CA) of a timestamp authority listening on 127.0.0.1."""
    ca = make_ca()
    stamper = _tsa(ca)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            response = asyncio.run(stamper.async_request_tsa_response(tsp.TimeStampReq.load(body)))
            data = response.dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", ca
    finally:
        server.shutdown()
        server.server_close()


def test_timestamp_url_gives_b_t_signature(tsa, pki, report_pdf, tmp_path):
    url, tsa_ca = tsa
    with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
        signed = sign_pdf(report_pdf, signer, field_name="ChuKy", timestamp_url=url)
    result = verify_pdf(signed, [pki.ca_cert, tsa_ca.cert.public_bytes(serialization.Encoding.PEM)])
    assert result.valid, result.messages
    stamp_time = result.signatures[0].timestamp_time
    assert stamp_time is not None
    assert abs((stamp_time - dt.datetime.now(dt.UTC)).total_seconds()) < 300
    assert any("có dấu thời gian" in m for m in result.messages)
    assert "Signature Validation: Signature is Valid." in pdfsig(signed, tmp_path)


def test_unreachable_timestamp_authority_is_a_named_error_and_nothing_is_signed(pki, report_pdf):
    with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
        with pytest.raises(TimestampError, match="Không lấy được dấu thời gian"):
            sign_pdf(report_pdf, signer, field_name="ChuKy", timestamp_url="http://127.0.0.1:9/")
