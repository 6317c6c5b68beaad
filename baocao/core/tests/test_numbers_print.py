"""Numbers in print: a number is never separated from its unit word at a line end (issue 18)."""

from decimal import Decimal

import pytest

from baocao.core.numbers import format_percent, keep_units_together, parse_number

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("xảy ra 07 vụ, làm chết 01 người", f"xảy ra 07{NBSP}vụ, làm chết 01{NBSP}người"),
        (
            "thu được 9.050 triệu đồng đạt 22,6% dự toán",
            f"thu được 9.050{NBSP}triệu{NBSP}đồng đạt 22,6% dự toán",
        ),
        ("diện tích 879,1 m2", f"diện tích 879,1{NBSP}m2"),
        ("gói hỗ trợ 62 nghìn tỷ đồng", f"gói hỗ trợ 62{NBSP}nghìn tỷ{NBSP}đồng"),
        ("đạt 105,7 % so với cùng kỳ", f"đạt 105,7{NBSP}% so với cùng kỳ"),  # typed by hand: kept, bound
    ],
)
def test_numbers_keep_their_units(text: str, printed: str) -> None:
    assert keep_units_together(text) == printed


@pytest.mark.parametrize(
    "text",
    ["Kế hoạch số 56/KH-UBND ngày 01/4/2020 của UBND tỉnh", "Số: 125/BC-UBND", "22,6% dự toán", "tỷ đồngx"],
)
def test_dates_codes_and_percentages_are_left_alone(text: str) -> None:
    assert keep_units_together(text) == text


def test_a_bound_number_still_reads_back() -> None:
    printed = keep_units_together("9.050 triệu đồng")
    assert parse_number(printed.split(NBSP)[0]) == parse_number("9.050")


def test_percentages_have_no_space_before_the_sign() -> None:
    # Decree 30 writes "105,7%": the sign follows the number directly (nothing for a line to break at).
    assert format_percent(Decimal("1.057")) == "105,7%"
    assert " " not in format_percent(Decimal("0.125")) and NBSP not in format_percent(Decimal("0.125"))
