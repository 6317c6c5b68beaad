"""The month-end estimate on the entry page (issue 19, Done when): June 2020 revenue's estimate is offered
from the data up to the 14th and history; the office accepts it or types its own; the report uses
whichever was stored."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from baocao.analytics.forecast import MonthEstimate, month_end_estimate, rounded
from baocao.collection.models import ChangeSource, DataValue, Submission, ValueChange
from baocao.collection.values import write_value
from baocao.core.numbers import format_number
from baocao.core.periods import Period
from baocao.reports.building import build_document
from baocao.reports.document import Paragraph
from baocao.reports.models import ReportType
from baocao.testing.factories import demo_submission

pytestmark = pytest.mark.django_db

ENTRY = ("BM_TPLS_CCT", "TPLS_CCT", "202006")


def _estimate() -> DataValue:
    return DataValue.objects.get(
        indicator__code="THU_NSNN", org_unit__code="TPLS_CCT", period="202006", kind="estimate"
    )


def _report_text() -> str:
    report_type = ReportType.objects.get(code="KTXH_THANG")
    document = build_document(report_type, report_type.org_unit, Period.parse("202006")).document
    return " ".join(item.text for item in document.body if isinstance(item, Paragraph))


@pytest.fixture
def draft_form(demo):
    """The tax office's June 2020 form as a draft (the office has not estimated the month yet)."""
    submission = demo_submission(*ENTRY)
    Submission.objects.filter(pk=submission.pk).update(status="draft")
    _estimate().delete()
    suggestion = month_end_estimate("TPLS_CCT", "202006", "THU_NSNN")
    assert isinstance(suggestion, MonthEstimate)
    return rounded(suggestion.value, suggestion_indicator())


def suggestion_indicator():
    return DataValue.objects.filter(indicator__code="THU_NSNN").first().indicator


def test_entry_page_offers_the_estimate_and_accepting_writes_it_and_the_report_uses_it(client_as, draft_form):
    client = client_as("cct.canbo")
    page = client.get(reverse("collection:entry", args=ENTRY)).content.decode()

    assert "Gợi ý ước thực hiện cả tháng" in page
    assert f"{format_number(draft_form)} triệu đồng" in page
    assert "từ số đến ngày 14" in page
    assert "Dùng số gợi ý" in page
    # Offered, never written silently.
    assert not DataValue.objects.filter(indicator__code="THU_NSNN", period="202006", kind="estimate").exists()

    response = client.post(
        reverse("analytics:accept_estimate", args=ENTRY), {"accept_estimate": "THU_NSNN"}, follow=True
    )

    assert "Đã ghi ước thực hiện" in response.content.decode()
    assert _estimate().value == draft_form
    change = ValueChange.objects.filter(indicator__code="THU_NSNN", period="202006", kind="estimate").first()
    assert change.source == ChangeSource.WEB and change.changed_by.username == "cct.canbo"
    assert f"Ước thực hiện tháng 6/2020 thu được {format_number(draft_form)} triệu đồng" in _report_text()


def test_the_office_types_its_own_estimate_and_the_report_uses_that(client_as, draft_form):
    client = client_as("cct.canbo")
    client.post(reverse("analytics:accept_estimate", args=ENTRY), {"accept_estimate": "THU_NSNN"})
    own = draft_form + Decimal(1234)
    # The office overrides the suggestion through the form's own write path.
    write_value(
        User.objects.get(username="cct.canbo"),
        indicator=suggestion_indicator(),
        org_unit=_estimate().org_unit,
        period="202006",
        kind="estimate",
        value=own,
    )

    text = _report_text()
    assert f"thu được {format_number(own)} triệu đồng" in text
    assert f"thu được {format_number(draft_form)} triệu đồng" not in text
    page = client.get(reverse("collection:entry", args=ENTRY)).content.decode()
    assert "Dùng số gợi ý" in page  # still offered, the typed number stays until someone accepts


def test_accepting_on_a_submitted_form_is_refused_and_writes_nothing(client_as, draft_form):
    Submission.objects.filter(pk=demo_submission(*ENTRY).pk).update(status="submitted")
    response = client_as("cct.canbo").post(
        reverse("analytics:accept_estimate", args=ENTRY), {"accept_estimate": "THU_NSNN"}, follow=True
    )
    assert "chưa ghi được số ước" in response.content.decode()
    assert not DataValue.objects.filter(indicator__code="THU_NSNN", period="202006", kind="estimate").exists()


def test_a_user_of_another_unit_cannot_accept(client_as, draft_form):
    response = client_as("ca.canbo").post(
        reverse("analytics:accept_estimate", args=ENTRY), {"accept_estimate": "THU_NSNN"}
    )
    assert response.status_code == 404
    assert not DataValue.objects.filter(indicator__code="THU_NSNN", period="202006", kind="estimate").exists()
