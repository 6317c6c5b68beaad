"""The units' narrative for report sections (contributions): a whole period imported from YAML (a unit's
own edits go through :mod:`baocao.reports.narrative`). Every text is checked like a template block and
every unit must be assigned to its section; on any problem nothing is saved. Changes are audited."""

from __future__ import annotations

from collections.abc import Iterable

import yaml
from django.db import transaction

from baocao.accounts.permissions import Action, require_actor
from baocao.collection.models import ChangeSource
from baocao.core import safeyaml
from baocao.core.periods import Period, PeriodError
from baocao.core.text import nfc
from baocao.core.users import MaybeUser, acting_user
from baocao.orgunits.models import OrgUnit
from baocao.reports.checks import BlockChecker
from baocao.reports.errors import TemplateProblems
from baocao.reports.models import Contribution, ReportSection, ReportType, SectionAssignment
from baocao.reports.narrative import joined_text, record_change
from baocao.reports.template_files import text_field

__all__ = ["import_contributions"]  # a unit's own edits: baocao.reports.narrative.save_narrative


def import_contributions(
    report_type: ReportType, period: Period | str, text: str, user: MaybeUser = None
) -> int:
    """Replace a period's narrative contributions from YAML: ``{section_key: [{unit: CODE, text: ...}]}``.
    Every text is checked like a block; on any problem nothing is written (TemplateProblems). It replaces
    every unit's narrative, so the user needs MANAGE for the report type's unit (None: the system)."""
    require_actor(user, Action.MANAGE, report_type.org_unit)
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
    assigned: dict[str, set[int]] = {}
    for key, unit_id in SectionAssignment.objects.filter(report_type=report_type).values_list(
        "section_key", "org_unit_id"
    ):
        assigned.setdefault(key, set()).add(unit_id)
    units = {u.code: u for u in OrgUnit.objects.all()}
    # trial renders also with the report's real figures of the period (and without data)
    checker = BlockChecker.create(report_type.period_type, org_unit=report_type.org_unit, period=period)
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
            elif unit.pk not in assigned.get(key, set()):
                problems.append(f"{at}: mục này không giao cho {unit.name} viết (xem “units” của mục).")
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
        old = _texts(
            Contribution.objects.filter(report_type=report_type, period=period.id).select_related("org_unit")
        )
        Contribution.objects.filter(report_type=report_type, period=period.id).delete()
        Contribution.objects.bulk_create(rows)
        new = _texts(rows)
        for key, unit in sorted(set(old) | set(new), key=lambda pair: (pair[0], pair[1].sort_order)):
            before, after = old.get((key, unit), ""), new.get((key, unit), "")
            record_change(report_type, key, unit, period, before, after, user, ChangeSource.COMMAND)
    return len(rows)


def _texts(contributions: Iterable[Contribution]) -> dict[tuple[str, OrgUnit], str]:
    """(section key, unit) → the unit's whole text for the section, for the audit trail."""
    groups: dict[tuple[str, OrgUnit], list[Contribution]] = {}
    for c in sorted(contributions, key=lambda c: (c.sort_order, c.pk or 0)):
        groups.setdefault((c.section_key, c.org_unit), []).append(c)
    return {pair: joined_text(group) for pair, group in groups.items()}
