"""Matching the numbers of a text against a unit's stored figures (through :mod:`baocao.analytics.figures`).

Every number found by :func:`~baocao.reports.recognizer.parsing.find_mentions` is compared with the
candidates of the unit's figure set for the period: each indicator's value of each kind (thực hiện, ước,
lũy kế), its previous period, last year and year to date where the phrase says so, its plans (kế hoạch,
dự toán) and, for percentages, the ratios of the figure named before it in the sentence. A candidate
needs a compatible unit (the same count word, or money / area / mass converted); among those:

1. the candidates whose value, written with the decimals the text uses, equals the number: the one whose
   name, kind and comparison best fit the words around the number is **bound**;
2. otherwise the candidate whose name fits the words around the number clearly best is a **mismatch** (its
   stored figure is offered);
3. otherwise the number is **unknown** (the clerk may bind it or leave it as text).

The fit of a name: the indicator's name words (accent-insensitive, without filler words) found in the
sentence, weighted by their distance to the number; "ước" selects the estimate, "lũy kế" the cumulative
value, "so với cùng kỳ" last year, "dự toán tháng" the plan of that name. Ties between equally fitting
candidates go to the one whose value is closest, then to the parent indicator, then to the first in the
indicator order.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q

from baocao.accounts import permissions
from baocao.analytics.figures import Figure, FigureSet, get_figures
from baocao.core import numbers
from baocao.core.periods import Period
from baocao.core.text import nfc, search_key
from baocao.indicators.models import Dimension, Indicator, UnitOfMeasure
from baocao.orgunits.models import OrgUnit
from baocao.reports.recognizer.parsing import (
    _WORD,
    COMPARISONS,
    MONEY_WORDS,
    Mention,
    find_mentions,
    fold,
    mask_markup,
)
from baocao.reports.rendering import RenderError, render_block, report_context

__all__ = ["Binding", "Proposal", "Recognised", "propose_values", "recognise", "unit_words"]

STOP_WORDS = frozenset(
    "so cac va cua duoc trong do la cho voi theo da den tai nay thang nam ky bi qua ve tu cac mot nhung"
    " co khong".split()
)
#: Abbreviations of administrative prose, read as the words they stand for (lower case).
ABBREVIATIONS = {
    "gpxd": "giấy phép xây dựng",
    "vphc": "vi phạm hành chính",
    "xpvphc": "xử phạt vi phạm hành chính",
    "xlvphc": "xử lý vi phạm hành chính",
    "tđc": "tái định cư",
    "gpmb": "giải phóng mặt bằng",
    "gcn": "giấy chứng nhận",
    "qsdđ": "quyền sử dụng đất",
    "attp": "an toàn thực phẩm",
    "vsattp": "vệ sinh an toàn thực phẩm",
    "nsnn": "ngân sách nhà nước",
    "khlcnt": "kế hoạch lựa chọn nhà thầu",
    "xdcb": "xây dựng cơ bản",
    "ttatgt": "trật tự an toàn giao thông",
    "attt": "an ninh trật tự",
    "antt": "an ninh trật tự",
    "vsmt": "vệ sinh môi trường",
    "qltt": "quản lý thị trường",
    "bt": "bồi thường",
    "ht": "hỗ trợ",
}
UNIGRAM, PAIR = 0.6, 0.8  # weights of a name's syllables and of its two-syllable words found
_CLAUSE_END = re.compile(r"[(;:,]")
_COMMA = re.compile(r"[,(]")
KIND_EXPR = {"actual": "", "estimate": ".estimate", "cumulative": ".cumulative"}


@dataclass(frozen=True)
class Binding:
    """What a number stands for: indicator ``code``, value ``kind`` and ``field`` (``value``, ``previous``,
    ``last_year``, ``ytd``, ``change_previous``, ``target:DT_THANG``, ``target_ratio:DT_THANG``,
    ``target_ytd_ratio:DT_TINH``, ``ratio_to_last_year``, ``ratio_to_previous``, ``ratio:XDCB_KHOI_LUONG``,
    ``next_target:KH_THANG_TOI``), and the Jinja ``expression`` that writes it from data, which replaces
    ``text[start:end]`` (the number; for a change "tăng 03 vụ so với tháng trước" the whole phrase; for a
    mixed amount the number and its unit)."""

    code: str
    kind: str
    field: str
    expression: str
    start: int
    end: int
    name: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Recognised:
    """A number and what it was matched to: ``status`` is ``bound`` (the stored figure prints as written),
    ``mismatch`` (``binding`` is the figure it stands for, ``stored_text`` how that figure prints) or
    ``unknown`` (``binding`` None; ``candidates`` the indicators it might be, best first)."""

    mention: Mention
    status: str
    binding: Binding | None
    stored_text: str
    candidates: tuple[Binding, ...] = ()

    @property
    def start(self) -> int:
        return self.mention.start

    @property
    def end(self) -> int:
        return self.mention.end


@dataclass(frozen=True)
class Proposal:
    """A value read from a past report's text (archive import): nothing is written."""

    mention: Mention
    code: str
    name: str
    org_unit: str  # the code of the unit responsible for the indicator (or the unit asked for)
    period: str
    kind: str
    value: Decimal  # in the indicator's unit
    unit: str
    sentence: str


@dataclass
class _Candidate:
    indicator: Indicator
    kind: str
    field: str
    stored: Decimal | None  # in the indicator's unit, or a percentage (ratio × 100)
    expression: str  # without the formatting filter
    words: frozenset[str]
    target_words: frozenset[str] = frozenset()
    ahead: bool = False
    extra: dict[str, Any] = dc_field(default_factory=dict)

    @property
    def pairs(self) -> frozenset[tuple[str, str]]:
        return _name_pairs(self.indicator.name)


# ------------------------------------------------------------------------------------------ candidates


def _lower_words(text: str) -> list[str]:
    """The words of ``text``, lower case, accents kept."""
    return [nfc(w).lower() for w in _WORD.findall(text)]


_key = functools.lru_cache(maxsize=65536)(search_key)
_fold = functools.lru_cache(maxsize=4096)(fold)


@functools.lru_cache(maxsize=4096)
def _name_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _lower_words(text) if len(w) > 1 and _key(w) not in STOP_WORDS)


@functools.cache
def _name_pairs(name: str) -> frozenset[tuple[str, str]]:
    syllables = _lower_words(name)
    return frozenset(itertools.pairwise(syllables))


class _Context(dict[str, float]):
    """Words (lower case, accents kept) → weight. A name word found with its accents counts fully, found
    only without them ("đạt" for "đất") a little over half."""

    def __init__(self) -> None:
        super().__init__()
        self.folded: dict[str, float] = {}
        self.pairs: dict[tuple[str, str], float] = {}

    def add_pairs(self, sequence: list[tuple[str, float]]) -> None:
        """Consecutive words (a Vietnamese word is often two syllables: "định cư", "quyết định")."""
        for (a, wa), (b, wb) in itertools.pairwise(sequence):
            self.pairs[(a, b)] = max(self.pairs.get((a, b), 0.0), min(wa, wb))

    def pair_weight(self, pairs: frozenset[tuple[str, str]]) -> float:
        return sum(self.pairs.get(pair, 0.0) for pair in pairs)

    def add(self, word: str, weight: float) -> None:
        self[word] = max(self.get(word, 0.0), weight)
        key = _key(word)
        self.folded[key] = max(self.folded.get(key, 0.0), weight)

    def weight(self, word: str) -> float:
        exact = self.get(word, 0.0)
        return exact if exact else 0.6 * self.folded.get(_key(word), 0.0)


def unit_words() -> list[str]:
    """The unit names of the indicators (for :func:`find_mentions`)."""
    return [u.name for u in UnitOfMeasure.objects.all()]


def _value_candidates(figures: FigureSet, ahead: FigureSet | None) -> list[_Candidate]:
    out: list[_Candidate] = []
    for figure in figures:
        ind = figure.indicator
        base = f"f.{ind.code}{KIND_EXPR.get(figure.kind, '')}"
        name = _name_words(ind.name)
        if figure.value is not None:
            out.append(_Candidate(ind, figure.kind, "value", figure.value, f"{base}.value", name))
        for attr in ("previous", "last_year", "ytd"):
            value = getattr(figure, attr)
            if value is not None:
                out.append(_Candidate(ind, figure.kind, attr, value, f"{base}.{attr}", name))
        if figure.value is not None and figure.previous is not None:
            out.append(
                _Candidate(
                    ind, figure.kind, "change_previous", abs(figure.value - figure.previous), base, name
                )
            )
        for code, target in figure.targets.items():
            out.append(
                _Candidate(
                    ind,
                    figure.kind,
                    f"target:{code}",
                    target.value,
                    f"{base}.target('{code}').value",
                    name,
                    _name_words(target.name),
                )
            )
    if ahead is not None:
        seen: set[tuple[str, str]] = set()
        for figure in ahead:
            for code, target in figure.targets.items():
                if (figure.indicator.code, code) in seen:
                    continue
                seen.add((figure.indicator.code, code))
                out.append(
                    _Candidate(
                        figure.indicator,
                        figure.kind,
                        f"next_target:{code}",
                        target.value,
                        f"f_ky_sau.{figure.indicator.code}.target('{code}').value",
                        _name_words(figure.indicator.name),
                        _name_words(target.name),
                        ahead=True,
                    )
                )
    return out


def _ratio_candidates(figure: Figure, others: Sequence[Figure]) -> list[_Candidate]:
    ind = figure.indicator
    base = f"f.{ind.code}{KIND_EXPR.get(figure.kind, '')}"
    name = _name_words(ind.name)
    out: list[_Candidate] = []
    for code, target in figure.targets.items():
        for attr, field_name in (("ratio", "target_ratio"), ("ytd_ratio", "target_ytd_ratio")):
            value = getattr(target, attr)
            if value is not None:
                out.append(
                    _Candidate(
                        ind,
                        figure.kind,
                        f"{field_name}:{code}",
                        value * 100,
                        f"{base}.target('{code}').{attr}",
                        name,
                        _name_words(target.name),
                    )
                )
    for attr, words_ in (("ratio_to_last_year", "cùng kỳ"), ("ratio_to_previous", "trước")):
        value = getattr(figure, attr)
        if value is not None:
            out.append(
                _Candidate(
                    ind, figure.kind, attr, value * 100, f"{base}.{attr}", name, frozenset(words_.split())
                )
            )
    for other in others:
        if other.indicator.code == ind.code or other.value in (None, 0) or figure.value is None:
            continue
        assert other.value is not None
        kinds = f"'{figure.kind}'" + ("" if other.kind == figure.kind else f", '{other.kind}'")
        out.append(
            _Candidate(
                ind,
                figure.kind,
                f"ratio:{other.indicator.code}",
                figure.value / other.value * 100,
                f"f.ratio('{ind.code}', '{other.indicator.code}', {kinds})",
                name,
                _name_words(other.indicator.name),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------- scoring


def _rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def _in_written_unit(mention: Mention, unit: UnitOfMeasure, stored: Decimal) -> Decimal | None:
    """``stored`` (in ``unit``) expressed in the unit the mention is written in; None when incompatible."""
    factor = _factor(mention.unit_word, unit.dimension, unit.factor, unit.name)
    return None if factor is None else stored * factor


@functools.lru_cache(maxsize=4096)
def _factor(unit_word: str, dimension: str, factor: Decimal, name: str) -> Decimal | None:
    """What one unit of an indicator (``dimension``, ``factor``, ``name``) is in the unit written."""
    written = _fold(unit_word)
    if unit_word == "%":
        return None
    exponent = MONEY_WORDS.get(unit_word)
    if exponent is not None:
        return factor / Decimal(10) ** exponent if dimension == Dimension.MONEY else None
    if written in ("m²", "m2", "ha"):
        if dimension != Dimension.AREA:
            return None
        return factor / (Decimal(10000) if written == "ha" else 1)
    if written in ("gam", "kg", "tan"):
        if dimension != Dimension.MASS:
            return None
        return factor / {"gam": 1, "kg": 1000, "tan": 1000000}[written]
    if not written:
        return Decimal(1) if dimension in (Dimension.COUNT, Dimension.MONEY) else None
    if dimension != Dimension.COUNT:
        return None
    own = _fold(name)
    return Decimal(1) if own == written or own.split(",")[0].strip() == written else None


def _context(mention: Mention, masked: str, next_start: int | None = None) -> _Context:
    """The sentence's words around the number, weighted by their distance to it: 1 for the words right
    before it, less further away; the words after the next number count less (they describe it)."""
    start = mention.sentence_start
    end = start + len(mention.sentence) + 2
    head = masked[start : mention.start]
    commas = [m.end() for m in _COMMA.finditer(head)]
    cut = commas[-1] if commas else 0  # the words before the last comma describe an earlier item more
    before = _lower_words(head[cut:])
    earlier = _lower_words(head[:cut])
    stop = min(end, next_start) if next_start is not None and next_start > mention.unit_end else end
    clause = _CLAUSE_END.search(masked, mention.unit_end, stop)
    stop = clause.start() if clause else stop  # "(...)", what follows "," or ";" describe something else
    after = _lower_words(masked[mention.unit_end : stop])
    beyond = _lower_words(masked[stop:end]) if stop < end else []
    context = _Context()
    weighted_before = [
        (
            word,
            (1.0 if distance < 3 else 1.0 / (1 + (distance - 2) / 4))
            * (0.5 if distance >= len(before) else 1),
        )
        for distance, word in enumerate(reversed(earlier + before))
    ][::-1]
    weighted_after = [
        (word, 2.0 if distance == 0 else 1.4 if distance == 1 else 0.9 / (1 + (distance - 1) / 3))
        for distance, word in enumerate(after)
    ]
    weighted_beyond = [
        (word, 0.4 / (1 + distance / 3)) for distance, word in enumerate(beyond, start=len(after) + 1)
    ]
    for sequence in (weighted_before, weighted_after, weighted_beyond):
        for word, weight in sequence:
            context.add(word, weight)
            if sequence is weighted_beyond:
                continue  # an abbreviation of another item's clause says nothing of this number
            expansion = [(w, weight) for w in ABBREVIATIONS.get(word, "").split()]
            for expanded, _ in expansion:
                context.add(expanded, weight)
            context.add_pairs(expansion)
        context.add_pairs(sequence)
    return context


def _adjacent(mention: Mention, masked: str, cand_words: frozenset[str]) -> bool:
    """A name word within three words of the number (for a number written without a unit)."""
    before = _lower_words(masked[max(mention.sentence_start, mention.start - 40) : mention.start])[-4:]
    after = _lower_words(masked[mention.unit_end : mention.unit_end + 40])[:3]
    return bool(cand_words & {*before, *after})


def _eligible(mention: Mention, cand: _Candidate) -> bool:
    """A comparison is only what the phrase says: the previous period, last year or the year to date
    when it names them, a change after "tăng"/"giảm"."""
    f = cand.field
    if f in ("previous", "last_year"):
        return mention.comparison == f and not mention.verb
    if f == "ytd":
        return mention.comparison == "ytd"
    if f == "change_previous":
        return mention.verb in ("tăng", "giảm") and mention.comparison == "previous"
    if f == "value":
        return mention.verb not in ("tăng", "giảm")
    return True


@functools.lru_cache(maxsize=4096)
def _kind_words(mention: Mention) -> tuple[bool, bool]:
    """Whether the words before the number say "ước" (an estimate) or "lũy kế" (cumulative)."""
    before = search_key(mask_markup(mention.sentence)[: max(0, mention.start - mention.sentence_start)])
    estimate = "uoc" in before.split()[-12:] or mention.qualifier.startswith("ước")
    return estimate, "luy ke" in " ".join(before.split()[-4:])


def _score(mention: Mention, cand: _Candidate, context: _Context, plans_ahead: bool) -> float:
    score = UNIGRAM * sum(context.weight(word) for word in cand.words) + PAIR * context.pair_weight(
        cand.pairs
    )
    # a name that says more than the sentence is a little less likely (a tie-breaker)
    score -= 0.05 * sum(1 for word in cand.words if not context.weight(word))
    estimate, cumulative = _kind_words(mention)
    if cand.kind == "estimate":
        score += 2.0 if estimate else -1.5
    elif cand.kind == "cumulative":
        score += 2.0 if cumulative else -1.5
    elif estimate or cumulative:
        score -= 1.0
    comparison = mention.comparison
    f = cand.field
    if f == "value":
        score += 0.5 if comparison in ("", "target") else 0.0
    elif f in ("previous", "last_year", "ytd"):
        wanted = {"previous": "previous", "last_year": "last_year", "ytd": "ytd"}[f]
        score += 1.0 if comparison == wanted and not mention.verb else -3.0
        if f == "ytd" and cand.kind == "cumulative":
            score -= 3.0
    elif f == "change_previous":
        score += 2.0 if mention.verb in ("tăng", "giảm") and comparison == "previous" else -4.0
    elif f.startswith(("target:", "next_target:")):
        score += sum(context.weight(word) for word in cand.target_words) - (0 if cand.ahead else 1.0)
        if cand.ahead:
            score += 1.5 if plans_ahead else -4.0
        elif plans_ahead:
            score -= 1.0
    else:  # ratios
        score += sum(2 * context.weight(word) for word in cand.target_words)
        if f == "ratio_to_last_year":
            score += 2.0 if comparison == "last_year" else -1.0
        if f == "ratio_to_previous":
            score += 2.0 if comparison == "previous" else -1.0
    if plans_ahead and not cand.ahead:
        score -= 0.5
    return score


# ------------------------------------------------------------------------------------------ expressions


def _format_filter(mention: Mention, cand: _Candidate, pad_counts: bool, percent_decimals: int) -> str:
    if mention.is_percent:
        return "|phan_tram" if mention.decimals == percent_decimals else f"|phan_tram({mention.decimals})"
    unit = cand.indicator.unit
    stored = cand.stored if cand.stored is not None else mention.value
    if unit.dimension == Dimension.COUNT and cand.indicator.value_type == "integer":
        if 1 <= mention.value <= 9 and mention.padded != pad_counts:
            return f"|dem({'true' if mention.padded else 'false'})"
        return "|dem"
    natural = numbers.format_number(stored)
    natural_decimals = len(natural.partition(",")[2])
    return "|so" if natural_decimals == mention.decimals else f"|so({mention.decimals})"


def _binding(
    mention: Mention, cand: _Candidate, text: str, pad_counts: bool, percent_decimals: int
) -> Binding:
    ind = cand.indicator
    start, end = mention.start, mention.end
    if cand.field == "change_previous":
        base = cand.expression
        unit = mention.unit_word
        expression = f"{base}.value|so_sanh({base}.previous, '{unit}')"
        start = _verb_start(text, mention)
        end = _phrase_end(text, mention.unit_end)
    elif mention.mixed:
        expression = f"{cand.expression}|tien_hon_hop('{ind.unit.name}')"
        end = mention.unit_end
    else:
        expression = cand.expression + _format_filter(mention, cand, pad_counts, percent_decimals)
        exponent = mention.money_exponent
        if (
            exponent is not None
            and ind.unit.dimension == Dimension.MONEY
            and ind.unit.factor != Decimal(10) ** exponent
            and mention.unit_word in numbers.MONEY_UNITS
        ):
            expression = (
                f"{cand.expression}|tien('{ind.unit.name}', '{mention.unit_word}', {mention.decimals})"
            )
            end = mention.unit_end
    return Binding(ind.code, cand.kind, cand.field, expression, start, end, ind.name, ind.unit.name)


ROUNDING_QUALIFIERS = ("trên", "hơn", "gần", "khoảng")


def _step_written(mention: Mention) -> Decimal:
    """The rounding a number shows: "1.260" → 10, "13.000" → 1.000, "12,5" → 0,1, "88" → 1."""
    if mention.decimals:
        return Decimal(1).scaleb(-mention.decimals)
    digits = str(int(mention.value))
    zeros = len(digits) - len(digits.rstrip("0")) if mention.value else 0
    return Decimal(1).scaleb(zeros)


def _rounds_to(mention: Mention, written: Decimal | None) -> bool:
    """Whether the stored figure (``written``: in the unit written) reads as the qualified number
    ("trên 1.260" for 1.263,4) under the rule of :func:`baocao.core.numbers.approx_value`."""
    if written is None or written < 0:
        return False
    word, value = numbers.approx_value(written, _step_written(mention), mention.qualifier)
    return word == mention.qualifier and value == mention.value


def _rounded_binding(mention: Mention, cand: _Candidate, text: str) -> Binding:
    """ "trên 1.260 tỷ đồng" from data: the qualifier, the number and (for a percentage or a converted
    amount) the unit are written by ``lam_tron``."""
    ind = cand.indicator
    step = numbers.format_number(_step_written(mention))
    head = text[max(mention.sentence_start, mention.start - 20) : mention.start]
    at = fold(head).rfind(fold(mention.qualifier))
    start = mention.start - len(head) + at if at >= 0 else mention.start
    end = mention.end
    args = f"'{step}', '{mention.qualifier}'"
    if mention.is_percent:
        expression = f"{cand.expression}|phan_tram_lam_tron({args})"
        end = mention.unit_end
    elif (
        mention.money_exponent is not None
        and ind.unit.dimension == Dimension.MONEY
        and mention.unit_word in numbers.MONEY_UNITS
        and ind.unit.name in numbers.MONEY_UNITS
        and ind.unit.name != mention.unit_word
    ):
        expression = f"{cand.expression}|lam_tron({args}, '{ind.unit.name}', '{mention.unit_word}')"
        end = mention.unit_end
    else:
        expression = f"{cand.expression}|lam_tron({args})"
    return Binding(ind.code, cand.kind, cand.field, expression, start, end, ind.name, ind.unit.name)


def _verb_start(text: str, mention: Mention) -> int:
    head = text[max(mention.sentence_start, mention.start - 12) : mention.start]
    at = fold(head).rfind(fold(mention.verb))
    return mention.start - len(head) + at if at >= 0 else mention.start


def _phrase_end(text: str, position: int) -> int:
    after = fold(text[position : position + 40])
    for phrase, _ in COMPARISONS:
        at = after.find(phrase)
        if 0 <= at <= 3:
            return position + at + len(phrase)
    return position


# --------------------------------------------------------------------------------------------- recognise


@dataclass
class _Matcher:
    figures: FigureSet
    ahead: FigureSet | None
    context: dict[str, Any]
    pad_counts: bool = True
    percent_decimals: int = 1
    plans_ahead: bool = False
    with_values: bool = True

    def __post_init__(self) -> None:
        self.candidates = _value_candidates(self.figures, self.ahead)
        self.order = {code: i for i, code in enumerate(sorted(self.figures.indicators, key=self._sort))}

    def _sort(self, code: str) -> tuple[int, str]:
        ind = self.figures.indicators[code]
        return (ind.sort_order, code)

    def stored_text(self, binding: Binding) -> str:
        cache: dict[str, str] = self.__dict__.setdefault("_printed", {})
        if binding.expression not in cache:
            try:
                cache[binding.expression] = render_block("{{ " + binding.expression + " }}", self.context)
            except RenderError:
                cache[binding.expression] = ""
        return cache[binding.expression]

    def rank(
        self, mention: Mention, cands: Iterable[_Candidate], masked: str, next_start: int | None = None
    ) -> list[tuple[float, bool, _Candidate, Decimal | None]]:
        context = _context(mention, masked, next_start)
        ranked = []
        for cand in cands:
            if cand.stored is None:
                continue
            written = (
                cand.stored
                if mention.is_percent
                else _in_written_unit(mention, cand.indicator.unit, cand.stored)
            )
            if written is None or (not mention.unit_word and not _adjacent(mention, masked, cand.words)):
                continue
            if not _eligible(mention, cand):
                continue
            equal = _rounded(written, mention.decimals) == mention.value
            score = _score(mention, cand, context, self.plans_ahead)
            ranked.append((score, equal, cand, written))

        def key(item: tuple[float, bool, _Candidate, Decimal | None]) -> tuple[float, float, int, int]:
            score, _, cand, written = item
            distance = 0.0
            if written and mention.value:
                distance = abs(
                    math.log(abs(float(written)) + 1e-9) - math.log(abs(float(mention.value)) + 1e-9)
                )
            parent = 0 if cand.indicator.parent_id is None else 1
            return (-round(score, 3), distance, parent, self.order.get(cand.indicator.code, 0))

        return sorted(ranked, key=key)

    def match(
        self, mention: Mention, text: str, masked: str, bound: list[Figure], next_start: int | None = None
    ) -> Recognised:
        if mention.is_percent:
            anchors = bound[-1:] if bound else []
            cands = [c for a in anchors for c in _ratio_candidates(a, bound[:-1])]
        else:
            cands = self.candidates
        ranked = self.rank(mention, cands, masked, next_start)
        bindings = [self._bind(mention, c, text) for _, _, c, _ in ranked[:5]]
        equal = [item for item in ranked if item[1]]
        if equal and (not mention.is_percent or equal[0][0] > -2):
            best = equal[0]
            unit_less = not mention.unit_word
            if not (unit_less and best[0] < 0.9):
                binding = self._bind(mention, best[2], text)
                return Recognised(mention, "bound", binding, self.stored_text(binding), tuple(bindings))
        if mention.qualifier in ROUNDING_QUALIFIERS and mention.unit_word:
            rounded = [item for item in ranked if _rounds_to(mention, item[3])]
            if rounded and rounded[0][0] >= 0.5:
                binding = _rounded_binding(mention, rounded[0][2], text)
                return Recognised(mention, "bound", binding, self.stored_text(binding), tuple(bindings))
        if ranked and not mention.is_percent and mention.unit_word:
            best_score = ranked[0][0]
            runner_up = ranked[1][0] if len(ranked) > 1 else -99.0
            family = len(ranked) > 1 and _related(ranked[0][2].indicator, ranked[1][2].indicator)
            if best_score >= 1.0 and (best_score - runner_up >= 0.5 or family):
                binding = self._bind(mention, ranked[0][2], text)
                return Recognised(mention, "mismatch", binding, self.stored_text(binding), tuple(bindings))
        return Recognised(mention, "unknown", None, "", tuple(bindings))

    def _bind(self, mention: Mention, cand: _Candidate, text: str) -> Binding:
        return _binding(mention, cand, text, self.pad_counts, self.percent_decimals)


def _related(a: Indicator, b: Indicator) -> bool:
    """One is the other's part ("trong đó"): a tie between them goes to the closest value."""
    return a.pk == b.parent_id or b.pk == a.parent_id or a.pk == b.pk


def _unit(org_unit: OrgUnit | str) -> OrgUnit:
    return org_unit if isinstance(org_unit, OrgUnit) else OrgUnit.objects.get(code=org_unit)


def _figure_of(figures: FigureSet, binding: Binding, unit_code: str) -> Figure | None:
    try:
        return figures.get(binding.code, binding.kind, unit_code)
    except KeyError:
        return None


def recognise(
    text: str,
    *,
    report_type: Any = None,
    org_unit: OrgUnit | str,
    period: Period | str,
    user: Any = None,
    plans_ahead: bool | None = None,
) -> list[Recognised]:
    """The numbers of ``text`` matched against ``org_unit``'s figures for ``period`` (its subtree rolled
    up), in order. ``report_type`` gives the writing options (zero-padded counts, decimals of
    percentages); ``plans_ahead``: the text is about the next period (part III, "nhiệm vụ tháng tới"), so
    next period's plans come first (None: read from the text's headings, see :func:`ahead_ranges`).
    Given ``user``, they must be allowed to see the unit (PermissionDenied otherwise)."""
    unit = _unit(org_unit)
    if user is not None:
        permissions.require(user, permissions.Action.VIEW, unit)
    period = Period.parse(period) if isinstance(period, str) else period
    figures = get_figures([unit], period)
    ahead = get_figures([unit], period.next())
    context = report_context(figures, period, unit.name, next_figures=ahead)
    matcher = _Matcher(
        figures,
        ahead,
        context,
        pad_counts=getattr(report_type, "pad_counts", True),
        percent_decimals=getattr(report_type, "percent_decimals", 1),
        plans_ahead=bool(plans_ahead),
    )
    ranges = ahead_ranges(text, period) if plans_ahead is None else []
    return _recognise(text, matcher, unit.code, ranges)


def _recognise(
    text: str, matcher: _Matcher, unit_code: str, ahead: Sequence[tuple[int, int]] = ()
) -> list[Recognised]:
    masked = mask_markup(text)
    mentions = find_mentions(text, unit_words())
    results: list[Recognised] = []
    bound: list[Figure] = []
    sentence = -1
    for index, mention in enumerate(mentions):
        next_start = mentions[index + 1].start if index + 1 < len(mentions) else None
        if mention.sentence_start != sentence and not mention.is_percent:
            sentence = mention.sentence_start
            bound = [] if not bound else bound[-1:]  # a percentage may follow the previous sentence's figure
        forced = matcher.plans_ahead
        matcher.plans_ahead = forced or any(a <= mention.start < b for a, b in ahead)
        result = matcher.match(mention, text, masked, bound, next_start)
        matcher.plans_ahead = forced
        results.append(result)
        if result.binding and not mention.is_percent and result.binding.field == "value":
            figure = _figure_of(matcher.figures, result.binding, unit_code)
            if figure is not None:
                bound.append(figure)
    return results


# ---------------------------------------------------------------------------------------- archive import

_HEADING = re.compile(r"^[ \t#*>_-]*(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?)[^\n]*$", re.MULTILINE)


def ahead_ranges(text: str, period: Period) -> list[tuple[int, int]]:
    """The parts of a report about the next period: from a heading that names tasks ("nhiệm vụ") of
    "tháng tới" / "tháng sau" / the next period ("tháng 7/2020") to the next heading of the same rank
    (a Roman numeral) or the end."""
    masked = mask_markup(text)
    following = search_key(period.next().label)
    ranges: list[tuple[int, int]] = []
    headings = list(_HEADING.finditer(masked))
    for index, heading in enumerate(headings):
        key = search_key(heading.group(0))
        if "nhiem vu" in key and any(
            w in key for w in (following, "thang toi", "thang sau", "ky toi", "ky sau")
        ):
            roman = re.match(r"[ \t#*>_-]*([IVXLC]+)\.", heading.group(0))
            end = len(text)
            for later in headings[index + 1 :]:
                if roman and re.match(r"[ \t#*>_-]*[IVXLC]+\.", later.group(0)):
                    end = later.start()
                    break
            ranges.append((heading.start(), end))
    return ranges


_ESTIMATE = re.compile(r"\buoc\b")


def propose_values(
    text: str, *, report_type: Any = None, org_unit: OrgUnit | str, period: Period | str
) -> list[Proposal]:
    """The values a past report's text states for ``period`` (archive import): each number with a unit
    that one indicator clearly fits (by unit and name, never by a stored value: the period may be empty),
    as that indicator's value of the kind the phrase says (ước → estimate, lũy kế → cumulative). Nothing
    is written; percentages, changes and plans are not proposed (they are computed from values)."""
    unit = _unit(org_unit)
    period = Period.parse(period) if isinstance(period, str) else period
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(is_active=True)
        .filter(Q(responsible_unit__isnull=True) | Q(responsible_unit__path__startswith=unit.path))
        .select_related("unit", "responsible_unit")
    }
    masked = mask_markup(text)
    proposals: list[Proposal] = []
    order = {code: i for i, code in enumerate(sorted(indicators, key=lambda c: indicators[c].sort_order))}
    mentions = find_mentions(text, unit_words())
    ahead = ahead_ranges(text, period)
    for index, mention in enumerate(mentions):
        if mention.is_percent or mention.verb in ("tăng", "giảm"):
            continue
        if mention.comparison in ("last_year", "previous", "target"):
            continue  # a comparison or a plan, not the period's value
        if any(a <= mention.start < b for a, b in ahead):
            continue  # the next period's tasks: plans, not values of this period
        context = _context(mention, masked, mentions[index + 1].start if index + 1 < len(mentions) else None)
        ranked = []
        for ind in indicators.values():
            written = _in_written_unit(mention, ind.unit, Decimal(1))
            if written is None or (
                not mention.unit_word and not _adjacent(mention, masked, _name_words(ind.name))
            ):
                continue
            for kind in ("actual", "estimate", "cumulative"):
                cand = _Candidate(ind, kind, "value", Decimal(1), "", _name_words(ind.name))
                ranked.append((_score(mention, cand, context, False), order[ind.code], cand))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        if not ranked:
            continue
        best_score, _, best = ranked[0]
        rival = next(((s, c) for s, _, c in ranked[1:] if c.indicator.code != best.indicator.code), None)
        runner_up = rival[0] if rival else -99.0
        family = rival is not None and _related(best.indicator, rival[1].indicator)
        if best_score < 1.2 or (best_score - runner_up < 0.15 and not family):
            continue
        if not mention.unit_word and best_score < 2.0:
            continue
        ind = best.indicator
        factor = _in_written_unit(mention, ind.unit, Decimal(1))
        assert factor is not None
        value = mention.value / factor
        responsible = getattr(ind.responsible_unit, "code", None) or unit.code
        proposals.append(
            Proposal(
                mention,
                ind.code,
                ind.name,
                responsible,
                period.id,
                best.kind,
                value,
                ind.unit.name,
                mention.sentence,
            )
        )
    return proposals
