"""The leader's monthly briefing (issue 19, point 5): the month's at-risk items with their passports,
overdue tasks with their task pages, missing submissions; a draft instruction letter (DOCX) to the units
concerned; the page's PDF is one page."""

import datetime
import io
from decimal import Decimal

import pikepdf
import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse
from docx import Document

from baocao.assignments.services import create_task
from baocao.briefing.services import briefing_document, build_briefing
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit
from baocao.reports.docx import render_docx
from baocao.reports.pdf import convert_to_pdf, find_soffice
from baocao.testing.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("june")]

PROFILE = [2, 3, 4, 5, 6, 8, 7, 8, 9, 10, 13, 25]


@pytest.fixture
def june():
    with override_settings(BAOCAO_TODAY="2020-07-10"):
        yield


@pytest.fixture
def city(world):
    """An indicator of the tax office running far behind its 2020 plan, and a task of the police overdue."""
    behind = world.indicator("BEHIND", world.money)
    for year, total in ((2017, 900), (2018, 1000), (2019, 1100)):
        for month in range(1, 13):
            world.value(behind, world.tax, f"{year}{month:02d}", Decimal(total) * PROFILE[month - 1] / 100)
    for month in range(1, 7):
        world.value(behind, world.tax, f"2020{month:02d}", Decimal(700) * PROFILE[month - 1] / 100)
    world.target(behind, world.tax, "2020", world.yearly_plan, 1200)
    leader = make_user("lanhdao", "leader", world.city)
    task = create_task(
        leader,
        content="Báo cáo kết quả xử lý vi phạm trật tự đô thị",
        lead_unit=world.police,
        assigned_on=datetime.date(2020, 6, 1),
        deadline=datetime.date(2020, 6, 30),
    )
    return leader, behind, task


def test_page_lists_the_at_risk_item_with_its_passport_and_the_overdue_task(client, world, city):
    leader, _behind, task = city
    client.force_login(leader)
    page = client.get(reverse("briefing:page"), {"unit": "CITY", "period": "202006"}).content.decode()

    at_risk = page[page.index('id="briefing-at-risk"') : page.index('id="briefing-anomalies"')]
    assert "Chi cục Thuế" in at_risk and "Chỉ tiêu BEHIND" in at_risk
    assert "indicator=BEHIND&amp;unit=CITY_TAX&amp;period=202006" in at_risk  # its passport
    overdue = page[page.index('id="briefing-overdue"') : page.index('id="briefing-missing"')]
    assert "Báo cáo kết quả xử lý vi phạm trật tự đô thị" in overdue
    assert reverse("assignments:task", args=[task.pk]) in overdue


def test_instruction_letter_is_a_docx_addressed_to_the_units_concerned(client, world, city):
    leader, _, _ = city
    client.force_login(leader)
    response = client.get(reverse("briefing:letter"), {"unit": "CITY", "period": "202006"})

    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "V/v chỉ đạo thực hiện các chỉ tiêu, nhiệm vụ tháng 6/2020" in text
    assert "Chi cục Thuế" in text and "Công an thành phố" in text
    assert "Khẩn trương hoàn thành nhiệm vụ quá hạn: Báo cáo kết quả xử lý vi phạm" in text


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_briefing_pdf_is_one_page(world, city):
    leader, _, _ = city
    pdf = convert_to_pdf(
        render_docx(briefing_document(build_briefing(leader, world.city, Period.parse("202006"))))
    )
    assert len(pikepdf.open(io.BytesIO(pdf)).pages) == 1


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")
def test_the_demo_months_briefing_pdf_is_one_page(demo):
    with override_settings(BAOCAO_TODAY="2020-06-16"):
        briefing = build_briefing(User.objects.get(username="lanhdao"), demo_city(), Period.parse("202006"))
        assert briefing.at_risk and briefing.overdue and briefing.missing  # something to print
        pdf = convert_to_pdf(render_docx(briefing_document(briefing)))
    assert len(pikepdf.open(io.BytesIO(pdf)).pages) == 1


def demo_city() -> OrgUnit:
    return OrgUnit.objects.get(code="TPLS")
