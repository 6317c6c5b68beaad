"""Explanation requests (issue 19, point 4): the office asks the unit of an at-risk item to explain by a
deadline; it is a task (status, overdue, notice); the unit's answer shows on the item; a unit that no
longer exists passes the request to its successor and says so."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from baocao.assignments.explanations import answers_for, request_explanation
from baocao.assignments.services import report_completion, return_completion
from baocao.assignments.status import Status, task_items
from baocao.core.periods import Period
from baocao.indicators.models import Indicator
from baocao.notifications.models import Notification
from baocao.orgunits.models import OrgUnitSuccession
from baocao.reports.building import build_document
from baocao.reports.document import Paragraph
from baocao.reports.models import BlockKind, ReportBlock, ReportSection, ReportType
from baocao.testing.factories import make_unit, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("june")]

DAY = datetime.date(2020, 6, 16)


@pytest.fixture
def june():
    with override_settings(BAOCAO_TODAY=DAY.isoformat()):
        yield


@pytest.fixture
def people(world):
    return {
        "office": make_user("vp", "office", world.city),
        "tax": make_user("thue.canbo", "unit_staff", world.tax),
        "police": make_user("ca.canbo", "unit_staff", world.police),
    }


def test_request_becomes_a_task_of_the_unit_with_a_notice_and_goes_overdue(world, people):
    revenue = world.indicator("THU_NS", world.money)
    made = request_explanation(
        people["office"],
        indicator=revenue,
        unit=world.tax,
        period="202006",
        deadline=DAY + datetime.timedelta(days=5),
        question="Vì sao thu tháng 6 thấp so với cùng kỳ?",
    )

    task = made.task
    assert task.lead_unit == world.tax
    assert "Chỉ tiêu THU_NS" in task.content and "Vì sao thu tháng 6" in task.content
    (notice,) = Notification.objects.filter(recipient=people["tax"])
    assert notice.title.startswith("Yêu cầu giải trình: Chỉ tiêu THU_NS, tháng 6/2020")
    assert notice.url == reverse("assignments:task", args=[task.pk])
    assert not Notification.objects.filter(recipient=people["police"]).exists()
    (item,) = task_items(task, DAY + datetime.timedelta(days=10))
    assert item.status == Status.OPEN_OVERDUE


def test_the_answer_shows_on_the_item_and_a_returned_one_does_not(world, people):
    revenue = world.indicator("THU_NS", world.money)
    made = request_explanation(
        people["office"], indicator=revenue, unit=world.tax, period="202006", deadline=DAY
    )
    (pending,) = answers_for(revenue, world.tax, "202006")
    assert not pending.is_answered

    done = report_completion(people["tax"], made.task, completed_on=DAY, note="Doanh nghiệp lớn nộp chậm.")
    (answer,) = answers_for("THU_NS", "CITY_TAX", "202006")
    assert answer.is_answered and answer.text == "Doanh nghiệp lớn nộp chậm."
    assert answers_for(revenue, world.tax, "202005") == []

    return_completion(people["office"], done, reason="Chưa nêu số liệu cụ thể")
    (answer,) = answers_for(revenue, world.tax, "202006")
    assert not answer.is_answered


def test_a_unit_that_no_longer_exists_passes_the_request_to_its_successor(world, people):
    world.ward.valid_to = datetime.date(2020, 3, 31)
    world.ward.save()
    merged = make_unit("CITY_W9", "Phường Chín", "ward", world.city)
    OrgUnitSuccession.objects.create(
        predecessor=world.ward, successor=merged, kind="merge", effective_date=datetime.date(2020, 4, 1)
    )
    clerk = make_user("p9.canbo", "unit_staff", merged)
    revenue = world.indicator("THU_NS", world.money)

    made = request_explanation(
        people["office"], indicator=revenue, unit=world.ward, period="202003", deadline=DAY
    )

    assert made.task.lead_unit == merged
    assert made.org_unit == world.ward and made.redirected_from == world.ward
    assert "Phường Một không còn hoạt động; chuyển Phường Chín là đơn vị kế thừa" in made.task.content
    assert Notification.objects.filter(recipient=clerk).exists()


def test_only_those_who_assign_may_ask_and_a_past_deadline_is_refused(world, people):
    revenue = world.indicator("THU_NS", world.money)
    with pytest.raises(PermissionDenied):
        request_explanation(
            people["police"], indicator=revenue, unit=world.tax, period="202006", deadline=DAY
        )
    with pytest.raises(ValidationError) as caught:
        request_explanation(
            people["office"],
            indicator=revenue,
            unit=world.tax,
            period="202006",
            deadline=DAY - datetime.timedelta(days=1),
        )
    assert "Hạn giải trình (15/6/2020) đã qua" in caught.value.message_dict["deadline"][0]


def test_answers_feed_part_ii_of_the_report_through_the_explanations_block(demo):
    report_type = ReportType.objects.get(code="KTXH_THANG")
    section = ReportSection.objects.get(report_type=report_type, key="han-che")
    ReportBlock.objects.create(section=section, kind=BlockKind.EXPLANATIONS, source="", sort_order=999)
    city = report_type.org_unit
    member = city.children.order_by("sort_order", "code").first()
    office = make_user("vp.thu", "office", city)
    clerk = make_user("dv.thu", "unit_staff", member)
    revenue = Indicator.objects.order_by("sort_order", "code").first()
    made = request_explanation(office, indicator=revenue, unit=member, period="202006", deadline=DAY)
    report_completion(clerk, made.task, completed_on=DAY, note="Nguồn thu tiền sử dụng đất chưa phát sinh.")

    built = build_document(report_type, city, Period.month(2020, 6))

    texts = [item.text for item in built.document.body if isinstance(item, Paragraph)]
    assert f"{member.name} (chỉ tiêu {revenue.name}): Nguồn thu tiền sử dụng đất chưa phát sinh." in texts
    assert built.document.failed_blocks == ()


def test_the_request_page_sends_names_a_bad_deadline_and_is_closed_to_the_unit(client, world, people):
    world.indicator("THU_NS", world.money)
    url = reverse("assignments:explain")
    item = {"indicator": "THU_NS", "unit": "CITY_TAX", "period": "202006"}

    client.force_login(people["tax"])  # the unit itself may not ask itself
    assert client.get(url, item).status_code == 404

    client.force_login(people["office"])
    refused = client.post(url, {**item, "deadline": "2020-06-01", "question": "Vì sao?"})
    assert refused.status_code == 400
    assert "Hạn giải trình (1/6/2020) đã qua" in refused.content.decode()

    sent = client.post(url, {**item, "deadline": "2020-06-25", "question": "Vì sao?"}, follow=True)
    page = sent.content.decode()
    assert "Đã gửi yêu cầu giải trình đến Chi cục Thuế." in page
    assert (
        "indicator=THU_NS&amp;unit=CITY_TAX&amp;period=202006&amp;kind=actual" in page
    )  # the item's passport
