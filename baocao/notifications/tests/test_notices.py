"""Who is told what: a returned form reaches the unit's clerks (inbox and e-mail), forms waiting reach the
office and the leader, an approval reaches the unit, a comment on a value reaches the person who entered it;
the office accepts or approves several forms at once with a result per form; the inbox and its badge."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from baocao.collection.models import SubmissionStatus
from baocao.collection.values import write_value
from baocao.collection.workflow import bulk_transition, get_submission, transition
from baocao.indicators.models import DataSet, Sector, UnitOfMeasure
from baocao.notifications.models import Notification
from baocao.notifications.services import save_preference
from baocao.testing.factories import make_indicator, make_user

JUNE = "202006"


def titles(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True))


@pytest.fixture
def forms(org):
    org.head = make_user("pkt.truong", "unit_head", org.econ, password="x", email="pkt.truong@example.vn")
    org.land_head = make_user("tnmt.truong", "unit_head", org.land, password="x")
    org.staff.email = "pkt.canbo@example.vn"
    org.staff.save()
    made = {}
    for code, name in (("BM_A", "Biểu A"), ("BM_B", "Biểu B"), ("BM_C", "Biểu C")):
        data_set = DataSet.objects.create(code=code, name=name, period_type="month")
        data_set.org_units.add(org.econ, org.land)
        made[code] = data_set
    org.forms = made
    return org


def submitted(org, code: str, unit=None):
    unit = unit or org.econ
    head = org.head if unit == org.econ else org.land_head
    return transition(get_submission(org.forms[code], unit, JUNE), "submit", head)


def test_a_return_reaches_the_units_clerks_in_the_inbox_and_by_email(
    forms, django_capture_on_commit_callbacks
):
    org = forms
    submission = submitted(org, "BM_A")
    with django_capture_on_commit_callbacks(execute=True):
        transition(submission, "return", org.office, reason="Số liệu thu ngân sách chưa khớp")
    expected = "Số liệu biểu “Biểu A” của Phòng Kinh tế, tháng 6/2020 bị trả lại"
    assert titles(org.staff) == [expected]
    assert titles(org.head) == [expected]
    notice = Notification.objects.get(recipient=org.staff)
    assert "Lý do: Số liệu thu ngân sách chưa khớp" in notice.body
    assert notice.url == "/so-lieu/nhap/BM_A/C_PKT/202006/"
    assert expected not in titles(org.office)  # who returned it is not told
    assert titles(org.land_head) == []  # another unit's clerks neither
    assert sorted(m.to[0] for m in mail.outbox) == ["pkt.canbo@example.vn", "pkt.truong@example.vn"]
    assert all("Số liệu thu ngân sách chưa khớp" in m.body for m in mail.outbox)


def test_inbox_only_preference_sends_no_email(forms, django_capture_on_commit_callbacks):
    org = forms
    save_preference(org.staff, email=False, reminders=True, reminder_days=2)
    with django_capture_on_commit_callbacks(execute=True):
        transition(submitted(org, "BM_A"), "return", org.office, reason="Thiếu số liệu")
    assert [m.to for m in mail.outbox] == [["pkt.truong@example.vn"]]
    assert len(titles(org.staff)) == 1


def test_waiting_forms_reach_the_office_then_the_leader_and_the_approval_the_unit(forms):
    org = forms
    submission = submitted(org, "BM_A")
    assert titles(org.office) == ["Chờ tiếp nhận: biểu “Biểu A” của Phòng Kinh tế, tháng 6/2020"]
    submission = transition(submission, "accept", org.office)
    assert titles(org.leader) == ["Chờ phê duyệt: biểu “Biểu A” của Phòng Kinh tế, tháng 6/2020"]
    transition(submission, "approve", org.leader)
    assert titles(org.staff)[-1] == "Số liệu biểu “Biểu A” của Phòng Kinh tế, tháng 6/2020 đã được phê duyệt"


def test_a_rolled_back_step_leaves_no_notice(forms):
    org = forms
    submission = submitted(org, "BM_A")
    with pytest.raises(PermissionDenied):
        transition(submission, "return", org.staff, reason="x")
    assert titles(org.head) == []


def test_a_comment_on_my_value_by_someone_else_reaches_me(forms):
    org = forms
    sector = Sector.objects.create(code="KT", name="Kinh tế")
    unit = UnitOfMeasure.objects.create(code="ty", name="tỷ đồng", dimension="money")
    indicator = make_indicator("THU", sector, unit)
    write_value(org.staff, indicator=indicator, org_unit=org.econ, period=JUNE, value="12")
    write_value(
        org.staff, indicator=indicator, org_unit=org.econ, period=JUNE, value="12", comment="Ước tính"
    )
    assert titles(org.staff) == []  # my own comment on my own value
    write_value(
        org.head, indicator=indicator, org_unit=org.econ, period=JUNE, value="12", comment="Kiểm tra lại"
    )
    assert titles(org.staff) == [
        "pkt.truong ghi chú về số liệu “Chỉ tiêu THU” của Phòng Kinh tế, tháng 6/2020"
    ]
    notice = Notification.objects.get(recipient=org.staff)
    assert notice.body == "Ghi chú: Kiểm tra lại"
    assert titles(org.head) == []


def test_bulk_approval_of_three_forms_with_a_result_per_form(forms):
    org = forms
    ids = [transition(submitted(org, code), "accept", org.office).pk for code in ("BM_A", "BM_B", "BM_C")]
    outcomes = bulk_transition(ids, "approve", org.leader)
    assert [(o.form, o.ok) for o in outcomes] == [
        ("Biểu A – Phòng Kinh tế", True),
        ("Biểu B – Phòng Kinh tế", True),
        ("Biểu C – Phòng Kinh tế", True),
    ]
    assert {o.submission.status for o in outcomes} == {SubmissionStatus.APPROVED}


def test_bulk_acceptance_refuses_one_form_and_takes_the_others(forms):
    org = forms
    a, b = submitted(org, "BM_A"), submitted(org, "BM_B")
    draft = get_submission(org.forms["BM_C"], org.econ, JUNE)
    outcomes = bulk_transition([a.pk, b.pk, draft.pk], "accept", org.office)
    assert [(o.form, o.ok) for o in outcomes][:2] == [
        ("Biểu A – Phòng Kinh tế", True),
        ("Biểu B – Phòng Kinh tế", True),
    ]
    refused = outcomes[2]
    assert (refused.form, refused.ok) == ("Biểu C – Phòng Kinh tế", False)
    assert refused.message == "Không thể tiếp nhận khi bộ số liệu đang ở trạng thái “Đang nhập”."
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT


def test_bulk_step_outside_ones_rights_changes_nothing(forms):
    org = forms
    a = submitted(org, "BM_A")
    with pytest.raises(PermissionDenied):
        bulk_transition([a.pk], "accept", org.head)  # a unit's head does not accept
    a.refresh_from_db()
    assert a.status == SubmissionStatus.SUBMITTED


def test_inbox_badge_open_and_read_all(forms, client):
    org = forms
    transition(submitted(org, "BM_A"), "return", org.office, reason="Thiếu")
    transition(submitted(org, "BM_B"), "return", org.office, reason="Thiếu")
    client.force_login(org.staff)
    home = client.get(reverse("notifications:inbox")).content.decode()
    assert "Thông báo (<strong>2</strong> chưa đọc)" in home
    assert "Biểu B” của Phòng Kinh tế, tháng 6/2020 bị trả lại" in home
    first = Notification.objects.filter(recipient=org.staff).order_by("pk").first()
    response = client.post(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/so-lieu/nhap/BM_A/C_PKT/202006/"
    assert (
        "Thông báo (<strong>1</strong> chưa đọc)"
        in client.get(reverse("notifications:inbox")).content.decode()
    )
    client.post(reverse("notifications:read_all"))
    assert "chưa đọc)" not in client.get(reverse("notifications:inbox")).content.decode()


def test_another_users_notice_cannot_be_opened(forms, client):
    org = forms
    transition(submitted(org, "BM_A"), "return", org.office, reason="Thiếu")
    notice = Notification.objects.get(recipient=org.staff)
    client.force_login(org.head)
    assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_preference_page_names_the_field_in_its_error(forms, client):
    client.force_login(forms.staff)
    url = reverse("notifications:settings")
    page = client.post(url, {"channel": "email", "reminders": "1", "reminder_days": "ba"}).content.decode()
    assert "Số ngày làm việc nhắc trước hạn: nhập một số nguyên từ 0 đến 20 (đã nhập “ba”)" in page
    client.post(url, {"channel": "inbox", "reminder_days": "4"})
    preference = forms.staff.notification_preference
    assert (preference.email, preference.reminders, preference.reminder_days) == (False, False, 4)


def test_receiving_table_offers_bulk_approval_and_reports_each_form(forms, client):
    org = forms
    accepted = [transition(submitted(org, code), "accept", org.office) for code in ("BM_A", "BM_B")]
    draft = get_submission(org.forms["BM_C"], org.econ, JUNE)
    client.force_login(org.leader)
    page = client.get(reverse("collection:review") + "?period=202006").content.decode()
    assert "Phê duyệt các biểu đã chọn" in page
    assert "Tiếp nhận các biểu đã chọn" not in page  # the leader approves, the office accepts
    assert page.count('name="submission"') == 2  # only the accepted forms can be ticked
    assert 'data-form-label="Biểu A – Phòng Kinh tế"' in page
    response = client.post(
        reverse("collection:review_bulk"),
        {"step": "approve", "period": "202006", "submission": [accepted[0].pk, accepted[1].pk]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["Đã duyệt: Biểu A – Phòng Kinh tế.", "Đã duyệt: Biểu B – Phòng Kinh tế."]
    assert response.redirect_chain[-1][0] == "/so-lieu/tiep-nhan/?period=202006"
    client.force_login(org.office)
    response = client.post(
        reverse("collection:review_bulk"),
        {"step": "accept", "period": "202006", "submission": [draft.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Không tiếp nhận được Biểu C – Phòng Kinh tế: "
        "Không thể tiếp nhận khi bộ số liệu đang ở trạng thái “Đang nhập”."
    ]


def test_bulk_request_for_forms_outside_ones_rights_changes_nothing(forms, client):
    org = forms
    submission = submitted(org, "BM_A")
    client.force_login(org.leader)  # the leader approves; accepting is the office's
    response = client.post(
        reverse("collection:review_bulk"), {"step": "accept", "submission": [submission.pk]}, follow=True
    )
    (message,) = [str(m) for m in response.context["messages"]]
    assert message == "Không xử lý được các biểu đã chọn: Bạn không có quyền tiếp nhận của Phòng Kinh tế."
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
