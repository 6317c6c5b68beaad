"""Web data entry of a unit's data set for a period: the form's fields with their comparisons, and saving
what the user typed — all fields or one (autosave) — with per-field errors and optimistic locking."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from baocao.analytics.figures import get_figures
from baocao.collection.models import ChangeSource, DataValue, Submission, SubmissionStatus, ValueKind
from baocao.collection.types import ClosedValues, ImportRejected, Record, ValueConflict
from baocao.collection.values import write_values
from baocao.core.numbers import format_number, format_percent
from baocao.core.text import nfc
from baocao.core.users import MaybeUser
from baocao.indicators.models import DataSetIndicator, Indicator, Sector

__all__ = [
    "Banner",
    "EntryField",
    "EntryInput",
    "EntryOutcome",
    "change_text",
    "form_fields",
    "form_label",
    "next_step",
    "save_entry",
]


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

    @property
    def change_previous(self) -> str:
        """The stored value against the previous period, in percent ("+12,5%"); read-only column."""
        return change_text(self.stored.value if self.stored else None, self.previous)

    @property
    def change_last_year(self) -> str:
        """The stored value against the same period last year, in percent."""
        return change_text(self.stored.value if self.stored else None, self.last_year)


def change_text(value: Decimal | None, base: Decimal | None) -> str:
    """The change of ``value`` against ``base`` in percent, signed ("+12,5%", "−3%"), or "–" when either
    is missing or the base is zero (no percentage of nothing)."""
    if value is None or base is None or base == 0:
        return "–"
    change = (value - base) / abs(base)
    text = format_percent(abs(change))
    if change > 0:
        return f"+{text}"
    return f"−{text}" if change < 0 else text


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
    submission: Submission,
    user: MaybeUser,
    inputs: Iterable[EntryInput],
    source: str = ChangeSource.WEB,
    *,
    dry_run: bool = False,
) -> EntryOutcome:
    """Save what the user typed through the value action (collection.values.write_values): the rules,
    the permission, the unit's validity and the conflict rule are the action's. Any error or conflict →
    nothing is saved, each reported on its field. An empty field is skipped (a value is never erased by
    leaving it blank); a field the page showed unchanged is not sent. ``dry_run``: every check, nothing
    written (a block pasted into the grid is checked at once and saved when the user confirms)."""
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
        result = write_values(user, records, source=source, versions=versions, dry_run=dry_run)
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
    if dry_run:
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


# ----------------------------------------------------------------------------- the form's state and next step


@dataclass(frozen=True)
class Banner:
    """The state of the form and what happens next, for the person reading the page."""

    state: str  # "Đang nhập", "Bị trả lại", ...
    next: str  # the next step, naming who takes it
    tone: str  # "todo" (the reader acts), "wait" (someone else acts), "done", "returned"
    reason: str = ""  # the reason given when the form was returned or reopened

    @property
    def text(self) -> str:
        return f"{self.state} — {self.next}"


def form_label(status: str | None, has_values: bool) -> str:
    """The forms list's word for a form: a draft holding values is "Đang nhập", an empty one "Chưa nhập"."""
    if status is None or status == SubmissionStatus.DRAFT:
        return str(SubmissionStatus.DRAFT.label) if has_values else "Chưa nhập"
    return str(SubmissionStatus(status).label)


def next_step(
    submission: Submission,
    *,
    has_values: bool,
    may_enter: bool,
    may_submit: bool,
    may_receive: bool,
    may_approve: bool,
    reason: str = "",
) -> Banner:
    """The banner of the entry page: the form's state and the next step, worded for the reader's role
    (the clerk enters, the head submits, the office receives, the leader approves)."""
    status = submission.status
    if status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED):
        if may_submit:
            todo = "kiểm tra số liệu rồi bấm “Gửi số liệu” để gửi văn phòng"
        elif may_enter:
            todo = "nhập đủ số liệu; sau đó trưởng đơn vị gửi"
        else:
            todo = "chờ đơn vị nhập và trưởng đơn vị gửi"
        if status == SubmissionStatus.RETURNED:
            return Banner(
                "Bị trả lại",
                f"lý do: {reason or '(không ghi)'}. Sửa số liệu, rồi "
                + ("bấm “Gửi số liệu” để gửi lại" if may_submit else "trưởng đơn vị gửi lại"),
                "returned",
                reason,
            )
        state = form_label(status, has_values)
        if may_enter and not may_submit:
            return Banner(
                state, "chờ trưởng đơn vị gửi" if has_values else todo, "wait" if has_values else "todo"
            )
        return Banner(state, todo, "todo" if (may_enter or may_submit) else "wait")
    if status == SubmissionStatus.SUBMITTED:
        if may_receive:
            return Banner("Đã gửi", "bạn xem rồi bấm “Tiếp nhận” hoặc “Trả lại” (ghi lý do)", "todo")
        return Banner("Đã gửi", "chờ văn phòng tiếp nhận", "wait")
    if status == SubmissionStatus.ACCEPTED:
        if may_approve:
            return Banner("Đã tiếp nhận", "bạn xem rồi bấm “Phê duyệt”", "todo")
        return Banner("Đã tiếp nhận", "chờ lãnh đạo phê duyệt", "wait")
    if status == SubmissionStatus.APPROVED:
        return Banner("Đã phê duyệt", "số liệu dùng cho báo cáo; muốn sửa, lãnh đạo mở lại kèm lý do", "done")
    return Banner("Đã khóa", "số liệu đã chốt; chỉ lãnh đạo mở lại được, kèm lý do", "done")
