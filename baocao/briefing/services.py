"""The leader's monthly briefing (issue 19, point 5): the month's at-risk items (analytics.warnings),
anomalies (quality flags), overdue tasks and missing submissions of a unit's subtree, each with the link to
its passport or task; and a draft Decree-30 instruction letter (công văn chỉ đạo) to the units concerned,
made as a :class:`ReportDocument` so the report's own Word frame (reports.docx) prints it and the office
edits the DOCX.

Everything is read through the user's rights: the warnings and the passport links through
``warnings_for`` (404 outside the scope), the flags and submissions for the visible units only, the tasks
through the task module's visible list."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse

from baocao.accounts.permissions import Action, MaybeUser, for_user, units_for
from baocao.analytics.passport import passport_url
from baocao.analytics.warnings import Status, Warning, warnings_for
from baocao.assignments.models import Task
from baocao.assignments.status import Item, task_items
from baocao.assignments.status import Status as TaskStatus
from baocao.collection.models import ValueKind
from baocao.collection.workflow import timeliness
from baocao.core import clock, dates
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit
from baocao.quality.evaluator import Violation
from baocao.quality.services import run_period
from baocao.reports.document import Heading, Paragraph, ReportDocument, Run

__all__ = ["Briefing", "Line", "briefing_document", "build_briefing", "instruction_letter"]


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the briefing: what, about which unit, and where to open it."""

    unit: OrgUnit
    text: str
    url: str
    status: str = ""
    short: str = ""  # the printed note's wording, when shorter than the page's

    @property
    def printed(self) -> str:
        return self.short or self.text


@dataclass
class Briefing:
    unit: OrgUnit
    period: Period
    today: datetime.date
    at_risk: list[Line] = field(default_factory=list)
    anomalies: list[Line] = field(default_factory=list)
    overdue: list[Line] = field(default_factory=list)
    missing: list[Line] = field(default_factory=list)

    @property
    def units_concerned(self) -> list[OrgUnit]:
        """The member units named by an item (the letter's addressees), in the tree's order."""
        found: dict[int, OrgUnit] = {}
        for line in [*self.at_risk, *self.anomalies, *self.overdue, *self.missing]:
            if line.unit.pk != self.unit.pk:
                found.setdefault(line.unit.pk, line.unit)
        return sorted(found.values(), key=lambda u: (u.sort_order, u.code))

    @property
    def is_empty(self) -> bool:
        return not (self.at_risk or self.anomalies or self.overdue or self.missing)


def _warning_line(w: Warning) -> Line:
    url = passport_url(w.indicator.code, w.unit.code, w.period.id, ValueKind.ACTUAL.value)
    short = f"{w.indicator.name} ({w.status.label})"
    return Line(w.unit, f"{w.indicator.name}: {w.explanation}", url, w.status.label, short)


def _flag_line(v: Violation) -> Line:
    if v.fields:
        code, kind = v.fields[0]
        url = passport_url(code, v.org_unit.code, v.period.id, kind)
    else:
        url = reverse("quality:report") + f"?period={v.period.id}"
    return Line(v.org_unit, f"{v.rule_name}: {v.text}", url, v.importance_label)


def _task_line(item: Item) -> Line:
    task = item.task
    text = f"{task} (hạn {dates.short_date(item.deadline)}, quá {-item.days_left} ngày)"
    return Line(task.lead_unit, text, reverse("assignments:task", args=[task.pk]), item.status.label)


def build_briefing(user: MaybeUser, unit: OrgUnit, period: Period) -> Briefing:
    today = clock.today()
    briefing = Briefing(unit, period, today)
    subtree = OrgUnit.objects.subtree([unit])
    visible = units_for(user, Action.VIEW).filter(pk__in=subtree.values("pk"))
    briefing.at_risk = [
        _warning_line(w)
        for w in warnings_for(user, unit, period)
        if w.status in (Status.OFF_TRACK, Status.AT_RISK)
    ]
    briefing.anomalies = [
        _flag_line(v)
        for v in run_period(period, set(visible.values_list("pk", flat=True)))
        if not v.could_not_evaluate
    ]
    tasks = for_user(
        Task.objects.select_related("lead_unit").prefetch_related("extensions", "completions"),
        user,
        Action.VIEW,
        field="lead_unit",
    ).filter(lead_unit__in=visible, assigned_on__lte=today)
    overdue = [i for t in tasks for i in task_items(t, today) if i.status == TaskStatus.OPEN_OVERDUE]
    briefing.overdue = [_task_line(i) for i in sorted(overdue, key=lambda i: (i.deadline, i.task.pk))]
    briefing.missing = [
        Line(
            row.org_unit,
            f"{row.data_set.name} (hạn {dates.short_date(row.deadline)})",
            reverse("collection:review") + f"?period={period.id}",
            "chưa gửi",
        )
        for row in timeliness(period, visible)
        if row.state == "missing"
    ]
    return briefing


def _header(unit: OrgUnit) -> tuple[str, ...]:
    return ("ỦY BAN NHÂN DÂN", unit.name.upper().removeprefix("UBND ").removeprefix("ỦY BAN NHÂN DÂN "))


def _p(text: str, bold: bool = False) -> Paragraph:
    return Paragraph((Run(text, bold=bold),))


def _grouped(lines: list[Line]) -> list[Paragraph]:
    """One paragraph per unit ("Unit: item; item."): a table's rows and padding took three pages for the
    demo month, these lines take one."""
    by_unit: dict[int, list[Line]] = {}
    for line in lines:
        by_unit.setdefault(line.unit.pk, []).append(line)
    return [
        Paragraph(
            (Run(f"- {group[0].unit.name}: ", bold=True), Run("; ".join(x.printed for x in group) + "."))
        )
        for group in by_unit.values()
    ]


def briefing_document(b: Briefing) -> ReportDocument:
    """The briefing as a one-page note (the PDF): four headings, one paragraph per unit under each."""
    body: list[Heading | Paragraph] = []
    for number, title, lines in (
        ("1.", "Chỉ tiêu không đạt, có nguy cơ không đạt", b.at_risk),
        ("2.", "Số liệu bất thường", b.anomalies),
        ("3.", "Nhiệm vụ quá hạn", b.overdue),
        ("4.", "Biểu mẫu chưa gửi", b.missing),
    ):
        body.append(Heading(2, number, f"{title} ({len(lines)})"))
        if not lines:
            body.append(_p("Không có."))
        elif lines is b.missing:  # one line: the units, not a paragraph each
            names = list(dict.fromkeys(x.unit.name for x in lines))
            body.append(_p(f"Các đơn vị chưa gửi: {', '.join(names)}."))
        else:
            body.extend(_grouped(lines))
    body.append(_p("./."))
    return ReportDocument(
        issuer=_header(b.unit),
        number_line="",
        place_date=dates.decree30_date(b.today),
        doc_type="TÓM TẮT",
        summary=(f"Tình hình {b.period.label} cần lãnh đạo chỉ đạo",),
        body=tuple(body),
        recipients=("Lãnh đạo UBND;", "Lưu: VT."),
        authority="",
        signer_titles=(),
        signer_name="",
    )


def instruction_letter(b: Briefing) -> ReportDocument:
    """A draft công văn chỉ đạo (Decree 30/2020 layout) to the units concerned: for each, what to do about
    its items, with the deadline the office fills in. A draft: the number and the day stay blank."""
    body: list[Heading | Paragraph] = [
        _p(
            f"Qua theo dõi tình hình thực hiện các chỉ tiêu, nhiệm vụ {b.period.label}, Ủy ban nhân dân "
            f"{b.unit.name.removeprefix('UBND ')} yêu cầu các cơ quan, đơn vị sau tập trung thực hiện:"
        )
    ]
    for n, unit in enumerate(b.units_concerned, start=1):
        body.append(Heading(2, f"{n}.", unit.name))
        for line in b.at_risk:
            if line.unit == unit:
                body.append(_p(f"- Rà soát, có giải pháp đẩy nhanh tiến độ chỉ tiêu {line.text}"))
        for line in b.anomalies:
            if line.unit == unit:
                body.append(_p(f"- Kiểm tra, giải trình số liệu: {line.text}"))
        for line in b.overdue:
            if line.unit == unit:
                body.append(_p(f"- Khẩn trương hoàn thành nhiệm vụ quá hạn: {line.text}"))
        for line in b.missing:
            if line.unit == unit:
                body.append(_p(f"- Gửi ngay biểu {line.text}"))
    body.append(
        _p("Kết quả thực hiện báo cáo về Văn phòng HĐND và UBND trước ngày …/…/… để tổng hợp, báo cáo./.")
    )
    return ReportDocument(
        issuer=_header(b.unit),
        number_line="Số:      /UBND-VP",
        place_date=dates.decree30_date(b.today, blank_day=True),
        doc_type="",
        summary=(f"V/v chỉ đạo thực hiện các chỉ tiêu, nhiệm vụ {b.period.label}",),
        body=tuple(body),
        recipients=(*tuple(f"{u.name};" for u in b.units_concerned), "Lưu: VT."),
        authority="TM. ỦY BAN NHÂN DÂN",
        signer_titles=("CHỦ TỊCH",),
        signer_name="",
    )
