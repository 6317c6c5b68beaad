"""The template filters for phrasing found in real reports (issue 14, point 4), with Vietnamese examples:
rounding with a qualifier, mixed units, "bằng X% so với cùng kỳ" and "tăng/giảm X%", "lũy kế N tháng"
from the period, the comparison word following the period type; and template errors in Vietnamese
naming the line. Pure: no database."""

from decimal import Decimal

import pytest

from baocao.analytics.figures import Figure, FigureSet
from baocao.core.periods import Period
from baocao.indicators.models import Indicator, UnitOfMeasure
from baocao.orgunits.models import OrgUnit
from baocao.reports.rendering import MissingFigure, RenderError, render_block, report_context

JUNE = Period.parse("202006")


def render(source: str, period: Period = JUNE, **values) -> str:
    context = report_context(FigureSet(period, [], {}, {}), period, "Đơn vị thử")
    context.update(values)
    return render_block(source, context)


# ------------------------------------------------------------------- rounding with a qualifier


@pytest.mark.parametrize(
    ("value", "template", "expected"),
    [
        # the rule's edge cases (docs/decisions/0022): a multiple of the step is written as it is
        ("1260.0", "{{ x|lam_tron }}", "1.260"),
        ("1259.6", "{{ x|lam_tron }}", "gần 1.260"),
        ("1259.6", "{{ x|lam_tron(1, 'gần') }}", "gần 1.260"),
        ("1259.6", "{{ x|lam_tron(1, 'trên') }}", "trên 1.259"),
        ("1259.6", "{{ x|lam_tron(1, 'hơn') }}", "hơn 1.259"),
        ("1260.4", "{{ x|lam_tron }}", "trên 1.260"),
        ("1259.5", "{{ x|lam_tron(1, 'khoảng') }}", "khoảng 1.260"),
        ("1260.0", "{{ x|lam_tron(1, 'trên') }}", "1.260"),
        ("12960", "phục vụ {{ x|lam_tron(1000) }} suất ăn", "phục vụ gần 13.000 suất ăn"),
        ("13020", "phục vụ {{ x|lam_tron(1000) }} suất ăn", "phục vụ trên 13.000 suất ăn"),
        ("12.37", "{{ x|lam_tron('0,1', 'gần') }} ha", "gần 12,4 ha"),
    ],
)
def test_rounding_with_a_qualifier(value, template, expected):
    assert render(template, x=Decimal(value)) == expected


def test_an_amount_rounded_in_another_scale_with_its_unit():
    source = "Tổng thu ước đạt {{ x|lam_tron(10, 'trên', 'triệu đồng', 'tỷ đồng') }}."
    assert render(source, x=Decimal("1263400")) == "Tổng thu ước đạt trên 1.260 tỷ đồng."


def test_a_percentage_rounded_with_a_qualifier():
    assert (
        render("đạt {{ r|phan_tram_lam_tron(1, 'hơn') }} kế hoạch", r=Decimal("0.8842"))
        == "đạt hơn 88% kế hoạch"
    )
    assert render("{{ r|phan_tram_lam_tron }}", r=Decimal("0.88")) == "88%"


def test_a_wrong_qualifier_is_a_vietnamese_error_naming_the_filter_and_line():
    with pytest.raises(
        RenderError, match=r'Bộ lọc "lam_tron": Từ chỉ mức độ không hợp lệ "xấp xỉ".*\(dòng 2\)'
    ):
        render("Dòng đầu\n{{ x|lam_tron(1, 'xấp xỉ') }}", x=Decimal(5))


# --------------------------------------------------------------------------------- mixed units


@pytest.mark.parametrize(
    ("value", "template", "expected"),
    [
        ("4500000000", "{{ x|tien_hon_hop }}", "4 tỷ 500 triệu đồng"),
        ("4000000000", "{{ x|tien_hon_hop }}", "4 tỷ đồng"),
        ("500000000", "{{ x|tien_hon_hop }}", "500 triệu đồng"),
        ("4500", "{{ x|tien_hon_hop('triệu đồng') }}", "4 tỷ 500 triệu đồng"),
        ("4500250000", "{{ x|tien_hon_hop('đồng', 'nghìn đồng') }}", "4 tỷ 500 triệu 250 nghìn đồng"),
        ("4500400000", "{{ x|tien_hon_hop }}", "4 tỷ 500 triệu đồng"),
        ("1234500000000", "{{ x|tien_hon_hop }}", "1.234 tỷ 500 triệu đồng"),
    ],
)
def test_mixed_units(value, template, expected):
    assert render(template, x=Decimal(value)) == expected


# ------------------------------------------------------------- comparisons and the period type


def test_equal_to_and_growth_against_last_year():
    assert render("{{ r|bang }}", r=Decimal("0.876")) == "bằng 87,6% so với cùng kỳ"
    assert render("{{ r|dat }}", r=Decimal("0.791")) == "đạt 79,1% so với cùng kỳ"
    assert render("{{ r|tang_giam }}", r=Decimal("1.125")) == "tăng 12,5% so với cùng kỳ"
    assert render("{{ r|tang_giam }}", r=Decimal("0.791")) == "giảm 20,9% so với cùng kỳ"
    assert render("{{ r|tang_giam }}", r=Decimal("1")) == "bằng cùng kỳ"


@pytest.mark.parametrize(
    ("period", "phrase"),
    [
        ("202006", "tăng 03 vụ so với tháng trước"),
        ("2020Q2", "tăng 03 vụ so với quý trước"),
        ("2020S1", "tăng 03 vụ so với 6 tháng trước"),
        ("2020", "tăng 03 vụ so với năm trước"),
    ],
)
def test_the_comparison_word_follows_the_period_type(period, phrase):
    source = "{{ a|so_sanh(b, 'vụ') }}"
    assert render(source, Period.parse(period), a=Decimal(7), b=Decimal(4)) == phrase


def test_a_quarter_never_says_last_month():
    quarter = Period.parse("2020Q3")
    text = render(
        "{{ a|so_sanh(b, 'vụ') }}; {{ r|bang('ky_truoc') }}; {{ so_voi_ky_truoc }}",
        quarter,
        a=Decimal(4),
        b=Decimal(6),
        r=Decimal("0.5"),
    )
    assert text == "giảm 02 vụ so với quý trước; bằng 50,0% so với quý trước; so với quý trước"
    assert "tháng trước" not in text


@pytest.mark.parametrize(
    ("period", "phrase", "months"),
    [
        ("202006", "lũy kế 6 tháng", 6),
        ("2020Q3", "lũy kế 9 tháng", 9),
        ("2020S1", "lũy kế 6 tháng", 6),
        ("2020", "lũy kế cả năm", 12),
        ("202001", "tháng 1", 1),
    ],
)
def test_cumulative_months_from_the_period(period, phrase, months):
    assert render("Chi ngân sách {{ luy_ke }} ({{ so_thang_luy_ke }})", Period.parse(period)) == (
        f"Chi ngân sách {phrase} ({months})"
    )


# ------------------------------------------------------------ template errors: Vietnamese, with line


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Dòng một\n{{ x / 0 }}", r"^Lỗi khi hiển thị mẫu: phép tính không thực hiện được .*\(dòng 2\)\.$"),
        ("a\nb\n{{ x|dem(1, 2, 3) }}", r'^Bộ lọc "dem": sai số lượng hoặc kiểu tham số .*\(dòng 3\)\.$'),
        (
            "a\n{{ x.__class__ }}",
            r"^Mẫu dùng thao tác không được phép: truy cập thuộc tính “__class__” \(dòng 2\)\.$",
        ),
        ("a\n{{ khong_co }}", r'^Mẫu dùng tên "khong_co" không có trong dữ liệu báo cáo \(dòng 2\)\.$'),
        ("a\n{{ x|so }", r"^Lỗi cú pháp mẫu ở dòng 2: gặp “}” không đúng chỗ"),
        ("{% neu x %}", r"^Lỗi cú pháp mẫu ở dòng 1: thẻ “neu” không có hoặc không đúng chỗ"),
        ("a\n\n{% if x %}", r"^Lỗi cú pháp mẫu ở dòng 3: mẫu kết thúc khi còn thẻ"),
        ("{{ x|khong_co_bo_loc }}", r"^Lỗi cú pháp mẫu ở dòng 1: không có bộ lọc tên “khong_co_bo_loc”"),
    ],
)
def test_template_errors_are_vietnamese_and_name_the_line(source, message):
    with pytest.raises(RenderError, match=message) as caught:
        render(source, x=Decimal(5))
    assert not any(word in str(caught.value) for word in ("unexpected", "undefined", "object", "argument"))


def test_a_missing_figure_names_the_line_and_stays_a_missing_figure():
    unit = OrgUnit(code="CA", name="Công an thử")
    indicator = Indicator(code="VU", name="Số vụ", unit=UnitOfMeasure(code="vu", name="vụ"))
    figure = Figure(indicator, unit, JUNE, "actual", None, None, None, None)
    figures = FigureSet(JUNE, [unit], {"VU": indicator}, {("VU", "CA", "actual"): figure})
    with pytest.raises(MissingFigure, match=r'^Thiếu số liệu: số kỳ này của chỉ tiêu "VU".*\(dòng 2\)\.$'):
        render_block("Tổng số\n{{ f.VU.value|dem }} vụ", report_context(figures, JUNE, "Công an thử"))
