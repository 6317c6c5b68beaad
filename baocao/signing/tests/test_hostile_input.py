"""Files from anyone: verification answers every input with a Vietnamese verdict, signing refuses in
Vietnamese what it cannot sign, and neither raises anything else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baocao.signing import NotAPdfError, SignerSource, SigningError, open_signer, sign_pdf, verify_pdf
from baocao.signing.verify import MAX_VERIFY_BYTES

from .conftest import PASSWORD


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=st.sampled_from([b"", b"%PDF-1.7\n", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"]),
    body=st.binary(max_size=4000),
)
def test_any_bytes_get_a_verdict_not_an_exception(prefix: bytes, body: bytes) -> None:
    result = verify_pdf(prefix + body, [])
    assert not result.valid
    assert result.messages and all(isinstance(m, str) and m for m in result.messages)


def test_damaged_pieces_of_a_signed_file_get_a_verdict(signed_once, pki):
    for cut in (len(signed_once) // 3, len(signed_once) // 2, len(signed_once) - 10):
        for damaged in (signed_once[:cut], signed_once[:cut] + b"\x00" * 100 + signed_once[cut + 100 :]):
            result = verify_pdf(damaged, [pki.ca_cert])
            assert not result.valid and result.messages


def test_too_large_a_file_is_refused_before_reading():
    result = verify_pdf(b"%PDF-1.7\n" + b" " * MAX_VERIFY_BYTES, [])
    assert result.messages == ("Tệp quá lớn để kiểm tra (tối đa 50 MB).",)


@pytest.fixture(scope="module")
def signed_once(report_pdf, pki) -> bytes:
    with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
        return sign_pdf(report_pdf, signer, field_name="ChuKyLanhDao")


def test_signing_refuses_what_it_cannot_sign_in_vietnamese(signed_once, pki):
    with open_signer(SignerSource.pkcs12(pki.leader_p12, PASSWORD)) as signer:
        with pytest.raises(NotAPdfError, match=r"^Tệp cần ký không phải tệp PDF\.$"):
            sign_pdf(b"<html>", signer, field_name="A")
        with pytest.raises(NotAPdfError, match=r"^Tệp PDF bị hỏng, không ký được\.$"):
            sign_pdf(b"%PDF-1.7\n" + b"\xff" * 3000, signer, field_name="A")
        with pytest.raises(SigningError, match="Văn bản đã có chữ ký số ở ô «ChuKyLanhDao»"):
            sign_pdf(signed_once, signer, field_name="ChuKyLanhDao")
