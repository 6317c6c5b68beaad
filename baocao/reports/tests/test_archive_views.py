"""The office's archive-import page: paste or .docx, review, dry run, import; bad input never a 500."""

import io
import zipfile

import docx
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from baocao.collection.models import ChangeSource, DataValue, Submission, ValueChange
from baocao.reports.archive import MAX_TEXT_CHARS, rows_from_review
from baocao.reports.models import ReportType
from baocao.reports.tests.test_recognizer import police_paragraph
from baocao.testing.factories import computed_from_demo

URL = "/bao-cao/nhap-bao-cao-cu/"


def post(client, report_type, **data):
    return client.post(URL, {"report_type": report_type.pk, "period": "202006", **data})


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def pages(django_db_setup, django_db_blocker):
    def compute():
        assert reverse("reports:archive") == URL
        DataValue.objects.filter(period="202006").delete()
        Submission.objects.filter(period="202006").delete()
        report_type = ReportType.objects.get(code="KTXH_THANG")
        office = Client()
        office.force_login(User.objects.get(username="vanphong"))
        clerk = Client()
        clerk.force_login(User.objects.get(username="ca.canbo"))
        text = police_paragraph()
        out = {"text": text}
        out["get"] = office.get(URL)
        out["clerk"] = clerk.get(URL)
        out["html"] = post(office, report_type, text=f'<p><script>alert("hack")</script>{text}</p>')
        out["long_ok"] = post(office, report_type, text=(text + "\n\n") * (MAX_TEXT_CHARS // (len(text) + 2)))
        out["too_long"] = post(office, report_type, text="x" * (MAX_TEXT_CHARS + 1))
        out["not_docx"] = post(
            office, report_type, docx=SimpleUploadedFile("bao-cao.docx", b"%PDF-1.4 not a word file")
        )
        zipped = io.BytesIO()
        with zipfile.ZipFile(zipped, "w") as z:
            z.writestr("hello.txt", "xin chào")
        out["zip"] = post(office, report_type, docx=SimpleUploadedFile("bao-cao.docx", zipped.getvalue()))
        out["no_report"] = post(
            office,
            report_type,
            docx=SimpleUploadedFile("thu-moi.docx", docx_bytes("Thư mời họp mặt cuối năm.", "Trân trọng.")),
        )
        out["docx"] = post(
            office, report_type, docx=SimpleUploadedFile("bc.docx", docx_bytes("Tiêu đề", text))
        )
        row = {
            "count": "1",
            "keep_1": "1",
            "indicator_1": "HS_VU — Phạm pháp hình sự",
            "kind_1": "actual",
            "value_1": "4",
            "sentence_1": "Phạm pháp hình sự xảy ra 04 vụ.",
        }
        out["bad_row"] = post(office, report_type, step="chay-thu", **{**row, "value_1": "bảy"})
        out["dry"] = post(office, report_type, step="chay-thu", **row)
        out["after_dry"] = DataValue.objects.filter(period="202006").count()
        out["done"] = post(office, report_type, step="nhap", **row)
        out["changes"] = list(
            ValueChange.objects.filter(period="202006", source=ChangeSource.ARCHIVE).values_list(
                "source", "source_note"
            )
        )
        out["junk"] = post(office, report_type, step="chay-thu", count="<b>nhiều</b>", u_count="-1")
        out["converted"] = rows_from_review(
            {"u_count": "1", "u_indicator_1": "THU_NSNN — Thu", "u_value_1": "1,5", "u_unit_1": "tỷ đồng"},
            report_type.org_unit,
        )
        out["clerk_post"] = post(clerk, report_type, step="nhap", **row)
        return out

    return computed_from_demo(django_db_blocker, compute)


def body(response) -> str:
    return response.content.decode()


def test_the_office_sees_the_form_and_a_clerk_does_not(pages):
    assert pages["get"].status_code == 200 and "Nhập số liệu từ báo cáo cũ" in body(pages["get"])
    assert pages["clerk"].status_code == 403 and pages["clerk_post"].status_code == 403


def test_pasted_html_is_reduced_to_text_and_the_values_proposed(pages):
    page = body(pages["html"])
    assert pages["html"].status_code == 200
    assert "alert" not in page and "<script>alert" not in page
    assert 'value="HS_VU — ' in page and "Phạm pháp hình sự xảy ra" in page
    assert "Văn bản đã đọc" in page  # the text is kept, as text


def test_a_200000_character_paste_is_read(pages):
    assert pages["long_ok"].status_code == 200 and 'value="HS_VU — ' in body(pages["long_ok"])


def test_a_longer_paste_is_refused_in_vietnamese(pages):
    assert pages["too_long"].status_code == 400 and "vượt giới hạn 200.000 ký tự" in body(pages["too_long"])


@pytest.mark.parametrize("name", ["not_docx", "zip"])
def test_a_file_that_is_not_a_docx_is_refused_in_vietnamese(pages, name):
    assert pages[name].status_code == 400 and "không phải tệp Word .docx" in body(pages[name])


def test_a_docx_that_is_not_a_report_keeps_the_text_and_proposes_nothing(pages):
    page = body(pages["no_report"])
    assert pages["no_report"].status_code == 200
    assert "Không đề xuất được số liệu nào" in page and "Thư mời họp mặt cuối năm." in page


def test_a_docx_report_is_read(pages):
    assert pages["docx"].status_code == 200 and 'value="HS_VU — ' in body(pages["docx"])


def test_a_bad_row_is_named_and_nothing_written(pages):
    page = body(pages["bad_row"])
    assert pages["bad_row"].status_code == 400 and "Dòng 1" in page


def test_dry_run_then_import_with_the_sentence(pages):
    assert 'value="nhap"' not in body(pages["html"])  # no import before a dry run
    assert "Sẽ ghi 1 dòng: 1 số liệu mới" in body(pages["dry"]) and pages["after_dry"] == 0
    assert 'value="nhap"' in body(pages["dry"]) and "Công an thành phố" in body(pages["dry"])
    assert "Đã ghi 1 dòng: 1 số liệu mới" in body(pages["done"])
    assert pages["changes"] == [(ChangeSource.ARCHIVE, "Phạm pháp hình sự xảy ra 04 vụ.")]


def test_an_unplaced_amount_bound_to_an_indicator_is_converted_to_its_unit(pages):
    (row,) = pages["converted"]
    assert (row["indicator"], row["value"]) == ("THU_NSNN", "1.500")  # kept in triệu đồng


def test_a_forged_review_form_is_not_a_server_error(pages):
    assert pages["junk"].status_code == 400 and "Không còn dòng nào để nhập" in body(pages["junk"])
