"""Tests for the Vietnamese number, text and date helpers (pure Python, no Django needed)."""

import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baocao.core.dates import DateParseError, decree30_date, parse_date, short_date
from baocao.core.numbers import (
    NumberParseError,
    change_phrase,
    convert_scale,
    format_count,
    format_money,
    format_number,
    format_percent,
    growth_phrase,
    parse_number,
    ratio_phrase,
)
from baocao.core.text import clean, nfc, search_key

D = Decimal

# ------------------------------------------------------------------------------------------------------
# text
# ------------------------------------------------------------------------------------------------------


def test_nfc_makes_nfd_input_equal() -> None:
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    assert nfd != "Hà Nội"
    assert nfc(nfd) == "Hà Nội"
    assert nfc("  Hà Nội ") == "  Hà Nội "  # nfc does not strip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hà   Nội  ", "Hà Nội"),
        ("Lạng\u00a0Sơn\t\n", "Lạng Sơn"),
        (unicodedata.normalize("NFD", " Thành phố  Hồ Chí Minh "), "Thành phố Hồ Chí Minh"),
        ("", ""),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected
    assert unicodedata.is_normalized("NFC", clean(raw))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đắk Lắk", "dak lak"),
        (unicodedata.normalize("NFD", "Đắk Lắk"), "dak lak"),
        ("  ĐỒNG   THÁP ", "dong thap"),
        ("Hà Nội", "ha noi"),
        ("Thừa Thiên Huế", "thua thien hue"),
        ("Bà Rịa\u00a0–\u00a0Vũng Tàu", "ba ria – vung tau"),
        ("Quảng Ngãi", "quang ngai"),
    ],
)
def test_search_key(raw: str, expected: str) -> None:
    assert search_key(raw) == expected


@given(st.text())
def test_search_key_idempotent(s: str) -> None:
    key = search_key(s)
    assert search_key(key) == key


# ------------------------------------------------------------------------------------------------------
# parse_number
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9.050", D("9050")),
        ("1.425", D("1425")),
        ("38,161", D("38.161")),
        ("5.832.661.500", D("5832661500")),
        ("53.765,0", D("53765.0")),
        ("879,1", D("879.1")),
        ("1,593", D("1.593")),
        ("-12", D("-12")),
        ("+12", D("12")),
        ("\u221212", D("-12")),  # Unicode minus sign
        ("1 425", D("1425")),
        ("1\u00a0425", D("1425")),
        ("1\u202f425\u202f000,5", D("1425000.5")),
        ("1425", D("1425")),
        ("1425.5", D("1425.5")),
        ("0.25", D("0.25")),
        ("1.2345", D("1.2345")),
        ("0.425", D("0.425")),  # a lone 0 before the dot cannot be thousands grouping
        ("-1.234,5", D("-1234.5")),
        ("-5.832.661.500", D("-5832661500")),
        ("07", D("7")),
        ("0", D("0")),
        ("-0", D("0")),
        ("0,0", D("0.0")),
        ("12345,6", D("12345.6")),
        ("  1.425  ", D("1425")),
        ("1.000.000,0001", D("1000000.0001")),
    ],
)
def test_parse_number(text: str, expected: Decimal) -> None:
    result = parse_number(text)
    assert isinstance(result, Decimal)
    assert result == expected
    assert result.as_tuple() == expected.as_tuple()  # exact, trailing zeros kept


def test_parse_number_passthrough() -> None:
    assert parse_number(1425) == D(1425)
    assert isinstance(parse_number(1425), Decimal)
    assert parse_number(D("53765.0")).as_tuple() == D("53765.0").as_tuple()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12a",
        "1,2,3",
        "12,3,4",
        "1.2.3,4,5",
        "1.23.456",
        "1.2345.678",
        "12.34.567",
        "1e5",
        "1E5",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "--1",
        "-+1",
        "- 1",
        "-",
        "+",
        "1-",
        "12%",
        "1,",
        ",5",
        ".5",
        "1.",
        "1..425",
        "1,425.5",
        "1 425.5",
        "1 425.000",
        "1  425",
        "1 42",
        "1234.567",  # dot + 3 digits after a 4-digit head: neither grouping nor Vietnamese decimal
        "01.234",
        "0.123.456",
        "١٢٣",  # Arabic-Indic digits
        "１２",  # full-width digits
        "1_000",
        "0x10",
    ],
)
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(NumberParseError) as excinfo:
        parse_number(text)
    message = str(excinfo.value)
    assert message.startswith(f'Không đọc được số "{text}": ')
    assert "1.425" in message  # explains the accepted forms
    assert isinstance(excinfo.value, ValueError)
    assert excinfo.value.text == text


def test_parse_number_error_message_example() -> None:
    with pytest.raises(NumberParseError, match=r'^Không đọc được số "12,3,4": có nhiều hơn một dấu phẩy'):
        parse_number("12,3,4")


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), D("sNaN")])
def test_parse_number_rejects_non_finite_decimal(value: Decimal) -> None:
    with pytest.raises(NumberParseError):
        parse_number(value)


@pytest.mark.parametrize("value", [1.5, True, None, b"12"])
def test_parse_number_rejects_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        parse_number(value)  # type: ignore[arg-type]


def test_parse_number_never_goes_through_float() -> None:
    assert parse_number("0,1") + parse_number("0,2") == D("0.3")
    big = "9.999.999.999.999.999.999.999.999.999.999,9999"
    assert parse_number(big) == D("9999999999999999999999999999999.9999")
    assert parse_number("-" + big) == D("-9999999999999999999999999999999.9999")


# ------------------------------------------------------------------------------------------------------
# format_number
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (D("9050"), None, "9.050"),
        (D("9050.0000"), None, "9.050"),
        (D("5832661500"), None, "5.832.661.500"),
        (D("5832661500.0000"), None, "5.832.661.500"),
        (D("879.1"), None, "879,1"),
        (D("879.1000"), None, "879,1"),
        (D("1.593"), None, "1,593"),
        (D("38.161"), None, "38,161"),
        (D("53765.0"), None, "53.765"),
        (D("53765.0"), 1, "53.765,0"),
        (D("53765"), 1, "53.765,0"),
        (D("1425"), None, "1.425"),
        (1425, None, "1.425"),
        (0, None, "0"),
        (D("0.0000"), None, "0"),
        (D("0.0000"), 2, "0,00"),
        (D("999"), None, "999"),
        (D("1000"), None, "1.000"),
        (D("100000"), None, "100.000"),
        (D("1000000"), None, "1.000.000"),
        (D("1E+3"), None, "1.000"),
        (D("1.05E+3"), None, "1.050"),
        (D("0.0001"), None, "0,0001"),
        (D("12.5"), 0, "13"),
        (D("12.3456"), 2, "12,35"),
        (D("9050"), 2, "9.050,00"),
        # negatives
        (D("-1234.5"), None, "-1.234,5"),
        (D("-1234.5"), 1, "-1.234,5"),
        (D("-5832661500"), None, "-5.832.661.500"),
        (-7, None, "-7"),
        (D("-0.04"), 1, "0,0"),
        (D("-0"), None, "0"),
        (D("-0.0000"), None, "0"),
    ],
)
def test_format_number(value: Decimal | int, decimals: int | None, expected: str) -> None:
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        # half-up at .x5, in both directions
        (D("0.05"), 1, "0,1"),
        (D("0.15"), 1, "0,2"),
        (D("0.25"), 1, "0,3"),  # banker's rounding would give 0,2
        (D("2.345"), 2, "2,35"),
        (D("2.3449999"), 2, "2,34"),
        (D("1.5"), 0, "2"),
        (D("2.5"), 0, "3"),  # banker's rounding would give 2
        (D("9999.95"), 1, "10.000,0"),  # carry into a new thousands group
        (D("999.5"), 0, "1.000"),
        (D("-2.345"), 2, "-2,35"),  # half away from zero
        (D("-2.5"), 0, "-3"),
        (D("-0.05"), 1, "-0,1"),
        (D("53764.95"), 1, "53.765,0"),
    ],
)
def test_format_number_rounding(value: Decimal, decimals: int, expected: str) -> None:
    assert format_number(value, decimals) == expected


def test_format_number_many_digits_no_precision_loss() -> None:
    value = D("123456789012345678901234567890123456789.123456789")
    assert format_number(value) == "123.456.789.012.345.678.901.234.567.890.123.456.789,123456789"
    assert format_number(value, 3) == "123.456.789.012.345.678.901.234.567.890.123.456.789,123"


@pytest.mark.parametrize("value", [1.5, True, "12", None])
def test_format_number_rejects_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        format_number(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity")])
def test_format_number_rejects_non_finite(value: Decimal) -> None:
    with pytest.raises(ValueError):
        format_number(value)


def test_format_number_rejects_negative_decimals() -> None:
    with pytest.raises(ValueError):
        format_number(D("1"), -1)


decimals_0_to_4 = st.integers(min_value=0, max_value=4).flatmap(
    lambda places: st.integers(min_value=-(10**20), max_value=10**20).map(
        lambda n: Decimal(n).scaleb(-places)
    )
)


@given(decimals_0_to_4)
def test_round_trip_stripped(d: Decimal) -> None:
    assert parse_number(format_number(d)) == d


@given(decimals_0_to_4, st.integers(min_value=0, max_value=4))
def test_round_trip_fixed_decimals(d: Decimal, k: int) -> None:
    text = format_number(d, k)
    expected = d.quantize(Decimal(1).scaleb(-k), rounding=ROUND_HALF_UP)
    assert parse_number(text) == expected
    if k:
        assert text.rsplit(",", 1)[1] == format(abs(expected), "f").split(".")[1]


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_round_trip_integers(n: int) -> None:
    text = format_number(n)
    assert "," not in text
    assert parse_number(text) == n


# ------------------------------------------------------------------------------------------------------
# format_percent
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "decimals", "expected"),
    [
        (D("0.22625"), 1, "22,6%"),
        (D("0.226"), 1, "22,6%"),
        (D("0.24"), 0, "24%"),
        (D("0.2265"), 1, "22,7%"),  # half-up on the percent value, exact Decimal
        (D("0.22649999"), 1, "22,6%"),
        (D("0.005"), 0, "1%"),
        (D("0.015"), 0, "2%"),
        (D("0.025"), 0, "3%"),
        (D("0.791"), 1, "79,1%"),
        (D("1"), 1, "100,0%"),
        (1, 0, "100%"),
        (D("12.5"), 0, "1.250%"),
        (D("0"), 1, "0,0%"),
        (D("-0.05"), 1, "-5,0%"),
        (D("-0.0005"), 1, "-0,1%"),
        (D("0.001234"), 2, "0,12%"),
    ],
)
def test_format_percent(ratio: Decimal | int, decimals: int, expected: str) -> None:
    assert format_percent(ratio, decimals) == expected


def test_format_percent_default_decimals() -> None:
    assert format_percent(D("0.22625")) == "22,6%"


@pytest.mark.parametrize("ratio", [None, 0.5])
def test_format_percent_rejects(ratio: object) -> None:
    with pytest.raises(TypeError):
        format_percent(ratio)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------------
# format_count
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "pad", "expected"),
    [
        (7, True, "07"),
        (1, True, "01"),
        (9, True, "09"),
        (0, True, "0"),
        (10, True, "10"),
        (99, True, "99"),
        (1425, True, "1.425"),
        (D("7"), True, "07"),
        (D("7.0000"), True, "07"),
        (D("1425.0000"), True, "1.425"),
        (7, False, "7"),
        (0, False, "0"),
        (1425, False, "1.425"),
        (-7, True, "-07"),
        (-12, True, "-12"),
    ],
)
def test_format_count(value: Decimal | int, pad: bool, expected: str) -> None:
    assert format_count(value, pad) == expected


@pytest.mark.parametrize("value", [D("7.5"), D("0.0001"), D("-1.5")])
def test_format_count_rejects_fractions(value: Decimal) -> None:
    with pytest.raises(ValueError, match="Số lượng phải là số nguyên"):
        format_count(value)


# ------------------------------------------------------------------------------------------------------
# money
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "scale", "decimals", "expected"),
    [
        (D("385000000000"), "tỷ đồng", None, "385 tỷ đồng"),
        (D("105200000"), "triệu đồng", 1, "105,2 triệu đồng"),
        (D("105200000"), "triệu đồng", None, "105,2 triệu đồng"),
        (D("105200000.0000"), "triệu đồng", None, "105,2 triệu đồng"),
        (D("105250000"), "triệu đồng", 1, "105,3 triệu đồng"),  # half-up
        (D("5832661500"), "đồng", None, "5.832.661.500 đồng"),
        (D("5832661500"), "nghìn đồng", None, "5.832.661,5 nghìn đồng"),
        (D("5832661500"), "triệu đồng", 0, "5.833 triệu đồng"),
        (D("5832661500"), "tỷ đồng", 2, "5,83 tỷ đồng"),
        (D("1234567000000000"), "tỷ đồng", None, "1.234.567 tỷ đồng"),
        (D("-385000000000"), "tỷ đồng", None, "-385 tỷ đồng"),
        (0, "triệu đồng", 1, "0,0 triệu đồng"),
        (D("385000000000"), unicodedata.normalize("NFD", "tỷ đồng"), None, "385 tỷ đồng"),
    ],
)
def test_format_money(value: Decimal | int, scale: str, decimals: int | None, expected: str) -> None:
    assert format_money(value, scale, decimals) == expected


@pytest.mark.parametrize("scale", ["tỉ đồng", "USD", "", "triệu"])
def test_format_money_rejects_unknown_scale(scale: str) -> None:
    with pytest.raises(ValueError, match="Đơn vị tiền tệ không hợp lệ"):
        format_money(D("1"), scale)


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (D("385"), "tỷ đồng", "đồng", D("385000000000")),
        (D("385000000000"), "đồng", "tỷ đồng", D("385")),
        (D("105.2"), "triệu đồng", "nghìn đồng", D("105200")),
        (D("105200"), "nghìn đồng", "triệu đồng", D("105.2")),
        (D("1"), "đồng", "tỷ đồng", D("0.000000001")),
        (D("0.000000001"), "tỷ đồng", "đồng", D("1")),
        (D("12.3456"), "triệu đồng", "triệu đồng", D("12.3456")),
        (7, "nghìn đồng", "đồng", D("7000")),
    ],
)
def test_convert_scale(value: Decimal | int, from_unit: str, to_unit: str, expected: Decimal) -> None:
    result = convert_scale(value, from_unit, to_unit)
    assert isinstance(result, Decimal)
    assert result == expected


def test_convert_scale_writes_out_large_results() -> None:
    assert str(convert_scale(D("385"), "tỷ đồng", "đồng")) == "385000000000"


def test_convert_scale_exact_for_many_digits() -> None:
    value = D("123456789012345678901234567890.1234")
    back = convert_scale(convert_scale(value, "đồng", "tỷ đồng"), "tỷ đồng", "đồng")
    assert back == value


@pytest.mark.parametrize(("from_unit", "to_unit"), [("đô la", "đồng"), ("đồng", "nghìn")])
def test_convert_scale_rejects_unknown_units(from_unit: str, to_unit: str) -> None:
    with pytest.raises(ValueError, match="Đơn vị tiền tệ không hợp lệ"):
        convert_scale(D("1"), from_unit, to_unit)


# ------------------------------------------------------------------------------------------------------
# phrases
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"current": 7, "previous": 4, "unit_word": "vụ"}, "tăng 03 vụ so với tháng trước"),
        ({"current": 4, "previous": 16, "unit_word": "vụ"}, "giảm 12 vụ so với tháng trước"),
        ({"current": 5, "previous": 5, "unit_word": "vụ"}, "bằng tháng trước"),
        ({"current": D("5.0000"), "previous": D("5"), "unit_word": "vụ"}, "bằng tháng trước"),
        ({"current": 7, "previous": 4, "unit_word": "vụ", "pad": False}, "tăng 3 vụ so với tháng trước"),
        ({"current": 1500, "previous": 75, "unit_word": "người"}, "tăng 1.425 người so với tháng trước"),
        ({"current": 7, "previous": 4}, "tăng 03 so với tháng trước"),
        (
            {"current": 7, "previous": 4, "unit_word": "vụ", "against": "so với cùng kỳ"},
            "tăng 03 vụ so với cùng kỳ",
        ),
        ({"current": 4, "previous": 4, "against": "so với cùng kỳ năm trước"}, "bằng cùng kỳ năm trước"),
        ({"current": 4, "previous": 4, "against": ""}, "không đổi"),
        ({"current": 7, "previous": 4, "unit_word": "vụ", "against": ""}, "tăng 03 vụ"),
        (
            {"current": D("12.75"), "previous": D("10.5"), "unit_word": "tỷ đồng"},
            "tăng 2,25 tỷ đồng so với tháng trước",
        ),
        (
            {"current": D("12.75"), "previous": D("10.5"), "unit_word": "tỷ đồng", "decimals": 1},
            "tăng 2,3 tỷ đồng so với tháng trước",  # half-up
        ),
        (
            {"current": D("12.5"), "previous": D("7.5"), "unit_word": "tỷ đồng", "decimals": 1},
            "tăng 5,0 tỷ đồng so với tháng trước",
        ),
        (
            {"current": D("10.5"), "previous": D("12.75"), "unit_word": "tỷ đồng", "decimals": 1},
            "giảm 2,3 tỷ đồng so với tháng trước",
        ),
        (
            {"current": D("10.52"), "previous": D("10.5"), "unit_word": "ha", "decimals": 1},
            "bằng tháng trước",  # rounds to 0,0
        ),
        (
            {"current": D("-3"), "previous": D("2"), "unit_word": "tỷ đồng"},
            "giảm 05 tỷ đồng so với tháng trước",
        ),
    ],
)
def test_change_phrase(kwargs: dict[str, object], expected: str) -> None:
    assert change_phrase(**kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((D("0.791"),), "đạt 79,1% so với cùng kỳ"),
        ((D("1.05"), 0), "đạt 105% so với cùng kỳ"),
        ((D("0.9265"), 1, "bằng", "kế hoạch năm"), "bằng 92,7% kế hoạch năm"),
        ((D("0.5"), 1, "đạt", ""), "đạt 50,0%"),
    ],
)
def test_ratio_phrase(args: tuple[object, ...], expected: str) -> None:
    assert ratio_phrase(*args) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((D("1.125"),), "tăng 12,5% so với cùng kỳ"),
        ((D("0.791"),), "giảm 20,9% so với cùng kỳ"),
        ((D("1"),), "bằng cùng kỳ"),
        ((1,), "bằng cùng kỳ"),
        ((D("1.0000"),), "bằng cùng kỳ"),
        ((D("1.0004"),), "bằng cùng kỳ"),  # +0,04% rounds to 0,0%
        ((D("1.0005"),), "tăng 0,1% so với cùng kỳ"),  # half-up
        ((D("0.9995"),), "giảm 0,1% so với cùng kỳ"),  # symmetric
        ((D("2.5"), 0), "tăng 150% so với cùng kỳ"),
        ((D("1.125"), 1, "so với tháng trước"), "tăng 12,5% so với tháng trước"),
        ((D("1"), 1, "so với tháng trước"), "bằng tháng trước"),
        ((D("0"),), "giảm 100,0% so với cùng kỳ"),
    ],
)
def test_growth_phrase(args: tuple[object, ...], expected: str) -> None:
    assert growth_phrase(*args) == expected  # type: ignore[arg-type]


def test_phrases_reject_float() -> None:
    with pytest.raises(TypeError):
        growth_phrase(1.125)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        change_phrase(7.0, 4)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------------
# dates
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2020, 6, 5), "ngày 05 tháng 6 năm 2020"),
        (date(2021, 1, 1), "ngày 01 tháng 01 năm 2021"),
        (date(2021, 2, 14), "ngày 14 tháng 02 năm 2021"),
        (date(2021, 3, 9), "ngày 09 tháng 3 năm 2021"),
        (date(2020, 10, 10), "ngày 10 tháng 10 năm 2020"),
        (date(2020, 12, 31), "ngày 31 tháng 12 năm 2020"),
        (date(2020, 11, 20), "ngày 20 tháng 11 năm 2020"),
        (datetime(2020, 6, 5, 14, 30), "ngày 05 tháng 6 năm 2020"),
    ],
)
def test_decree30_date(d: date, expected: str) -> None:
    assert decree30_date(d) == expected


def test_decree30_date_with_place() -> None:
    assert decree30_date(date(2020, 6, 5), "TP. Lạng Sơn") == "TP. Lạng Sơn, ngày 05 tháng 6 năm 2020"
    nfd_place = unicodedata.normalize("NFD", " TP. Lạng  Sơn ")
    assert decree30_date(date(2020, 6, 5), nfd_place) == "TP. Lạng Sơn, ngày 05 tháng 6 năm 2020"
    assert decree30_date(date(2020, 6, 5), "") == "ngày 05 tháng 6 năm 2020"


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2020, 6, 14), "14/6/2020"),
        (date(2020, 5, 5), "5/5/2020"),
        (date(2020, 12, 31), "31/12/2020"),
        (date(2021, 1, 1), "1/1/2021"),
    ],
)
def test_short_date(d: date, expected: str) -> None:
    assert short_date(d) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/06/2020", date(2020, 6, 5)),
        ("5/6/2020", date(2020, 6, 5)),
        ("14/6/2020", date(2020, 6, 14)),
        ("05-06-2020", date(2020, 6, 5)),
        ("05.06.2020", date(2020, 6, 5)),
        ("2020-06-05", date(2020, 6, 5)),
        ("2020-6-5", date(2020, 6, 5)),
        ("12/01/2021", date(2021, 1, 12)),  # day first, never month first
        ("29/2/2024", date(2024, 2, 29)),
        ("  31/12/2020 ", date(2020, 12, 31)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "hôm nay",
        "05/06/20",
        "5/6",
        "32/1/2020",
        "31/02/2020",
        "29/2/2023",
        "0/1/2020",
        "1/13/2020",
        "1/0/2020",
        "06/14/2020",  # month-first is not accepted
        "05/06-2020",  # mixed separators
        "2020/06/05",
        "2020.06.05",
        "2020-13-01",
        "05 06 2020",
        "005/06/2020",
        "1/1/0000",
        "ngày 05 tháng 6 năm 2020",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(DateParseError) as excinfo:
        parse_date(text)
    assert str(excinfo.value).startswith(f'Không đọc được ngày "{text}": ')
    assert isinstance(excinfo.value, ValueError)


@given(st.dates(min_value=date(1000, 1, 1)))
def test_date_round_trip(d: date) -> None:
    assert parse_date(short_date(d)) == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.strftime("%d.%m.%Y")) == d


def test_parse_date_rejects_non_string() -> None:
    with pytest.raises(TypeError):
        parse_date(date(2020, 1, 1))  # type: ignore[arg-type]
