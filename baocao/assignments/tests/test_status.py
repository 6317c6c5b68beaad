"""The four statuses at their boundaries, derived at a cut-off date from the task's history."""

import datetime

import pytest

from baocao.assignments import services
from baocao.assignments.status import Status, monthly_deadline, period_items, task_items
from baocao.core.periods import Period

D = datetime.date
JUNE = Period.month(2020, 6)  # 15/5/2020 – 14/6/2020


JUNE_10 = D(2020, 6, 10)


def task(org, deadline=JUNE_10, **kwargs):
    kwargs.setdefault("assigned_on", D(2020, 5, 20))
    if "monthly_day" not in kwargs:
        kwargs["deadline"] = deadline
    return services.create_task(org.office, content="Tham mưu báo cáo", lead_unit=org.econ, **kwargs)


def status(t, cutoff):
    (item,) = task_items(t, cutoff)
    return item.status


@pytest.mark.parametrize(
    ("completed_on", "expected"),
    [
        (D(2020, 6, 9), Status.DONE_ON_TIME),
        (D(2020, 6, 10), Status.DONE_ON_TIME),
        (D(2020, 6, 11), Status.DONE_LATE),
    ],
)
def test_completion_on_the_deadline_day_is_on_time_the_day_after_is_late(org, completed_on, expected):
    t = task(org)
    services.report_completion(org.staff, t, completed_on=completed_on)
    assert status(t, D(2020, 6, 14)) == expected


def test_not_completed_is_within_deadline_on_the_deadline_day_and_overdue_the_day_after(org):
    t = task(org)
    assert status(t, D(2020, 6, 10)) == Status.OPEN_ON_TIME
    assert status(t, D(2020, 6, 11)) == Status.OPEN_OVERDUE


def test_a_completion_after_the_cutoff_does_not_count_yet(org):
    t = task(org)
    services.report_completion(org.staff, t, completed_on=D(2020, 6, 9))
    assert status(t, D(2020, 6, 8)) == Status.OPEN_ON_TIME
    assert status(t, D(2020, 6, 9)) == Status.DONE_ON_TIME


def test_extension_applies_from_its_approval_date(org):
    t = task(org)
    services.extend_deadline(
        org.office,
        t,
        new_deadline=D(2020, 6, 20),
        approved_on=D(2020, 6, 12),
        reason="Chờ số liệu",
        approver=org.leader,
    )
    services.report_completion(org.staff, t, completed_on=D(2020, 6, 13))
    # Cut-off 11/6: the extension was not approved yet; the task was overdue.
    assert status(t, D(2020, 6, 11)) == Status.OPEN_OVERDUE
    (item,) = task_items(t, D(2020, 6, 14))
    assert (item.status, item.deadline, item.is_extended) == (Status.DONE_ON_TIME, D(2020, 6, 20), True)


def test_the_latest_extension_approved_before_the_cutoff_applies(org):
    t = task(org)
    services.extend_deadline(
        org.office,
        t,
        new_deadline=D(2020, 6, 30),
        approved_on=D(2020, 6, 1),
        reason="a",
        approver_name="Chủ tịch",
    )
    services.extend_deadline(
        org.office,
        t,
        new_deadline=D(2020, 6, 12),
        approved_on=D(2020, 6, 5),
        reason="b",
        approver_name="Chủ tịch",
    )
    services.report_completion(org.staff, t, completed_on=D(2020, 6, 13))
    (item,) = task_items(t, D(2020, 6, 14))
    assert (item.deadline, item.status) == (D(2020, 6, 12), Status.DONE_LATE)
    assert [e.new_deadline for e in t.extensions.all()] == [D(2020, 6, 30), D(2020, 6, 12)]  # history kept


def test_a_returned_completion_counts_as_not_completed(org):
    t = task(org)
    done = services.report_completion(org.staff, t, completed_on=D(2020, 6, 10))
    services.return_completion(org.office, done, reason="Chưa kèm văn bản")
    assert status(t, D(2020, 6, 14)) == Status.OPEN_OVERDUE
    services.report_completion(org.staff, t, completed_on=D(2020, 6, 12))
    assert status(t, D(2020, 6, 14)) == Status.DONE_LATE
    assert t.completions.count() == 2  # the returned one stays as history


def test_recurring_deadlines_are_judged_per_occurrence(org):
    t = task(org, monthly_day=20, assigned_on=D(2020, 4, 1))
    services.report_completion(org.staff, t, completed_on=D(2020, 4, 20), occurrence=D(2020, 4, 20))
    services.report_completion(org.staff, t, completed_on=D(2020, 5, 21), occurrence=D(2020, 5, 20))
    items = task_items(t, D(2020, 7, 14))
    assert [(i.occurrence, i.status) for i in items] == [
        (D(2020, 4, 20), Status.DONE_ON_TIME),
        (D(2020, 5, 20), Status.DONE_LATE),
        (D(2020, 6, 20), Status.OPEN_OVERDUE),
    ]
    # June's review: the occurrence due 20/5 (the April one was done before the window opened).
    assert [(i.occurrence, i.status) for i in period_items([t], JUNE)] == [(D(2020, 5, 20), Status.DONE_LATE)]
    # July's review: 20/6 is overdue at 14/7.
    july = period_items([t], JUNE.next())
    assert [(i.occurrence, i.status) for i in july] == [(D(2020, 6, 20), Status.OPEN_OVERDUE)]


def test_an_extension_of_one_occurrence_leaves_the_others(org):
    t = task(org, monthly_day=20, assigned_on=D(2020, 5, 1))
    services.extend_deadline(
        org.office,
        t,
        occurrence=D(2020, 5, 20),
        new_deadline=D(2020, 5, 25),
        approved_on=D(2020, 5, 18),
        reason="Nghỉ lễ",
        approver_name="Phó Chủ tịch",
    )
    services.report_completion(org.staff, t, completed_on=D(2020, 5, 24), occurrence=D(2020, 5, 20))
    services.report_completion(org.staff, t, completed_on=D(2020, 6, 24), occurrence=D(2020, 6, 20))
    statuses = [i.status for i in task_items(t, D(2020, 7, 14))]
    assert statuses == [Status.DONE_ON_TIME, Status.DONE_LATE]


def test_monthly_day_beyond_the_month_end_is_the_last_day():
    assert monthly_deadline(2020, 2, 31) == D(2020, 2, 29)
    assert monthly_deadline(2021, 4, 31) == D(2021, 4, 30)


def test_advisory_task_not_delivered_is_worded_chua_tham_muu(org):
    t = task(org, is_advisory=True)
    (item,) = task_items(t, D(2020, 6, 14))
    assert (item.status, item.wording) == (Status.OPEN_OVERDUE, "Chưa tham mưu")


def test_period_membership(org):
    done_before = task(org, deadline=D(2020, 5, 14), assigned_on=D(2020, 5, 1))
    services.report_completion(org.staff, done_before, completed_on=D(2020, 5, 14))
    later = task(org, deadline=D(2020, 6, 30), assigned_on=D(2020, 6, 15))
    open_long = task(org, deadline=D(2020, 8, 31), assigned_on=D(2020, 3, 1))
    overdue_before = task(org, deadline=D(2020, 5, 1), assigned_on=D(2020, 4, 1))
    items = period_items([done_before, later, open_long, overdue_before], JUNE)
    assert [(i.task, i.status) for i in items] == [
        (open_long, Status.OPEN_ON_TIME),
        (overdue_before, Status.OPEN_OVERDUE),
    ]
