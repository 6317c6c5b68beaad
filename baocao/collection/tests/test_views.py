"""Data-entry pages through the Django test client: who sees what, saving with errors kept on screen,
conflicts shown with both values, the office's table, histories and the unit's narrative."""

from django.contrib.auth.models import User
from django.urls import reverse

from baocao.collection.entry import form_fields
from baocao.collection.models import DataValue
from baocao.collection.workflow import transition
from baocao.reports.models import Contribution, ReportBlock, ReportSection, ReportType, SectionAssignment
from baocao.testing.factories import logged_in

FORM_ARGS = ["BM_TPLS_CA", "TPLS_CA", "202006"]


def as_user(client, name):
    return logged_in(client, name)


def fields(submission):
    return {f.indicator.code: f for _, group in form_fields(submission) for f in group}


def test_unit_sees_its_forms_only(client, police):
    page = as_user(client, "ca.canbo").get(reverse("collection:my_forms") + "?period=202006").content.decode()
    assert "Số liệu tháng – Công an thành phố" in page and "Phòng Kinh tế" not in page
    assert client.get(reverse("collection:entry", args=FORM_ARGS)).status_code == 200
    other = ["BM_TPLS_PKT", "TPLS_PKT", "202006"]
    assert client.get(reverse("collection:entry", args=other)).status_code == 404
    assert client.get(reverse("collection:review")).status_code == 403


def test_entry_page_shows_comparisons_and_keeps_what_was_typed_on_error(client, police):
    f = fields(police)
    page = as_user(client, "ca.canbo").get(reverse("collection:entry", args=FORM_ARGS)).content.decode()
    assert "Tháng 5/2020" in page and "Tháng 6/2019" in page
    assert 'value="7"' in page  # HS_VU stored for June
    data = {
        f["HS_VU"].key: "9",
        f"{f['HS_VU'].key}_version": f["HS_VU"].version,
        f["HS_CHET"].key: "một",
        f"{f['HS_CHET'].key}_version": f["HS_CHET"].version,
        "step": "save",
    }
    page = client.post(reverse("collection:entry", args=FORM_ARGS), data).content.decode()
    assert "Chưa lưu: có ô báo lỗi" in page and 'value="một"' in page and 'value="9"' in page
    assert (
        DataValue.objects.get(indicator__code="HS_VU", org_unit__code="TPLS_CA", period="202006").value == 7
    )
    data[f["HS_CHET"].key] = "1"
    response = client.post(reverse("collection:entry", args=FORM_ARGS), data)
    assert response.status_code == 302
    assert (
        DataValue.objects.get(indicator__code="HS_VU", org_unit__code="TPLS_CA", period="202006").value == 9
    )


def test_conflict_shows_both_values(client, police):
    f = fields(police)["HS_VU"]
    stale = f.version
    as_user(client, "ca.truong").post(
        reverse("collection:autosave", args=FORM_ARGS), {f.key: "8", f"{f.key}_version": stale}
    )
    response = as_user(client, "ca.canbo").post(
        reverse("collection:autosave", args=FORM_ARGS), {f.key: "10", f"{f.key}_version": stale}
    )
    assert response.status_code == 409
    message = response.json()["conflict"]
    assert "Lãnh đạo Công an thành phố đã lưu 8" in message and "giá trị bạn nhập: 10" in message
    ok = client.post(
        reverse("collection:autosave", args=FORM_ARGS),
        {f.key: "10", f"{f.key}_version": response.json()["version"]},
    )
    assert ok.json()["text"] == "10"


def test_autosave_refuses_bad_numbers_and_viewers(client, police):
    f = fields(police)["HS_VU"]
    response = as_user(client, "ca.canbo").post(
        reverse("collection:autosave", args=FORM_ARGS), {f.key: "1,5"}
    )
    assert response.status_code == 400 and "nguyên" in response.json()["error"]
    response = as_user(client, "vanphong").post(reverse("collection:autosave", args=FORM_ARGS), {f.key: "5"})
    assert response.status_code == 403


def test_workflow_buttons_follow_the_role(client, police):
    url = reverse("collection:entry", args=FORM_ARGS)
    assert "Lưu và gửi số liệu" not in as_user(client, "ca.canbo").get(url).content.decode()
    assert "Lưu và gửi số liệu" in as_user(client, "ca.truong").get(url).content.decode()
    client.post(url, {"step": "submit"})
    page = as_user(client, "vanphong").get(url).content.decode()
    assert "Trả lại" in page and "Tiếp nhận" in page and "Phê duyệt" not in page
    page = client.post(url, {"step": "return", "reason": ""}, follow=True).content.decode()
    assert "Cần ghi lý do khi trả lại" in page
    client.post(url, {"step": "return", "reason": "Thiếu số liệu ma túy", "version": 2})
    police.refresh_from_db()
    assert police.status == "returned"
    page = as_user(client, "ca.canbo").get(url).content.decode()
    assert "Bị trả lại" in page and "Thiếu số liệu ma túy" in page
    # A stale page cannot move the submission.
    page = (
        as_user(client, "ca.truong").post(url, {"step": "submit", "version": 1}, follow=True).content.decode()
    )
    assert "hãy tải lại trang" in page


def test_review_table_and_histories(client, police):
    transition(police, "submit", User.objects.get(username="ca.truong"))
    page = as_user(client, "vanphong").get(reverse("collection:review") + "?period=202006").content.decode()
    assert "Công an thành phố" in page and "Muộn" in page and "Chưa gửi" in page
    page = client.get(reverse("collection:submission_history", args=FORM_ARGS)).content.decode()
    assert "Đang nhập" in page and "Đã gửi" in page
    page = client.get(
        reverse("collection:value_history", args=["HS_VU", "TPLS_CA", "202006", "actual"])
    ).content
    assert "Lệnh quản trị".encode() in page  # the demo values came in through the loader


def test_unit_writes_its_narrative_with_data_fields(client, police):
    url = reverse("collection:contributions", args=["TPLS_CA", "202006"])
    page = as_user(client, "ca.canbo").get(url).content.decode()
    assert "Quốc phòng - an ninh - Đối ngoại" in page
    section = Contribution.objects.get(section_key="qp-an", org_unit__code="TPLS_CA", period="202006")
    field_name = f"s{ReportSection.objects.get(key='qp-an').pk}"
    assert f'name="{field_name}"' in page
    # the page posts its editor: text, marks and chips (a chip carries one data field)
    chip = '<span class="bc-figure" data-src="{{ f.%s }}">07</span>'
    bad = client.post(url, {field_name: f"<p>Xảy ra {chip % 'KHONG_CO.value'} vụ</p>"}, follow=True)
    bad = bad.content.decode()
    assert "không có chỉ tiêu" in bad
    client.post(url, {field_name: f"<p>Phạm pháp hình sự xảy ra {chip % 'HS_VU.value|dem'} vụ.</p>"})
    section.refresh_from_db()
    assert section.text == "Phạm pháp hình sự xảy ra {{ f.HS_VU.value|dem }} vụ."
    other_clerk = as_user(client, "pkt.canbo")
    assert other_clerk.post(url, {field_name: "x"}).status_code == 404


def test_ids_in_forms_are_never_written_with_thousand_separators(client, police):
    """USE_THOUSAND_SEPARATOR writes 1204 as "1.204"; ids and versions in HTML must stay plain."""

    report_type = ReportType.objects.get()
    section = ReportSection.objects.create(pk=12345, report_type=report_type, key="them", title="Mục thêm")
    ReportBlock.objects.create(section=section, kind="contributions")
    SectionAssignment.objects.create(report_type=report_type, section_key="them", org_unit=police.org_unit)
    page = as_user(client, "ca.canbo").get(reverse("collection:contributions", args=["TPLS_CA", "202006"]))
    assert 'name="s12345"' in page.content.decode()
    page = as_user(client, "vanphong").get(reverse("reports:list")).content.decode()
    assert f'name="report_type" value="{report_type.pk}"' in page
