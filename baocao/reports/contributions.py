"""The units' narrative for report sections (contributions): saved by a unit for a period, or a whole
period imported from YAML. Every text is checked like a template block; on any problem nothing is saved."""

from __future__ import annotations

from collections.abc import Mapping

import yaml
from django.db import transaction
from django.utils import timezone

from baocao.accounts.permissions import Action, require
from baocao.core import safeyaml
from baocao.core.periods import Period, PeriodError
from baocao.core.text import nfc
from baocao.core.users import MaybeUser, acting_user
from baocao.orgunits.models import OrgUnit
from baocao.reports.checks import BlockChecker
from baocao.reports.errors import TemplateProblems
from baocao.reports.models import Contribution, ReportSection, ReportType
from baocao.reports.template_files import text_field

__all__ = ["import_contributions", "save_contributions"]


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
        data = safeyaml.load(nfc(text))
    except yaml.YAMLError:
        raise TemplateProblems(["Tệp nội dung không phải YAML hợp lệ."]) from None
    if not isinstance(data, dict):
        raise TemplateProblems(["Tệp nội dung phải là bảng: mã mục → danh sách {unit, text}."])
    keys = set(ReportSection.objects.filter(report_type=report_type).values_list("key", flat=True))
    units = {u.code: u for u in OrgUnit.objects.all()}
    checker = BlockChecker.create(report_type.period_type)
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
            body = text_field(item, "text", at, problems, required=True)
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
    require(user, Action.ENTER, org_unit)
    checkers: dict[str, BlockChecker] = {}
    problems: list[str] = []
    for section, text in texts.items():
        checker = checkers.setdefault(
            section.report_type.period_type, BlockChecker.create(section.report_type.period_type)
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
