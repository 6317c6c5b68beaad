"""Reading and writing numbers the way Vietnamese official documents do.

Conventions (Vietnamese administrative writing):

* "." groups thousands and "," is the decimal separator: ``9.050``; ``1.234.567.890``; ``879,1``;
  ``53.765,0``; ``12,5%``.
* Amounts and counts are :class:`~decimal.Decimal` (or ``int``); ``float`` is refused everywhere so that no
  binary rounding can creep in.
* Rounding is ``ROUND_HALF_UP`` everywhere. For negative numbers this is "half away from zero"
  (``-2,345`` → ``-2,35``), which is what ``decimal.ROUND_HALF_UP`` does.

All arithmetic is done in a context with the maximum precision, and only exact operations (addition,
subtraction, multiplication, shifting by powers of ten, quantize) are used, so no digit is ever lost
except by the explicit half-up rounding requested by the caller.
"""

import re
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal

from baocao.core.text import clean, nfc

__all__ = [
    "APPROX_QUALIFIERS",
    "MONEY_UNITS",
    "NumberParseError",
    "approx_phrase",
    "approx_value",
    "change_phrase",
    "convert_scale",
    "cumulative_phrase",
    "format_count",
    "format_money",
    "format_number",
    "format_percent",
    "growth_phrase",
    "keep_units_together",
    "mixed_money",
    "parse_number",
    "ratio_phrase",
]

# Exact arithmetic: with MAX_PREC, +, -, * and scaleb never round. Never divide in this context.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)

#: Money units and their power of ten relative to one đồng.
MONEY_UNITS: dict[str, int] = {
    "đồng": 0,
    "nghìn đồng": 3,
    "triệu đồng": 6,
    "tỷ đồng": 9,
}

_ACCEPTED_FORMS = (
    "dùng dấu chấm phân cách hàng nghìn và dấu phẩy phân cách phần thập phân, "
    "ví dụ: 1.425; 1.234.567.890; 879,1; 53.765,0; -12; 1 425; hoặc dạng máy 1425, 1425.5"
)

# Characters accepted as a thousands separator in the "1 425" form: space, NBSP, narrow NBSP, thin space.
_SPACE_SEPARATORS = " \u00a0\u202f\u2009"
_MINUS_SIGNS = "-\u2212"  # ASCII hyphen-minus and the Unicode minus sign
# Unambiguous well-formed text: plain digits, or dot-grouped thousands whose first group does not start
# with 0, then an optional decimal comma. Everything else takes the full analysis below.
_PLAIN = re.compile(r"-?(?:[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)(?:,[0-9]+)?")
_ALLOWED_CHARS = frozenset("0123456789.," + _SPACE_SEPARATORS)

_PLAIN_INT = re.compile(r"[0-9]+")
_DOT_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
_SPACE_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:[" + _SPACE_SEPARATORS + r"][0-9]{3})+")
_FRACTION = re.compile(r"[0-9]+")


class NumberParseError(ValueError):
    """Raised by :func:`parse_number` for text that is not a valid Vietnamese-written number."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f'Không đọc được số "{text}": {reason}. Cách viết hợp lệ: {_ACCEPTED_FORMS}.')


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


def _as_decimal(value: object, what: str = "giá trị") -> Decimal:
    """Accept ``int`` or finite ``Decimal``; refuse ``bool``, ``float`` and everything else."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(
            f"{what.capitalize()} phải là Decimal hoặc int, không nhận {type(value).__name__} "
            f"(không dùng float để tránh sai số): {value!r}"
        )
    result = Decimal(value) if isinstance(value, int) else value
    if not result.is_finite():
        raise ValueError(f"{what.capitalize()} phải là số hữu hạn, không nhận {value}")
    return result


def _check_decimals(decimals: int) -> None:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"Số chữ số thập phân phải là số nguyên không âm, không nhận {decimals!r}")


def _round(value: Decimal, decimals: int) -> Decimal:
    """Round half-up to exactly ``decimals`` places (exact otherwise)."""
    _check_decimals(decimals)
    return value.quantize(Decimal((0, (1,), -decimals)), rounding=ROUND_HALF_UP, context=_EXACT)


def _group_thousands(digits: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(groups)


def _is_integral(value: Decimal) -> bool:
    return value == value.to_integral_value(context=_EXACT)


def _join(*parts: str) -> str:
    return " ".join(p for p in (clean(part) for part in parts) if p)


def _equal_phrase(against: str) -> str:
    """ "so với tháng trước" → "bằng tháng trước"; "cùng kỳ" → "bằng cùng kỳ"; "" → "không đổi"."""
    rest = clean(against)
    if rest.startswith("so với "):
        rest = rest[len("so với ") :]
    elif rest == "so với":
        rest = ""
    return f"bằng {rest}" if rest else "không đổi"


def _unit_exponent(unit: str) -> tuple[str, int]:
    key = clean(unit)
    if key not in MONEY_UNITS:
        accepted = ", ".join(f'"{u}"' for u in MONEY_UNITS)
        raise ValueError(f'Đơn vị tiền tệ không hợp lệ "{unit}": chỉ chấp nhận {accepted}')
    return key, MONEY_UNITS[key]


# --------------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------------


def parse_number(text: str | int | Decimal) -> Decimal:
    """Read a number written the Vietnamese way (or in plain machine form) into an exact ``Decimal``.

    Accepted (after NFC normalisation and stripping surrounding whitespace):

    * optional leading sign ``-`` / ``+`` (or the Unicode minus ``−``), directly followed by a digit;
    * integer part: plain digits (``1425``, ``07``), thousands grouped with dots (``1.234.567.890``) or with
      single spaces / NBSP (``1 425``); a grouped number's first group has 1–3 digits and does not start
      with ``0``, every further group has exactly 3 digits;
    * at most one decimal comma followed by at least one digit (``879,1``, ``53.765,0``);
    * without a comma, a dot may instead be a plain decimal point (machine form): ``1425.5``, ``0.25``.

    The dot rule: with no comma, a *single* dot followed by exactly three digits is **thousands grouping**
    (Vietnamese reading): ``"1.425"`` → ``1425``. A single dot followed by 1, 2 or 4+ digits is a decimal
    point (``"1425.5"``, ``"0.25"``, ``"1.2345"``), as is a dot after a lone ``0`` (``"0.425"`` → ``0.425``,
    since no one writes thousands as ``0.425``). A single dot + 3 digits that cannot be a grouping either
    (``"1234.567"``, ``"01.234"``) is rejected as ambiguous. Several dots must form a valid grouping.

    Rejected with :class:`NumberParseError`: empty text, letters and other symbols (``"1e5"``, ``"NaN"``,
    ``"12%"`` – the caller strips units), several commas, bad group sizes (``"1.23.456"``), doubled or
    detached signs (``"--1"``, ``"- 1"``), a dot after the comma, mixing dot and space grouping.

    ``int`` and finite ``Decimal`` values are passed through (as ``Decimal``); ``float`` and ``bool`` raise
    :class:`TypeError`. Negative zero is returned as ``Decimal("0")``. Trailing zeros are preserved
    (``"53.765,0"`` → ``Decimal("53765.0")``).
    """
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise TypeError(
            f"parse_number chỉ nhận str, int hoặc Decimal, không nhận {type(text).__name__} "
            f"(không dùng float để tránh sai số): {text!r}"
        )
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise NumberParseError(str(text), "không phải là số hữu hạn")
        return text.copy_abs() if text.is_zero() else text

    if _PLAIN.fullmatch(text):  # the usual forms ("1.425", "38,161", "-7"), without the full analysis
        number = Decimal(text.replace(".", "").replace(",", "."))
        return number.copy_abs() if number.is_zero() else number

    original = text
    s = nfc(text).strip()
    if not s:
        raise NumberParseError(original, "chuỗi rỗng")

    negative = False
    if s[0] in _MINUS_SIGNS or s[0] == "+":
        negative = s[0] != "+"
        s = s[1:]
    if not s:
        raise NumberParseError(original, "thiếu chữ số sau dấu")
    if not s[0].isascii() or not s[0].isdigit():
        if s[0] in _MINUS_SIGNS or s[0] == "+":
            raise NumberParseError(original, "dấu âm/dương chỉ được viết một lần, ngay trước chữ số")
        if s[0] in _ALLOWED_CHARS:
            raise NumberParseError(original, "phải bắt đầu bằng chữ số")
    bad = next((ch for ch in s if ch not in _ALLOWED_CHARS), None)
    if bad is not None:
        raise NumberParseError(original, f'có ký tự không hợp lệ "{bad}"')

    if s.count(",") > 1:
        raise NumberParseError(original, "có nhiều hơn một dấu phẩy thập phân")

    int_part, comma, fraction = s.partition(",")
    has_space = any(ch in _SPACE_SEPARATORS for ch in int_part)
    if comma:
        if not fraction:
            raise NumberParseError(original, "thiếu chữ số sau dấu phẩy thập phân")
        if not _FRACTION.fullmatch(fraction):
            raise NumberParseError(original, "phần thập phân sau dấu phẩy chỉ được gồm chữ số")
        if has_space and "." in int_part:
            raise NumberParseError(
                original, "không được dùng lẫn dấu chấm và dấu cách để phân cách hàng nghìn"
            )
        if not (
            _PLAIN_INT.fullmatch(int_part)
            or _DOT_GROUPED.fullmatch(int_part)
            or _SPACE_GROUPED.fullmatch(int_part)
        ):
            raise NumberParseError(original, "nhóm hàng nghìn phải có đúng 3 chữ số")
    elif "." not in int_part:
        if not (_PLAIN_INT.fullmatch(int_part) or _SPACE_GROUPED.fullmatch(int_part)):
            raise NumberParseError(original, "nhóm hàng nghìn phải có đúng 3 chữ số")
    elif has_space:
        raise NumberParseError(original, "không được dùng lẫn dấu chấm và dấu cách")
    elif _DOT_GROUPED.fullmatch(int_part):
        pass  # "1.425", "1.234.567.890": thousands grouping
    elif int_part.count(".") == 1:
        head, _, tail = int_part.partition(".")
        if not _PLAIN_INT.fullmatch(head) or not _FRACTION.fullmatch(tail):
            raise NumberParseError(original, "thiếu chữ số trước hoặc sau dấu chấm")
        if len(tail) == 3 and head != "0":
            raise NumberParseError(
                original, "không rõ dấu chấm là phân cách hàng nghìn hay dấu thập phân (nhóm đầu quá dài)"
            )
        int_part, fraction = head, tail  # plain decimal point (machine form)
    else:
        raise NumberParseError(original, "nhóm hàng nghìn phải có đúng 3 chữ số")

    digits = "".join(ch for ch in int_part if ch.isdigit())
    literal = digits + (f".{fraction}" if fraction else "")
    result = Decimal(literal)
    return result.copy_negate() if negative and not result.is_zero() else result


# --------------------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------------------


def format_number(value: Decimal | int, decimals: int | None = None) -> str:
    """Write a number the Vietnamese way: ``Decimal("1234567890.00")`` → ``"1.234.567.890"``.

    * ``decimals=None``: exact value with trailing fractional zeros stripped (values usually come from a
      DB column with 4 decimal places): ``Decimal("9050.0000")`` → ``"9.050"``, ``Decimal("879.1000")`` →
      ``"879,1"``, ``Decimal("53765.0")`` → ``"53.765"``.
    * ``decimals=k``: rounded half-up to exactly ``k`` decimals: ``(Decimal("53765"), 1)`` → ``"53.765,0"``.

    Negative numbers get a leading ``-`` (``"-1.234,5"``); a value that rounds to zero is written without
    sign. ``float`` is refused (``TypeError``); NaN/Infinity raise ``ValueError``.
    """
    d = _as_decimal(value)
    if decimals is None:
        text = format(d, "f")  # exact fixed-point notation, no context rounding
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = format(_round(d, decimals), "f")
    negative = text.startswith("-")
    text = text.lstrip("-")
    int_part, _, fraction = text.partition(".")
    if negative and not (int_part + fraction).strip("0"):
        negative = False  # "-0,0" → "0,0"
    result = _group_thousands(int_part) + (f",{fraction}" if fraction else "")
    return f"-{result}" if negative else result


def format_percent(ratio: Decimal | int, decimals: int = 1) -> str:
    """Write a ratio (fraction of 1) as a percentage: ``0.12525`` → ``"12,5%"``; ``(0.24, 0)`` → ``"24%"``.

    The percent value (``ratio × 100``, exact) is rounded half-up: ``0.2265`` → ``"22,7%"``.
    ``None`` (or ``float``) raises ``TypeError``.
    """
    if ratio is None:
        raise TypeError("Tỷ lệ không được để trống (None)")
    percent = _EXACT.scaleb(_as_decimal(ratio, "tỷ lệ"), 2)
    return f"{format_number(percent, decimals)}%"


# A number (not the end of a word or code) and the space after it, when a word or "%" follows; and the
# scale word of an amount and the space before "đồng" ("9.050 triệu đồng").
_NUMBER_SPACE = re.compile(r"(?<![\w/])(\d+(?:[.,]\d+)*) (?=[^\W\d_]|%)")
_SCALE_SPACE = re.compile(r"(?<!\w)(nghìn|triệu|tỷ) (?=đồng(?!\w))")
NBSP = "\u00a0"


def keep_units_together(text: str) -> str:
    """``text`` for print, with a non-breaking space between a number and the word after it (its unit:
    "07 vụ", "879,1 m", "9.050 triệu đồng" also between "triệu" and "đồng"), so that a line never ends
    between them. Percentages are written without a space ("105,7%", :func:`format_percent`), which no
    line breaking splits; a "105,7 %" typed by hand keeps its space, made non-breaking."""
    text = _NUMBER_SPACE.sub(rf"\1{NBSP}", text)
    return _SCALE_SPACE.sub(rf"\1{NBSP}", text)


def format_count(value: Decimal | int, pad: bool = True) -> str:
    """Write a whole count: with ``pad=True``, 1..9 are zero-padded to two digits (``"07"``), as usual in
    reports ("xảy ra 07 vụ"); 0 is written ``"0"``; 10 and above are grouped (``"1.425"``). Negative counts
    are padded the same way on their absolute value (``"-07"``). A non-integral value raises ``ValueError``.
    """
    d = _as_decimal(value, "số lượng")
    if not _is_integral(d):
        raise ValueError(f"Số lượng phải là số nguyên, không nhận {format_number(d)}")
    n = int(d)
    if pad and 1 <= abs(n) <= 9:
        return f"{'-' if n < 0 else ''}{abs(n):02d}"
    return format_number(n)


def convert_scale(value: Decimal | int, from_unit: str, to_unit: str) -> Decimal:
    """Convert an amount between ``"đồng"``, ``"nghìn đồng"``, ``"triệu đồng"`` and ``"tỷ đồng"`` exactly.

    ``convert_scale(Decimal("385"), "tỷ đồng", "đồng")`` → ``Decimal("385000000000")``. The result never has
    a positive exponent (it is written out in full); unknown units raise ``ValueError``.
    """
    d = _as_decimal(value, "số tiền")
    _, from_exp = _unit_exponent(from_unit)
    _, to_exp = _unit_exponent(to_unit)
    result = _EXACT.scaleb(d, from_exp - to_exp)
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        result = result.quantize(Decimal(1), context=_EXACT)
    return result


def format_money(value_in_dong: Decimal | int, scale: str, decimals: int | None = None) -> str:
    """Write an amount given in đồng in the requested unit, followed by the unit word.

    ``format_money(Decimal("385000000000"), "tỷ đồng")`` → ``"385 tỷ đồng"``;
    ``format_money(Decimal("105200000"), "triệu đồng", 1)`` → ``"105,2 triệu đồng"``.
    ``decimals`` has the meaning of :func:`format_number` (``None`` strips trailing zeros).
    """
    unit, _ = _unit_exponent(scale)
    scaled = convert_scale(value_in_dong, "đồng", unit)
    return f"{format_number(scaled, decimals)} {unit}"


# --------------------------------------------------------------------------------------------------------
# Phrases for running text
# --------------------------------------------------------------------------------------------------------


def change_phrase(
    current: Decimal | int,
    previous: Decimal | int,
    unit_word: str = "",
    pad: bool = True,
    decimals: int | None = None,
    against: str = "so với tháng trước",
) -> str:
    """Describe the change between two values.

    ``(7, 4, "vụ")`` → ``"tăng 03 vụ so với tháng trước"``; ``(4, 16, "vụ")`` → ``"giảm 12 vụ so với tháng
    trước"``; equal values → ``"bằng tháng trước"`` ("so với " removed from ``against``; an empty
    ``against`` gives ``"không đổi"``).

    With ``decimals=None`` an integral difference is written like :func:`format_count` (padded when
    ``pad``), a non-integral one like :func:`format_number` with trailing zeros stripped. With
    ``decimals=k`` the difference is always written with exactly ``k`` decimals (``"tăng 5,0 tỷ đồng"``),
    and a difference that rounds to zero counts as equal.
    """
    cur = _as_decimal(current, "giá trị kỳ này")
    prev = _as_decimal(previous, "giá trị kỳ so sánh")
    diff = _EXACT.subtract(cur, prev)
    amount = diff.copy_abs()
    if decimals is None:
        amount_text = format_count(amount, pad=pad) if _is_integral(amount) else format_number(amount)
    else:
        amount = _round(amount, decimals)
        amount_text = format_number(amount, decimals)
    if amount.is_zero():
        return _equal_phrase(against)
    verb = "tăng" if diff > 0 else "giảm"
    return _join(verb, amount_text, unit_word, against)


def ratio_phrase(
    ratio: Decimal | int, decimals: int = 1, verb: str = "đạt", what: str = "so với cùng kỳ"
) -> str:
    """``ratio_phrase(Decimal("0.875"))`` → ``"đạt 87,5% so với cùng kỳ"``."""
    return _join(verb, format_percent(ratio, decimals), what)


def growth_phrase(ratio: Decimal | int, decimals: int = 1, against: str = "so với cùng kỳ") -> str:
    """Describe a ratio current/previous as growth.

    ``1.125`` → ``"tăng 12,5% so với cùng kỳ"``; ``0.791`` → ``"giảm 20,9% so với cùng kỳ"``;
    ``1`` (or a change that rounds to 0) → ``"bằng cùng kỳ"``.
    """
    if ratio is None:
        raise TypeError("Tỷ lệ không được để trống (None)")
    change = _EXACT.subtract(_as_decimal(ratio, "tỷ lệ"), 1)
    percent = _round(_EXACT.scaleb(change, 2).copy_abs(), decimals)
    if percent.is_zero():
        return _equal_phrase(against)
    verb = "tăng" if change > 0 else "giảm"
    return _join(verb, f"{format_number(percent, decimals)}%", against)


# --------------------------------------------------------------------------------------------------------
# Rounded numbers with a qualifier, amounts in mixed units, "lũy kế N tháng"
# --------------------------------------------------------------------------------------------------------

#: The qualifiers of a rounded number and the way each rounds (see :func:`approx_value`).
APPROX_QUALIFIERS = ("", "trên", "hơn", "gần", "khoảng")


def _step(step: Decimal | int) -> Decimal:
    d = _as_decimal(step, "bước làm tròn")
    if d <= 0:
        raise ValueError(f"Bước làm tròn phải lớn hơn 0, không nhận {format_number(d)}")
    return d


def approx_value(value: Decimal | int, step: Decimal | int = 1, qualifier: str = "") -> tuple[str, Decimal]:
    """``value`` rounded to a multiple of ``step`` for running text, and the qualifier that keeps the
    phrase true. The rule (docs/decisions/0022-number-recogniser-and-filters.md):

    * a value that is a multiple of ``step`` is written as it is, without a qualifier
      (1.260,0 → ("", 1.260));
    * ``"trên"`` / ``"hơn"``: rounded down, so the phrase is true (1.259,6 → ("trên", 1.259));
    * ``"gần"``: rounded up (1.259,6 → ("gần", 1.260));
    * ``"khoảng"``: the nearest multiple, half up (1.259,6 → ("khoảng", 1.260));
    * ``""`` (chosen from the value): the nearest multiple, half up, then "gần" when that is above the
      value and "trên" when below (1.259,6 → ("gần", 1.260); 1.260,4 → ("trên", 1.260)).

    Negative values are refused (a qualifier of a negative amount reads wrongly).
    """
    d = _as_decimal(value)
    unit = _step(step)
    key = clean(qualifier).lower()
    if key not in APPROX_QUALIFIERS:
        accepted = ", ".join(f'"{q}"' for q in APPROX_QUALIFIERS if q)
        raise ValueError(f'Từ chỉ mức độ không hợp lệ "{qualifier}": chỉ nhận {accepted} hoặc để trống')
    if d < 0:
        raise ValueError(f"Không làm tròn kèm từ chỉ mức độ cho số âm ({format_number(d)})")
    steps = d / unit  # exact enough: a quotient of two finite decimals, compared with integers below
    if steps == steps.to_integral_value():
        return "", _EXACT.multiply(steps.to_integral_value(), unit)
    down = _EXACT.multiply(steps.to_integral_value(rounding=ROUND_FLOOR), unit)
    up = _EXACT.add(down, unit)
    nearest = _EXACT.multiply(steps.to_integral_value(rounding=ROUND_HALF_UP), unit)
    if key in ("trên", "hơn"):
        return key, down
    if key == "gần":
        return key, up
    if key == "khoảng":
        return key, nearest
    return ("gần" if nearest > d else "trên"), nearest


def approx_phrase(
    value: Decimal | int, step: Decimal | int = 1, qualifier: str = "", suffix: str = ""
) -> str:
    """:func:`approx_value` written: ``(Decimal("1259.6"), 1, "trên")`` → ``"trên 1.259"``; ``(12960, 1000)``
    → ``"gần 13.000"``; ``suffix`` follows the number (``"%"`` glued, a unit word after a space)."""
    word, rounded = approx_value(value, step, qualifier)
    exponent = _step(step).normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    number = format_number(rounded, decimals)
    if suffix:
        number = f"{number}{suffix}" if suffix == "%" else f"{number} {clean(suffix)}"
    return _join(word, number)


#: The scales of a mixed amount, largest first ("4 tỷ 500 triệu đồng").
_MIXED_SCALES = (("tỷ", 9), ("triệu", 6), ("nghìn", 3), ("", 0))


def mixed_money(value_in_dong: Decimal | int, smallest: str = "triệu đồng") -> str:
    """An amount written in several scales, as in running text: ``4500000000`` → ``"4 tỷ 500 triệu
    đồng"``; ``4000000000`` → ``"4 tỷ đồng"``; ``500000000`` → ``"500 triệu đồng"``. The amount is first
    rounded half-up to ``smallest`` ("tỷ đồng", "triệu đồng", "nghìn đồng" or "đồng"); a zero part is
    left out; an amount that rounds to zero is written ``"0 <smallest>"``."""
    unit, exponent = _unit_exponent(smallest)
    d = _as_decimal(value_in_dong, "số tiền")
    if d < 0:
        raise ValueError(f"Số tiền ghi nhiều đơn vị phải không âm, không nhận {format_number(d)}")
    units = _round(_EXACT.scaleb(d, -exponent), 0)
    if units.is_zero():
        return f"0 {unit}"
    remaining = int(_EXACT.scaleb(units, exponent))
    parts: list[str] = []
    for word, power in _MIXED_SCALES:
        if power < exponent:
            break
        amount, remaining = divmod(remaining, 10**power)
        if amount:
            parts.append(f"{format_number(amount)} {word}".strip())
    return f"{' '.join(parts)} đồng"


def cumulative_phrase(months: int) -> str:
    """``6`` → ``"lũy kế 6 tháng"`` (the year to date of a report, by its number of months); 12 → ``"lũy
    kế cả năm"``; 1 → ``"tháng 1"`` (a year to date of one month is that month)."""
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        raise ValueError(f"Số tháng lũy kế phải từ 1 đến 12, không nhận {months!r}")
    if months == 1:
        return "tháng 1"
    return "lũy kế cả năm" if months == 12 else f"lũy kế {months} tháng"
