"""The June 2020 demo tasks (``baocao/demo/data/tasks-202006.yaml``), loaded through the services.

Idempotent: tasks are keyed by their code and skipped when present. Each unit with tasks gets its demo
users ("<slug>.canbo", "<slug>.truong"); the office's clerk assigns, the unit's staff reports.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import User

from baocao.assignments import services
from baocao.assignments.models import Directive, ReviewName, Task
from baocao.demo.users import demo_unit_users, load_users
from baocao.orgunits.models import OrgUnit


def _day(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def load_demo_tasks(path: Path) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={t["unit"] for t in data["tasks"]})}
    load_users([spec for unit in units.values() for spec in demo_unit_users(unit.code, unit.name)])
    for code, name in data.get("review_names", {}).items():
        ReviewName.objects.update_or_create(org_unit=OrgUnit.objects.get(code=code), defaults={"name": name})
    admin = User.objects.get(username="admin")
    directives: dict[str, Directive] = {}
    for item in data["directives"]:
        fields = {k: v for k, v in item.items() if k != "key"}
        directives[item["key"]] = services.create_directive(
            admin, **{**fields, "issued_on": _day(item["issued_on"])}
        )
    created = 0
    for item in data["tasks"]:
        if Task.objects.filter(code=item["code"]).exists():
            continue
        unit = units[item["unit"]]
        task = services.create_task(
            admin,
            code=item["code"],
            directive=directives[item["directive"]],
            content=item["content"],
            lead_unit=unit,
            cooperating_units=item.get("cooperating", []),
            assigned_on=_day(item["assigned"]),
            deadline=_day(item["deadline"]) if "deadline" in item else None,
            monthly_day=item.get("monthly_day"),
            recurs_until=_day(item["until"]) if "until" in item else None,
            is_advisory=bool(item.get("advisory")),
        )
        staff = User.objects.get(username=demo_unit_users(unit.code, unit.name)[0]["username"])
        for extension in item.get("extensions", []):
            services.extend_deadline(
                admin,
                task,
                new_deadline=_day(extension["new_deadline"]),
                approved_on=_day(extension["approved_on"]),
                approver=User.objects.get(username=extension["approver"]),
                reason=extension["reason"],
            )
        for progress in item.get("progress", []):
            services.report_progress(
                staff,
                task,
                text=progress["text"],
                reported_on=_day(progress["date"]),
                document_ref=progress["ref"],
            )
        done = item.get("completed")
        pairs = done.items() if isinstance(done, dict) else [(None, done)] if done else []
        for occurrence, completed_on in pairs:
            services.report_completion(
                staff,
                task,
                completed_on=_day(completed_on),
                occurrence=_day(occurrence) if occurrence else None,
            )
        created += 1
    return created
