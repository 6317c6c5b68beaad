"""The recogniser's parser: numbers of Vietnamese report prose, with unit word, qualifier and comparison
(pure, no database). The examples are the issue's own phrasing."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baocao.reports.recognizer import find_mentions

UNITS = ["vụ", "người", "đối tượng", "giấy chứng nhận", "hộ", "thửa", "suất"]


def one(text: str):
    mentions = find_mentions(text, UNITS)
    assert len(mentions) == 1, [m.text for m in mentions]
    return mentions[0]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Phạm pháp hình sự xảy ra 07 vụ", Decimal(7), "vụ"),
        ("Bắt 25 đối tượng", Decimal(25), "đối tượng"),
        ("số thu trong tháng được 9.050 triệu đồng", Decimal(9050), "triệu đồng"),
        ("thiệt hại tài sản trị giá 28.000.000 đồng", Decimal(28000000), "đồng"),
        ("thu 1,593 gam heroin", Decimal("1.593"), "gam"),
        ("đạt 22,6% dự toán tháng", Decimal("22.6"), "%"),
        ("diện tích 412,5 m<sup>2</sup>", Decimal("412.5"), "m²"),
        ("tổng diện tích 12.345,0m<sup>2</sup>", Decimal("12345.0"), "m²"),
    ],
)
def test_a_number_with_its_unit_word(text, value, unit):
    mention = one(text)
    assert (mention.value, mention.unit_word) == (value, unit)
    assert text[mention.start : mention.end] == mention.text


def test_mixed_units_are_one_amount_in_dong():
    mention = one("hỗ trợ 4 tỷ 500 triệu đồng cho các hộ")
    assert mention.value == Decimal(4_500_000_000)
    assert mention.mixed and mention.text == "4 tỷ 500 triệu đồng"


def test_two_counts_in_one_phrase():
    mentions = find_mentions("bắt 15 vụ 21 đối tượng mua bán", UNITS)
    assert [(m.value, m.unit_word) for m in mentions] == [(15, "vụ"), (21, "đối tượng")]


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("thu trên 1.260 tỷ đồng", "trên"),
        ("phục vụ gần 13.000 suất", "gần"),
        ("đạt hơn 88%", "hơn"),
        ("thiệt hại khoảng 28.000.000 đồng", "khoảng"),
        ("doanh thu ước đạt 385 tỷ đồng", "ước đạt"),
        ("xảy ra 07 vụ", ""),
    ],
)
def test_the_qualifier_before_a_number(text, qualifier):
    assert one(text).qualifier == qualifier


@pytest.mark.parametrize(
    ("text", "verb", "comparison"),
    [
        ("đạt 79,1% so với cùng kỳ", "đạt", "last_year"),
        ("(tăng 03 vụ so với tháng trước)", "tăng", "previous"),
        ("giảm 02 vụ so với quý trước", "giảm", "previous"),
        ("bằng 24% kế hoạch vốn", "bằng", "target"),
        ("đạt 22,6% dự toán tháng", "đạt", "target"),
        ("lũy kế là 223.489 triệu đồng", "", "ytd"),
        ("thu 1,593 gam heroin, theo Kế hoạch số 1", "", ""),
    ],
)
def test_what_a_number_is_compared_with(text, verb, comparison):
    mention = find_mentions(text, UNITS)[0]
    assert (mention.verb, mention.comparison) == (verb, comparison)


@pytest.mark.parametrize(
    "text",
    [
        "tính đến ngày 14/5/2021",
        "Nghị định 30/2020/NĐ-CP",
        "Nghị định số 15/2021NĐ-CP ngày 03/3/2021",
        "Kế hoạch số 52/KH-BATGT",
        "Kế hoạch số 12 về ra quân",
        "trong năm 2020",
        "giai đoạn 2020-2030",
        "Đại hội lần thứ 2",
        "phòng chống dịch COVID-19",
        "gọi số 0912345678",
        "thực hiện 6 tháng cuối năm",
        "## 2. Quản lý đô thị",
        "Cầu 3/2",
    ],
)
def test_numbers_that_are_not_figures(text):
    assert find_mentions(text, UNITS) == []


def test_offsets_refer_to_the_text_with_its_marks():
    text = "Phạm pháp hình sự xảy ra <b>07</b> vụ, trị giá khoảng 28.000.000<sup>d</sup> (<i>tăng 03 vụ</i>)"
    mentions = find_mentions(text, UNITS)
    assert [text[m.start : m.end] for m in mentions] == ["07", "28.000.000", "03"]
    assert mentions[1].unit_word == "đ" and text[mentions[1].end : mentions[1].unit_end] == "<sup>d</sup>"
    assert mentions[0].padded and mentions[0].unit_word == "vụ"


def test_the_sentence_each_number_came_from():
    text = "Cấp 18 giấy phép xây dựng. Bắt 25 đối tượng; thu 1,593 gam heroin."
    sentences = [m.sentence for m in find_mentions(text, UNITS)]
    assert sentences == ["Cấp 18 giấy phép xây dựng.", "Bắt 25 đối tượng;", "thu 1,593 gam heroin."]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789.,/-%() <>bsupđạtrênvụhơngầnkhoảng\n;:*#²")), max_size=120
    )
)
def test_any_text_is_read_without_failing_and_offsets_point_at_the_number(text):
    for mention in find_mentions(text, UNITS):
        assert 0 <= mention.start < mention.end <= mention.unit_end <= len(text)
        assert text[mention.start : mention.end] == mention.text


def test_pasted_html_and_scripts_are_read_as_text():
    text = '<p onclick="x()">Xảy ra <script>var a = 5;</script><b>07</b> vụ</p><style>p{width:10px}</style>'
    mentions = find_mentions(text, UNITS)
    assert [(m.text, m.unit_word) for m in mentions] == [("07", "vụ")]
