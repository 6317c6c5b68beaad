"""Scheduled reminders (baocao.assignments.reminders): N working days before a task's or a form's deadline,
on the first working day after it, never twice, and not for a user who switched them off."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command

from baocao.assignments.reminders import send_reminders
from baocao.assignments.services import create_task, report_completion
from baocao.collection.workflow import get_submission, transition
from baocao.indicators.models import DataSet
from baocao.notifications.models import Notification
from baocao.notifications.services import save_preference
from baocao.reports.jobs import run_periodic_jobs
from baocao.testing.factories import make_user

D = datetime.date
DEADLINE = D(2020, 6, 17)  # a Wednesday; no holiday near it
MON, TUE, WED, THU, FRI = (D(2020, 6, 15), D(2020, 6, 16), DEADLINE, D(2020, 6, 18), D(2020, 6, 19))
PREVIOUS_FRI = D(2020, 6, 12)


@pytest.fixture
def task(org):
    return create_task(
        org.office,
        content="Rà soát hồ sơ đất đai tồn đọng",
        lead_unit=org.econ,
        assigned_on=D(2020, 6, 1),
        deadline=DEADLINE,
    )


def inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True))


def test_two_working_days_before_the_deadline_the_lead_unit_is_reminded(org, task):
    assert send_reminders(PREVIOUS_FRI) == 0  # three working days ahead: not yet
    assert inbox(org.staff) == []
    assert send_reminders(MON) == 1
    (title,) = inbox(org.staff)
    assert title.startswith("Nhắc hạn: nhiệm vụ “Rà soát hồ sơ đất đai tồn đọng” (Phòng Kinh tế)")
    assert "hạn 17/6/2020" in title
    assert inbox(org.office) == [] and inbox(org.leader) == []  # the office assigned it; it does not act


def test_a_reminder_is_never_sent_twice(org, task):
    send_reminders(MON)
    assert send_reminders(MON) == 0
    assert send_reminders(TUE) == 0  # still inside the window: the key holds
    assert len(inbox(org.staff)) == 1


def test_the_day_after_the_deadline_says_it_is_overdue_once(org, task):
    send_reminders(MON)
    assert send_reminders(WED) == 0  # the deadline day itself: the before-reminder was sent already
    assert send_reminders(THU) == 1
    assert (
        inbox(org.staff)[-1]
        == "Đã quá hạn: nhiệm vụ “Rà soát hồ sơ đất đai tồn đọng” (Phòng Kinh tế) – hạn 17/6/2020"
    )
    assert send_reminders(THU) == 0
    assert send_reminders(FRI) == 0  # only the first working day after
    assert len(inbox(org.staff)) == 2


def test_a_completed_task_is_not_reminded(org, task):
    report_completion(org.staff, task, completed_on=D(2020, 6, 10), note="Đã xong")
    assert send_reminders(MON) == 0
    assert send_reminders(THU) == 0
    assert inbox(org.staff) == []


def test_reminders_switched_off_are_not_sent(org, task):
    save_preference(org.staff, email=False, reminders=False, reminder_days=2)
    assert send_reminders(MON) == 0
    assert send_reminders(THU) == 0
    assert inbox(org.staff) == []


def test_the_number_of_days_is_the_users_own(org, task):
    save_preference(org.staff, email=False, reminders=True, reminder_days=5)
    assert send_reminders(D(2020, 6, 9)) == 0  # six working days ahead
    assert send_reminders(D(2020, 6, 10)) == 1  # five working days ahead


def test_a_reminder_switched_to_zero_days_comes_on_the_deadline_day(org, task):
    save_preference(org.staff, email=False, reminders=True, reminder_days=0)
    assert send_reminders(TUE) == 0
    assert send_reminders(WED) == 1
    assert inbox(org.staff) == [
        "Nhắc hạn: nhiệm vụ “Rà soát hồ sơ đất đai tồn đọng” (Phòng Kinh tế) – hạn 17/6/2020 "
        "(hôm nay là hạn cuối)"
    ]


def test_no_reminder_on_a_weekend(org, task):
    save_preference(org.staff, email=False, reminders=True, reminder_days=3)
    assert send_reminders(D(2020, 6, 13)) == 0  # Saturday
    assert send_reminders(D(2020, 6, 14)) == 0  # Sunday
    assert send_reminders(MON) == 1


@pytest.fixture
def form(org):
    # June 2020's Decree 09 cut-off is Sunday 14/6; three working days after it is Wednesday 17/6.
    data_set = DataSet.objects.create(
        code="BM_KT", name="Biểu tháng kinh tế", period_type="month", deadline_working_days=3
    )
    data_set.org_units.add(org.econ)
    return data_set


def test_a_form_not_yet_submitted_is_reminded_by_email_too(org, form, django_capture_on_commit_callbacks):
    org.staff.email = "pkt.canbo@example.vn"
    org.staff.save()
    head = make_user("pkt.truong", "unit_head", org.econ, email="pkt.truong@example.vn")
    save_preference(head, email=False, reminders=True, reminder_days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(MON) == 2
    expected = (
        "Nhắc hạn: biểu “Biểu tháng kinh tế” của Phòng Kinh tế, tháng 6/2020 – hạn 17/6/2020 "
        "(còn 2 ngày làm việc)"
    )
    assert inbox(org.staff) == [expected]
    assert inbox(head) == [expected]
    (message,) = mail.outbox  # the head chose the inbox only
    assert message.to == ["pkt.canbo@example.vn"]
    assert expected in message.subject
    assert "/so-lieu/nhap/BM_KT/C_PKT/202006/" in message.body


def test_a_submitted_form_is_not_reminded(org, form):
    head = make_user("pkt.truong", "unit_head", org.econ)
    transition(get_submission(form, org.econ, "202006"), "submit", head)
    assert send_reminders(MON) == 0
    assert send_reminders(THU) == 0


def test_public_holidays_are_not_counted_as_working_days(org):
    # Monday 4/5/2020 comes after 30/4 and 1/5 (holidays) and a weekend: two working days before it is
    # Tuesday 28/4, a week ahead in calendar days.
    create_task(
        org.office,
        content="Báo cáo sau kỳ nghỉ lễ",
        lead_unit=org.econ,
        assigned_on=D(2020, 4, 1),
        deadline=D(2020, 5, 4),
    )
    assert send_reminders(D(2020, 4, 27)) == 0
    assert send_reminders(D(2020, 4, 28)) == 1
    assert inbox(org.staff) == [
        "Nhắc hạn: nhiệm vụ “Báo cáo sau kỳ nghỉ lễ” (Phòng Kinh tế) – hạn 4/5/2020 (còn 2 ngày làm việc)"
    ]
    assert send_reminders(D(2020, 4, 30)) == 0  # a holiday: nothing is sent
    assert send_reminders(D(2020, 5, 5)) == 1  # the first working day after the deadline


def test_the_job_worker_sends_the_reminders_of_the_domains_today(org, task, settings):
    settings.BAOCAO_TODAY = "2020-06-15"
    settings.BAOCAO_PERIODIC_JOBS = [
        "baocao.no_such_module.job",
        "baocao.assignments.reminders.send_reminders",
    ]
    assert run_periodic_jobs() == 1  # the broken entry is logged; the reminders still run
    assert len(inbox(org.staff)) == 1
    call_command("run_jobs", "--once", stdout=io.StringIO())  # the worker of a server: nothing twice
    assert len(inbox(org.staff)) == 1


def test_the_demo_day_reminds_the_units_whose_june_forms_are_due(demo):
    # make run pins the demo to Tuesday 16/6/2020, the deadline of June's forms (cut-off 14/6 + 2 days).
    assert send_reminders(D(2020, 6, 16)) > 0
    clerk = User.objects.get(username="btcd.canbo")
    assert (
        "Nhắc hạn: biểu “Số liệu tháng – Ban Tiếp công dân” của Ban Tiếp công dân, tháng 6/2020 – "
        "hạn 16/6/2020 (hôm nay là hạn cuối)"
    ) in inbox(clerk)
    assert inbox(User.objects.get(username="admin")) == []  # the administrator is not told of every unit
