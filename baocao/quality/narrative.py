"""Numbers written by hand in narrative text (units' contributions and the report's text blocks): the
literal numbers — not ``{{ }}`` data fields — compared with the stored figures.

Matching rule (documented in the report page's panel):

1. A number counts only when a unit of measure follows it ("1.250.000 đồng", "1,5 gam", "12,5%",
   "07 vụ", "879,1 m²"); numbers glued to "/" or "-" (dates, document numbers, year ranges) are ignored.
2. Candidates are the stored figures of the writer — the contributing unit's own values, or the report
   unit's rolled-up values for the report's own text blocks — whose unit has the same dimension (money,
   area, mass, %: converted, e.g. "5,8 tỷ đồng" against đồng) or, for counts, the very same unit word.
3. The number agrees when it equals a candidate rounded to the decimals written. A percentage also
   agrees with any ratio (target, year to date, previous period, same period last year, or the growth
   over them) of the figure named just before it in the same sentence.
4. Otherwise the candidate whose name shares the most words with the text before the number (in the
   same sentence, back to the previous number or data field; "ước"/"lũy kế" select the kind) is the
   indicator it stands next to, when it shares at least two words and beats every other candidate:
   that is a mismatch. Without such a candidate the number is counted as not attributed, not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from baocao.analytics.figures import Figure, FigureSet, get_figures
from baocao.core.numbers import format_number
from baocao.core.text import nfc, search_key
from baocao.indicators.models import Dimension, UnitOfMeasure
from baocao.reports.models import BlockKind, Contribution, ReportBlock, ReportRun

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_NUMBER = re.compile(r"(?<![\w/.,\-])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?![\d/\-]|[.,]\d)")
_SENTENCE_END = re.compile(r"[.;!?]\s|\n|¤")
MARK = " ¤ "  # where a data field stood: a boundary of the text before a number
STOP_WORDS = frozenset("so cac va cua duoc trong do la cho voi theo da den tai nay thang nam ky".split())
KIND_WORDS = {"estimate": "uoc", "cumulative": "luy ke"}
UNIT_ALIASES = {"m2": "m²", "đ": "đồng"}


@dataclass(frozen=True)
class Mismatch:
    where: str
    written: str  # the number and its unit, as written
    indicator: str  # name (kind) of the indicator it stands next to
    stored: str  # the stored figure, written in the same unit and decimals
    excerpt: str


@dataclass
class NarrativeCheck:
    mismatches: list[Mismatch] = field(default_factory=list)
    checked: int = 0  # numbers with a unit compared with figures
    unattributed: int = 0  # numbers no indicator could be found for


def plain_text(source: str) -> str:
    """The literal text of a template: data fields become a boundary mark, markup is dropped."""
    text = nfc(source).replace("<sup>2</sup>", "²")
    return " ".join(_TAG.sub("", _JINJA.sub(MARK, text)).split(" "))


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", search_key(text)) if len(w) > 1 and w not in STOP_WORDS}


def _rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def _unit_after(text: str, units: list[tuple[str, UnitOfMeasure]]) -> tuple[UnitOfMeasure, str] | None:
    following = text[:40].lstrip(" ").lower()
    if len(text) - len(text.lstrip(" ")) > 1:
        return None
    for name, unit in units:
        if following.startswith(name) and not following[len(name) : len(name) + 1].isalpha():
            return unit, text[: len(text) - len(text.lstrip(" ")) + len(name)]
    return None


class _Scope:
    """The figures a text may be talking about, with their name words."""

    def __init__(self, figures: FigureSet, unit_code: str) -> None:
        self.items: list[tuple[Figure, set[str]]] = []
        for figure in figures:
            if figure.org_unit.code == unit_code and figure.value is not None:
                words = _words(figure.indicator.name) | set(KIND_WORDS.get(figure.kind, "").split())
                self.items.append((figure, words))


def _stored_in(figure: Figure, unit: UnitOfMeasure) -> Decimal | None:
    """The figure's value written in ``unit``, or None when the units cannot be compared."""
    own = figure.indicator.unit
    if figure.value is None or own.dimension != unit.dimension:
        return None
    if own.dimension == Dimension.COUNT:
        return figure.value if own.pk == unit.pk else None
    return figure.value * own.factor / unit.factor


def _ratios(figure: Figure) -> list[Decimal]:
    ratios = [t.ratio for t in figure.targets.values()] + [t.ytd_ratio for t in figure.targets.values()]
    ratios += [figure.ratio_to_previous, figure.ratio_to_last_year]
    present = [r for r in ratios if r is not None]
    return [r * 100 for r in present] + [(r - 1) * 100 for r in present]


def check_text(
    source: str, where: str, scope: _Scope, units: list[tuple[str, UnitOfMeasure]]
) -> NarrativeCheck:
    result = NarrativeCheck()
    text = plain_text(source)
    boundary = 0  # start of the text that can describe the next number
    last_figure: Figure | None = None
    for match in _NUMBER.finditer(text):
        before = text[boundary : match.start()]
        ends = list(_SENTENCE_END.finditer(before))
        if ends:
            before = before[ends[-1].end() :]
            last_figure = None
        found = _unit_after(text[match.end() :], units)
        boundary = match.end() + (len(found[1]) if found else 0)
        if found is None:
            continue
        unit, unit_text = found
        written_value = Decimal(
            match.group(1).replace(".", "") + ("." + match.group(2) if match.group(2) else "")
        )
        decimals = len(match.group(2) or "")
        written = f"{match.group(0)}{unit_text}"
        result.checked += 1
        candidates = [(f, w, s) for f, w in scope.items if (s := _stored_in(f, unit)) is not None]
        agreeing = [f for f, _, s in candidates if _rounded(s, decimals) == written_value]
        if unit.dimension == Dimension.PERCENT and last_figure is not None:
            if any(_rounded(r, decimals) == written_value for r in _ratios(last_figure)):
                continue
        if agreeing:
            last_figure = agreeing[0]
            continue
        context = _words(before[-200:])
        scored = sorted(((len(w & context), f, s) for f, w, s in candidates), key=lambda x: -x[0])
        if not scored or scored[0][0] < 2 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            if unit.dimension == Dimension.PERCENT and last_figure is not None:
                result.mismatches.append(
                    Mismatch(
                        where,
                        written,
                        f"tỷ lệ của {last_figure.indicator.name}",
                        "không tỷ lệ nào khớp",
                        _excerpt(text, match.start(), match.end()),
                    )
                )
            else:
                result.unattributed += 1
            continue
        _, figure, stored = scored[0]
        last_figure = figure
        result.mismatches.append(
            Mismatch(
                where,
                written,
                f"{figure.indicator.name} ({figure.kind_label.lower()})",
                f"{format_number(_rounded(stored, decimals))} {unit.name}",
                _excerpt(text, match.start(), match.end()),
            )
        )
    return result


def _excerpt(text: str, start: int, end: int) -> str:
    left = text[max(0, start - 90) : start].replace("¤", "…")
    right = text[end : end + 40].replace("¤", "…")
    return " ".join(f"…{left}{text[start:end]}{right}…".split())


def _units() -> list[tuple[str, UnitOfMeasure]]:
    units = list(UnitOfMeasure.objects.all())
    names = [(u.name.lower(), u) for u in units]
    by_name = {u.name: u for u in units}
    names += [(alias, by_name[name]) for alias, name in UNIT_ALIASES.items() if name in by_name]
    return sorted(names, key=lambda item: -len(item[0]))


def check_texts(
    texts: Iterable[tuple[str, str, _Scope]], units: list[tuple[str, UnitOfMeasure]]
) -> NarrativeCheck:
    total = NarrativeCheck()
    for source, where, scope in texts:
        part = check_text(source, where, scope, units)
        total.mismatches += part.mismatches
        total.checked += part.checked
        total.unattributed += part.unattributed
    return total


def check_run(run: ReportRun) -> NarrativeCheck:
    """The hand-written numbers of a report's period: contributions against their unit's own figures,
    the report type's text blocks against the report unit's figures (two figure sets in all)."""
    period = run.period_obj
    contributions = list(
        Contribution.objects.filter(report_type=run.report_type, period=period.id)
        .select_related("org_unit")
        .order_by("section_key", "sort_order", "pk")
    )
    blocks = list(
        ReportBlock.objects.filter(
            section__report_type=run.report_type, kind__in=[BlockKind.TEXT, BlockKind.TABLE]
        )
        .select_related("section")
        .order_by("section__sort_order", "sort_order")
    )
    texts: list[tuple[str, str, _Scope]] = []
    if contributions:
        own = get_figures({c.org_unit.code for c in contributions}, period, rollup=False)
        scopes = {code: _Scope(own, code) for code in {c.org_unit.code for c in contributions}}
        texts += [
            (c.text, f"Nội dung của {c.org_unit.name} (mục {c.section_key})", scopes[c.org_unit.code])
            for c in contributions
        ]
    if blocks:
        scope = _Scope(get_figures([run.org_unit], period), run.org_unit.code)
        texts += [(b.source, f"Mẫu báo cáo, mục “{b.section.title}”", scope) for b in blocks]
    return check_texts(texts, _units())
