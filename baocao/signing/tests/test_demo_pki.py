"""The demo's signing keys: made at run time, marked as samples, usable at once."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from baocao.reports.models import ReportType
from baocao.signing import SignerSource, open_signer, sign_pdf, verify_pdf
from baocao.signing.demo_pki import SAMPLE_MARK, load_demo_pki


def test_make_demo_pki_writes_a_ca_keys_and_sample_images_once(tmp_path, settings, demo_signer):
    settings.BAOCAO_SIGNING_PASSWORD = "mat-khau-demo"
    out = StringIO()
    args = ["--dir", str(tmp_path), "--leader", demo_signer.name, "--organisation", demo_signer.organisation]
    call_command("make_demo_pki", *args, stdout=out)
    assert f"Đã tạo bộ khóa ký số thử nghiệm ({SAMPLE_MARK})" in out.getvalue()
    pki = load_demo_pki(tmp_path, "mat-khau-demo")
    assert pki is not None
    key, cert, extra = pkcs12.load_key_and_certificates(pki.leader_p12.read_bytes(), b"mat-khau-demo")
    assert cert is not None and key is not None and len(extra) == 1
    subject = cert.subject.rfc4514_string()
    assert f"CN={demo_signer.name}" in subject and SAMPLE_MARK in subject
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    assert cert.issuer == ca.subject
    for image in (pki.signature_image, pki.seal_image):
        with Image.open(image) as picture:
            assert picture.mode == "RGBA" and picture.getpixel((0, 0))[3] == 0  # transparent background
    assert oct(pki.leader_p12.stat().st_mode & 0o777) == "0o600"

    before = pki.leader_p12.read_bytes()
    again = StringIO()
    call_command("make_demo_pki", *args, stdout=again)
    assert "giữ nguyên" in again.getvalue() and pki.leader_p12.read_bytes() == before


def test_demo_keys_sign_at_once(tmp_path, settings, demo_signer, report_pdf):
    settings.BAOCAO_SIGNING_PASSWORD = "mat-khau-demo"
    call_command("make_demo_pki", "--dir", str(tmp_path), "--leader", demo_signer.name, "--organisation", "X")
    pki = load_demo_pki(tmp_path, "mat-khau-demo")
    assert pki is not None
    with open_signer(SignerSource.pkcs12(pki.leader_p12, "mat-khau-demo")) as signer:
        signed = sign_pdf(report_pdf, signer, field_name="ChuKy", expected_signer_name=demo_signer.name)
    assert verify_pdf(signed, [pki.ca_cert]).valid


def test_make_demo_pki_refuses_production(tmp_path, settings):
    settings.BAOCAO_PRODUCTION = True
    with pytest.raises(CommandError, match="Không tạo khóa ký số thử nghiệm trên máy chủ thật"):
        call_command("make_demo_pki", "--dir", str(tmp_path), "--leader", "A", "--organisation", "B")
    assert not list(tmp_path.iterdir())


def test_make_demo_pki_takes_the_signer_and_body_from_the_report_type(tmp_path, settings, world):
    settings.BAOCAO_SIGNING_PASSWORD = "mat-khau-demo"
    ReportType.objects.create(
        code="BC_THU",
        name="Báo cáo thử",
        period_type="month",
        org_unit=world.city,
        issuer="ỦY BAN NHÂN DÂN\nTHÀNH PHỐ THỬ",
        issuer_short="UBND thành phố Thử",
        place_name="TP. Thử",
        signer_name="Trần Thị Thử",
    )
    call_command("make_demo_pki", "--dir", str(tmp_path), stdout=StringIO())
    pki = load_demo_pki(tmp_path, "mat-khau-demo")
    assert pki is not None
    _, cert, _ = pkcs12.load_key_and_certificates(pki.leader_p12.read_bytes(), b"mat-khau-demo")
    assert cert is not None
    assert "CN=Trần Thị Thử" in cert.subject.rfc4514_string()
    assert "O=Ủy ban nhân dân thành phố Thử" in cert.subject.rfc4514_string()
    _, org_cert, _ = pkcs12.load_key_and_certificates(pki.organisation_p12.read_bytes(), b"mat-khau-demo")
    assert org_cert is not None and "CN=Ủy ban nhân dân thành phố Thử" in org_cert.subject.rfc4514_string()


def test_make_demo_pki_without_report_types_says_what_to_do(tmp_path, settings, db):
    settings.BAOCAO_SIGNING_PASSWORD = "mat-khau-demo"
    with pytest.raises(CommandError, match="Chưa có loại báo cáo nào"):
        call_command("make_demo_pki", "--dir", str(tmp_path))
