"""A figure's passport (issue 19, point 1): what it is, how it was computed, the stored values by unit
with where each came from, who entered, submitted, accepted and approved it and when; the frozen figure of
an issued report beside today's; scoped by the user's rights; a bounded number of queries; and the
report preview's numbers link to it."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from baocao.analytics.passport import passport_url
from baocao.collection.models import ChangeSource, DataValue, ValueChange
from baocao.collection.values import write_value
from baocao.collection.workflow import transition
from baocao.core.numbers import format_number
from baocao.indicators.models import Indicator
from baocao.orgunits.models import OrgUnit
from baocao.reports.models import ReportRun
from baocao.reports.runs import issue_run, update_run
from baocao.testing.factories import demo_submission

User = get_user_model()
CODE, UNIT, CITY, PERIOD, FORM = "THU_NSNN", "TPLS_CCT", "TPLS", "202006", "BM_TPLS_CCT"


def _user(name: str):
    return User.objects.get(username=name)


@pytest.fixture
def approved(demo):
    """The tax office's clerk corrects its June revenue (one more than loaded), its head submits, the
    office accepts, the leader approves — through the real services."""
    stored = DataValue.objects.get(indicator__code=CODE, org_unit__code=UNIT, period=PERIOD, kind="actual")
    corrected = write_value(
        _user("cct.canbo"),
        indicator=Indicator.objects.get(code=CODE),
        org_unit=OrgUnit.objects.get(code=UNIT),
        period=PERIOD,
        value=stored.value + 1,
        source=ChangeSource.WEB,
    )
    submission = demo_submission(FORM, UNIT, PERIOD)
    for step, who in (("submit", "cct.truong"), ("accept", "vanphong"), ("approve", "lanhdao")):
        submission = transition(submission, step, _user(who))
    return stored.value, corrected


def _text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_passport_tells_what_how_where_from_and_who(approved, client_as):
    loaded, corrected = approved
    page = client_as("lanhdao").get(passport_url(CODE, CITY, PERIOD, "actual"))
    assert page.status_code == 200
    text = _text(page)
    indicator = Indicator.objects.select_related("unit").get(code=CODE)
    assert f"Hộ chiếu số liệu: {indicator.name} (thực hiện) – Thành phố Lạng Sơn, tháng 6/2020" in text
    assert f"Đơn vị tính {indicator.unit.name}" in text
    assert "số liệu từ" in text  # the period's window
    assert "Qua các đơn vị: cộng các giá trị của đơn vị và mọi đơn vị trực thuộc" in text
    # the stored value by unit, its history: loaded by the demo's command, corrected on the web by the clerk
    assert f"Chi cục Thuế thành phố {format_number(corrected.value)}" in text
    assert f"{format_number(loaded)} → {format_number(corrected.value)} – qua trang web" in text
    assert "qua lệnh quản trị" in text
    change = ValueChange.objects.filter(org_unit__code=UNIT, indicator__code=CODE, period=PERIOD).last()
    when = timezone.localtime(change.changed_at).strftime("%d/%m/%Y %H:%M")
    assert f"{when} – Cán bộ Chi cục Thuế thành phố" in text
    # the people and the dates of the form's steps
    assert "đang nhập → đã gửi – Lãnh đạo Chi cục Thuế thành phố" in text
    assert "đã gửi → đã tiếp nhận" in text and "đã tiếp nhận → đã phê duyệt" in text
    assert when.split()[0] in text


def test_a_unit_links_to_the_passport_of_each_stored_value(approved, client_as):
    page = client_as("lanhdao").get(passport_url(CODE, CITY, PERIOD, "actual")).content.decode()
    assert unescape(passport_url(CODE, UNIT, PERIOD, "actual")) in unescape(page)


def test_passport_outside_ones_scope_is_a_404(demo, client_as):
    assert client_as("cct.canbo").get(passport_url(CODE, CITY, PERIOD, "actual")).status_code == 404
    assert client_as("ca.canbo").get(passport_url(CODE, UNIT, PERIOD, "actual")).status_code == 404
    assert client_as("cct.canbo").get(passport_url(CODE, UNIT, PERIOD, "actual")).status_code == 200
    bad = client_as("lanhdao").get(passport_url("KHONG_CO", CITY, PERIOD, "actual"))
    assert bad.status_code == 404


def test_passport_runs_a_bounded_number_of_queries(approved, client_as, django_assert_max_num_queries):
    client = client_as("lanhdao")
    with django_assert_max_num_queries(40):
        client.get(passport_url(CODE, CITY, PERIOD, "actual"))
    with django_assert_max_num_queries(40):
        client.get(passport_url(CODE, UNIT, PERIOD, "actual"))


def test_report_preview_links_its_figures_to_their_passports(demo, client_as):
    run = ReportRun.objects.get()
    page = client_as("lanhdao").get(reverse("reports:detail", args=[run.pk])).content.decode()
    links = re.findall(r'<a class="figure-link" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert links, "no figure of the preview links to its passport"
    value = DataValue.objects.filter(indicator__code=CODE, period=PERIOD, kind="actual").get().value
    expected = unescape(passport_url(CODE, CITY, PERIOD, "actual"))
    assert (expected, format_number(value)) in [(unescape(h), t) for h, t in links]


def test_issued_reports_frozen_figure_beside_todays(demo, client_as, settings):
    settings.BAOCAO_PDF_IN_THREAD = False
    run = ReportRun.objects.select_related("report_type", "org_unit").get()
    update_run(
        run, number=7, issue_date=datetime.date(2020, 6, 16), signer_name="", signer_titles="", recipients=""
    )
    run = issue_run(run, _user("lanhdao"))
    stored = DataValue.objects.get(indicator__code=CODE, org_unit__code=UNIT, period=PERIOD, kind="actual")
    write_value(
        _user("cct.canbo"),
        indicator=stored.indicator,
        org_unit=stored.org_unit,
        period=PERIOD,
        value=stored.value + Decimal(2),
    )
    client = client_as("lanhdao")
    detail = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    frozen_link = unescape(passport_url(CODE, CITY, PERIOD, "actual", run.pk))
    assert frozen_link in unescape(detail)  # the issued page's figures link with the report's number
    text = _text(client.get(frozen_link))
    assert "Trong báo cáo đã ban hành" in text
    assert f"{format_number(stored.value)} {format_number(stored.value + 2)} 2" in text


@pytest.mark.parametrize(
    "page",
    [
        lambda: reverse("home") + f"?unit={CITY}&period={PERIOD}",
        lambda: reverse("analytics:dashboard_indicator") + f"?indicator={CODE}&unit={CITY}&period={PERIOD}",
        lambda: reverse("analytics:figures") + f"?unit={CITY}&period={PERIOD}",
        lambda: reverse("analytics:explorer") + f"?indicator={CODE}&unit={CITY}&from={PERIOD}&to={PERIOD}",
    ],
    ids=["dashboard-cards", "dashboard-table", "figures-table", "explorer-cells"],
)
def test_dashboard_tables_and_explorer_numbers_open_their_passports(demo, client_as, page):
    client = client_as("lanhdao")
    html = client.get(page()).content.decode()
    links = re.findall(r'<a class="figure-link" href="([^"]+)"[^>]*>(?:<strong[^>]*>)?([^<]+)<', html)
    assert links, "no number on the page links to its passport"
    href, number = links[0]
    passport = client.get(unescape(href))
    assert passport.status_code == 200
    assert number.strip() in _text(passport)


def test_passport_shows_the_validation_flags_of_its_figure(demo, client_as):
    """Ten times May's revenue with no comment: the jump check flags it on the passport."""
    may = DataValue.objects.get(indicator__code=CODE, org_unit__code=UNIT, period="202005", kind="actual")
    stored = DataValue.objects.get(indicator__code=CODE, org_unit__code=UNIT, period=PERIOD, kind="actual")
    client = client_as("lanhdao")
    assert "Không có cảnh báo kiểm tra số liệu" in _text(
        client.get(passport_url(CODE, CITY, PERIOD, "actual"))
    )
    write_value(
        None, indicator=stored.indicator, org_unit=stored.org_unit, period=PERIOD, value=may.value * 10
    )
    text = _text(client.get(passport_url(CODE, CITY, PERIOD, "actual")))
    assert "Không có cảnh báo kiểm tra số liệu" not in text
    assert "Chi cục Thuế thành phố:" in text.split("Kiểm tra số liệu và ghi chú")[1]
