"""A unit's narrative under the workflow: who writes which section, when, and the audit trail of edits.

- Sections are assigned to units as data (:class:`SectionAssignment`, ``units:`` in the report types'
  YAML). A unit writes only the sections assigned to it.
- A unit's narrative follows its data sets' state for the period, like its values: it is written while
  the unit's submissions are drafts or returned; once one of them is submitted, accepted, approved or
  locked the unit cannot change it (a unit without any submission in the period writes freely).
- The office (who may return, accept or compile for the unit) may correct a unit's narrative while its
  figures are not approved yet (or return the form to the unit); approved or locked narrative is changed
  only after the leader reopens the figures.
- Every change is a :class:`ContributionChange` row: who, when, old → new, through what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from baocao.accounts.permissions import Action, can
from baocao.analytics.figures import get_figures
from baocao.collection.models import EDITABLE_STATUSES, ChangeSource, Submission, SubmissionStatus
from baocao.core.periods import Period
from baocao.core.text import nfc
from baocao.core.users import MaybeUser, acting_user
from baocao.orgunits.models import OrgUnit
from baocao.reports.building import parse_paragraphs
from baocao.reports.checks import BlockChecker
from baocao.reports.document import Paragraph
from baocao.reports.errors import ReportError, TemplateProblems
from baocao.reports.markup import Chip
from baocao.reports.models import (
    BlockKind,
    Contribution,
    ContributionChange,
    ReportSection,
    ReportType,
    SectionAssignment,
)
from baocao.reports.providers import provided_context
from baocao.reports.rendering import OPTIONS_KEY, BlockOptions, RenderError, render_block, report_context

__all__ = [
    "NarrativeClosed",
    "add_units_to_sections",
    "assigned_units",
    "empty_sections",
    "joined_text",
    "parse_assignments",
    "record_change",
    "render_context",
    "replace_assignments",
    "report_types_for",
    "save_narrative",
    "section_preview",
    "sections_for",
    "show_chip",
    "write_refusal",
]

# The office may still correct a unit's narrative in these states (not once the leader approved it).
OFFICE_EDITABLE_STATUSES = frozenset(
    {
        SubmissionStatus.DRAFT,
        SubmissionStatus.RETURNED,
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.ACCEPTED,
    }
)
OFFICE_ACTIONS = (Action.RETURN, Action.ACCEPT, Action.COMPILE)


class NarrativeClosed(ReportError):
    """The narrative cannot be changed now (the unit's data set was sent, or a section is not the unit's)."""


def report_types_for(unit: OrgUnit) -> QuerySet[ReportType]:
    """Report types of the unit's ancestors (or itself): those its narrative contributes to."""
    ancestors = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
    return ReportType.objects.filter(is_active=True, org_unit_id__in=ancestors)


def sections_for(unit: OrgUnit, period: Period) -> list[ReportSection]:
    """The sections the unit is assigned to write for reports of the period's type, in outline order."""
    report_types = report_types_for(unit).filter(period_type=period.type)
    assigned = SectionAssignment.objects.filter(report_type__in=report_types, org_unit=unit)
    pairs = set(assigned.values_list("report_type_id", "section_key"))
    sections = (
        ReportSection.objects.filter(report_type__in=report_types, blocks__kind=BlockKind.CONTRIBUTIONS)
        .distinct()
        .select_related("report_type")
        .order_by("report_type", "sort_order", "pk")
    )
    return [s for s in sections if (s.report_type_id, s.key) in pairs]


def assigned_units(report_type: ReportType, section_key: str) -> list[OrgUnit]:
    return [
        a.org_unit
        for a in SectionAssignment.objects.filter(report_type=report_type, section_key=section_key)
        .select_related("org_unit")
        .order_by("sort_order", "pk")
    ]


def _closing_submission(unit: OrgUnit, period: Period, lock: bool = False) -> Submission | None:
    """The unit's submission of the period that closes its narrative (sent, accepted, approved, locked)."""
    submissions = Submission.objects.filter(org_unit=unit, period=period.id)
    if lock:
        submissions = submissions.select_for_update()
    closed = [s for s in submissions.select_related("data_set") if s.status not in EDITABLE_STATUSES]
    # the most advanced state decides (a locked form closes it even for the office)
    order = list(SubmissionStatus.values)
    return max(closed, key=lambda s: order.index(s.status), default=None)


def _is_office(user: MaybeUser, unit: OrgUnit) -> bool:
    return any(can(user, action, unit) for action in OFFICE_ACTIONS)


def write_refusal(user: MaybeUser, unit: OrgUnit, period: Period, lock: bool = False) -> str | None:
    """Why ``user`` may not write ``unit``'s narrative for ``period`` now (None: they may).

    Raises PermissionDenied when the user has no role for it at all."""
    office = _is_office(user, unit)
    writer = can(user, Action.ENTER, unit)
    if not (office or writer):
        raise PermissionDenied(f"Bạn không có quyền viết nội dung báo cáo của {unit.name}.")
    closing = _closing_submission(unit, period, lock)
    if closing is None:
        return None
    state = f"biểu “{closing.data_set.name}” {closing.get_status_display().lower()}"
    if office and closing.status in OFFICE_EDITABLE_STATUSES:
        return None
    if office:
        return (
            f"Nội dung báo cáo của {unit.name} {period.label} không sửa được: {state}; "
            "cần lãnh đạo mở lại số liệu trước."
        )
    return (
        f"Nội dung báo cáo của {unit.name} {period.label} không sửa được: {state} "
        "(chỉ sửa khi đang nhập hoặc bị trả lại)."
    )


def joined_text(contributions: Iterable[Contribution]) -> str:
    """A unit's whole text for a section: its paragraphs (rows) in order, separated by a blank line."""
    return "\n\n".join(c.text.strip() for c in contributions if c.text.strip())


def clean_text(text: str) -> str:
    return nfc(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def record_change(
    report_type: ReportType,
    section_key: str,
    unit: OrgUnit,
    period: Period | str,
    old: str,
    new: str,
    user: MaybeUser,
    source: str,
) -> ContributionChange | None:
    """One audit row for a changed text (nothing when old and new are the same)."""
    if old == new:
        return None
    return ContributionChange.objects.create(
        report_type=report_type,
        section_key=section_key,
        org_unit=unit,
        period=period if isinstance(period, str) else period.id,
        old_text=old,
        new_text=new,
        changed_by=acting_user(user),
        source=source,
    )


@dataclass(frozen=True)
class _Slot:
    section: ReportSection
    text: str


def _check_assigned(unit: OrgUnit, sections: Sequence[ReportSection]) -> None:
    assigned = set(
        SectionAssignment.objects.filter(
            org_unit=unit, report_type__in={s.report_type_id for s in sections}
        ).values_list("report_type_id", "section_key")
    )
    refused = [s for s in sections if (s.report_type_id, s.key) not in assigned]
    if refused:
        names = ", ".join(f"“{s.title}”" for s in refused)
        raise NarrativeClosed(
            f"Mục {names} không giao cho {unit.name} viết; đơn vị chỉ viết các mục được giao."
        )


@transaction.atomic
def save_narrative(
    org_unit: OrgUnit,
    period: Period,
    texts: Mapping[ReportSection, str],
    user: MaybeUser = None,
    source: str = ChangeSource.WEB,
) -> int:
    """Save a unit's narrative for report sections in a period (empty text removes it) and return how many
    sections changed. The user must be the unit's writer (while its data sets are drafts or returned) or
    the office; every section must be assigned to the unit; every text is checked like a block. On any
    problem nothing is saved: PermissionDenied, :class:`NarrativeClosed` or TemplateProblems."""
    refusal = write_refusal(user, org_unit, period, lock=True)
    if refusal:
        raise NarrativeClosed(refusal)
    _check_assigned(org_unit, list(texts))
    checkers: dict[int, BlockChecker] = {}
    problems: list[str] = []
    slots = [_Slot(section, clean_text(text)) for section, text in texts.items()]
    for slot in slots:
        report_type = slot.section.report_type
        if report_type.pk not in checkers:  # trial renders with the report's own figures of the period
            checkers[report_type.pk] = BlockChecker.create(
                report_type.period_type, org_unit=report_type.org_unit, period=period
            )
        checker = checkers[report_type.pk]
        problems.extend(f"Mục “{slot.section.title}”: {p}" for p in checker.problems(slot.text))
    if problems:
        raise TemplateProblems(problems)
    order = {
        (a.report_type_id, a.section_key): a.sort_order
        for a in SectionAssignment.objects.filter(org_unit=org_unit)
    }
    changed = 0
    for slot in slots:
        section = slot.section
        existing = list(
            Contribution.objects.select_for_update()
            .filter(
                report_type=section.report_type, section_key=section.key, org_unit=org_unit, period=period.id
            )
            .order_by("sort_order", "pk")
        )
        old = joined_text(existing)
        if clean_text(old) == slot.text:
            continue
        if not slot.text:
            Contribution.objects.filter(pk__in=[c.pk for c in existing]).delete()
        elif existing:
            first, rest = existing[0], existing[1:]
            first.text, first.updated_by, first.updated_at = slot.text, acting_user(user), timezone.now()
            first.save(update_fields=["text", "updated_by", "updated_at"])
            Contribution.objects.filter(pk__in=[c.pk for c in rest]).delete()
        else:
            Contribution.objects.create(
                report_type=section.report_type,
                section_key=section.key,
                org_unit=org_unit,
                period=period.id,
                text=slot.text,
                sort_order=order.get((section.report_type_id, section.key), org_unit.sort_order),
                updated_by=acting_user(user),
            )
        record_change(section.report_type, section.key, org_unit, period, old, slot.text, user, source)
        changed += 1
    return changed


# ------------------------------------------------------------------ assignments in the report types' YAML


def section_units(report_type: ReportType) -> dict[str, list[str]]:
    """Section key → the codes of the units assigned to write it, in order (for the YAML export)."""
    out: dict[str, list[str]] = {}
    for a in (
        SectionAssignment.objects.filter(report_type=report_type)
        .select_related("org_unit")
        .order_by("sort_order", "pk")
    ):
        out.setdefault(a.section_key, []).append(a.org_unit.code)
    return out


def add_units_to_sections(report_type: ReportType, sections: list[dict[str, Any]]) -> None:
    """Write ``units: [CODE, ...]`` (after the title) into exported sections that are assigned."""
    units = section_units(report_type)

    def place(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        placed = []
        for item in items:
            codes = units.get(str(item.get("key", "")))
            new: dict[str, Any] = {}
            for k, v in item.items():
                new[k] = place(v) if k == "sections" else v
                if k == "title" and codes:
                    new["units"] = list(codes)
            placed.append(new)
        return placed

    sections[:] = place(sections)


Assignments = dict[str, list[OrgUnit]]


def parse_assignments(
    items: Any, where: str, units: Mapping[str, OrgUnit], problems: list[str]
) -> Assignments:
    """The ``units:`` of every section of a report type's YAML (already checked as an outline): known unit
    codes, no repeats, only on sections with a contributions block. Problems name the section."""
    found: Assignments = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        at = f"{where} › mục “{item.get('title') or item.get('key')}”"
        raw = item.get("units")
        if raw is not None:
            if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
                problems.append(f"{at}: “units” phải là danh sách mã đơn vị.")
                raw = []
            raw_blocks = item.get("blocks")
            blocks: list[Any] = raw_blocks if isinstance(raw_blocks, list) else []
            if raw and not any(isinstance(b, dict) and BlockKind.CONTRIBUTIONS in b for b in blocks):
                problems.append(
                    f"{at}: mục không có khối nội dung các đơn vị (contributions), "
                    "không giao cho đơn vị viết."
                )
            chosen: list[OrgUnit] = []
            for code in raw:
                code = nfc(code).strip()
                unit = units.get(code)
                if unit is None:
                    problems.append(f"{at}: không có đơn vị mã “{code}”.")
                elif unit in chosen:
                    problems.append(f"{at}: đơn vị “{code}” ghi hai lần.")
                else:
                    chosen.append(unit)
            found[str(item.get("key", ""))] = chosen
        found.update(parse_assignments(item.get("sections"), at, units, problems))
    return found


def replace_assignments(report_type: ReportType, assignments: Assignments) -> None:
    """The report type's section assignments become exactly those of the file (inside its transaction)."""
    SectionAssignment.objects.filter(report_type=report_type).delete()
    SectionAssignment.objects.bulk_create(
        SectionAssignment(report_type=report_type, section_key=key, org_unit=unit, sort_order=(i + 1) * 10)
        for key, chosen in assignments.items()
        for i, unit in enumerate(chosen)
    )


# ------------------------------------------------------------------ what the clerk's page shows (issue 14)


def empty_sections(report_type: ReportType, unit: OrgUnit, period: Period) -> list[ReportSection]:
    """The sections of ``report_type`` assigned to ``unit`` that it has not written for ``period`` yet
    (no contribution, or only blank ones), in outline order: listed on the narrative page and before the
    head submits."""
    assigned = set(
        SectionAssignment.objects.filter(report_type=report_type, org_unit=unit).values_list(
            "section_key", flat=True
        )
    )
    written = {
        c.section_key
        for c in Contribution.objects.filter(report_type=report_type, org_unit=unit, period=period.id)
        if c.text.strip()
    }
    sections = (
        ReportSection.objects.filter(report_type=report_type, key__in=assigned - written)
        .filter(blocks__kind=BlockKind.CONTRIBUTIONS)
        .distinct()
        .order_by("sort_order", "pk")
    )
    return list(sections)


def render_context(report_type: ReportType, period: Period) -> dict[str, Any]:
    """The context the report renders the narrative with (the report's unit's figures of the period), for
    the chips and the preview: what the clerk sees is what the report prints."""
    unit = report_type.org_unit
    context = report_context(
        get_figures([unit], period),
        period,
        unit.name,
        extra=provided_context(unit, period),
        next_figures=get_figures([unit], period.next()),
    )
    context[OPTIONS_KEY] = BlockOptions(report_type.pad_counts, report_type.percent_decimals)
    return context


def show_chip(source: str, context: Mapping[str, Any]) -> Chip:
    """How one template tag reads in the editor: the text it prints (marks dropped), or why it cannot."""
    try:
        paragraphs = parse_paragraphs(render_block(source, context))
    except RenderError as exc:
        return Chip(source, f"[{exc}]", ok=False)
    text = " ".join(p.text for p in paragraphs).strip()
    return Chip(source, text or "[mẫu]")


@dataclass(frozen=True)
class PreviewPart:
    """One unit's text in a section's preview: its paragraphs (or the Vietnamese reason it fails)."""

    unit: OrgUnit
    own: bool
    paragraphs: tuple[Paragraph, ...] = ()
    problem: str = ""


def section_preview(
    section: ReportSection,
    unit: OrgUnit,
    period: Period,
    context: Mapping[str, Any],
    draft: str | None = None,
) -> list[PreviewPart]:
    """The section as the report prints it: every unit's text in the report's order, ``unit``'s own one
    being ``draft`` when given (what the clerk is writing) or else what is stored."""
    rows = list(
        Contribution.objects.filter(
            report_type=section.report_type, section_key=section.key, period=period.id
        )
        .select_related("org_unit")
        .order_by("sort_order", "org_unit__sort_order", "pk")
    )
    parts: list[tuple[OrgUnit, str]] = []
    own_at: int | None = None
    for c in rows:
        if c.org_unit_id == unit.pk:
            if own_at is None:
                own_at = len(parts)
                parts.append((unit, c.text))
            elif draft is None:
                parts[own_at] = (unit, parts[own_at][1] + "\n\n" + c.text)
        else:
            parts.append((c.org_unit, c.text))
    if draft is not None:
        if own_at is None:
            order = {
                a.org_unit_id: i
                for i, a in enumerate(
                    SectionAssignment.objects.filter(report_type=section.report_type, section_key=section.key)
                )
            }
            mine = order.get(unit.pk, len(order))
            own_at = sum(1 for other, _ in parts if order.get(other.pk, len(order)) < mine)
            parts.insert(own_at, (unit, draft))
        else:
            parts[own_at] = (unit, draft)
    out: list[PreviewPart] = []
    for who, text in parts:
        if not text.strip():
            continue
        try:
            paragraphs = tuple(parse_paragraphs(render_block(text, context)))
        except RenderError as exc:
            out.append(PreviewPart(who, who.pk == unit.pk, problem=str(exc)))
        else:
            out.append(PreviewPart(who, who.pk == unit.pk, paragraphs))
    return out
