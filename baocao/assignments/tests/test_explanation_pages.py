"""Explanation requests (issue 19.4): the unit reading an explanation request sees the period as a month,
not the internal period code (the task page said "kỳ 202006")."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse

from baocao.assignments.explanations import request_explanation
from baocao.assignments.models import ExplanationRequest
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


@pytest.mark.django_db
@override_settings(BAOCAO_TODAY=DAY.isoformat())
def test_a_request_to_the_whole_city_is_not_offered_as_it_reaches_nobody(client, demo):
    """The warnings list's first table (the city as a whole) offered 'Yêu cầu giải trình' on every row; the
    request went to Thành phố Lạng Sơn, where nobody enters data, so no one was told or could answer."""
    client.force_login(User.objects.get(username="lanhdao"))
    page = client.get(reverse("analytics:warnings")).content.decode()
    assert "unit=TPLS_CA&amp;period=202006" in page  # the police's own row still asks the police
    assert "indicator=HS_VU&amp;unit=TPLS&amp;period=202006" not in page

    sent = client.post(
        reverse("assignments:explain"),
        {"indicator": "HS_VU", "unit": "TPLS", "period": "202006", "deadline": "2020-06-23", "question": "?"},
    )
    assert sent.status_code == 400
    assert "không có cán bộ nhập số liệu để nhận và trả lời yêu cầu giải trình" in sent.content.decode()
    assert not ExplanationRequest.objects.exists()


@pytest.mark.django_db
@override_settings(BAOCAO_TODAY=DAY.isoformat())
def test_the_briefing_and_the_audit_page_are_in_the_menu_of_those_who_may_open_them(client, demo):
    """No page linked to the leader's monthly briefing (/tom-tat/) or the audit chain's page (/kiem-toan/):
    they were reachable only by typing their address."""
    briefing, audit = reverse("briefing:page"), reverse("audit:verification")
    for username, sees_briefing, sees_audit in (
        ("lanhdao", True, False),
        ("vanphong", True, True),
        ("ca.canbo", False, False),
    ):
        client.force_login(User.objects.get(username=username))
        home = client.get(reverse("assignments:mine")).content.decode()
        assert (f'href="{briefing}"' in home) == sees_briefing, username
        assert (f'href="{audit}"' in home) == sees_audit, username
        if sees_briefing:
            assert client.get(briefing).status_code == 200
        if sees_audit:
            assert client.get(audit).status_code == 200
