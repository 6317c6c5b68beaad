"""The province roll-up (issue 13, item 4): the province's figures over its communes, wards and departments,
the completeness of the communes' forms, the ranking of the units, and a report sentence that names the
first of them ("đứng đầu là ...")."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from baocao.analytics.figures import get_figures
from baocao.analytics.ranking import province_rollup, rank
from baocao.collection.models import Submission
from baocao.core.numbers import parse_number
from baocao.core.periods import Period
from baocao.indicators.models import DataSet, Sector, UnitOfMeasure
from baocao.orgunits.models import OrgUnitSuccession
from baocao.reports.building import build_document
from baocao.reports.checks import check_block_source
from baocao.reports.document import Paragraph
from baocao.reports.providers import provided_context
from baocao.reports.rendering import render_block, report_context
from baocao.reports.template_files import import_report_types
from baocao.testing.factories import make_indicator, make_unit, make_value

pytestmark = pytest.mark.django_db

PERIOD = "202508"


@pytest.fixture
def province():
    """A province after the reform: three communes and wards and one department report to it."""
    p = make_unit("LS", "Tỉnh Lạng Sơn", "province")
    p.units = {
        "w1": make_unit("LS_W1", "Phường Lương Văn Tri", "ward", p, sort_order=1),
        "w2": make_unit("LS_W2", "Phường Tam Thanh", "ward", p, sort_order=2),
        "c1": make_unit("LS_C1", "Xã Cao Lộc", "commune", p, sort_order=3),
        "dept": make_unit("LS_SKH", "Sở Tài chính", "department", p, sort_order=10),
    }
    # A commune merged away before the period: not a member any more.
    make_unit("LS_OLD", "Xã Cũ", "commune", p, valid_to=datetime.date(2025, 6, 30))
    sector = Sector.objects.create(code="KT", name="Kinh tế")
    money = UnitOfMeasure.objects.create(code="trieu_dong", name="triệu đồng", dimension="money")
    cases = UnitOfMeasure.objects.create(code="vu", name="vụ", dimension="count", whole_numbers=True)
    p.revenue = make_indicator("THU_NS", sector, money, direction="up")
    p.accidents = make_indicator("TAI_NAN", sector, cases, direction="down")
    return p


def _values(province, indicator, **by_unit):
    for key, value in by_unit.items():
        make_value(indicator, province.units[key], PERIOD, parse_number(value))


def test_the_province_total_adds_its_communes_wards_and_departments_and_each_member_keeps_its_own(province):
    _values(province, province.revenue, w1="1.500", w2="2.500", c1="700", dept="300")

    rollup = province_rollup(province, PERIOD, ["THU_NS"])

    assert [u.code for u in rollup.members] == ["LS_W1", "LS_W2", "LS_C1", "LS_SKH"]
    assert rollup.total("THU_NS").value == Decimal("5000")
    assert rollup.figures.value("THU_NS", org_unit="LS_C1") == Decimal("700")


def test_each_members_figure_covers_what_lies_below_and_before_it(province):
    """A department's figure includes the centre below it; a ward formed on 1 July 2025 compares with its
    predecessors' last year (a whole merged ward; half of a former city with a ward of its own)."""
    units = province.units
    below = make_unit("LS_SKH_TT", "Trung tâm thuộc Sở", "centre", units["dept"])
    old_ward = make_unit("LS_W_CU", "Phường Cũ", "ward", province, valid_to=datetime.date(2025, 6, 30))
    old_city = make_unit("LS_TP_CU", "Thành phố Cũ", "city", province, valid_to=datetime.date(2025, 6, 30))
    old_city_ward = make_unit(
        "LS_TP_CU_P1", "Phường 1 (cũ)", "ward", old_city, valid_to=datetime.date(2025, 6, 30)
    )
    merged = make_unit("LS_W3", "Phường Đông Kinh", "ward", province, valid_from=datetime.date(2025, 7, 1))
    transferred = make_unit("LS_W4", "Phường Kỳ Lừa", "ward", province, valid_from=datetime.date(2025, 7, 1))
    OrgUnitSuccession.objects.create(
        predecessor=old_ward, successor=merged, kind="merge", effective_date=datetime.date(2025, 7, 1)
    )
    OrgUnitSuccession.objects.create(
        predecessor=old_city,
        successor=transferred,
        kind="transfer",
        share=Decimal("0.5"),
        effective_date=datetime.date(2025, 7, 1),
    )
    for unit, now, then in (
        (units["dept"], 5, 4),
        (below, 7, 6),
        (merged, 20, None),
        (transferred, 30, None),
        (old_ward, None, 11),
        (old_city, None, 100),
        (old_city_ward, None, 40),
    ):
        if now is not None:
            make_value(province.revenue, unit, PERIOD, now)
        if then is not None:
            make_value(province.revenue, unit, "202408", then)

    rollup = province_rollup(province, PERIOD, ["THU_NS"])

    assert "LS_W_CU" not in {u.code for u in rollup.members}  # ended before the period
    department = rollup.figures.get("THU_NS", org_unit="LS_SKH")
    assert (department.value, department.last_year) == (Decimal(12), Decimal(10))
    assert rollup.figures.get("THU_NS", org_unit="LS_W3").last_year == Decimal(11)
    assert rollup.figures.get("THU_NS", org_unit="LS_W4").last_year == Decimal(70)
    assert [r.ma for r in rollup.ranking("THU_NS", by="cung_ky")][:2] == ["LS_W3", "LS_W4"]


def test_ranking_puts_the_best_first_by_the_indicators_direction(province):
    _values(province, province.revenue, w1="1.500", w2="2.500", c1="700", dept="9.000")
    _values(province, province.accidents, w1="4", w2="1", c1="4")

    rollup = province_rollup(province, PERIOD, ["THU_NS", "TAI_NAN"])

    revenue = rollup.ranking("THU_NS")  # communes and wards only: the department is not among them
    assert [(r.hang, r.ten, r.gia_tri) for r in revenue] == [
        (1, "Phường Tam Thanh", Decimal("2500")),
        (2, "Phường Lương Văn Tri", Decimal("1500")),
        (3, "Xã Cao Lộc", Decimal("700")),
    ]
    accidents = rollup.ranking("TAI_NAN")  # fewer is better; equal values share a place
    assert [(r.hang, r.ma) for r in accidents] == [(1, "LS_W2"), (2, "LS_W1"), (2, "LS_C1")]
    assert rollup.ranking("THU_NS", among="all")[0].ma == "LS_SKH"


def test_dashboard_rows_carry_each_members_value_and_place(province):
    _values(province, province.revenue, w1="1.500", w2="2.500", c1="700", dept="300")
    _values(province, province.accidents, w1="4", c1="1")

    rows = province_rollup(province, PERIOD, ["THU_NS", "TAI_NAN"]).table(["THU_NS", "TAI_NAN"])

    assert [(r["ten"], r["gia_tri"]["THU_NS"], r["hang"]["THU_NS"], r["hang"]["TAI_NAN"]) for r in rows] == [
        ("Phường Lương Văn Tri", Decimal("1500"), 2, 2),
        ("Phường Tam Thanh", Decimal("2500"), 1, None),
        ("Xã Cao Lộc", Decimal("700"), 3, 1),
    ]


def test_a_unit_without_the_figure_is_listed_last_without_a_place_not_as_zero(province):
    _values(province, province.accidents, w1="3", c1="5")

    ranked = rank(
        get_figures([*province.units.values()], PERIOD, ["TAI_NAN"]), "TAI_NAN", province.units.values()
    )

    assert [(r.hang, r.ma) for r in ranked] == [(1, "LS_W1"), (2, "LS_C1"), (None, "LS_W2"), (None, "LS_SKH")]


def test_ranking_on_the_ratio_to_last_year(province):
    _values(province, province.revenue, w1="1.100", w2="1.000", c1="900")
    for key, value in {"w1": 1000, "w2": 500, "c1": 1000}.items():
        make_value(province.revenue, province.units[key], "202408", value)

    ranked = province_rollup(province, PERIOD, ["THU_NS"]).ranking("THU_NS", by="cung_ky")

    assert [(r.ma, r.gia_tri) for r in ranked] == [
        ("LS_W2", Decimal(2)),
        ("LS_W1", Decimal("1.1")),
        ("LS_C1", Decimal("0.9")),
    ]


def test_completeness_of_the_communes_and_wards_forms(province):
    form = DataSet.objects.create(code="BM_XA", name="Biểu tháng của xã", period_type="month")
    form.org_units.set(
        [province.units["w1"], province.units["w2"], province.units["c1"], province.units["dept"]]
    )
    deadline = form.deadline(Period.parse(PERIOD))
    on_time = timezone.make_aware(datetime.datetime.combine(deadline, datetime.time(9)))
    late = on_time + datetime.timedelta(days=3)
    Submission.objects.create(
        data_set=form, org_unit=province.units["w1"], period=PERIOD, submitted_at=on_time
    )
    Submission.objects.create(data_set=form, org_unit=province.units["w2"], period=PERIOD, submitted_at=late)

    done = province_rollup(province, PERIOD, []).completeness

    assert (done.phai_gui, done.da_gui, done.dung_han, done.muon) == (
        3,
        2,
        1,
        1,
    )  # the department is not counted
    assert done.chua_gui == ("Xã Cao Lộc",)


def test_a_province_report_sentence_names_the_first_unit(province):
    _values(province, province.revenue, w1="1.500", w2="2.500", c1="700", dept="300")
    source = (
        "Tổng thu ngân sách {{ f.THU_NS.value|so }} triệu đồng; "
        "{% set dau = tong_hop.dung_dau('THU_NS') %}"
        "đứng đầu là {{ dau.ten }} ({{ dau.gia_tri|so }} triệu đồng); "
        "{{ tong_hop.day_du.da_gui }}/{{ tong_hop.so_don_vi }} xã, phường đã gửi báo cáo."
    )
    assert check_block_source(source) == []  # the trial render of a template being saved knows the name

    period = Period.parse(PERIOD)
    context = report_context(
        get_figures([province], period), period, province.name, extra=provided_context(province, period)
    )
    text = render_block(source, context)

    assert text == (
        "Tổng thu ngân sách 5.000 triệu đồng; đứng đầu là Phường Tam Thanh (2.500 triệu đồng); "
        "0/3 xã, phường đã gửi báo cáo."
    )


PROVINCE_REPORT = """
report_types:
- code: TINH_KTXH_THANG
  name: Báo cáo tình hình kinh tế - xã hội tháng của tỉnh
  period_type: month
  org_unit: LS
  issuer: [ỦY BAN NHÂN DÂN, TỈNH LẠNG SƠN]
  issuer_short: UBND tỉnh Lạng Sơn
  number_suffix: BC-UBND
  place_name: Lạng Sơn
  doc_type_name: BÁO CÁO
  summary: "Tình hình kinh tế - xã hội {{ ky }}"
  authority: TM. ỦY BAN NHÂN DÂN
  signer_titles: [CHỦ TỊCH]
  signer_name: Nguyễn Văn Thử
  recipients: [Văn phòng Chính phủ;, "Lưu: VT."]
  sections:
  - key: thu-ngan-sach
    title: Thu ngân sách
    blocks:
    - text: >-
        Tổng thu ngân sách trên địa bàn tỉnh {{ ky }} đạt {{ f.THU_NS.value|so }} triệu đồng;
        {% set dau = tong_hop.dung_dau('THU_NS') %}đứng đầu các xã, phường là {{ dau.ten }}
        ({{ dau.gia_tri|so }} triệu đồng). {{ tong_hop.day_du.da_gui }}/{{ tong_hop.day_du.phai_gui }}
        biểu mẫu của các xã, phường đã được gửi.
"""


def test_a_province_report_type_prints_the_total_and_the_first_commune(province):
    _values(province, province.revenue, w1="1.500", w2="2.500", c1="700", dept="300")
    form = DataSet.objects.create(code="BM_XA", name="Biểu tháng của xã", period_type="month")
    form.org_units.set([province.units["w1"], province.units["w2"], province.units["c1"]])
    Submission.objects.create(
        data_set=form, org_unit=province.units["w2"], period=PERIOD, submitted_at=timezone.now()
    )
    (report_type,) = import_report_types(PROVINCE_REPORT)

    document = build_document(report_type, province, Period.parse(PERIOD)).document

    text = " ".join(item.text for item in document.body if isinstance(item, Paragraph))
    assert not document.failed_blocks
    assert (
        "Tổng thu ngân sách trên địa bàn tỉnh tháng 8/2025 đạt 5.000 triệu đồng; đứng đầu các xã, phường là "
        "Phường Tam Thanh (2.500 triệu đồng). 1/3 biểu mẫu của các xã, phường đã được gửi."
    ) in text


def test_an_unknown_measure_is_refused_in_vietnamese_when_the_template_is_checked(province):
    problems = check_block_source("{{ tong_hop.xep_hang('THU_NS', theo='tong')[0].ten }}")

    assert problems and "gia_tri, luy_ke, cung_ky" in " ".join(problems)
