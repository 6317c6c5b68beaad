"""The leaders' dashboard: a test per card rule (arrow and colour follow the indicator's stored direction and
warning band), plan shares from the figures layer, a bounded number of queries, bad input answered in
Vietnamese (never a 500), units outside one's scope a 404 like units that do not exist."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from baocao.analytics.cards import load_cards
from baocao.analytics.dashboard import AMBER, DOWN, FLAT, GREEN, NEUTRAL, RED, UP, card_status
from baocao.analytics.figures import get_figures
from baocao.analytics.models import KeyFigureCard
from baocao.analytics.series import get_series
from baocao.collection.models import DataValue
from baocao.collection.services import latest_month
from baocao.collection.values import write_value
from baocao.core.numbers import format_number, format_percent
from baocao.core.periods import Period
from baocao.indicators.models import Direction, Indicator
from baocao.orgunits.models import OrgUnit

D = Decimal
BAND = D(5)


# ------------------------------------------------------------------------------------------ card rules


def test_up_is_good_a_rise_is_green_with_an_up_arrow():
    status = card_status(D(110), D(100), Direction.UP, BAND)
    assert (status.arrow, status.colour, status.change) == (UP, GREEN, D(10))
    assert status.text == "tăng 10,0%" and status.symbol == "▲"


def test_up_is_good_a_fall_within_the_band_is_amber_beyond_it_red():
    assert card_status(D(96), D(100), Direction.UP, BAND).colour == AMBER  # -4% within 5%
    assert card_status(D(95), D(100), Direction.UP, BAND).colour == AMBER  # exactly the band: still amber
    beyond = card_status(D(94), D(100), Direction.UP, BAND)
    assert (beyond.arrow, beyond.colour, beyond.symbol) == (DOWN, RED, "▼")
    assert beyond.text == "giảm 6,0%"


def test_down_is_good_mirrors_up_is_good():
    assert card_status(D(90), D(100), Direction.DOWN, BAND).colour == GREEN
    assert card_status(D(104), D(100), Direction.DOWN, BAND).colour == AMBER
    assert card_status(D(175), D(100), Direction.DOWN, BAND).colour == RED


def test_the_band_is_the_indicators_own():
    assert card_status(D(90), D(100), Direction.UP, D(5)).colour == RED
    assert card_status(D(90), D(100), Direction.UP, D(10)).colour == AMBER
    assert card_status(D(90), D(100), Direction.UP, D(0)).colour == RED
    assert card_status(D(100), D(100), Direction.UP, D(0)).colour == GREEN  # no change is never a warning


def test_not_judged_keeps_the_arrow_without_a_colour():
    status = card_status(D(120), D(100), Direction.NONE, BAND)
    assert (status.arrow, status.colour) == (UP, NEUTRAL)
    assert card_status(D(80), D(100), Direction.NONE, BAND).colour == NEUTRAL


def test_no_change_is_flat_and_green_for_a_judged_indicator():
    status = card_status(D(100), D(100), Direction.DOWN, BAND)
    assert (status.arrow, status.colour, status.text) == (FLAT, GREEN, "không đổi")


def test_nothing_to_compare_has_no_arrow():
    for value, reference in [(None, D(1)), (D(1), None), (None, None)]:
        status = card_status(value, reference, Direction.UP, BAND)
        assert (status.arrow, status.colour, status.text) == ("", NEUTRAL, "chưa có số liệu để so sánh")


def test_a_reference_of_zero_has_no_percent_but_a_direction():
    worse = card_status(D(3), D(0), Direction.DOWN, BAND)
    assert (worse.arrow, worse.colour, worse.change) == (UP, RED, None)
    assert worse.text == "tăng (kỳ so sánh bằng 0)"
    assert card_status(D(3), D(0), Direction.UP, BAND).colour == GREEN


# ------------------------------------------------------------------------------------------ the page


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def card_html(page: str, indicator: str, kind: str) -> str:
    match = re.search(
        rf'<li class="kf kf-(\w+)" data-indicator="{indicator}" data-kind="{kind}">(.*?)</li>'
        r'\s*(?:<li class="kf |</ul>)',
        page,
        re.S,
    )
    assert match, f"Không thấy thẻ {indicator} ({kind}) trên trang tổng quan."
    return match.group(0)


def card_colour(page: str, indicator: str, kind: str = "actual") -> str:
    return re.search(r'class="kf kf-(\w+)"', card_html(page, indicator, kind)).group(1)  # type: ignore[union-attr]


@pytest.fixture
def leader(client_as):
    return client_as("lanhdao")


def june(client, **params):
    return client.get(reverse("home"), {"period": "202006", "unit": "TPLS", **params})


def test_home_page_shows_the_cards_of_june_2020_with_the_figures_layers_numbers(leader):
    response = june(leader)
    assert response.status_code == 200
    page = response.content.decode()
    figure = get_figures(["TPLS"], "202006", ["THU_NSNN"]).get("THU_NSNN", "actual", "TPLS")
    card = text_of(card_html(page, "THU_NSNN", "actual"))
    assert f"{format_number(figure.value)} {figure.indicator.unit.name}" in card
    monthly = figure.targets["DT_THANG"]
    assert f"{format_percent(monthly.ratio)} so với {monthly.name}" in card
    yearly = figure.targets["DT_TINH"]  # a year plan: the year to date against it
    assert f"{format_percent(yearly.ytd_ratio)} lũy kế từ đầu năm so với {yearly.name} năm 2020" in card
    assert f"so với tháng trước ({format_number(figure.previous)})" in card
    assert f"so với cùng kỳ năm trước ({format_number(figure.last_year)})" in card
    assert 'href="/tong-hop/so-lieu-tong-hop/?unit=TPLS&amp;period=202006"' in page  # the full table


def test_card_colour_follows_the_stored_direction_and_band(leader):
    figure = get_figures(["TPLS"], "202006", ["HS_VU"]).get("HS_VU", "actual", "TPLS")
    assert figure.value > figure.last_year  # more crimes than a year ago
    rise = (figure.value - figure.last_year) / figure.last_year * 100
    crimes = Indicator.objects.get(code="HS_VU")
    crimes.direction, crimes.warning_band = Direction.DOWN, rise - 1
    crimes.save()
    assert card_colour(june(leader).content.decode(), "HS_VU") == RED
    crimes.warning_band = rise + 1
    crimes.save()
    assert card_colour(june(leader).content.decode(), "HS_VU") == AMBER
    crimes.direction = Direction.UP
    crimes.save()
    assert card_colour(june(leader).content.decode(), "HS_VU") == GREEN
    crimes.direction = Direction.NONE
    crimes.save()
    page = june(leader).content.decode()
    assert card_colour(page, "HS_VU") == NEUTRAL
    assert "không đánh giá" in text_of(card_html(page, "HS_VU", "actual"))


def test_a_saved_value_is_on_the_next_load(leader):
    clerk = User.objects.get(username="cct.canbo")
    stored = DataValue.objects.get(
        indicator__code="THU_NSNN", org_unit__code="TPLS_CCT", period="202006", kind="actual"
    )
    before = get_figures(["TPLS"], "202006", ["THU_NSNN"]).get("THU_NSNN", "actual", "TPLS").value
    assert format_number(before) in text_of(card_html(june(leader).content.decode(), "THU_NSNN", "actual"))
    write_value(
        clerk,
        indicator=stored.indicator,
        org_unit=stored.org_unit,
        period="202006",
        value=stored.value + 1,
    )
    after = text_of(card_html(june(leader).content.decode(), "THU_NSNN", "actual"))
    assert format_number(before + 1) in after and format_number(before) + " " not in after


def test_queries_are_bounded_whatever_the_number_of_cards(leader, django_assert_max_num_queries):
    with django_assert_max_num_queries(40) as few:
        assert june(leader).status_code == 200
    codes = list(Indicator.objects.filter(is_active=True).values_list("code", flat=True)[:60])
    load_cards([{"report_type": "KTXH_THANG", "indicator": code} for code in codes])
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = june(leader).content.decode()
    assert page.count('class="kf kf-') == len(codes)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_trend_charts_are_the_series_of_the_cards(leader):
    response = leader.get(reverse("analytics:dashboard_charts"), {"period": "202006", "unit": "TPLS"})
    assert response.status_code == 200
    charts = {c["indicator"]: c for c in response.json()["charts"]}
    expected = get_series("TPLS", "202006", ["THU_NSNN"])["THU_NSNN"].chart_data()
    assert charts["THU_NSNN"] == expected
    assert len(expected["categories"]) == 24
    page = june(leader).content.decode()
    assert 'data-trend="THU_NSNN"' in page  # a slot for the chart
    assert f"{reverse('analytics:dashboard_charts')}?unit=TPLS&amp;period=202006" in page


def test_submissions_and_overdue_tasks_of_the_period(client_as):
    page = text_of(june(client_as("vanphong")).content.decode())
    assert "Gửi số liệu tháng 6/2020" in page
    assert re.search(r"Đúng hạn: \d+ · Muộn: \d+ · Chưa gửi: \d+", page)
    assert "Nhiệm vụ quá hạn theo đơn vị" in page
    assert "Trung tâm Văn hóa - Thể thao" in page.split("Nhiệm vụ quá hạn theo đơn vị")[1]


# ------------------------------------------------------------------------------------------ drill-down


def test_card_drills_to_the_indicator_by_unit_and_to_a_values_history(leader):
    page = june(leader).content.decode()
    found = re.search(r'<h3 class="kf-title"><a href="([^"]+)">', card_html(page, "THU_NSNN", "actual"))
    assert found
    link = found.group(1)
    table = leader.get(unescape(link))
    assert table.status_code == 200
    html = table.content.decode()
    stored = DataValue.objects.get(
        indicator__code="THU_NSNN", org_unit__code="TPLS_CCT", period="202006", kind="actual"
    )
    row = re.search(r"<tr>\s*<td>Chi cục Thuế thành phố</td>(.*?)</tr>", html, re.S)
    assert row and format_number(stored.value) in row.group(1)
    history = reverse("collection:value_history", args=["THU_NSNN", "TPLS_CCT", "202006", "actual"])
    assert history in row.group(1)
    assert leader.get(history).status_code == 200


# ------------------------------------------------------------------------------------------ bad input, scope


@pytest.mark.parametrize("period", ["2020-13", "202013", "abc", "9999"])
def test_a_bad_period_is_a_vietnamese_message_not_a_500(leader, period):
    response = leader.get(reverse("home"), {"period": period})
    assert response.status_code == 400
    assert f"Kỳ “{period}” không hợp lệ" in unescape(response.content.decode())
    charts = leader.get(reverse("analytics:dashboard_charts"), {"period": period})
    assert charts.status_code == 400 and "không hợp lệ" in charts.json()["error"]


def test_an_unknown_indicator_or_kind_is_a_vietnamese_message(leader):
    url = reverse("analytics:dashboard_indicator")
    response = leader.get(url, {"indicator": "KHONG_CO", "unit": "TPLS", "period": "202006"})
    assert response.status_code == 400
    assert "Không có chỉ tiêu mã “KHONG_CO”." in unescape(response.content.decode())
    response = leader.get(url, {"indicator": "THU_NSNN", "kind": "du_bao", "unit": "TPLS"})
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "Không có loại số liệu “du_bao”; chọn một trong: Thực hiện, Ước thực hiện, Lũy kế." in page
    shown = re.sub(r"<[^>]+>", " ", page)  # the text a reader sees, not the form's option values
    assert not {"actual", "estimate", "cumulative"} & set(re.findall(r"\w+", shown))
    bare = leader.get(url)
    assert bare.status_code == 400 and "Chưa chọn chỉ tiêu: hãy mở bảng này" in bare.content.decode()


def test_a_unit_one_may_not_see_is_a_404_like_a_unit_that_does_not_exist(client_as):
    police = client_as("ca.canbo")
    hidden = police.get(reverse("home"), {"unit": "TPLS_CCT"})
    missing = police.get(reverse("home"), {"unit": "KHONG_CO"})
    assert hidden.status_code == missing.status_code == 404
    for name in ("dashboard_indicator", "dashboard_charts"):
        params = {"unit": "TPLS_CCT", "indicator": "THU_NSNN"}
        assert police.get(reverse(f"analytics:{name}"), params).status_code == 404


def test_a_unit_sees_its_own_subtree(client_as):
    police = client_as("ca.canbo")
    page = police.get(reverse("home"), {"period": "202006"}).content.decode()
    own = OrgUnit.objects.get(code="TPLS_CA")
    assert f"Tổng quan tháng 6/2020 – {own.name}" in text_of(page)
    figure = get_figures(["TPLS_CA"], "202006", ["THU_NSNN"]).get("THU_NSNN", "actual", "TPLS_CA")
    assert figure.value is None  # the tax office's revenue is not the police's
    assert "Chưa có số liệu" in text_of(card_html(page, "THU_NSNN", "actual"))
    crimes = get_figures(["TPLS_CA"], "202006", ["HS_VU"]).get("HS_VU", "actual", "TPLS_CA")
    assert format_number(crimes.value) in text_of(card_html(page, "HS_VU", "actual"))


def test_admin_lists_the_cards(client_as):
    response = client_as("admin").get(reverse("admin:analytics_keyfigurecard_changelist"))
    assert response.status_code == 200
    assert "Thu ngân sách" in response.content.decode()


def test_a_user_without_units_gets_a_message_not_an_error(client, demo):
    client.force_login(User.objects.create_user("khach"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Bạn chưa được giao đơn vị nào để xem số liệu." in response.content.decode()
    assert client.get(reverse("home"), {"unit": "TPLS"}).status_code == 404


def test_without_a_period_a_unit_opens_on_its_own_latest_month(client_as):
    police = OrgUnit.objects.get(code="TPLS_CA")
    own = max(DataValue.objects.filter(org_unit=police).values_list("period", flat=True))
    newer = DataValue.objects.filter(period__gt=own).exists()  # other units' data go further (new wards)
    page = text_of(client_as("ca.canbo").get(reverse("home")).content.decode())
    assert f"Tổng quan {Period.parse(own).label} – {police.name}" in page
    if newer:
        assert f"Tổng quan {latest_month().label}" not in page


def test_the_home_page_opens_on_the_latest_month_of_the_key_figures(leader):
    """Newer values of indicators that are not on the cards (the old wards' figures of 2025 in the demo)
    do not move the leader's home page to a month whose cards are all empty."""
    card_indicators = set(KeyFigureCard.objects.values_list("indicator_id", flat=True))
    other = (
        DataValue.objects.filter(
            period="202006", org_unit__path__startswith=OrgUnit.objects.get(code="TPLS").path
        )
        .exclude(indicator_id__in=card_indicators)
        .first()
    )
    assert other is not None
    DataValue.objects.create(
        indicator=other.indicator, org_unit=other.org_unit, period="202107", kind=other.kind, value=1
    )
    assert "Tổng quan tháng 6/2020" in leader.get(reverse("home")).content.decode()
    card = DataValue.objects.filter(period="202006", indicator_id__in=card_indicators).first()
    assert card is not None
    DataValue.objects.create(
        indicator=card.indicator, org_unit=card.org_unit, period="202107", kind=card.kind, value=1
    )
    assert "Tổng quan tháng 7/2021" in leader.get(reverse("home")).content.decode()
