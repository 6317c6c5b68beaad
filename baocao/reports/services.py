"""Report services: templates checked when saved or imported, the document built from figures and
contributions, report runs drafted and issued, issued figures compared with today's data.

Every state change goes through a function here (views, commands, the demo loader and tests call them).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from baocao.analytics.figures import Figure, FigureSet, TargetFigure, get_figures
from baocao.collection.models import ValueKind
from baocao.core import dates
from baocao.core.periods import Period, PeriodError, PeriodType
from baocao.core.text import nfc
from baocao.core.users import MaybeUser, acting_user
from baocao.indicators.models import Indicator, TargetType
from baocao.orgunits.models import OrgUnit
from baocao.reports.document import (
    Annex,
    BodyItem,
    Heading,
    Paragraph,
    ReportDocument,
    Run,
    Table,
    document_from_json,
    document_to_json,
)
from baocao.reports.markup import parse_runs
from baocao.reports.models import (
    BlockKind,
    Contribution,
    HeadingStyle,
    ReportBlock,
    ReportRun,
    ReportSection,
    ReportType,
    RunStatus,
)
from baocao.reports.outline import MAX_LEVEL, OutlineSection, load_outline
from baocao.reports.providers import provided_context
from baocao.reports.rendering import (
    OPTIONS_KEY,
    BlockOptions,
    RenderError,
    render_block,
    report_context,
    used_figures,
    validate_block,
)

__all__ = [
    "BuiltReport",
    "ReportError",
    "TemplateProblems",
    "build_document",
    "check_block_source",
    "export_report_types",
    "figure_differences",
    "get_or_create_run",
    "import_contributions",
    "import_report_types",
    "issue_run",
    "run_document",
    "set_frame",
    "update_run",
]


class ReportError(ValueError):
    """A report cannot be built or a run cannot change state; the message is Vietnamese."""


class TemplateProblems(ValueError):
    """A report template (file or block) has problems; ``problems`` lists them, each naming its place."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


# ------------------------------------------------------------------------------------ checking templates


def _sample_figures(period: Period) -> FigureSet:
    """Every active indicator with every value and every target type equal to 1: a trial render over it
    finds the template's own mistakes (wrong attribute, misused filter) and never a missing figure."""
    unit = OrgUnit(code="_", name="Đơn vị thử")
    one = Decimal(1)
    target_types = list(TargetType.objects.all())
    indicators = {i.code: i for i in Indicator.objects.filter(is_active=True).select_related("unit")}
    figures: dict[tuple[str, str, str], Figure] = {}
    for code, indicator in indicators.items():
        targets = {t.code: TargetFigure(t.code, t.name, period, one, one, one) for t in target_types}
        for kind in ValueKind.values:
            figures[(code, unit.code, kind)] = Figure(
                indicator, unit, period, kind, one, one, one, one, targets
            )
    return FigureSet(period, [unit], indicators, figures)


@dataclass
class _Checker:
    """Checks block sources against the indicators that exist and a trial render (built once per import)."""

    codes: set[str]
    context: dict[str, Any]

    @classmethod
    def create(cls, period_type: str = "month") -> _Checker:
        period = Period.containing(_period_type(period_type), datetime.date(2020, 6, 1))
        sample = _sample_figures(period)
        context = report_context(
            sample, period, "Đơn vị thử", extra=provided_context(None, period), next_figures=sample
        )
        return cls(set(sample.indicators), context)

    def problems(self, source: str, kind: str = BlockKind.TEXT) -> list[str]:
        problems = validate_block(source, self.codes)
        if problems:
            return problems
        try:
            output = render_block(source, self.context)
            if kind == BlockKind.TABLE:
                _table(output)
            else:
                _paragraphs(output)
        except RenderError as exc:
            return [str(exc)]
        return []


def _period_type(value: str) -> PeriodType:
    try:
        return PeriodType(value)
    except ValueError:
        raise ReportError(
            f'Loại kỳ "{value}" không hợp lệ (dùng: {", ".join(t.value for t in PeriodType)}).'
        ) from None


def check_block_source(source: str, kind: str = BlockKind.TEXT, period_type: str = "month") -> list[str]:
    """Problems of one block's template, in Vietnamese with line numbers (empty: it can be saved)."""
    if kind == BlockKind.CONTRIBUTIONS:
        return []
    return _Checker.create(period_type).problems(nfc(source), kind)


# -------------------------------------------------------------------------------- building the document


@dataclass(frozen=True)
class BuiltReport:
    document: ReportDocument
    figures: dict[str, dict[str, Any]]


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in nfc(text).splitlines() if line.strip())


def _table(output: str) -> Table:
    rows = [tuple(cell.strip() for cell in line.split("|")) for line in output.splitlines() if line.strip()]
    if not rows:
        raise RenderError("Bảng không có dòng nào (dòng đầu là tiêu đề các cột, các ô cách nhau bởi “|”).")
    width = len(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise RenderError(f"Dòng {number} của bảng có {len(row)} ô, dòng tiêu đề có {width} ô.")
    body = rows[1:]
    numeric = frozenset(
        i
        for i in range(width)
        if any(row[i] for row in body)
        and all(
            not row[i] or row[i].replace(".", "").replace(",", "").rstrip("%").lstrip("-").isdigit()
            for row in body
        )
    )
    return Table(columns=rows[0], rows=tuple(body), numeric=numeric)


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _paragraphs(output: str) -> list[Paragraph]:
    """Paragraphs are separated by a blank line; single line breaks inside one are spaces."""
    return [Paragraph(runs) for chunk in _BLANK_LINE.split(output) if (runs := parse_runs(chunk))]


def _with_ending(items: list[BodyItem]) -> list[BodyItem]:
    """The content ends with "./." (Decree 30, Mẫu 1.4)."""
    if items and isinstance(items[-1], Paragraph):
        last = items[-1]
        runs = list(last.runs)
        text = runs[-1].text.rstrip()
        if not text.endswith("./."):
            runs[-1] = Run(text.rstrip(".") + "./.", runs[-1].bold, runs[-1].italic, runs[-1].superscript)
        return [*items[:-1], Paragraph(tuple(runs))]
    return [*items, Paragraph((Run("./."),))]


class _Builder:
    def __init__(self, report_type: ReportType, org_unit: OrgUnit, period: Period) -> None:
        self.report_type = report_type
        self.period = period
        self.context = report_context(
            get_figures([org_unit], period),
            period,
            org_unit.name,
            extra=provided_context(org_unit, period),
            next_figures=get_figures([org_unit], period.next()),
        )
        self.default_options = BlockOptions(report_type.pad_counts, report_type.percent_decimals)
        self.contributions: dict[str, list[Contribution]] = defaultdict(list)
        for contribution in (
            Contribution.objects.filter(report_type=report_type, period=period.id)
            .select_related("org_unit")
            .order_by("sort_order", "org_unit__sort_order", "pk")
        ):
            self.contributions[contribution.section_key].append(contribution)

    def render(self, source: str, where: str, options: BlockOptions | None = None) -> str:
        self.context[OPTIONS_KEY] = options or self.default_options
        try:
            return render_block(source, self.context)
        except RenderError as exc:
            raise ReportError(f"{where}: {exc}") from None

    def paragraphs(self, output: str, where: str) -> list[Paragraph]:
        try:
            return _paragraphs(output)
        except RenderError as exc:
            raise ReportError(f"{where}: {exc}") from None

    def block_items(self, node: OutlineSection, index: int, block: ReportBlock) -> list[BodyItem]:
        where = f"{node.location}, khối {index}"
        options = BlockOptions(
            self.default_options.pad_counts if block.pad_counts is None else block.pad_counts,
            self.default_options.percent_decimals
            if block.percent_decimals is None
            else block.percent_decimals,
        )
        if block.kind == BlockKind.CONTRIBUTIONS:
            items: list[BodyItem] = []
            for contribution in self.contributions.get(node.section.key, []):
                at = f"{where}, nội dung của {contribution.org_unit.name}"
                items.extend(self.paragraphs(self.render(contribution.text, at, options), at))
            return items
        output = self.render(block.source, where, options)
        if block.kind == BlockKind.TABLE:
            try:
                return [_table(output)]
            except RenderError as exc:
                raise ReportError(f"{where}: {exc}") from None
        return list(self.paragraphs(output, where))

    def section_items(self, node: OutlineSection) -> list[BodyItem]:
        title = self.render(node.section.title, f"{node.location}, tiêu đề")
        title = " ".join(title.split())
        items: list[BodyItem] = []
        for index, block in enumerate(node.blocks, start=1):
            items.extend(self.block_items(node, index, block))
        if node.section.is_annex:
            pass  # the appendix's title is printed by the frame
        elif node.section.heading_style == HeadingStyle.INLINE and items and isinstance(items[0], Paragraph):
            lead = Run(f"{node.number} {title}", bold=True)
            items[0] = Paragraph((lead, Run(" "), *items[0].runs))
        else:
            items.insert(0, Heading(node.level, node.number, title.upper() if node.level == 1 else title))
        for child in node.children:
            items.extend(self.section_items(child))
        return items


def _number_line(report_type: ReportType, number: int | None) -> str:
    return (
        f"Số: {number:02d}/{report_type.number_suffix}"
        if number
        else f"Số:      /{report_type.number_suffix}"
    )


def build_document(
    report_type: ReportType, org_unit: OrgUnit, period: Period, run: ReportRun | None = None
) -> BuiltReport:
    """The report for a period from today's data and contributions (a draft, or a run being issued).

    Raises :class:`ReportError` naming the section and block when a template cannot be rendered."""
    if period.type != report_type.period_type_enum:
        raise ReportError(
            f"Loại báo cáo “{report_type.name}” lập theo {report_type.get_period_type_display()}."
        )
    builder = _Builder(report_type, org_unit, period)
    body_nodes, annex_nodes = load_outline(report_type)
    if not body_nodes:
        raise ReportError(f"Loại báo cáo “{report_type.name}” chưa có mục nào.")
    body: list[BodyItem] = []
    for node in body_nodes:
        body.extend(builder.section_items(node))

    number = run.number if run else None
    issue_date = run.issue_date if run else None
    number_line = _number_line(report_type, number)
    draft_day = issue_date or period.cutoff_date
    place_date = dates.decree30_date(draft_day, report_type.place_name, blank_day=issue_date is None)
    date_words = dates.decree30_date(draft_day, blank_day=issue_date is None)
    attached_to = (
        f"(Kèm theo Báo cáo số {number_line.removeprefix('Số: ')} {date_words} "
        f"của {report_type.issuer_short})"
    )
    annexes = tuple(
        Annex(
            label=node.number,
            title=" ".join(builder.render(node.section.title, f"{node.location}, tiêu đề").split()).upper(),
            attached_to=attached_to,
            items=tuple(builder.section_items(node)),
        )
        for node in annex_nodes
    )
    summary = _lines(builder.render(report_type.summary, "Trích yếu"))
    document = ReportDocument(
        parent_body=report_type.parent_body.upper(),
        issuer=_lines(report_type.issuer.upper()),
        number_line=number_line,
        place_date=place_date,
        doc_type=report_type.doc_type_name.upper(),
        summary=summary,
        body=tuple(_with_ending(body)),
        recipients=_lines(run.recipients if run and run.recipients else report_type.recipients),
        authority=report_type.authority.upper(),
        signer_titles=_lines(
            (run.signer_titles if run and run.signer_titles else report_type.signer_titles).upper()
        ),
        signer_name=(run.signer_name if run and run.signer_name else report_type.signer_name),
        annexes=annexes,
    )
    return BuiltReport(document, used_figures(builder.context))


# ------------------------------------------------------------------------------------------ report runs


def get_or_create_run(
    report_type: ReportType, org_unit: OrgUnit, period: Period | str, user: MaybeUser = None
) -> ReportRun:
    period = Period.parse(period) if isinstance(period, str) else period
    if period.type != report_type.period_type_enum:
        raise ReportError(
            f"Loại báo cáo “{report_type.name}” lập theo {report_type.get_period_type_display()}."
        )
    run, _ = ReportRun.objects.get_or_create(
        report_type=report_type,
        org_unit=org_unit,
        period=period.id,
        defaults={"created_by": acting_user(user)},
    )
    return run


def _check_not_issued(run: ReportRun) -> None:
    if run.is_issued:
        raise ReportError("Báo cáo đã ban hành, không sửa được; số liệu và tệp đã được lưu cố định.")


@transaction.atomic
def update_run(
    run: ReportRun,
    *,
    number: int | None,
    issue_date: datetime.date | None,
    signer_name: str,
    signer_titles: str,
    recipients: str,
    user: MaybeUser = None,
) -> ReportRun:
    """Change a draft's number, date, signer and recipients (empty text: the report type's default)."""
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    _check_not_issued(run)
    if number is not None and number < 1:
        raise ReportError("Số văn bản phải là số nguyên dương.")
    run.number = number
    run.issue_date = issue_date
    run.signer_name = nfc(signer_name).strip()
    run.signer_titles = nfc(signer_titles).strip()
    run.recipients = nfc(recipients).strip()
    run.save()
    return run


def _check_issuable(run: ReportRun) -> None:
    problems = []
    if not run.number:
        problems.append("chưa có số văn bản")
    if not run.issue_date:
        problems.append("chưa có ngày ban hành")
    elif run.issue_date < run.period_obj.cutoff_date:
        problems.append(
            f"ngày ban hành trước ngày chốt số liệu {dates.short_date(run.period_obj.cutoff_date)}"
        )
    elif run.issue_date > timezone.localdate():
        problems.append("ngày ban hành ở tương lai")
    if not (run.signer_name or run.report_type.signer_name):
        problems.append("chưa có người ký")
    if problems:
        raise ReportError("Chưa ban hành được: " + "; ".join(problems) + ".")
    taken = (
        ReportRun.objects.filter(
            status=RunStatus.ISSUED,
            org_unit=run.org_unit,
            report_type__number_suffix=run.report_type.number_suffix,
            number=run.number,
            issue_date__year=run.issue_date.year if run.issue_date else 0,
        )
        .exclude(pk=run.pk)
        .first()
    )
    if taken:
        year = run.issue_date.year if run.issue_date else ""
        raise ReportError(
            f"Số {run.number:02d}/{run.report_type.number_suffix} năm {year} đã dùng cho {taken}."
        )


@transaction.atomic
def issue_run(run: ReportRun, user: MaybeUser = None) -> ReportRun:
    """Issue a draft: freeze its document, its Word file and the figures it used. A later correction of
    the data then shows as a difference (:func:`figure_differences`), never as a changed report. The PDF
    is produced in the background from the frozen Word file."""
    from baocao.reports import docx, jobs  # the Word frame and the job queue need the models loaded

    run = ReportRun.objects.select_for_update().select_related("report_type", "org_unit").get(pk=run.pk)
    _check_not_issued(run)
    _check_issuable(run)
    built = build_document(run.report_type, run.org_unit, run.period_obj, run)
    run.document = document_to_json(built.document)
    run.figures = built.figures
    run.docx = docx.render_docx(built.document, frame_of(run.report_type))
    run.status = RunStatus.ISSUED
    run.issued_by = acting_user(user)
    run.issued_at = timezone.now()
    run.save()
    jobs.request_pdf(run, user)
    return run


@transaction.atomic
def set_frame(report_type: ReportType, data: bytes | None, file_name: str = "") -> ReportType:
    """Use an edited Word frame for a report type (None: back to the default frame). The frame is
    checked first (a real .docx, valid tags, only known variables, a trial render): TemplateProblems."""
    from baocao.reports import docx

    if data is not None:
        problems = docx.validate_frame(data)
        if problems:
            raise TemplateProblems(problems)
    report_type = ReportType.objects.select_for_update().get(pk=report_type.pk)
    report_type.frame = data
    report_type.frame_name = nfc(file_name)[:255] if data is not None else ""
    report_type.save(update_fields=["frame", "frame_name"])
    return report_type


def unapproved_forms(run: ReportRun) -> list[Any]:
    """The forms of the run's units for its period that are not approved yet (or not sent at all):
    a report should be issued from approved figures, so the page lists them before issuing."""
    from baocao.collection.models import SubmissionStatus
    from baocao.collection.workflow import timeliness

    units = OrgUnit.objects.subtree([run.org_unit])
    done = {SubmissionStatus.APPROVED, SubmissionStatus.LOCKED}
    return [
        row
        for row in timeliness(run.period_obj, units)
        if row.submission is None or row.submission.status not in done
    ]


def frame_of(report_type: ReportType) -> bytes | None:
    """The report type's own Word frame, or None for the default frame."""
    return bytes(report_type.frame) if report_type.frame else None


def run_document(run: ReportRun) -> BuiltReport:
    """What a run shows: as issued (frozen), or a draft built from today's data."""
    if run.is_issued and run.document is not None:
        return BuiltReport(document_from_json(run.document), run.figures)
    return build_document(run.report_type, run.org_unit, run.period_obj, run)


def run_docx(run: ReportRun) -> bytes:
    """The run's Word file: frozen when issued, otherwise rendered now."""
    from baocao.reports import docx

    if run.is_issued and run.docx is not None:
        return bytes(run.docx)
    return docx.render_docx(run_document(run).document, frame_of(run.report_type))


@dataclass(frozen=True)
class FigureDifference:
    key: str
    name: str
    kind_label: str
    field: str
    issued: str | None
    current: str | None


_FIELD_LABELS = {
    "value": "số kỳ này",
    "previous": "số kỳ trước",
    "last_year": "số cùng kỳ",
    "ytd": "lũy kế",
}


def figure_differences(run: ReportRun) -> list[FigureDifference]:
    """For an issued run: the figures it used whose stored data has changed since (to review)."""
    if not run.is_issued:
        return []
    current = build_document(run.report_type, run.org_unit, run.period_obj, run).figures
    differences = []
    for key, issued in run.figures.items():
        now = current.get(key, {})
        for field, label in _FIELD_LABELS.items():
            if issued.get(field) != now.get(field):
                differences.append(
                    FigureDifference(
                        key, issued["name"], issued["kind_label"], label, issued.get(field), now.get(field)
                    )
                )
        for code, value in issued.get("targets", {}).items():
            if value != now.get("targets", {}).get(code):
                differences.append(
                    FigureDifference(
                        key,
                        issued["name"],
                        issued["kind_label"],
                        f"kế hoạch {code}",
                        value,
                        now.get("targets", {}).get(code),
                    )
                )
    return differences


# ------------------------------------------------------------------------------ templates as files (YAML)

_TYPE_FIELDS = (
    "name",
    "period_type",
    "parent_body",
    "issuer",
    "issuer_short",
    "number_suffix",
    "place_name",
    "doc_type_name",
    "summary",
    "authority",
    "signer_titles",
    "signer_name",
    "recipients",
    "pad_counts",
    "percent_decimals",
)
_MULTILINE = {"issuer", "signer_titles", "recipients"}
_REQUIRED = (
    "code",
    "name",
    "period_type",
    "org_unit",
    "issuer",
    "issuer_short",
    "place_name",
    "summary",
    "recipients",
)


def _section_to_data(node: OutlineSection) -> dict[str, Any]:
    data: dict[str, Any] = {"key": node.section.key, "title": node.section.title}
    if node.section.heading_style != HeadingStyle.LINE:
        data["heading_style"] = node.section.heading_style
    if node.section.is_annex:
        data["annex"] = True
    blocks = []
    for block in node.blocks:
        item: dict[str, Any] = {block.kind: block.source if block.kind != BlockKind.CONTRIBUTIONS else True}
        if block.pad_counts is not None:
            item["pad_counts"] = block.pad_counts
        if block.percent_decimals is not None:
            item["percent_decimals"] = block.percent_decimals
        if block.note:
            item["note"] = block.note
        blocks.append(item)
    if blocks:
        data["blocks"] = blocks
    if node.children:
        data["sections"] = [_section_to_data(child) for child in node.children]
    return data


class _LiteralDumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str_representer)


def export_report_types(report_types: Iterable[ReportType]) -> str:
    """Report types, outlines and blocks as YAML (the file :func:`import_report_types` reads)."""
    out = []
    for report_type in report_types:
        data: dict[str, Any] = {"code": report_type.code, "org_unit": report_type.org_unit.code}
        for field in _TYPE_FIELDS:
            value = getattr(report_type, field)
            data[field] = (
                [line for line in value.splitlines() if line.strip()] if field in _MULTILINE else value
            )
        body, annexes = load_outline(report_type)
        data["sections"] = [_section_to_data(node) for node in [*body, *annexes]]
        out.append(data)
    return yaml.dump(
        {"report_types": out}, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=110
    )


def _text(data: Mapping[str, Any], key: str, where: str, problems: list[str], required: bool = False) -> str:
    value = data.get(key, "")
    if isinstance(value, list):
        if not all(isinstance(v, str | int | float) for v in value):
            problems.append(f"{where}: “{key}” phải là chuỗi hoặc danh sách chuỗi.")
            return ""
        value = "\n".join(str(v) for v in value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.append(f"{where}: “{key}” phải là chuỗi.")
        return ""
    value = nfc(str(value)).strip()
    if required and not value:
        problems.append(f"{where}: thiếu “{key}”.")
    return value


@dataclass
class _SectionSpec:
    key: str
    title: str
    heading_style: str
    is_annex: bool
    blocks: list[dict[str, Any]]
    children: list[_SectionSpec]


_BLOCK_KEYS = {"text", "table", "contributions"}
_BLOCK_OPTIONS = {"pad_counts", "percent_decimals", "note"}


def _parse_sections(
    items: Any, where: str, level: int, keys: set[str], problems: list[str], checker: _Checker
) -> list[_SectionSpec]:
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(f"{where}: “sections” phải là danh sách.")
        return []
    specs = []
    for i, item in enumerate(items, start=1):
        at = f"{where} › mục {i}"
        if not isinstance(item, dict):
            problems.append(f"{at}: phải là một bảng khóa–giá trị (key, title, blocks, sections).")
            continue
        unknown = set(item) - {"key", "title", "heading_style", "annex", "blocks", "sections"}
        if unknown:
            problems.append(f"{at}: khóa không hợp lệ {', '.join(sorted(unknown))}.")
        key = _text(item, "key", at, problems, required=True)
        title = _text(item, "title", at, problems, required=True)
        at = f"{where} › mục “{title or key}”"
        if key:
            if key in keys:
                problems.append(f"{at}: mã mục “{key}” bị trùng.")
            keys.add(key)
        if title:
            problems.extend(f"{at}, tiêu đề: {p}" for p in checker.problems(title))
        heading_style = item.get("heading_style", HeadingStyle.LINE)
        if heading_style not in HeadingStyle.values:
            problems.append(f"{at}: heading_style phải là {' hoặc '.join(HeadingStyle.values)}.")
        is_annex = bool(item.get("annex", False))
        if is_annex and level > 1:
            problems.append(f"{at}: phụ lục chỉ đặt ở cấp cao nhất.")
        if level > MAX_LEVEL:
            problems.append(f"{at}: đề mục sâu quá {MAX_LEVEL} cấp.")
        blocks = []
        raw_blocks = item.get("blocks") or []
        if not isinstance(raw_blocks, list):
            problems.append(f"{at}: “blocks” phải là danh sách.")
            raw_blocks = []
        for j, raw in enumerate(raw_blocks, start=1):
            bat = f"{at}, khối {j}"
            if (
                not isinstance(raw, dict)
                or len(set(raw) & _BLOCK_KEYS) != 1
                or set(raw) - _BLOCK_KEYS - _BLOCK_OPTIONS
            ):
                problems.append(
                    f"{bat}: mỗi khối có đúng một trong các khóa text, table, contributions "
                    "(và tùy chọn pad_counts, percent_decimals, note)."
                )
                continue
            kind = next(iter(set(raw) & _BLOCK_KEYS))
            source = "" if kind == BlockKind.CONTRIBUTIONS else _text(raw, kind, bat, problems)
            if kind != BlockKind.CONTRIBUTIONS:
                problems.extend(f"{bat}: {p}" for p in checker.problems(source, kind))
            pad = raw.get("pad_counts")
            decimals = raw.get("percent_decimals")
            if pad is not None and not isinstance(pad, bool):
                problems.append(f"{bat}: pad_counts phải là true hoặc false.")
            if decimals is not None and (
                not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4
            ):
                problems.append(f"{bat}: percent_decimals phải là số nguyên từ 0 đến 4.")
            blocks.append(
                {
                    "kind": kind,
                    "source": source,
                    "pad_counts": pad,
                    "percent_decimals": decimals,
                    "note": _text(raw, "note", bat, problems)[:255],
                }
            )
        children = _parse_sections(item.get("sections"), at, level + 1, keys, problems, checker)
        specs.append(_SectionSpec(key, title, str(heading_style), is_annex, blocks, children))
    return specs


def _save_sections(
    report_type: ReportType, specs: list[_SectionSpec], parent: ReportSection | None, order: list[int]
) -> None:
    for spec in specs:
        order[0] += 10
        section = ReportSection.objects.create(
            report_type=report_type,
            parent=parent,
            key=spec.key,
            title=spec.title,
            heading_style=spec.heading_style,
            is_annex=spec.is_annex,
            sort_order=order[0],
        )
        ReportBlock.objects.bulk_create(
            ReportBlock(section=section, sort_order=(i + 1) * 10, **block)
            for i, block in enumerate(spec.blocks)
        )
        _save_sections(report_type, spec.children, section, order)


def import_report_types(text: str | bytes) -> list[ReportType]:
    """Create or replace report types from YAML (see :func:`export_report_types`). Every block is checked
    first (syntax with line numbers, indicator codes, a trial render); on any problem nothing is written
    and :class:`TemplateProblems` lists them all, each naming the report type, section and block."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TemplateProblems(["Tệp mẫu phải là văn bản UTF-8 (YAML)."]) from None
    try:
        data = yaml.safe_load(nfc(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" ở dòng {mark.line + 1}" if mark is not None else ""
        raise TemplateProblems([f"Tệp mẫu không phải YAML hợp lệ{line}."]) from None
    if not isinstance(data, dict) or not isinstance(data.get("report_types"), list):
        raise TemplateProblems(["Tệp mẫu phải có khóa “report_types” chứa danh sách loại báo cáo."])

    problems: list[str] = []
    parsed = []
    units = {u.code: u for u in OrgUnit.objects.all()}
    checkers: dict[str, _Checker] = {}
    seen_codes: set[str] = set()
    for n, item in enumerate(data["report_types"], start=1):
        where = f"Loại báo cáo {n}"
        if not isinstance(item, dict):
            problems.append(f"{where}: phải là một bảng khóa–giá trị.")
            continue
        unknown = set(item) - {"code", "org_unit", "sections", *_TYPE_FIELDS}
        if unknown:
            problems.append(f"{where}: khóa không hợp lệ {', '.join(sorted(unknown))}.")
        code = _text(item, "code", where, problems, required=True)
        where = f"Loại báo cáo “{code or n}”"
        if code in seen_codes:
            problems.append(f"{where}: mã bị trùng trong tệp.")
        seen_codes.add(code)
        for key in _REQUIRED:
            if key not in item:
                problems.append(f"{where}: thiếu “{key}”.")
        fields: dict[str, Any] = {}
        for key in _TYPE_FIELDS:
            if key in ("pad_counts", "percent_decimals") or key not in item:
                continue
            fields[key] = _text(item, key, where, problems)
        period_type = fields.get("period_type", "month")
        try:
            _period_type(period_type)
        except ReportError as exc:
            problems.append(f"{where}: {exc}")
            period_type = "month"
        if "pad_counts" in item:
            if not isinstance(item["pad_counts"], bool):
                problems.append(f"{where}: pad_counts phải là true hoặc false.")
            fields["pad_counts"] = bool(item["pad_counts"])
        if "percent_decimals" in item:
            value = item["percent_decimals"]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4:
                problems.append(f"{where}: percent_decimals phải là số nguyên từ 0 đến 4.")
            else:
                fields["percent_decimals"] = value
        unit_code = _text(item, "org_unit", where, problems)
        unit = units.get(unit_code)
        if unit_code and unit is None:
            problems.append(f"{where}: không có đơn vị mã “{unit_code}”.")
        checker = checkers.setdefault(period_type, _Checker.create(period_type))
        if fields.get("summary"):
            problems.extend(f"{where}, trích yếu: {p}" for p in checker.problems(fields["summary"]))
        specs = _parse_sections(item.get("sections"), where, 1, set(), problems, checker)
        if not specs:
            problems.append(f"{where}: chưa có mục nào (“sections”).")
        parsed.append((code, unit, fields, specs))
    if problems:
        raise TemplateProblems(problems)

    saved = []
    with transaction.atomic():
        for code, unit, fields, specs in parsed:
            report_type, _ = ReportType.objects.update_or_create(
                code=code, defaults={"org_unit": unit, **fields}
            )
            ReportSection.objects.filter(report_type=report_type).delete()
            _save_sections(report_type, specs, None, [0])
            saved.append(report_type)
    return saved


def import_contributions(
    report_type: ReportType, period: Period | str, text: str, user: MaybeUser = None
) -> int:
    """Replace a period's narrative contributions from YAML: ``{section_key: [{unit: CODE, text: ...}]}``.
    Every text is checked like a block; on any problem nothing is written (TemplateProblems)."""
    try:
        period = Period.parse(period) if isinstance(period, str) else period
    except PeriodError as exc:
        raise TemplateProblems([str(exc)]) from None
    try:
        data = yaml.safe_load(nfc(text))
    except yaml.YAMLError:
        raise TemplateProblems(["Tệp nội dung không phải YAML hợp lệ."]) from None
    if not isinstance(data, dict):
        raise TemplateProblems(["Tệp nội dung phải là bảng: mã mục → danh sách {unit, text}."])
    keys = set(ReportSection.objects.filter(report_type=report_type).values_list("key", flat=True))
    units = {u.code: u for u in OrgUnit.objects.all()}
    checker = _Checker.create(report_type.period_type)
    problems: list[str] = []
    rows = []
    for key, items in data.items():
        where = f"Mục “{key}”"
        if key not in keys:
            problems.append(f"{where}: loại báo cáo “{report_type.code}” không có mục này.")
            continue
        if not isinstance(items, list):
            problems.append(f"{where}: phải là danh sách {{unit, text}}.")
            continue
        for i, item in enumerate(items, start=1):
            at = f"{where}, nội dung {i}"
            if not isinstance(item, dict) or set(item) != {"unit", "text"}:
                problems.append(f"{at}: cần đúng hai khóa unit và text.")
                continue
            unit = units.get(str(item["unit"]))
            if unit is None:
                problems.append(f"{at}: không có đơn vị mã “{item['unit']}”.")
            body = _text(item, "text", at, problems, required=True)
            problems.extend(f"{at}: {p}" for p in checker.problems(body))
            rows.append(
                Contribution(
                    report_type=report_type,
                    section_key=key,
                    org_unit=unit,
                    period=period.id,
                    text=body,
                    sort_order=i * 10,
                    updated_by=acting_user(user),
                )
            )
    if problems:
        raise TemplateProblems(problems)
    with transaction.atomic():
        Contribution.objects.filter(report_type=report_type, period=period.id).delete()
        Contribution.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def save_contributions(
    org_unit: OrgUnit, period: Period, texts: Mapping[ReportSection, str], user: MaybeUser = None
) -> int:
    """Save a unit's narrative for report sections in a period (empty text removes it). Each text is
    checked like a block (data fields must exist and render); on any problem nothing is saved."""
    from baocao.accounts.permissions import Action, require

    require(user, Action.ENTER, org_unit)
    checkers: dict[str, _Checker] = {}
    problems: list[str] = []
    for section, text in texts.items():
        checker = checkers.setdefault(
            section.report_type.period_type, _Checker.create(section.report_type.period_type)
        )
        problems.extend(f"Mục “{section.title}”: {p}" for p in checker.problems(nfc(text)))
    if problems:
        raise TemplateProblems(problems)
    for section, text in texts.items():
        text = nfc(text).strip()
        existing = Contribution.objects.filter(
            report_type=section.report_type, section_key=section.key, org_unit=org_unit, period=period.id
        )
        if not text:
            existing.delete()
        elif not existing.update(text=text, updated_by=acting_user(user), updated_at=timezone.now()):
            Contribution.objects.create(
                report_type=section.report_type,
                section_key=section.key,
                org_unit=org_unit,
                period=period.id,
                text=text,
                sort_order=org_unit.sort_order,
                updated_by=acting_user(user),
            )
    return len(texts)
