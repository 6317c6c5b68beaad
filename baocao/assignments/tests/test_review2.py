"""Second review (issue 19.4): the unit reading an explanation request sees the period as a month, not the
internal period code (the task page said "kỳ 202006")."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from baocao.assignments.explanations import request_explanation
from baocao.reports.tests.test_narrative_editor import visible
from baocao.testing.factories import make_user

DAY = datetime.date(2020, 6, 16)


@pytest.mark.django_db
@override_settings(BAOCAO_TODAY=DAY.isoformat())
def test_the_unit_reads_the_requests_period_as_a_month(client, world):
    office = make_user("vp", "office", world.city)
    clerk = make_user("thue.canbo", "unit_staff", world.tax)
    made = request_explanation(
        office,
        indicator=world.indicator("THU_NS", world.money),
        unit=world.tax,
        period="202006",
        deadline=DAY + datetime.timedelta(days=5),
        question="Vì sao thu tháng 6 thấp so với cùng kỳ?",
    )
    client.force_login(clerk)
    text = " ".join(
        visible(client.get(reverse("assignments:task", args=[made.task.pk])).content.decode()).split()
    )
    assert "Yêu cầu giải trình về chỉ tiêu" in text
    assert "202006" not in text
    assert "tháng 6/2020 – hộ chiếu số liệu" in text
