"""Finding the numbers of Vietnamese report prose (pure: no Django, no database).

:func:`find_mentions` returns every number that can be a figure, with its unit word, the qualifier before
it ("trên", "gần", "hơn", "khoảng", "ước đạt"), the verb of a comparison ("tăng", "giảm", "đạt", "bằng"),
what it is compared with ("so với cùng kỳ", "so với tháng trước", a plan, "lũy kế") and the sentence it
came from. Numbers that are not figures are left out: dates ("14/6/2020"), document numbers ("Nghị định
số 36/2020/NĐ-CP", "Kế hoạch số 144/KH-BATGT"), years ("năm 2020", "giai đoạn 2020-2030"), ordinals
("lần thứ 2"), phone numbers, codes glued to a dash ("COVID-19").

Offsets always refer to the text given: HTML marks (``<b>``, ``<sup>2</sup>``...) are masked, not removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from baocao.core import numbers
from baocao.core.text import search_key

__all__ = [
    "COMPARISONS",
    "QUALIFIERS",
    "Mention",
    "find_mentions",
    "mask_markup",
    "words",
]

#: Qualifiers written before a rounded number, longest first.
QUALIFIERS = ("ước đạt", "ước tính", "xấp xỉ", "chưa đến", "khoảng", "trên", "gần", "hơn", "dưới", "ước")
#: Verbs that make a number a comparison ("tăng 05 vụ", "đạt 12,5%").
VERBS = ("tăng", "giảm", "đạt", "bằng")
#: Comparison phrases (accent-insensitive search key → what the number is compared with).
COMPARISONS = (
    ("so voi cung ky", "last_year"),
    ("cung ky nam truoc", "last_year"),
    ("so voi thang truoc", "previous"),
    ("so voi quy truoc", "previous"),
    ("so voi ky truoc", "previous"),
    ("so voi nam truoc", "last_year"),
    ("ke hoach", "target"),
    ("du toan", "target"),
    ("luy ke", "ytd"),
)

#: Unit words the parser knows without the database (the matcher adds the indicators' own).
DEFAULT_UNITS = (
    "nghìn tỷ đồng",
    "tỷ đồng",
    "triệu đồng",
    "nghìn đồng",
    "ngàn đồng",
    "đồng",
    "đ",
    "m²",
    "m2",
    "ha",
    "km",
    "kg",
    "tấn",
    "gam",
    "%",
)
MONEY_WORDS = {"đồng": 0, "đ": 0, "nghìn đồng": 3, "ngàn đồng": 3, "triệu đồng": 6, "tỷ đồng": 9}
MONEY_WORDS["nghìn tỷ đồng"] = 12

_CODE = re.compile(r"<(script|style)\b[^>]{0,200}>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^<>]{0,200}>")
_SUP = re.compile(r"<sup>\s*(2|d|đ)\s*</sup>", re.IGNORECASE)
_MD = re.compile(r"\*+")
_NUMBER = re.compile(
    r"(?<![\w.,\-−])(?<!\d/)"  # not the end of a word, a code or a date
    r"(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)"
    r"(?![.,]\d|/\d|/[A-ZĐ]|-\d|\d)"
)
_MIXED = re.compile(r"[ \u00a0]+tỷ[ \u00a0]+(\d{1,3})[ \u00a0]+triệu[ \u00a0]+đồng(?!\w)")
_SENTENCE_END = re.compile(r"(?<!\d)[.;!?](?=\s|$)|\n")
_WORD = re.compile(r"[^\W\d_]+|%|²", re.UNICODE)
# Words after which a number names something rather than counts it.
_DESIGNATORS = frozenset(
    "nam ngay thang so lan thu khoa nhiem ky lop giai doan qcvn khoi thon to dan pho cau dieu diem khoan"
    " muc chuong phan quy dot".split()
)
_DESIGNATOR_PAIRS = ("lan thu", "nhiem ky", "giai doan", "to dan pho")
# Spans of time ("6 tháng cuối năm", "60 năm Ngày thành lập"): not figures.
_TIME_WORDS = frozenset("thang nam ngay tuan quy gio phut".split())
# A heading's or a list's numbering ("## 2. Quản lý", "1. Lĩnh vực", "2.1."): at a line start.
_NUMBERING = re.compile(r"(?:^|\n)[ \t#>*-]*$")


def mask_markup(text: str) -> str:
    """``text`` with HTML tags and markdown emphasis blanked out, the same length: "m<sup>2</sup>" reads
    "m²", "28.000.000<sup>d</sup>" reads "28.000.000đ"."""

    def sup(match: re.Match[str]) -> str:
        mark = {"2": "²", "d": "đ", "đ": "đ"}[match.group(1).lower()]
        return mark + " " * (len(match.group(0)) - 1)

    masked = _CODE.sub(lambda m: " " * len(m.group(0)), text)  # pasted scripts and styles are not prose
    masked = _SUP.sub(sup, masked)
    masked = _TAG.sub(lambda m: " " * len(m.group(0)), masked)
    return _MD.sub(lambda m: " " * len(m.group(0)), masked)


def words(text: str) -> list[str]:
    """Accent-insensitive words of ``text`` (search keys), "%" and "²" kept."""
    return [search_key(w) for w in _WORD.findall(text)]


@dataclass(frozen=True)
class Mention:
    """A number found in the text. ``start``/``end``: the number itself (for "4 tỷ 500 triệu đồng" the
    whole amount); ``unit_end``: the end of its unit word (= ``end`` without one)."""

    start: int
    end: int
    text: str  # the number as written ("07", "9.050", "22,6")
    value: Decimal  # in the unit written ("9.050 triệu đồng" → 9050; "4 tỷ 500 triệu đồng" → in đồng)
    decimals: int  # digits written after the comma
    unit_word: str  # "vụ", "triệu đồng", "%", "" when none
    unit_end: int
    qualifier: str  # "trên", "gần", "khoảng", "ước đạt", ... or ""
    verb: str  # "tăng", "giảm", "đạt", "bằng" or ""
    comparison: str  # "last_year", "previous", "target", "ytd" or ""
    sentence: str
    sentence_start: int
    padded: bool  # a count written with a leading zero ("07")
    mixed: bool = False  # "4 tỷ 500 triệu đồng"

    @property
    def is_percent(self) -> bool:
        return self.unit_word == "%"

    @property
    def money_exponent(self) -> int | None:
        """Power of ten of one unit written, relative to one đồng; None when not money."""
        return MONEY_WORDS.get(self.unit_word)


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def fold(text: str) -> str:
    """Accent- and case-insensitive, character by character (same length as ``text``)."""
    return "".join((search_key(ch) or ch)[:1] if not ch.isspace() else " " for ch in text)


def _unit_after(masked: str, position: int, units: list[tuple[str, str]]) -> tuple[str, int]:
    """The unit word right after ``position`` (separated by spaces or masked marks, or glued), and where
    it ends; a unit is accepted when no letter follows it."""
    rest = masked[position : position + 60]
    stripped = rest.lstrip(" \u00a0")
    gap = len(rest) - len(stripped)
    if gap > 12:  # masked tags count as spaces ("<b>07</b> vụ"), a real gap does not
        return "", position
    folded = fold(stripped)
    for unit, unit_key in units:
        if folded.startswith(unit_key):
            following = folded[len(unit_key) : len(unit_key) + 1]
            if not (following.isalnum() or following == "²"):
                return unit, position + gap + len(unit_key)
    return "", position


def _before_words(masked: str, start: int, sentence_start: int, count: int = 3) -> list[str]:
    return words(masked[max(sentence_start, start - 40) : start])[-count:]


def _is_designator(before: list[str], value_text: str, unit: str) -> bool:
    """A number that names (a year, a decree, an ordinal) rather than counts."""
    if unit:
        return False
    last = before[-1] if before else ""
    pair = " ".join(before[-2:])
    if last in _DESIGNATORS or pair in _DESIGNATOR_PAIRS:
        return True
    digits = value_text.replace(".", "")
    if len(digits) == 4 and value_text.isdigit() and 1900 <= int(value_text) <= 2100:
        return True  # a year on its own
    return len(digits) >= 9 and value_text.startswith("0") and "." not in value_text  # a phone number


def _qualifier(before_text: str) -> str:
    key = search_key(before_text)
    for qualifier in QUALIFIERS:
        qkey = search_key(qualifier)
        if key.endswith(" " + qkey) or key == qkey:
            return qualifier
    return ""


def _verb(before: list[str]) -> str:
    for word in reversed(before[-3:]):
        for verb in VERBS:
            if word == search_key(verb):
                return verb
    return ""


def _comparison(masked: str, start: int, end: int, sentence_start: int, sentence_end: int) -> str:
    """What the number is compared with: a phrase right after it ("12,5% dự toán tháng", "tăng 05 vụ so
    với tháng trước"), or "lũy kế" right before it."""
    after = re.split(r"[\d,;()]", search_key(masked[end:sentence_end][:60]), maxsplit=1)[0]
    before = search_key(masked[max(sentence_start, start - 30) : start])
    for phrase, what in COMPARISONS:
        at = after.find(phrase)
        if 0 <= at <= 12:
            return what
    if "luy ke" in before:
        return "ytd"
    return ""


def find_mentions(text: str, units: Iterable[str] = ()) -> list[Mention]:
    """The numbers of ``text`` that can be figures, in order (see the module docstring). ``units``: more
    unit words to recognise ("vụ", "đối tượng", ...), besides money, area, mass and "%"."""
    masked = mask_markup(text)
    all_units = sorted({*DEFAULT_UNITS, *units}, key=lambda u: -len(u))
    unit_keys = [(u, fold(u)) for u in all_units if u.strip()]
    sentences = _sentences(masked)
    mentions: list[Mention] = []
    matches = list(_NUMBER.finditer(masked))
    skip_until = -1
    for match in matches:
        if match.start() < skip_until:
            continue
        number_text = match.group(1)
        try:
            value = numbers.parse_number(number_text)
        except numbers.NumberParseError:
            continue
        s_start, s_end = next((a, b) for a, b in sentences if a <= match.start() < b)
        unit, unit_end = _unit_after(masked, match.end(), unit_keys)
        if unit and text.startswith("<sup", unit_end - 1):  # "m<sup>2</sup>": the whole mark
            closing = text.find("</sup>", unit_end)
            unit_end = closing + len("</sup>") if closing >= 0 else unit_end
        before = _before_words(masked, match.start(), s_start)
        if _is_designator(before, number_text, unit):
            continue
        next_word = words(masked[match.end() : match.end() + 12])[:1]
        if not unit and next_word and next_word[0] in _TIME_WORDS:
            continue
        if _NUMBERING.search(masked, max(0, match.start() - 12), match.start()) and masked.startswith(
            ".", match.end()
        ):
            continue
        start, end, mixed = match.start(), match.end(), False
        # "4 tỷ 500 triệu đồng": an amount in two scales, read as one number in đồng
        if mixed_match := _MIXED.match(masked, match.end()):
            value = numbers.convert_scale(value, "tỷ đồng", "đồng") + numbers.convert_scale(
                numbers.parse_number(mixed_match.group(1)), "triệu đồng", "đồng"
            )
            unit, unit_end = "đồng", mixed_match.end()
            end, mixed = mixed_match.end(), True
            skip_until = mixed_match.end()
        sentence = text[s_start:s_end].strip()
        prefix = masked[max(s_start, start - 20) : start]
        mentions.append(
            Mention(
                start=start,
                end=end,
                text=text[start:end],
                value=value,
                decimals=len(number_text.partition(",")[2]),
                unit_word=unit,
                unit_end=unit_end,
                qualifier=_qualifier(prefix),
                verb=_verb(before),
                comparison=_comparison(masked, start, unit_end, s_start, s_end),
                sentence=sentence,
                sentence_start=s_start,
                padded=number_text.startswith("0") and len(number_text) > 1 and "," not in number_text,
                mixed=mixed,
            )
        )
    return mentions
