"""On the June 2020 demo: the demo passes its rules; the seed's 5.832.661.500 / 5.820.661.500 conflict is
caught as two stored figures under an equality rule and as a hand-written number in narrative text;
high-importance violations block approval; the entry page, autosave, report page and command."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from baocao.collection.models import DataValue
from baocao.collection.workflow import WorkflowError, get_submission, transition
from baocao.core.periods import Period
from baocao.indicators.models import DataSet, DataSetIndicator
from baocao.orgunits.models import OrgUnit
from baocao.quality.models import ValidationRule
from baocao.quality.narrative import check_run
from baocao.quality.services import entry_checks, run_period
from baocao.reports.models import Contribution, ReportRun
from baocao.testing.factories import logged_in

JUNE = Period.parse("202006")
SAME_MONEY = "PA_BOI_THUONG_CUNG_SO_TIEN"  # inactive in the demo: the seed keeps its inconsistency


def client_for(username: str) -> Client:
    """A fresh browser client per user: a test here may use several users side by side."""
    return logged_in(Client(), username)


def test_the_demo_passes_its_rules(demo):
    assert ValidationRule.objects.filter(is_active=True).count() == 10
    for period in ("202006", "202005", "201906"):
        assert run_period(Period.parse(period)) == []


def test_seed_conflict_caught_by_an_equality_rule(demo):
    ValidationRule.objects.filter(code=SAME_MONEY).update(is_active=True)
    (violation,) = run_period(JUNE)
    assert violation.rule == SAME_MONEY and violation.blocks
    assert violation.org_unit.code == "TPLS"
    assert violation.text == (
        "Tiền bồi thường, hỗ trợ theo phương án được phê duyệt: Phòng TN&MT báo cáo 5.832.661.500 đồng, "
        "Trung tâm PTQĐ báo cáo 5.820.661.500 đồng."
    )
    # The Trung tâm PTQĐ form shows it under the field, and approval of that form is refused with it.
    submission = get_submission(
        DataSet.objects.get(code="BM_TPLS_TTPTQD"), OrgUnit.objects.get(code="TPLS_TTPTQD"), JUNE
    )
    member = DataSetIndicator.objects.get(data_set=submission.data_set, indicator__code="GPMB_PA_TIEN")
    assert "5.820.661.500" in entry_checks(submission).by_key[f"f{member.pk}"][0]


def test_high_importance_violations_block_approval(demo):
    ValidationRule.objects.filter(code=SAME_MONEY).update(is_active=True)
    unit = OrgUnit.objects.get(code="TPLS_TTPTQD")
    submission = get_submission(DataSet.objects.get(code="BM_TPLS_TTPTQD"), unit, JUNE)
    submission = transition(submission, "submit", User.objects.get(username="ttptqd.truong"))  # not blocked
    submission = transition(submission, "accept", User.objects.get(username="vanphong"))
    with pytest.raises(WorkflowError) as refused:
        transition(submission, "approve", User.objects.get(username="lanhdao"))
    message = str(refused.value)
    assert message.startswith("Chưa phê duyệt được: Phòng TN&MT và Trung tâm PTQĐ báo cáo cùng số tiền")
    assert "Thành phố Lạng Sơn, tháng 6/2020" in message and "5.820.661.500" in message
    submission.refresh_from_db()
    assert submission.status == "accepted"
    # Corrected figures: approval goes through.
    DataValue.objects.filter(indicator__code="GPMB_PA_TIEN", period="202006").update(value=5_832_661_500)
    assert transition(submission, "approve", User.objects.get(username="lanhdao")).status == "approved"


def test_a_derived_breakdown_violation_blocks_approval_too(demo):
    unit = OrgUnit.objects.get(code="TPLS_CA")
    submission = get_submission(DataSet.objects.get(code="BM_TPLS_CA"), unit, JUNE)
    DataValue.objects.filter(indicator__code="MT_CHUYEN_AN_DOI_TUONG", period="202006").update(value=50)
    for step, user in (("submit", "ca.truong"), ("accept", "vanphong")):
        submission = transition(submission, step, User.objects.get(username=user))
    with pytest.raises(WorkflowError, match="Tổng và các chỉ tiêu “trong đó” – Công an thành phố"):
        transition(submission, "approve", User.objects.get(username="lanhdao"))


def _ttptqd_text_with(literal: str) -> ReportRun:
    contribution = Contribution.objects.get(org_unit__code="TPLS_TTPTQD", section_key="tnmt")
    contribution.text = contribution.text.replace("{{ f.GPMB_PA_TIEN.value|so }}", literal)
    contribution.save()
    return ReportRun.objects.get()


def test_seed_conflict_caught_as_a_hand_written_number(demo):
    assert check_run(ReportRun.objects.get()).mismatches == []  # the demo writes no number by hand
    run = _ttptqd_text_with("5.832.661.500")  # Phòng TN&MT's figure copied into the centre's paragraph
    result = check_run(run)
    (mismatch,) = result.mismatches
    assert mismatch.written == "5.832.661.500 đồng"
    assert mismatch.indicator == "Tổng giá trị bồi thường, hỗ trợ theo phương án được phê duyệt (thực hiện)"
    assert mismatch.stored == "5.820.661.500 đồng"
    assert mismatch.where == "Nội dung của Trung tâm Phát triển quỹ đất (mục tnmt)"
    assert "tổng giá trị bồi thường, hỗ trợ là 5.832.661.500 đồng" in mismatch.excerpt
    # The office sees it on the report page before issuing.
    page = client_for("vanphong").get(f"/bao-cao/{run.pk}/").content.decode()
    assert "Số viết tay trong nội dung" in page and "5.832.661.500 đồng" in page


def test_hand_written_numbers_that_agree_and_other_units(demo):
    run = _ttptqd_text_with("5,82 tỷ")  # rounded, in another money unit: agrees
    police = Contribution.objects.get(org_unit__code="TPLS_CA")
    police.text = (
        police.text.replace("{{ f.MT_HEROIN.value|so }}", "1,593").replace("{{ f.HS_VU.value|dem }}", "08")
        + " Ngày 15/6/2020, theo Kế hoạch số 144/KH-UBND, giai đoạn 2020-2025, lớp 10, 62 nghìn tỷ đồng."
    )
    police.save()
    tax = OrgUnit.objects.get(code="TPLS_CCT")
    Contribution.objects.create(
        report_type=run.report_type,
        section_key="kinh-te",
        org_unit=tax,
        period="202006",
        text="Thu ngân sách được 9.050 triệu đồng, đạt 22,6% dự toán tháng, bằng 79,1% so với cùng kỳ; "
        "ước thực hiện 27.644 triệu đồng, đạt 70,1% dự toán tháng.",
    )
    result = check_run(run)
    assert [(m.written, m.indicator, m.stored) for m in result.mismatches] == [
        ("70,1%", "tỷ lệ của Thu ngân sách nhà nước trên địa bàn", "không tỷ lệ nào khớp"),
        ("08 vụ", "Số vụ phạm pháp hình sự (thực hiện)", "7 vụ"),
    ]
    # 5,82 tỷ; 08 vụ; 1,593 gam; 9.050 triệu; 22,6%; 79,1%; 27.644 triệu; 70,1% — dates, document
    # numbers, year ranges and numbers without a unit are not counted.
    assert result.checked == 8 and result.unattributed == 0


def test_entry_page_and_autosave_show_rule_messages(demo):
    member = DataSetIndicator.objects.get(
        data_set__code="BM_TPLS_CA", indicator__code="MT_CHUYEN_AN_DOI_TUONG"
    )
    client = client_for("ca.canbo")
    url = "/so-lieu/nhap/BM_TPLS_CA/TPLS_CA/202006/"
    response = client.post(
        url + "luu/", {f"f{member.pk}": "50", f"f{member.pk}_version": "1", f"f{member.pk}_comment": ""}
    )
    data = response.json()
    assert data["saved"] == 1
    warning, deviation = data["warnings"]
    assert warning.startswith("Cao (chặn phê duyệt): Tổng và các chỉ tiêu “trong đó” – Số đối tượng mua bán")
    assert "= 21 không được nhỏ hơn tổng" in warning and "= 50." in warning
    assert deviation.startswith("Thấp (cảnh báo): Biến động bất thường – Số đối tượng bị bắt qua triệt phá")
    assert "= 50 so với tháng 6/2019 = 4 thay đổi hơn 3 lần; cần ghi chú giải thích." in deviation
    parent = DataSetIndicator.objects.get(data_set__code="BM_TPLS_CA", indicator__code="MT_DOI_TUONG")
    assert data["warnings_by_field"][f"f{parent.pk}"] == [warning]
    # A comment answers the deviation flag (a warning, never a block).
    response = client.post(
        url + "luu/", {f"f{member.pk}": "50", f"f{member.pk}_comment": "Chuyên án lớn, bắt nhiều đối tượng"}
    )
    assert response.json()["warnings"] == [warning]
    page = client.get(url).content.decode()
    assert f'id="f{member.pk}-rules" data-key="f{member.pk}" role="status">Cao (chặn phê duyệt)' in page
    assert "Kiểm tra số liệu: 1 vấn đề" in page


def test_validation_report_page_excel_and_access(demo):
    ValidationRule.objects.filter(code=SAME_MONEY).update(is_active=True)
    page = client_for("vanphong").get("/chat-luong/?period=202006").content.decode()
    assert "1 vấn đề" in page and "Trung tâm PTQĐ báo cáo 5.820.661.500 đồng" in page
    workbook = client_for("vanphong").get("/chat-luong/?period=202006&excel=1")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet["B3"].value == "Thành phố Lạng Sơn" and sheet["D3"].value == SAME_MONEY
    # A unit sees only its own units' violations: the city-level one is not theirs.
    assert "5.820.661.500" not in client_for("ca.canbo").get("/chat-luong/?period=202006").content.decode()
    assert client_for("ca.canbo").get("/chat-luong/quy-tac/").status_code == 200


def test_run_validation_command_exit_status(demo):
    out = io.StringIO()
    call_command("run_validation", "--period", "202006", stdout=out)
    assert "tháng 6/2020: 0 vấn đề, 0 ở mức cao." in out.getvalue()
    ValidationRule.objects.filter(code=SAME_MONEY).update(is_active=True)
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("run_validation", "--period", "202006", stdout=out)
    assert failed.value.returncode == 1
    assert "[Cao (chặn phê duyệt)] Phòng TN&MT và Trung tâm PTQĐ" in out.getvalue()
    assert f"({SAME_MONEY})" in out.getvalue()
    with pytest.raises(CommandError, match="Không có đơn vị mã XYZ"):
        call_command("run_validation", "--period", "202006", "--unit", "XYZ")


def test_the_admin_refuses_a_bad_rule_with_the_reason(demo):
    response = client_for("admin").post(
        "/quan-tri/quality/validationrule/add/",
        {
            "code": "SAI",
            "name": "Quy tắc sai",
            "left": "GPMB_PA_TIEN / (1 - 1)",
            "operator": "eq",
            "right": "KHONG_CO",
            "left_missing": "skip_if_any",
            "right_missing": "skip_if_any",
            "importance": "high",
            "scope": "own",
            "is_active": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not ValidationRule.objects.filter(code="SAI").exists()
    assert "chia cho 0" in page and "không có chỉ tiêu mã KHONG_CO" in page
    assert client_for("vanphong").get("/quan-tri/quality/validationrule/").status_code in (302, 403)
