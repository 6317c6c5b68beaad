"""The demo reads as June 2020 (issue 17, point 6): `make run` serves it with its own "today", and the
home page, the task list and the receiving table then show the state of that day; the test suite itself
keeps the real date unless a test opts in, as these do."""

import datetime
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from django.utils.html import strip_tags

from baocao.collection.workflow import timeliness, transition
from baocao.core import clock
from baocao.core.periods import Period
from baocao.demo.loader import DEMO_NOT_YET_SUBMITTED, DEMO_TODAY, submit_demo_forms
from baocao.orgunits.models import OrgUnit
from baocao.testing.factories import demo_submission

ROOT = Path(__file__).resolve().parents[3]


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def _days_overdue(text: str) -> list[int]:
    return [int(n.replace(".", "")) for n in re.findall(r"quá hạn ([0-9.]+) ngày", text)]


def test_make_run_serves_the_demo_on_its_own_day():
    plan = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    server = [line for line in plan.splitlines() if "runserver" in line]
    assert server and f"BAOCAO_TODAY={DEMO_TODAY.isoformat()}" in server[0]
    assert DEMO_TODAY.year == 2020 and DEMO_TODAY.month == 6


def test_the_suite_keeps_the_real_date():
    assert not settings.BAOCAO_TODAY
    assert clock.today() != DEMO_TODAY


@pytest.mark.django_db
def test_home_page_and_tasks_read_as_june_2020(client_as):
    with override_settings(BAOCAO_TODAY=DEMO_TODAY.isoformat()):
        home = _text(client_as("lanhdao").get("/"))
        tasks = _text(client_as("lanhdao").get("/nhiem-vu/"))
        receiving = _text(client_as("vanphong").get("/so-lieu/tiep-nhan/"))
    assert "Tổng quan tháng 6/2020" in home
    # The reminder panel counts from 16/6/2020: a task due 10/6 is 6 days late, the monthly one due
    # Saturday 20/6 runs to Monday 22/6; on the real date every open task was "quá hạn 2.3xx ngày".
    assert "hạn 10/06/2020, quá hạn 6 ngày" in home
    assert "hạn 20/06/2020 (ngày nghỉ, tính đến hết 22/06/2020), còn 6 ngày" in home
    assert "Tình trạng tính đến hôm nay 16/06/2020" in tasks
    assert _days_overdue(tasks) and max(_days_overdue(tasks)) < 31
    assert "còn 6 ngày" in tasks
    assert "Tình hình gửi số liệu – tháng 6/2020" in receiving
    assert "16/06/2020" in receiving  # June's deadline: cut-off Sunday 14/6 + 2 working days


@pytest.mark.django_db
def test_a_form_submitted_in_the_demo_is_on_time(demo, django_user_model):
    police = demo_submission("BM_TPLS_CA", "TPLS_CA", "202006")
    with override_settings(BAOCAO_TODAY=DEMO_TODAY.isoformat()):
        transition(police, "submit", django_user_model.objects.get(username="ca.truong"))
    row = next(r for r in timeliness(Period.parse("202006")) if r.org_unit.code == "TPLS_CA")
    assert timezone.localtime(row.submission.submitted_at).date() == DEMO_TODAY
    assert row.state_label == "Đúng hạn"  # on the real date it was "Muộn", six years late
    assert row.deadline == datetime.date(2020, 6, 16)


@pytest.mark.django_db
def test_make_runs_demo_has_most_units_on_time(demo, client_as):
    sent = submit_demo_forms()
    rows = timeliness(Period.parse("202006"), OrgUnit.objects.filter(code__startswith="TPLS_"))
    states = Counter(row.state for row in rows)
    assert sent == states["on_time"] and states["late"] == 0
    assert states["on_time"] > len(rows) / 2 and states["missing"] >= DEMO_NOT_YET_SUBMITTED
    assert {
        timezone.localtime(r.submission.submitted_at).date()
        for r in rows
        if r.submission and r.submission.submitted_at
    } <= {
        datetime.date(2020, 6, 15),
        DEMO_TODAY,
    }
    assert submit_demo_forms() == 0  # idempotent
    with override_settings(BAOCAO_TODAY=DEMO_TODAY.isoformat()):
        receiving = _text(client_as("vanphong").get("/so-lieu/tiep-nhan/"))
    assert f"Đúng hạn: {states['on_time']} · Muộn: 0 · Chưa gửi: {states['missing']}" in receiving
