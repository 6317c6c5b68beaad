"""Task deadlines and the working-day rule (issue 17, points 3 and 7): a deadline on a day off runs to the
next working day, and the status text says "quá hạn" once."""

import datetime
import re

import pytest
from django.test import override_settings
from django.utils.html import strip_tags

from baocao.assignments import services
from baocao.assignments.status import Status, task_items
from baocao.core import dates
from baocao.testing.factories import logged_in

D = datetime.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    dates.clear_working_day_cache()
    yield
    dates.clear_working_day_cache()


def task(org, **kwargs):
    kwargs.setdefault("assigned_on", D(2020, 5, 20))
    return services.create_task(org.office, content="Tham mưu báo cáo", lead_unit=org.econ, **kwargs)


def only(t, cutoff):
    (item,) = task_items(t, cutoff)
    return item


@pytest.mark.parametrize(
    ("completed_on", "expected"),
    [(D(2020, 6, 22), Status.DONE_ON_TIME), (D(2020, 6, 23), Status.DONE_LATE)],
)
def test_a_deadline_on_saturday_runs_to_monday(org, completed_on, expected):
    t = task(org, deadline=D(2020, 6, 20))  # Saturday
    services.report_completion(org.staff, t, completed_on=completed_on)
    assert only(t, D(2020, 6, 30)).status == expected


def test_open_task_with_a_deadline_on_30_4_is_overdue_only_after_monday_4_5(org):
    t = task(org, deadline=D(2020, 4, 30), assigned_on=D(2020, 4, 1))  # 30/4 and 1/5, then the weekend
    assert only(t, D(2020, 5, 4)).status == Status.OPEN_ON_TIME
    late = only(t, D(2020, 5, 6))
    assert (late.status, late.days_late) == (Status.OPEN_OVERDUE, 2)
    assert late.deadline_text == "30/04/2020 (ngày nghỉ, tính đến hết 04/05/2020)"


def test_an_administrators_day_off_moves_a_task_deadline(org):
    t = task(org, deadline=D(2020, 6, 12))
    assert only(t, D(2020, 6, 15)).status == Status.OPEN_OVERDUE
    dates.DayAdjustment.objects.create(date=D(2020, 6, 12), kind="day_off", decision="Thông báo thử")
    assert only(t, D(2020, 6, 15)).status == Status.OPEN_ON_TIME


@pytest.mark.django_db
def test_status_text_says_overdue_once(client, org):
    task(org, deadline=D(2020, 6, 10))
    with override_settings(BAOCAO_TODAY="2020-06-16"):
        page = logged_in(client, "pkt.canbo").get("/nhiem-vu/")
    text = re.sub(r"\s+", " ", strip_tags(page.content.decode()))
    assert "Chưa hoàn thành, quá hạn 6 ngày" in text
    assert "quá hạn quá hạn" not in text
