"""A report type's outline as a tree, numbered the way Vietnamese reports number their parts:
I., II. (level 1), 1., 2. (level 2), 2.1., 2.2. (level 3); appendices "Phụ lục" (or "Phụ lục I", "II")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from baocao.reports.models import ReportBlock, ReportSection, ReportType

__all__ = ["MAX_LEVEL", "OutlineSection", "load_outline", "roman"]

MAX_LEVEL = 3
_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


@dataclass
class OutlineSection:
    section: ReportSection
    level: int
    number: str  # "I.", "1.", "2.1.", or "Phụ lục I" for an appendix
    blocks: list[ReportBlock] = field(default_factory=list)
    children: list[OutlineSection] = field(default_factory=list)

    @property
    def location(self) -> str:
        """How messages name the section: "Mục I.1 “Kinh tế”" / "Phụ lục “…”"."""
        if self.section.is_annex:
            return f"{self.number} “{self.section.title}”"
        return f"Mục {self.path} “{self.section.title}”"

    path: str = ""  # "I.1", "I.2.1": the full position, for messages

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def load_outline(report_type: ReportType) -> tuple[list[OutlineSection], list[OutlineSection]]:
    """The body sections and the appendices of a report type, with their blocks (two queries)."""
    sections = list(ReportSection.objects.filter(report_type=report_type).order_by("sort_order", "pk"))
    blocks: dict[int, list[ReportBlock]] = defaultdict(list)
    for block in ReportBlock.objects.filter(section__report_type=report_type).order_by("sort_order", "pk"):
        blocks[block.section_id].append(block)
    children: dict[int | None, list[ReportSection]] = defaultdict(list)
    for section in sections:
        children[section.parent_id].append(section)

    def build(section: ReportSection, level: int, number: str, path: str) -> OutlineSection:
        node = OutlineSection(section, level, number, blocks[section.pk], path=path)
        for i, child in enumerate(children[section.pk], start=1):
            child_number = f"{i}." if level == 1 else f"{number}{i}."
            node.children.append(build(child, level + 1, child_number, f"{path}.{i}"))
        return node

    top = children[None]
    body = [s for s in top if not s.is_annex]
    annexes = [s for s in top if s.is_annex]
    body_nodes = [build(s, 1, f"{roman(i)}.", roman(i)) for i, s in enumerate(body, start=1)]
    annex_nodes = [
        build(s, 1, "Phụ lục" if len(annexes) == 1 else f"Phụ lục {roman(i)}", f"PL{i}")
        for i, s in enumerate(annexes, start=1)
    ]
    return body_nodes, annex_nodes
