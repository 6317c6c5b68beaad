"""The province roll-up and the ranking of its units (issue 13, item 4).

Since 1 July 2025 a province's communes and wards report to it directly, beside its departments. The
province's report and dashboard read, for a period:

* the province's figures: its own values and its whole subtree's, aggregated per indicator rule (the
  figures layer does that: ``get_figures(..., rollup=True)``);
* each member unit's figures (a commune, a ward, a department with whatever lies below it) — asked in the
  same ``get_figures`` call, so one roll-up is a fixed number of queries whatever the number of units;
* the completeness of the members' submissions (``collection.workflow.timeliness``);
* the ranking of the members on an indicator: :func:`rank`, used by the report's ``tong_hop`` name
  (:func:`report_provider`) so a sentence can say "đứng đầu là phường ...".

Ranking order follows the indicator's direction: "tăng là tốt" (and "không đánh giá") ranks the largest
first, "giảm là tốt" (accidents, cases) the smallest first. Equal values share a rank (1, 2, 2, 4). A unit
without the measure (no value, or a comparison that is not comparable across the 2025 reform) is listed
after the ranked ones, without a rank — never ranked as zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from baocao.analytics.figures import Figure, FigureSet, get_figures
from baocao.collection.models import ValueKind
from baocao.collection.workflow import timeliness
from baocao.core.periods import Period
from baocao.indicators.models import Direction
from baocao.orgunits.models import ADMINISTRATIVE_TYPES, OrgUnit

__all__ = [
    "MEASURES",
    "Completeness",
    "ProvinceRollup",
    "Ranked",
    "province_rollup",
    "rank",
    "report_provider",
]

#: What a ranking compares (the names template writers use): the period's value, the year to date, the
#: ratio to the same period last year, or the ratio to a target (``ke_hoach:DT_NAM``).
MEASURES = ("gia_tri", "luy_ke", "cung_ky", "ke_hoach")


@dataclass(frozen=True, slots=True)
class Ranked:
    """One unit's place: ``hang`` is None for a unit without the measure (listed last)."""

    hang: int | None
    ma: str
    ten: str
    gia_tri: Decimal | None

    # English aliases for Python callers
    @property
    def rank(self) -> int | None:
        return self.hang

    @property
    def code(self) -> str:
        return self.ma

    @property
    def value(self) -> Decimal | None:
        return self.gia_tri


def _measure(figure: Figure, by: str) -> Decimal | None:
    name, _, target = by.partition(":")
    if name == "gia_tri":
        return figure.value
    if name == "luy_ke":
        return figure.ytd if figure.ytd_comparable else None
    if name == "cung_ky":
        return figure.ratio_to_last_year if figure.last_year_comparable else None
    if name == "ke_hoach" and target:
        planned = figure.targets.get(target)
        return planned.ratio if planned is not None else None
    raise ValueError(
        f"Không xếp hạng được theo “{by}”: chỉ theo gia_tri, luy_ke, cung_ky hoặc ke_hoach:<mã kế hoạch>."
    )


def rank(
    figures: FigureSet,
    indicator_code: str,
    units: Iterable[OrgUnit],
    *,
    by: str = "gia_tri",
    kind: str = ValueKind.ACTUAL,
) -> list[Ranked]:
    """The ``units`` (of ``figures``) ordered best first on the measure ``by`` of ``indicator_code``."""
    indicator = figures.indicators.get(indicator_code)
    if indicator is None:
        raise ValueError(f"Không có chỉ tiêu mã {indicator_code} trong bộ số liệu.")
    smallest_first = indicator.direction == Direction.DOWN
    measured: list[tuple[Decimal, OrgUnit]] = []
    unmeasured: list[OrgUnit] = []
    for unit in units:
        figure = figures.figures.get((indicator_code, unit.code, str(kind)))
        value = _measure(figure, by) if figure is not None else None
        if value is None:
            unmeasured.append(unit)
        else:
            measured.append((value, unit))
    measured.sort(
        key=lambda pair: (pair[0] if smallest_first else -pair[0], pair[1].sort_order, pair[1].code)
    )
    result: list[Ranked] = []
    previous: Decimal | None = None
    place = 0
    for position, (value, unit) in enumerate(measured, start=1):
        if value != previous:
            place, previous = position, value
        result.append(Ranked(place, unit.code, unit.name, value))
    unmeasured.sort(key=lambda u: (u.sort_order, u.code))
    result.extend(Ranked(None, u.code, u.name, None) for u in unmeasured)
    return result


@dataclass(frozen=True, slots=True)
class Completeness:
    """The members' forms for the period: how many were due, sent on time, late, not sent."""

    phai_gui: int
    dung_han: int
    muon: int
    chua_gui: tuple[str, ...]  # the names of the units with a form not sent (each once, in order)

    @property
    def da_gui(self) -> int:
        return self.dung_han + self.muon

    @property
    def ty_le(self) -> Decimal | None:
        """Share of the forms sent (0–1); None when nothing was due."""
        return Decimal(self.da_gui) / Decimal(self.phai_gui) if self.phai_gui else None


def completeness(period: Period, units: Sequence[OrgUnit]) -> Completeness:
    rows = timeliness(period, OrgUnit.objects.filter(pk__in=[u.pk for u in units]))
    missing = list(dict.fromkeys(r.org_unit.name for r in rows if r.state == "missing"))
    return Completeness(
        phai_gui=len(rows),
        dung_han=sum(1 for r in rows if r.state == "on_time"),
        muon=sum(1 for r in rows if r.state == "late"),
        chua_gui=tuple(missing),
    )


@dataclass
class ProvinceRollup:
    """A province (or any unit) with its member units for a period: figures, completeness, rankings."""

    province: OrgUnit
    period: Period
    members: list[OrgUnit]
    figures: FigureSet
    _completeness: Completeness | None = field(default=None, repr=False)

    @property
    def local_units(self) -> list[OrgUnit]:
        """The communes and wards (and, before the reform, cities, districts and towns) among the members."""
        return [u for u in self.members if u.type in ADMINISTRATIVE_TYPES]

    @property
    def agencies(self) -> list[OrgUnit]:
        return [u for u in self.members if u.type not in ADMINISTRATIVE_TYPES]

    def total(self, indicator_code: str, kind: str = ValueKind.ACTUAL) -> Figure:
        return self.figures.get(indicator_code, kind, self.province.code)

    def ranking(self, indicator_code: str, *, by: str = "gia_tri", among: str = "local") -> list[Ranked]:
        units = {"local": self.local_units, "agencies": self.agencies, "all": self.members}.get(among)
        if units is None:
            raise ValueError(
                f"“{among}” không hợp lệ: chỉ local (xã, phường), agencies (sở, ngành) hoặc all."
            )
        return rank(self.figures, indicator_code, units, by=by)

    def _value(self, code: str, unit: OrgUnit) -> Decimal | None:
        figure = self.figures.figures.get((code, unit.code, str(ValueKind.ACTUAL)))
        return figure.value if figure is not None else None

    def table(self, indicator_codes: Sequence[str], *, among: str = "local") -> list[dict[str, Any]]:
        """Dashboard data: one row per member unit (as :meth:`ranking` chooses them), with its value and
        place on each indicator — plain data, ready for JSON (values as Decimal, None where missing)."""
        places = {code: {r.ma: r.hang for r in self.ranking(code, among=among)} for code in indicator_codes}
        units = {"local": self.local_units, "agencies": self.agencies, "all": self.members}[among]
        return [
            {
                "ma": unit.code,
                "ten": unit.name,
                "loai": unit.get_type_display(),
                "gia_tri": {code: self._value(code, unit) for code in indicator_codes},
                "hang": {code: places[code].get(unit.code) for code in indicator_codes},
            }
            for unit in units
        ]

    @property
    def completeness(self) -> Completeness:
        """Of the communes' and wards' submissions (computed when first asked)."""
        if self._completeness is None:
            self._completeness = completeness(self.period, self.local_units)
        return self._completeness


def province_rollup(
    province: OrgUnit,
    period: Period | str,
    indicator_codes: Iterable[str] | None = None,
    *,
    kinds: Iterable[str] = (ValueKind.ACTUAL,),
) -> ProvinceRollup:
    """The province's figures and its members' (its units one level down that exist in the period), in one
    roll-up call of the figures layer (a fixed number of queries, whatever the number of members).
    ``kinds``: the kinds of value read (thực hiện by default: what rankings and the dashboard compare;
    each kind more is as many figures more to build for every member)."""
    period = Period.parse(period) if isinstance(period, str) else period
    start, end = period.reporting_window
    members = list(
        OrgUnit.objects.filter(parent=province, valid_from__lte=end)
        .exclude(valid_to__lt=start)
        .order_by("sort_order", "code")
    )
    codes = None if indicator_codes is None else list(indicator_codes)
    figures = get_figures([province, *members], period, codes, kinds=[str(k) for k in kinds], rollup=True)
    return ProvinceRollup(province, period, members, figures)


# ------------------------------------------------------------------------------------- report templates


class _ForTemplates:
    """``tong_hop`` in report templates, computed when first used (most reports never ask):

    * ``tong_hop.xep_hang('THU_NSNN')`` — the communes and wards, best first (``hang``, ``ten``,
      ``gia_tri``); ``theo='luy_ke'`` / ``'cung_ky'`` / ``'ke_hoach:DT_NAM'``; ``trong='agencies'`` or
      ``'all'`` for the departments or every member;
    * ``tong_hop.dung_dau('THU_NSNN')`` — the first of that list, or None;
    * ``tong_hop.day_du`` — completeness of their forms: ``phai_gui``, ``da_gui``, ``dung_han``, ``muon``,
      ``chua_gui`` (names), ``ty_le`` (0–1, for ``phan_tram``);
    * ``tong_hop.so_don_vi`` — how many communes and wards.
    """

    def __init__(self, org_unit: OrgUnit, period: Period) -> None:
        self._unit = org_unit
        self._period = period
        self._rollups: dict[str | None, ProvinceRollup] = {}  # per indicator code (None: no figures)

    def _get(self, code: str | None = None) -> ProvinceRollup:
        """The roll-up of one indicator, read once per report (each figures call reads that indicator's
        rows only, so a block naming three indicators costs three small calls)."""
        rollup = self._rollups.get(code)
        if rollup is None:
            rollup = self._rollups[code] = province_rollup(
                self._unit, self._period, [] if code is None else [code]
            )
        return rollup

    def xep_hang(self, code: str, theo: str = "gia_tri", trong: str = "local") -> list[Ranked]:
        return self._get(code).ranking(code, by=theo, among=trong)

    def dung_dau(self, code: str, theo: str = "gia_tri", trong: str = "local") -> Ranked | None:
        ranked = self.xep_hang(code, theo, trong)
        return ranked[0] if ranked and ranked[0].hang is not None else None

    @property
    def day_du(self) -> Completeness:
        return self._get().completeness

    @property
    def so_don_vi(self) -> int:
        return len(self._get().local_units)


class _Sample(_ForTemplates):
    """The same names over sample data, for the trial render of a template being saved."""

    def __init__(self) -> None:
        pass  # nothing to read: the answers are samples

    def xep_hang(self, code: str, theo: str = "gia_tri", trong: str = "local") -> list[Ranked]:
        _measure_name_is_known(theo)
        return [Ranked(1, "MAU_1", "Phường Mẫu", Decimal(1)), Ranked(2, "MAU_2", "Xã Mẫu", Decimal(1))]

    @property
    def day_du(self) -> Completeness:
        return Completeness(phai_gui=2, dung_han=1, muon=0, chua_gui=("Xã Mẫu",))

    @property
    def so_don_vi(self) -> int:
        return 2


def _measure_name_is_known(by: str) -> None:
    name, _, target = by.partition(":")
    if name not in MEASURES or (name == "ke_hoach") != bool(target):
        raise ValueError(
            f"Không xếp hạng được theo “{by}”: chỉ theo gia_tri, luy_ke, cung_ky hoặc ke_hoach:<mã kế hoạch>."
        )


def report_provider(org_unit: OrgUnit | None, period: Period) -> Any:
    """``tong_hop`` in report templates (registered by the reports app): see :class:`_ForTemplates`."""
    if org_unit is None:
        return _Sample()
    return _ForTemplates(org_unit, period)
