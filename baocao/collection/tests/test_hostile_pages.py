"""Pages of data collection under hostile URLs (issue 12, item 3): an invalid period in the value
history was a 500; opening a form page for any period, 999912 included, created a draft submission
(a GET that writes)."""

import pytest
from django.urls import reverse

from baocao.collection.models import DataValue, Submission
from baocao.reports.models import ReportRun

FORM = ["BM_TPLS_CA", "TPLS_CA"]


@pytest.fixture
def clerk(client_as):
    return client_as("ca.canbo")


def test_an_invalid_period_or_kind_in_the_value_history_is_a_vietnamese_404(clerk):
    url = reverse("collection:value_history", args=["HS_VU", "TPLS_CA", "202006", "actual"])
    for period in ["2020-06", "999999", "202013", "x" * 300, "1e999999999"]:
        response = clerk.get(url.replace("202006", period))
        assert response.status_code == 404, period
        assert "Không tìm thấy" in response.content.decode()
    assert clerk.get(url.replace("actual", "nonsense")).status_code == 404


def test_opening_a_form_page_never_creates_a_submission(clerk):
    """The finding: GET /nhap/BM_TPLS_CA/TPLS_CA/999912/ left a draft submission behind."""
    before = Submission.objects.count()
    for period in ["999912", "202007", "203001"]:
        response = clerk.get(reverse("collection:entry", args=[*FORM, period]))
        assert response.status_code in (200, 404)
        history = clerk.get(reverse("collection:submission_history", args=[*FORM, period]))
        assert history.status_code in (200, 404)
    assert Submission.objects.count() == before
    far = clerk.get(reverse("collection:entry", args=[*FORM, "203001"]))
    assert far.status_code == 404 and "còn quá xa" in far.content.decode()
    last = clerk.get(reverse("collection:entry", args=[*FORM, "999912"]))
    assert last.status_code == 404 and "1901–9998" in last.content.decode()


def test_an_invalid_form_period_is_a_404_naming_the_problem(clerk):
    response = clerk.get(reverse("collection:entry", args=[*FORM, "202013"]))
    assert response.status_code == 404
    assert "tháng phải từ 1 đến 12" in response.content.decode()


def test_the_draft_is_created_when_something_is_saved(clerk):
    url = reverse("collection:entry", args=[*FORM, "202007"])
    page = clerk.get(url)
    assert page.status_code == 200 and not Submission.objects.filter(period="202007").exists()
    field = next(f for _, group in page.context["groups"] for f in group)
    response = clerk.post(url, {"step": "save", field.key: "3"})
    assert response.status_code == 302
    assert Submission.objects.filter(period="202007", org_unit__code="TPLS_CA").count() == 1
    assert (
        DataValue.objects.get(
            indicator=field.indicator, org_unit__code="TPLS_CA", period="202007", kind=field.kind
        ).value
        == 3
    )


def test_a_nul_character_anywhere_is_a_vietnamese_400(clerk):
    """On PostgreSQL a NUL in any looked-up text was a DataError (500)."""
    url = reverse("collection:value_history", args=["HS_VU", "TPLS_CA", "202006", "actual"])
    for bad in (url.replace("202006", "%00"), url + "?period=%00"):
        response = clerk.get(bad)
        assert response.status_code == 400
        assert "ký tự NUL" in response.content.decode()
    posted = clerk.post(reverse("collection:entry", args=[*FORM, "202006"]), {"step": "save", "x": "a\x00"})
    assert posted.status_code == 400


@pytest.mark.parametrize("period", ["190001", "1900", "1900Q1", "999912", "9999"])
def test_a_period_whose_neighbours_do_not_exist_is_refused_on_every_page(client_as, period):
    """A second probe: 1900 and 9999 were 500s on the figures, quality, entry and narrative pages and
    when creating a report (the previous, last year's or next period did not exist); the report so
    created then answered 500 for good."""
    office, clerk = client_as("vanphong"), client_as("ca.canbo")
    for page in (f"/?period={period}", f"/chat-luong/?period={period}"):
        assert office.get(page).status_code < 500, page
    assert clerk.get(reverse("collection:entry", args=[*FORM, period])).status_code == 404
    narrative = clerk.post(f"/so-lieu/noi-dung/TPLS_CA/{period}/", {"s8": "Tình hình ổn định."})
    assert narrative.status_code == 404
    before = ReportRun.objects.count()
    created = client_as("admin").post("/bao-cao/tao/", {"report_type": 1, "period": period})
    assert created.status_code < 500 and ReportRun.objects.count() == before
