"""Web data entry of a unit's data set for a period: the form's fields with their comparisons, and saving
what the user typed — all fields or one (autosave) — with per-field errors and optimistic locking."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from baocao.analytics.figures import get_figures
from baocao.collection.models import ChangeSource, DataValue, Submission, ValueKind
from baocao.collection.types import ClosedValues, ImportRejected, Record, ValueConflict
from baocao.collection.values import write_values
from baocao.core.numbers import format_number
from baocao.core.text import nfc
from baocao.core.users import MaybeUser
from baocao.indicators.models import DataSetIndicator, Indicator, Sector

__all__ = ["EntryField", "EntryInput", "EntryOutcome", "form_fields", "save_entry"]


@dataclass
class EntryField:
    """One field of the form: the indicator and kind asked, the stored value and its comparisons."""

    member: DataSetIndicator
    indicator: Indicator
    kind: str
    stored: DataValue | None
    previous: Decimal | None
    last_year: Decimal | None
    level: int  # 1 for a "trong đó" row under its parent in the same form

    @property
    def key(self) -> str:
        return f"f{self.member.pk}"

    @property
    def kind_label(self) -> str:
        return str(ValueKind(self.kind).label)

    @property
    def version(self) -> int:
        return self.stored.version if self.stored else 0

    @property
    def text(self) -> str:
        return format_number(self.stored.value) if self.stored else ""


def form_fields(submission: Submission) -> list[tuple[Sector, list[EntryField]]]:
    """The data set's fields for the unit and period, grouped by sector, with previous period and same
    period last year read through the figures layer (the unit's own values, not rolled up)."""
    members = list(
        DataSetIndicator.objects.filter(data_set=submission.data_set)
        .select_related("indicator__unit", "indicator__sector", "indicator__parent")
        .order_by("sort_order", "pk")
    )
    codes = {m.indicator.code for m in members}
    figures = get_figures([submission.org_unit], submission.period, codes, rollup=False)
    stored = {
        (v.indicator_id, v.kind): v
        for v in DataValue.objects.filter(
            org_unit=submission.org_unit,
            period=submission.period,
            indicator__in=[m.indicator for m in members],
        )
    }
    groups: dict[int, tuple[Sector, list[EntryField]]] = {}
    for member in members:
        indicator = member.indicator
        figure = figures.get(indicator.code, member.kind, submission.org_unit.code)
        level = 1 if indicator.parent is not None and indicator.parent.code in codes else 0
        entry = EntryField(
            member,
            indicator,
            member.kind,
            stored.get((indicator.pk, member.kind)),
            figure.previous,
            figure.last_year,
            level,
        )
        groups.setdefault(indicator.sector_id, (indicator.sector, []))[1].append(entry)
    return sorted(groups.values(), key=lambda group: (group[0].sort_order, group[0].code))


@dataclass(frozen=True)
class EntryInput:
    member_id: int
    text: str
    comment: str = ""
    version: int | None = None  # the version the user's page showed (0: no value); None: do not check
    original: tuple[str, str] | None = None  # (value, comment) the page showed; unchanged → not saved


@dataclass(frozen=True)
class Conflict:
    """Someone saved the field after the user's page loaded it: both values, nothing overwritten."""

    member_id: int
    mine: str
    theirs: str
    by: str
    at: str
    version: int

    @property
    def message(self) -> str:
        return (
            f"{self.by} đã lưu {self.theirs} lúc {self.at}; giá trị bạn nhập: {self.mine or '(trống)'}. "
            "Bấm “Lưu” để ghi đè bằng giá trị của bạn, hoặc tải lại trang để lấy giá trị mới."
        )


@dataclass
class EntryOutcome:
    saved: int = 0
    errors: dict[int, str] = field(default_factory=dict)
    conflicts: dict[int, Conflict] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)  # member id → version after saving
    form_error: str = ""  # a problem of the whole form (for example: already submitted)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts and not self.form_error


def _who(value: DataValue) -> str:
    user = value.updated_by
    return (user.get_full_name() or user.get_username()) if user else "?"


def save_entry(
    submission: Submission, user: MaybeUser, inputs: Iterable[EntryInput], source: str = ChangeSource.WEB
) -> EntryOutcome:
    """Save what the user typed through the value action (collection.values.write_values): the rules,
    the permission, the unit's validity and the conflict rule are the action's. Any error or conflict →
    nothing is saved, each reported on its field. An empty field is skipped (a value is never erased by
    leaving it blank); a field the page showed unchanged is not sent."""
    outcome = EntryOutcome()
    members = {m.pk: m for m in DataSetIndicator.objects.filter(data_set=submission.data_set)}
    indicators = Indicator.objects.in_bulk({m.indicator_id for m in members.values()})
    records: list[Record] = []
    versions: dict[int, int] = {}
    member_of: dict[int, int] = {}  # line of the record → member id
    typed: dict[int, str] = {}  # line → the text typed
    for item in inputs:
        member = members.get(item.member_id)
        if member is None:
            outcome.errors[item.member_id] = "Chỉ tiêu không thuộc biểu mẫu này."
            continue
        text = nfc(item.text).strip()
        comment = nfc(item.comment).strip()
        if item.original is not None and (text, comment) == tuple(nfc(x).strip() for x in item.original):
            continue
        if not text:
            continue
        line = len(records) + 1
        member_of[line], typed[line] = member.pk, text
        records.append(
            (
                line,
                {
                    "indicator": indicators[member.indicator_id].code,
                    "org_unit": submission.org_unit.code,
                    "period": submission.period,
                    "kind": member.kind,
                    "value": text,
                    "comment": comment,
                },
            )
        )
        if item.version is not None:
            versions[line] = item.version
    if not outcome.ok:
        return outcome
    try:
        result = write_values(user, records, source=source, versions=versions)
    except ValueConflict as exc:
        for conflict in exc.conflicts:
            member_id = member_of[conflict.line]
            stored = conflict.current
            outcome.conflicts[member_id] = Conflict(
                member_id,
                typed[conflict.line],
                format_number(stored.value),
                _who(stored),
                timezone.localtime(stored.updated_at).strftime("%H:%M %d/%m/%Y"),
                stored.version,
            )
        return outcome
    except ClosedValues as exc:
        outcome.form_error = "; ".join(e.message for e in exc.errors)
        return outcome
    except ImportRejected as exc:
        for error in exc.errors:
            if error.line in member_of:
                outcome.errors.setdefault(member_of[error.line], error.message)
            else:
                outcome.form_error = "; ".join(filter(None, [outcome.form_error, error.message]))
        return outcome
    outcome.saved = result.created + result.updated
    after = {
        (v.indicator_id, v.kind): v.version
        for v in DataValue.objects.filter(org_unit=submission.org_unit, period=submission.period)
    }
    for member_id in member_of.values():
        member = members[member_id]
        outcome.versions[member_id] = after[(member.indicator_id, member.kind)]
    return outcome
