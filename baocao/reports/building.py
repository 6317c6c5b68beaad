"""The document of a report built from today's figures and the units' narrative: every section of the
report type's outline rendered block by block (text, table, contributions), with the Decree 30 frame's
header and signature lines. Pure reading: nothing here changes state."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from baocao.analytics.figures import get_figures
from baocao.core import dates
from baocao.core.periods import Period
from baocao.core.text import nfc
from baocao.orgunits.models import OrgUnit
from baocao.reports.charts import ChartError, chart_item
from baocao.reports.document import (
    Annex,
    BodyItem,
    Heading,
    Paragraph,
    ReportDocument,
    Run,
    Table,
    failed_block,
)
from baocao.reports.editions import header_for
from baocao.reports.errors import ReportError
from baocao.reports.markup import parse_runs
from baocao.reports.models import BlockKind, Contribution, HeadingStyle, ReportBlock, ReportRun, ReportType
from baocao.reports.outline import OutlineSection, load_outline
from baocao.reports.providers import provided_context
from baocao.reports.rendering import (
    OPTIONS_KEY,
    BlockOptions,
    RenderError,
    render_block,
    report_context,
    report_deadline,
    used_figures,
)

__all__ = ["BuiltReport", "build_document", "parse_paragraphs", "parse_table"]


@dataclass(frozen=True)
class BuiltReport:
    document: ReportDocument
    figures: dict[str, dict[str, Any]]


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in nfc(text).splitlines() if line.strip())


def parse_table(output: str) -> Table:
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


def parse_paragraphs(output: str) -> list[Paragraph]:
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
        self.org_unit = org_unit
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
        # Blocks that could not be made ("where: why"): marked in place, listed, and issuing refused.
        self.failures: list[str] = []
        self.deadline = report_deadline()  # all the blocks together, not only each on its own

    def guarded(self, where: str, build: Callable[[], list[BodyItem]]) -> list[BodyItem]:
        """The block's items, or the "[chưa lập được: ...]" mark when it fails: one block never breaks
        the whole report."""
        try:
            return build()
        except ReportError as exc:
            self.failures.append(str(exc))
            return [failed_block(str(exc).removeprefix(f"{where}: "))]

    def text(self, source: str, where: str) -> str:
        """A title or the trích yếu; when it fails, the mark in its place (and the failure listed)."""
        try:
            return self.render(source, where)
        except ReportError as exc:
            self.failures.append(str(exc))
            return f"[chưa lập được: {str(exc).removeprefix(f'{where}: ')}]"

    def render(self, source: str, where: str, options: BlockOptions | None = None) -> str:
        self.context[OPTIONS_KEY] = options or self.default_options
        try:
            return render_block(source, self.context, self.deadline)
        except RenderError as exc:
            raise ReportError(f"{where}: {exc}") from None

    def paragraphs(self, output: str, where: str) -> list[Paragraph]:
        try:
            return parse_paragraphs(output)
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
                items.extend(self.guarded(at, partial(self.narrative, contribution.text, at, options)))
            return items
        return self.guarded(where, lambda: self.block_body(block, where, options))

    def narrative(self, text: str, where: str, options: BlockOptions) -> list[BodyItem]:
        return list(self.paragraphs(self.render(text, where, options), where))

    def block_body(self, block: ReportBlock, where: str, options: BlockOptions) -> list[BodyItem]:
        if block.kind == BlockKind.CHART:  # settings, not a template: drawn by reports.charts
            try:
                return [chart_item(block.source, self.org_unit, self.period, self.deadline)]
            except ChartError as exc:
                raise ReportError(f"{where}: {exc}") from None
        if block.kind == BlockKind.EXPLANATIONS:  # the units' answers (assignments.explanations provider)
            return [
                Paragraph(
                    (Run(f"{x['don_vi']} (chỉ tiêu {x['chi_tieu']}): ", italic=True), Run(x["noi_dung"]))
                )
                for x in self.context.get("giai_trinh", [])
            ]
        output = self.render(block.source, where, options)
        if block.kind == BlockKind.TABLE:
            try:
                return [parse_table(output)]
            except RenderError as exc:
                raise ReportError(f"{where}: {exc}") from None
        return list(self.paragraphs(output, where))

    def section_items(self, node: OutlineSection) -> list[BodyItem]:
        title = self.text(node.section.title, f"{node.location}, tiêu đề")
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

    A block that cannot be rendered is marked in place and listed in ``document.failed_blocks`` (naming
    the section and block); :class:`ReportError` only when the report type itself is unusable."""
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
    header = header_for(report_type, period)  # the edition in force on the cut-off date (reports.editions)
    draft_day = issue_date or period.cutoff_date
    place_date = dates.decree30_date(draft_day, header.place_name, blank_day=issue_date is None)
    date_words = dates.decree30_date(draft_day, blank_day=issue_date is None)
    attached_to = (
        f"(Kèm theo Báo cáo số {number_line.removeprefix('Số: ')} {date_words} của {header.issuer_short})"
    )
    annexes = tuple(
        Annex(
            label=node.number,
            title=" ".join(builder.text(node.section.title, f"{node.location}, tiêu đề").split()).upper(),
            attached_to=attached_to,
            items=tuple(builder.section_items(node)),
        )
        for node in annex_nodes
    )
    summary = _lines(builder.text(report_type.summary, "Trích yếu"))
    document = ReportDocument(
        parent_body=header.parent_body.upper(),
        issuer=_lines(header.issuer.upper()),
        number_line=number_line,
        place_date=place_date,
        doc_type=report_type.doc_type_name.upper(),
        summary=summary,
        body=tuple(_with_ending(body)),
        recipients=_lines(run.recipients if run and run.recipients else header.recipients),
        authority=header.authority.upper(),
        signer_titles=_lines(
            (run.signer_titles if run and run.signer_titles else header.signer_titles).upper()
        ),
        signer_name=(run.signer_name if run and run.signer_name else header.signer_name),
        annexes=annexes,
        failed_blocks=tuple(builder.failures),
    )
    return BuiltReport(document, used_figures(builder.context))
