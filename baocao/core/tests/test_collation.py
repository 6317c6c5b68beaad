"""Vietnamese collation: "Đ" after "D", ă/â after a, tones in the traditional order."""

import unicodedata

from django.template import Context, Template

from baocao.core.collation import sort_key, sort_key_hex, sorted_vi


def test_names_with_d_bar_and_tones_sort_as_in_a_vietnamese_dictionary() -> None:
    names = ["Đồng Đăng", "Xã Yên Trạch", "Ấp Chợ", "Dương Kinh", "Ăn Quả", "An Bình", "Zô", "Bắc Sơn"]
    names.append("Ân Thi")
    assert sorted_vi(names) == [
        "An Bình",
        "Ăn Quả",
        "Ân Thi",
        "Ấp Chợ",
        "Bắc Sơn",
        "Dương Kinh",
        "Đồng Đăng",
        "Xã Yên Trạch",
        "Zô",
    ]
    # Python's own order (code points) puts Đ and Ă/Â after Z: what the lists showed before.
    assert sorted(names)[-1] in {"Đồng Đăng", "Ấp Chợ", "Ăn Quả", "Ân Thi"}


def test_tones_follow_ngang_huyen_hoi_nga_sac_nang() -> None:
    assert sorted_vi(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_case_does_not_separate_letters_and_nfd_equals_nfc() -> None:
    assert sorted_vi(["đa", "Da", "da", "Đa"]) == ["da", "Da", "đa", "Đa"]
    assert sort_key(unicodedata.normalize("NFD", "Đồng Đăng")) == sort_key("Đồng Đăng")


def test_key_with_a_getter_and_none() -> None:
    rows: list[dict[str, str | None]] = [{"n": "Đinh"}, {"n": None}, {"n": "Dinh"}]
    assert [r["n"] for r in sorted_vi(rows, key=lambda r: r["n"])] == [None, "Dinh", "Đinh"]


def test_hex_key_keeps_the_order_as_plain_strings_for_the_browser() -> None:
    names = ["Đồng Đăng", "Dương Kinh", "Ăn Quả", "An Bình", "Zô"]
    by_hex = sorted(names, key=sort_key_hex)
    assert by_hex == sorted_vi(names)
    rendered = Template("{% load collation %}{{ name|vi_sort_key }}").render(Context({"name": "Đồng"}))
    assert rendered == sort_key_hex("Đồng")
