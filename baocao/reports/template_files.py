"""Report templates as files: report types, their outline and blocks exported to YAML and imported back.
An import checks every block first (syntax with line numbers, indicator codes, a trial render); on any
problem nothing is written and :class:`TemplateProblems` lists them all, each naming its place."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied
from django.db import transaction

from baocao.accounts.permissions import Action, require_actor, units_for
from baocao.core import safeyaml
from baocao.core.text import nfc
from baocao.core.users import MaybeUser
from baocao.orgunits.models import OrgUnit
from baocao.reports.checks import BlockChecker, parse_period_type
from baocao.reports.editions import editions_data, parse_editions, replace_editions
from baocao.reports.errors import ReportError, TemplateProblems
from baocao.reports.models import (
    SIGNING_DIGITAL,
    SIGNING_OPTIONAL,
    BlockKind,
    HeadingStyle,
    ReportBlock,
    ReportSection,
    ReportType,
)
from baocao.reports.narrative import add_units_to_sections, parse_assignments, replace_assignments
from baocao.reports.outline import MAX_LEVEL, OutlineSection, load_outline

__all__ = ["export_report_types", "import_report_types", "report_type_data", "text_field"]


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


def report_type_data(report_type: ReportType) -> dict[str, Any]:
    """One report type as the plain data of its YAML entry (the locality bundle compares these)."""
    data: dict[str, Any] = {"code": report_type.code, "org_unit": report_type.org_unit.code}
    for field in _TYPE_FIELDS:
        value = getattr(report_type, field)
        data[field] = [line for line in value.splitlines() if line.strip()] if field in _MULTILINE else value
    body, annexes = load_outline(report_type)
    data["sections"] = [_section_to_data(node) for node in [*body, *annexes]]
    add_units_to_sections(report_type, data["sections"])  # who writes each section (narrative)
    if report_type.signing != SIGNING_OPTIONAL:  # ký số required (reports.issuing); the default is omitted
        data["signing"] = report_type.signing
    if report_type.annex_attachment:  # the annex as a separately signed attachment
        data["annex_attachment"] = True
    if editions := editions_data(report_type):  # the dated headers (reports.editions), when there are
        data["editions"] = editions
    return data


_SIGNING_KEYS = ("signing", "annex_attachment")


def _signing_fields(item: Mapping[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """``signing`` (optional | digital) and ``annex_attachment`` (true | false) of a report type in YAML;
    absent keys give the defaults, so a file replaces them like every other field (reports.issuing)."""
    signing = item.get("signing", SIGNING_OPTIONAL)
    if signing not in (SIGNING_OPTIONAL, SIGNING_DIGITAL):
        problems.append(f"{where}: signing phải là {SIGNING_OPTIONAL} hoặc {SIGNING_DIGITAL}.")
        signing = SIGNING_OPTIONAL
    annex = item.get("annex_attachment", False)
    if not isinstance(annex, bool):
        problems.append(f"{where}: annex_attachment phải là true hoặc false.")
        annex = False
    return {"signing": signing, "annex_attachment": annex}


def export_report_types(report_types: Iterable[ReportType]) -> str:
    """Report types, outlines and blocks as YAML (the file :func:`import_report_types` reads)."""
    out = [report_type_data(report_type) for report_type in report_types]
    return yaml.dump(
        {"report_types": out}, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False, width=110
    )


def text_field(
    data: Mapping[str, Any], key: str, where: str, problems: list[str], required: bool = False
) -> str:
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


_BLOCK_KEYS = {"text", "table", "contributions", "chart"}
_BLOCK_OPTIONS = {"pad_counts", "percent_decimals", "note"}


def _parse_sections(
    items: Any, where: str, level: int, keys: set[str], problems: list[str], checker: BlockChecker
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
        unknown = set(item) - {"key", "title", "units", "heading_style", "annex", "blocks", "sections"}
        if unknown:
            problems.append(f"{at}: khóa không hợp lệ {', '.join(sorted(unknown))}.")
        key = text_field(item, "key", at, problems, required=True)
        title = text_field(item, "title", at, problems, required=True)
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
                    f"{bat}: mỗi khối có đúng một trong các khóa text, table, contributions, chart "
                    "(và tùy chọn pad_counts, percent_decimals, note)."
                )
                continue
            kind = next(iter(set(raw) & _BLOCK_KEYS))
            source = "" if kind == BlockKind.CONTRIBUTIONS else text_field(raw, kind, bat, problems)
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
                    "note": text_field(raw, "note", bat, problems)[:255],
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


def import_report_types(text: str | bytes, user: MaybeUser = None) -> list[ReportType]:
    """Create or replace report types from YAML (see :func:`export_report_types`). Every block is checked
    first (syntax with line numbers, indicator codes, a trial render); on any problem nothing is written
    and :class:`TemplateProblems` lists them all, each naming the report type, section and block.

    The user needs MANAGE for the unit of every report type in the file and of every one it replaces
    (PermissionDenied; ``user`` None is the system: commands, the demo loader)."""
    if user is not None and not units_for(user, Action.MANAGE).exists():
        raise PermissionDenied("Bạn không có quyền quản trị mẫu báo cáo.")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TemplateProblems(["Tệp mẫu phải là văn bản UTF-8 (YAML)."]) from None
    try:
        data = safeyaml.load(nfc(text))
    except safeyaml.YamlRejected as exc:  # an alias bomb, too deep, too large: say which
        raise TemplateProblems([f"Tệp mẫu bị từ chối: {exc}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" ở dòng {mark.line + 1}" if mark is not None else ""
        raise TemplateProblems([f"Tệp mẫu không phải YAML hợp lệ{line}."]) from None
    if not isinstance(data, dict) or not isinstance(data.get("report_types"), list):
        raise TemplateProblems(["Tệp mẫu phải có khóa “report_types” chứa danh sách loại báo cáo."])

    problems: list[str] = []
    parsed = []
    units = {u.code: u for u in OrgUnit.objects.all()}
    checkers: dict[str, BlockChecker] = {}
    seen_codes: set[str] = set()
    editions: dict[str, list[dict[str, Any]]] = {}
    for n, item in enumerate(data["report_types"], start=1):
        where = f"Loại báo cáo {n}"
        if not isinstance(item, dict):
            problems.append(f"{where}: phải là một bảng khóa–giá trị.")
            continue
        unknown = set(item) - {"code", "org_unit", "sections", "editions", *_SIGNING_KEYS, *_TYPE_FIELDS}
        if unknown:
            problems.append(f"{where}: khóa không hợp lệ {', '.join(sorted(unknown))}.")
        code = text_field(item, "code", where, problems, required=True)
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
            fields[key] = text_field(item, key, where, problems)
        period_type = fields.get("period_type", "month")
        try:
            parse_period_type(period_type)
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
        fields.update(_signing_fields(item, where, problems))
        unit_code = text_field(item, "org_unit", where, problems)
        unit = units.get(unit_code)
        if unit_code and unit is None:
            problems.append(f"{where}: không có đơn vị mã “{unit_code}”.")
        key = f"{period_type}|{unit_code}"
        if key not in checkers:  # trial renders also with the unit's real figures (and without data)
            checkers[key] = BlockChecker.create(period_type, org_unit=unit)
        checker = checkers[key]
        if fields.get("summary"):
            problems.extend(f"{where}, trích yếu: {p}" for p in checker.problems(fields["summary"]))
        specs = _parse_sections(item.get("sections"), where, 1, set(), problems, checker)
        if not specs:
            problems.append(f"{where}: chưa có mục nào (“sections”).")
        assignments = parse_assignments(item.get("sections"), where, units, problems)
        editions[code] = parse_editions(item.get("editions"), where, problems)
        parsed.append((code, unit, fields, specs, assignments))
    if problems:
        raise TemplateProblems(problems)
    replaced = ReportType.objects.filter(code__in=[entry[0] for entry in parsed]).select_related("org_unit")
    owners = {entry[1] for entry in parsed if entry[1] is not None} | {t.org_unit for t in replaced}
    require_actor(user, Action.MANAGE, owners)

    saved = []
    with transaction.atomic():
        for code, unit, fields, specs, assignments in parsed:
            report_type, _ = ReportType.objects.update_or_create(
                code=code, defaults={"org_unit": unit, **fields}
            )
            ReportSection.objects.filter(report_type=report_type).delete()
            _save_sections(report_type, specs, None, [0])
            replace_assignments(report_type, assignments)
            replace_editions(report_type, editions.get(code, []))
            saved.append(report_type)
    return saved
