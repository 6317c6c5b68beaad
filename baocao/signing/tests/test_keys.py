"""The signer's key and certificate: the errors a leader would meet, each in Vietnamese."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from baocao.signing import (
    CertificateExpiredError,
    CertificateNotYetValidError,
    KeyNotFoundError,
    SignerMismatchError,
    SignerSource,
    SigningConfigError,
    WrongPasswordError,
    open_signer,
    sign_pdf,
    verify_pdf,
)

from .conftest import PASSWORD

NOW = dt.datetime.now(dt.UTC)


def test_wrong_password_is_named(pki):
    with pytest.raises(WrongPasswordError, match=r"^Mật khẩu / mã PIN không đúng\.$"):
        with open_signer(SignerSource.pkcs12(pki.leader_p12, "sai-mat-khau")):
            pass


def test_a_file_that_is_not_a_key_is_not_a_password_problem(pki, tmp_path):
    not_p12 = tmp_path / "khoa.p12"
    not_p12.write_bytes(b"day khong phai PKCS#12")
    with pytest.raises(KeyNotFoundError, match="không phải tệp khóa ký số PKCS#12"):
        with open_signer(SignerSource.pkcs12(not_p12, PASSWORD)):
            pass
    with pytest.raises(SigningConfigError, match="Không tìm thấy tệp khóa ký số"):
        with open_signer(SignerSource.pkcs12(tmp_path / "khong-co.p12", PASSWORD)):
            pass


def test_password_is_not_shown_in_the_configuration(pki):
    assert PASSWORD not in repr(SignerSource.pkcs12(pki.leader_p12, PASSWORD))
    assert "123456" not in repr(SignerSource.pkcs11("/lib.so", "token", "key", "123456"))


def test_expired_certificate_is_refused_at_signing_time(report_pdf, make_p12, demo_signer, other_ca):
    expired = make_p12(
        demo_signer.name, not_before=NOW - dt.timedelta(days=400), not_after=NOW - dt.timedelta(days=30)
    )
    with open_signer(SignerSource.pkcs12(expired, PASSWORD)) as signer:
        with pytest.raises(
            CertificateExpiredError, match=f"Chứng thư số của {demo_signer.name} đã hết hạn ngày"
        ):
            sign_pdf(report_pdf, signer, field_name="ChuKy")
        # the same certificate was valid at a time inside its validity: signing then works
        signed = sign_pdf(report_pdf, signer, field_name="ChuKy", signing_time=NOW - dt.timedelta(days=60))
    # ... and a verifier today is told that the certificate has expired since (no timestamp, no LTV)
    result = verify_pdf(signed, [other_ca.cert.public_bytes(Encoding.PEM)])
    assert result.signed and result.intact and not result.valid
    assert any(f"của {demo_signer.name}: chứng thư số đã hết hạn ngày" in m for m in result.messages), (
        result.messages
    )


def test_not_yet_valid_certificate_is_refused(report_pdf, make_p12, demo_signer):
    future = make_p12(
        demo_signer.name, not_before=NOW + dt.timedelta(days=10), not_after=NOW + dt.timedelta(days=400)
    )
    with open_signer(SignerSource.pkcs12(future, PASSWORD)) as signer:
        with pytest.raises(
            CertificateNotYetValidError, match=f"Chứng thư số của {demo_signer.name} chưa có hiệu lực"
        ):
            sign_pdf(report_pdf, signer, field_name="ChuKy")


def test_another_persons_certificate_is_refused(report_pdf, make_p12, demo_signer):
    other = make_p12("Nguyễn Văn Khác")
    with open_signer(SignerSource.pkcs12(other, PASSWORD)) as signer:
        with pytest.raises(SignerMismatchError) as error:
            sign_pdf(report_pdf, signer, field_name="ChuKy", expected_signer_name=demo_signer.name)
    assert str(error.value).startswith(
        "Chứng thư số là của Nguyễn Văn Khác, không phải của người ký ghi trong báo cáo "
        f"({demo_signer.name})."
    )


def test_same_name_in_other_case_or_spacing_is_the_same_person(report_pdf, pki, demo_signer):
    with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
        signed = sign_pdf(
            report_pdf, signer, field_name="ChuKy", expected_signer_name=f"  {demo_signer.name.upper()} "
        )
    assert verify_pdf(signed, [pki.ca_cert]).valid
