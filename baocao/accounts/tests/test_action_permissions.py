"""Permission is decided in the action: every state change, called directly (no page, no API, no admin),
refuses a user who lacks the right with PermissionDenied — and lets through one who holds it.

ACTIONS lists every action of the project explicitly: what it is called with, the user who lacks the right
and the one who holds it, in a small world of our own (a city with a police and a tax agency). The
meta-check at the end reads the public functions of every action module and fails when one is in none of
the tables, so a new state change cannot be added without saying here who may do it.

``actor=None`` is the system (manage.py commands, the demo loader) and is trusted; an anonymous user is a
user and is refused like any other.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

import baocao
from baocao.accounts.models import Role, RoleAssignment
from baocao.analytics import cards
from baocao.assignments import excel as task_excel
from baocao.assignments import services as tasks
from baocao.assignments.models import Completion, Task
from baocao.collection import entry, values, workflow
from baocao.collection import excel as value_excel
from baocao.collection.entry import EntryInput
from baocao.collection.models import ChangeSource, Submission
from baocao.core.periods import Period
from baocao.indicators import services as targets
from baocao.indicators.models import DataSet, DataSetIndicator
from baocao.reports import contributions, issuing, narrative, runs, template_files, withdrawal, word_frames
from baocao.reports.models import (
    BlockKind,
    Contribution,
    ReportBlock,
    ReportRun,
    ReportSection,
    ReportType,
    SectionAssignment,
)
from baocao.signing.keys import SignerSource

PERIOD = Period.parse("202006")
DAY = datetime.date(2020, 6, 10)


@dataclass
class W:
    """The objects and users the actions are called on."""

    city: Any
    police: Any
    users: dict[str, User]
    indicator: Any
    data_set: DataSet
    member: DataSetIndicator
    submission: Submission
    report_type: ReportType
    section: ReportSection
    run: ReportRun
    task: Task
    completion: Completion


def _user(name: str, role: Role, unit: Any) -> User:
    user = User.objects.create_user(name, password="x")
    RoleAssignment.objects.create(user=user, role=role, org_unit=unit, valid_from=datetime.date(2000, 1, 1))
    return user


@pytest.fixture
def w(world) -> W:
    users = {
        "staff": _user("staff", Role.UNIT_STAFF, world.police),  # view, enter: the police
        "head": _user("head", Role.UNIT_HEAD, world.police),  # ... and submit
        "office": _user("office", Role.OFFICE, world.city),  # view, return, accept, lock, compile, assign
        "leader": _user("leader", Role.LEADER, world.city),  # view, approve, reopen, lock, issue, assign
        "admin": _user("admin", Role.ADMIN, world.city),  # everything in the city
        "police_admin": _user("police_admin", Role.ADMIN, world.police),  # everything, in the police only
        "superuser": User.objects.create_superuser("superuser", password="x"),
    }
    indicator = world.indicator("HS_VU", responsible_unit=world.police)
    data_set = DataSet.objects.create(code="BM_CA", name="Biểu Công an", period_type="month")
    data_set.org_units.set([world.police])
    member = DataSetIndicator.objects.create(
        data_set=data_set, indicator=indicator, kind="actual", sort_order=10
    )
    report_type = ReportType.objects.create(
        code="KTXH",
        name="Báo cáo tháng",
        period_type="month",
        org_unit=world.city,
        issuer="UBND THÀNH PHỐ THỬ",
        issuer_short="UBND thành phố",
        place_name="Thử",
        summary="Tình hình tháng",
        recipients="Lưu: VT",
    )
    section = ReportSection.objects.create(
        report_type=report_type, key="an-ninh", title="An ninh", sort_order=10
    )
    ReportBlock.objects.create(section=section, kind=BlockKind.CONTRIBUTIONS, sort_order=10)
    SectionAssignment.objects.create(report_type=report_type, section_key=section.key, org_unit=world.police)
    values.write_value(None, indicator=indicator, org_unit=world.police, period=PERIOD, value="2")  # system
    run = ReportRun.objects.create(report_type=report_type, org_unit=world.city, period=PERIOD.id)
    task = tasks.create_task(
        users["office"], content="Báo cáo an ninh", lead_unit=world.police, assigned_on=DAY, deadline=DAY
    )
    completion = tasks.report_completion(users["staff"], task, completed_on=DAY)
    return W(
        world.city,
        world.police,
        users,
        indicator,
        data_set,
        member,
        workflow.get_submission(data_set, world.police, PERIOD),
        report_type,
        section,
        run,
        task,
        completion,
    )


def _csv(w: W) -> str:
    return f"indicator,org_unit,period,kind,value\n{w.indicator.code},{w.police.code},{PERIOD.id},actual,3\n"


def _target_record(w: W) -> dict[str, str]:
    return {
        "indicator": w.indicator.code,
        "org_unit": w.police.code,
        "period": "2020",
        "target_type": "DT_NAM",
        "value": "5",
    }


def _record(w: W) -> dict[str, str]:
    return {"indicator": w.indicator.code, "org_unit": w.police.code, "period": PERIOD.id, "value": "3"}


def _tasks_xlsx(w: W) -> bytes:
    book = load_workbook(io.BytesIO(task_excel.template_xlsx()))
    sheet = book.worksheets[0]
    fields = {
        "content": "Rà soát hộ kinh doanh",
        "lead_unit": w.police.code,
        "assigned_on": DAY,
        "deadline": DAY,
    }
    sheet.append([fields.get(field) for field in task_excel.COLUMNS.values()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


Call = Callable[[Any, W], object]

# name: (the call, who lacks the right, who holds it). Rights: accounts.permissions.ROLE_ACTIONS.
ACTIONS: dict[str, tuple[Call, str, str]] = {
    # values (ENTER for every unit written to)
    "collection.values.write_values": (
        lambda a, w: values.write_values(a, [(2, _record(w))], source=ChangeSource.API),
        "office",
        "staff",
    ),
    "collection.values.write_value": (
        lambda a, w: values.write_value(
            a, indicator=w.indicator, org_unit=w.police, period=PERIOD, value="3"
        ),
        "office",
        "staff",
    ),
    "collection.values.import_values_csv": (
        lambda a, w: values.import_values_csv(_csv(w), user=a),
        "office",
        "staff",
    ),
    "collection.entry.save_entry": (
        lambda a, w: entry.save_entry(w.submission, a, [EntryInput(w.member.pk, "3")]),
        "office",
        "staff",
    ),
    "collection.excel.import_form": (
        lambda a, w: value_excel.import_form(
            value_excel.export_form(w.data_set, w.police, PERIOD), w.data_set, w.police, PERIOD, a, False
        ),
        "office",
        "staff",
    ),
    # the workflow of a data set (each step its own right)
    "collection.workflow.transition": (
        lambda a, w: workflow.transition(w.submission, "submit", a),
        "staff",
        "head",
    ),
    # the office's bulk acceptance (the permission of every form asked is decided first)
    "collection.workflow.bulk_transition": (
        lambda a, w: workflow.bulk_transition([w.submission.pk], "accept", a),
        "staff",
        "office",
    ),
    # report runs
    "reports.runs.get_or_create_run": (
        lambda a, w: runs.get_or_create_run(w.report_type, w.city, PERIOD, a),
        "staff",
        "office",
    ),
    "reports.runs.update_run": (
        lambda a, w: runs.update_run(
            w.run, number=7, issue_date=None, signer_name="", signer_titles="", recipients="", user=a
        ),
        "leader",
        "office",
    ),
    "reports.runs.issue_run": (lambda a, w: runs.issue_run(w.run, a), "office", "leader"),
    "reports.runs.ready_to_issue": (lambda a, w: runs.ready_to_issue(w.run, a), "office", "leader"),
    "reports.issuing.sign_and_issue": (
        lambda a, w: issuing.sign_and_issue(a, w.run, SignerSource.pkcs12("khong-co.p12", "x")),
        "office",
        "leader",
    ),
    "reports.runs.request_pdf": (lambda a, w: runs.request_pdf(w.run, a), "staff", "office"),
    # templates: the Word frame, the YAML of report types, a period's narrative imported whole
    "reports.word_frames.set_frame": (
        lambda a, w: word_frames.set_frame(w.report_type, None, user=a),
        "office",
        "admin",
    ),
    "reports.template_files.import_report_types": (
        lambda a, w: template_files.import_report_types(
            template_files.export_report_types([w.report_type]), a
        ),
        "police_admin",  # manages the police, not the city whose report type the file replaces
        "admin",
    ),
    "reports.contributions.import_contributions": (
        lambda a, w: contributions.import_contributions(w.report_type, PERIOD, "{}", a),
        "office",
        "admin",
    ),
    "reports.narrative.save_narrative": (
        lambda a, w: narrative.save_narrative(w.police, PERIOD, {w.section: "An ninh ổn định."}, a),
        "leader",  # neither the unit's writer nor the office
        "staff",
    ),
    "reports.withdrawal.withdraw_run": (
        lambda a, w: withdrawal.withdraw_run(w.run, "Ban hành nhầm", a),
        "admin",  # the administrator role is not enough: only a superuser withdraws an issued report
        "superuser",
    ),
    # tasks
    "assignments.services.create_directive": (
        lambda a, w: tasks.create_directive(
            a, number="1/KH-UBND", issued_on=DAY, issuer="UBND thành phố", summary="Kế hoạch"
        ),
        "staff",
        "office",
    ),
    "assignments.services.create_task": (
        lambda a, w: tasks.create_task(
            a, content="Việc mới", lead_unit=w.police, assigned_on=DAY, deadline=DAY
        ),
        "staff",
        "leader",
    ),
    "assignments.services.extend_deadline": (
        lambda a, w: tasks.extend_deadline(
            a, w.task, new_deadline=DAY + datetime.timedelta(days=5), approved_on=DAY, reason="Chờ số liệu"
        ),
        "staff",
        "office",
    ),
    "assignments.services.report_progress": (
        lambda a, w: tasks.report_progress(a, w.task, text="Đang làm", reported_on=DAY),
        "office",
        "staff",
    ),
    "assignments.services.report_completion": (
        lambda a, w: tasks.report_completion(a, w.task, completed_on=DAY),
        "office",
        "staff",
    ),
    "assignments.services.return_completion": (
        lambda a, w: tasks.return_completion(a, w.completion, reason="Thiếu văn bản"),
        "staff",
        "office",
    ),
    "assignments.excel.import_tasks_xlsx": (
        lambda a, w: task_excel.import_tasks_xlsx(a, _tasks_xlsx(w)),
        "staff",
        "office",
    ),
    # targets (plans per unit): MANAGE
    "indicators.services.save_targets": (
        lambda a, w: targets.save_targets(
            targets.parse_target_rows([(2, _target_record(w))]),
            user=a,
        ),
        "office",
        "admin",
    ),
    "indicators.services.import_targets_csv": (
        lambda a, w: targets.import_targets_csv(
            f"indicator,org_unit,period,target_type,value\n{w.indicator.code},{w.police.code},2020,DT_NAM,5\n",
            user=a,
        ),
        "office",
        "admin",
    ),
    # the dashboard's key-figure cards (a unit's set) and the indicators' judgement (shared): MANAGE
    "analytics.cards.load_cards": (
        lambda a, w: cards.load_cards([{"org_unit": w.police.code, "indicator": w.indicator.code}], a),
        "office",
        "police_admin",
    ),
    "analytics.cards.load_directions": (
        lambda a, w: cards.load_directions([{"code": w.indicator.code, "direction": "down"}], a),
        "police_admin",  # manages the police only, and indicators are everyone's
        "admin",
    ),
    "analytics.cards.load_key_figures": (
        lambda a, w: cards.load_key_figures(
            {"cards": [{"org_unit": w.police.code, "indicator": "HS_VU"}]}, a
        ),
        "office",
        "police_admin",
    ),
}

# Public functions of action modules that no page, API endpoint or admin reaches: executors and helpers
# of an action that has checked already, and what only manage.py commands or the demo loader run.
# test_no_user_surface_reaches_them proves that no view, API or admin module names them.
NO_USER_SURFACE = {
    "collection.services.write_rows": "the small-batch executor of collection.values.write_values, which "
    "passes its permission check as `authorize`",
    "collection.bulk.write_rows": "the set-based executor of collection.values.write_values (same check)",
    "reports.jobs.enqueue": "queues a Word file for runs.request_pdf and runs.issue_run, after their check",
    "reports.runs.freeze_issued": "stores the issue inside runs.issue_run and issuing.sign_and_issue, which "
    "checked with runs.ready_to_issue",
    "reports.jobs.claim_next_job": "the PDF worker (a thread of the web process, or manage.py run_jobs)",
    "reports.jobs.run_job": "the PDF worker",
    "reports.jobs.run_pending_jobs": "the PDF worker",
    "reports.jobs.run_periodic_jobs": "the job worker (settings.BAOCAO_PERIODIC_JOBS: the reminders)",
    "reports.jobs.start_periodic_worker": "baocao.wsgi, when the web process starts",
    "reports.jobs.start_thread_queue": "baocao.wsgi, when the web process starts (SQLite's thread queue)",
    "reports.jobs.recover_abandoned_jobs": "the thread queue's start (baocao.wsgi, manage.py run_jobs)",
    "reports.jobs.take_up": "the procrastinate task reports.convert_pdf (baocao.reports.tasks), in a worker",
    "reports.narrative.record_change": "the audit row of save_narrative and import_contributions (checked)",
    "reports.narrative.replace_assignments": "the units: of report types, inside import_report_types",
    "orgunits.services.merge_units": "no caller yet but its tests: a reorganisation is a decision on paper",
    "orgunits.services.split_unit": "no caller yet but its tests: a reorganisation is a decision on paper",
    "quality.services.import_rules": "the demo loader (rules are edited in the admin, MANAGE only)",
    "notifications.services.notify": "called inside the actions that tell people (collection.workflow, "
    "collection.values) after their checks, and by the reminders job (assignments.reminders)",
}

# Public functions of action modules that change nothing (reads, parsers, file builders).
READS = {
    "analytics.cards.cards_for",
    "analytics.cards.dump_cards",
    "analytics.cards.dump_directions",
    "assignments.excel.review_xlsx",
    "assignments.excel.template_xlsx",
    # the leader's monthly briefing: read through warnings_for / units_for of the user, files built from it
    "briefing.services.briefing_document",
    "briefing.services.build_briefing",
    "briefing.services.instruction_letter",
    "collection.entry.change_text",
    "collection.entry.form_fields",
    "collection.entry.form_label",
    "collection.entry.next_step",
    "collection.excel.export_form",
    "collection.excel.file_name",
    "collection.excel.preview",
    "collection.excel.read_form",
    "collection.services.latest_month",
    "collection.services.latest_month_for",
    "collection.values.read_csv",
    "collection.workflow.find_submission",
    "collection.workflow.steps_for",
    "collection.workflow.timeliness",
    # stores the draft Submission row of a form the caller already scoped to, on the paths that write
    # (saving values, taking a step); no value or status changes
    "collection.workflow.get_submission",
    "indicators.services.parse_target_rows",
    "orgunits.services.localities",
    "quality.services.approval_problems",
    "quality.services.entry_checks",
    "quality.services.indicator_checks",
    "quality.services.run_checks",
    "quality.services.run_period",
    "quality.services.units_to_check",
    "quality.services.violations_xlsx",
    "reports.narrative.add_units_to_sections",
    "reports.narrative.assigned_units",
    "reports.narrative.clean_text",
    "reports.narrative.empty_sections",
    "reports.narrative.joined_text",
    "reports.narrative.parse_assignments",
    "reports.narrative.render_context",
    "reports.narrative.section_preview",
    "reports.narrative.show_chip",
    "reports.narrative.report_types_for",
    "reports.narrative.section_units",
    "reports.narrative.sections_for",
    "reports.narrative.write_refusal",  # the question save_narrative asks; pages ask it to show the form
    "reports.issuing.organisation_key",
    "reports.issuing.pdf_metadata",
    "reports.issuing.server_key_for",
    "reports.runs.figure_differences",
    "reports.withdrawal.can_withdraw",
    "reports.runs.run_document",
    "reports.runs.run_docx",
    "reports.runs.unapproved_forms",
    "reports.template_files.export_report_types",
    "reports.template_files.report_type_data",
    "reports.template_files.text_field",
    "reports.word_frames.frame_of",
    "notifications.services.holders",
    "notifications.services.preference_for",
    "notifications.services.unread_count",
    # the signed-in user's own notices and choice (read marks, in-app or e-mail, reminders): no unit's
    # data, nothing another user could be refused; each takes the user and touches only their rows
    "notifications.services.mark_read",
    "notifications.services.mark_all_read",
    "notifications.services.save_preference",
}

# The modules whose public functions are actions: every services.py, and these.
ACTION_MODULES = [
    "baocao.analytics.cards",
    "baocao.assignments.excel",
    "baocao.collection.bulk",
    "baocao.collection.entry",
    "baocao.collection.excel",
    "baocao.collection.values",
    "baocao.collection.workflow",
    "baocao.reports.contributions",
    "baocao.reports.issuing",
    "baocao.reports.jobs",
    "baocao.reports.narrative",
    "baocao.reports.runs",
    "baocao.reports.template_files",
    "baocao.reports.withdrawal",
    "baocao.reports.word_frames",
]


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_refuses_a_user_without_the_right(w, name):
    call, lacking, _ = ACTIONS[name]
    with pytest.raises(PermissionDenied):
        call(w.users[lacking], w)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_refuses_an_anonymous_user(w, name):
    call, _, _ = ACTIONS[name]
    with pytest.raises(PermissionDenied):
        call(AnonymousUser(), w)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_lets_through_the_user_with_the_right(w, name):
    """The other half: the table's allowed user is not refused (the action may still fail on the
    world's data, e.g. a draft without a number cannot be issued, but never for permission)."""
    call, _, holding = ACTIONS[name]
    try:
        call(w.users[holding], w)
    except PermissionDenied as exc:
        pytest.fail(f"{name}: {holding} was refused: {exc}")
    except Exception:
        pass


def test_a_refused_action_changes_nothing(w):
    """Refusal comes first: the office cannot issue, and the draft is still a draft without an issuer."""
    with pytest.raises(PermissionDenied):
        runs.issue_run(w.run, w.users["office"])
    w.run.refresh_from_db()
    assert not w.run.is_issued and w.run.issued_by is None


def test_a_user_without_the_right_learns_nothing_from_validation(w):
    """A unit's clerk assigning a task with nothing filled in is refused for permission, not told which
    fields are missing (the check comes before the validation)."""
    with pytest.raises(PermissionDenied):
        tasks.create_task(w.users["staff"], content="", lead_unit=w.police, assigned_on=DAY)
    with pytest.raises(PermissionDenied):
        tasks.create_task(w.users["staff"], content="", lead_unit="KHONG_CO", assigned_on=DAY)


def _action_modules() -> list[str]:
    root = Path(baocao.__file__).parent
    found = {
        f"baocao.{app.name}.services"
        for app in pkgutil.iter_modules([str(root)])
        if (root / app.name / "services.py").exists()
    }
    return sorted(found | set(ACTION_MODULES))


def _public_functions(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names = [n for n in vars(module) if not n.startswith("_")]  # __all__ or not
    short = module_name.removeprefix("baocao.")
    return [
        f"{short}.{n}"
        for n in names
        if inspect.isfunction(getattr(module, n, None)) and getattr(module, n).__module__ == module_name
    ]


def test_every_public_function_of_an_action_module_is_in_a_table():
    """A new state change must say here who may do it (ACTIONS), or why no user calls it (NO_USER_SURFACE),
    or be listed as a read (READS)."""
    listed = set(ACTIONS) | set(NO_USER_SURFACE) | READS
    missing = [f for m in _action_modules() for f in _public_functions(m) if f not in listed]
    assert missing == [], f"not classified in test_action_permissions: {missing}"


def test_tables_name_only_functions_that_exist():
    existing = {f for m in _action_modules() for f in _public_functions(m)}
    stale = sorted((set(ACTIONS) | set(NO_USER_SURFACE) | READS) - existing)
    assert stale == []


def test_no_user_surface_reaches_them():
    root = Path(baocao.__file__).parent
    surfaces = [
        p
        for p in root.rglob("*.py")
        if "tests" not in p.parts
        and (
            p.name in {"views.py", "admin.py", "urls.py"} or p.name.endswith("_views.py") or "api" in p.parts
        )
    ]
    for name in NO_USER_SURFACE:
        function = name.rsplit(".", 1)[1]
        users = [str(p.relative_to(root)) for p in surfaces if function in p.read_text(encoding="utf-8")]
        assert users == [], f"{name} is reached from {users}: it must take the acting user and check it"


@pytest.mark.parametrize("model", ["reportrun", "contribution", "task", "directive"])
def test_the_admin_changes_no_row_that_belongs_to_an_action(w, client, model):
    """Even a superuser cannot change, add or delete a report run, a unit's narrative, a task or a
    directive in the admin: those go through their actions (permission, validation, audit trail)."""
    narrative.save_narrative(w.police, PERIOD, {w.section: "An ninh ổn định."}, w.users["staff"])
    directive = tasks.create_directive(
        w.users["office"], number="2/KH-UBND", issued_on=DAY, issuer="UBND", summary="Kế hoạch"
    )
    rows = {
        "reportrun": ("reports", w.run),
        "contribution": ("reports", Contribution.objects.get(org_unit=w.police)),
        "task": ("assignments", w.task),
        "directive": ("assignments", directive),
    }
    app, row = rows[model]
    client.force_login(w.users["superuser"])
    change = reverse(f"admin:{app}_{model}_change", args=[row.pk])
    assert client.get(change).status_code == 200  # shown
    assert client.post(change, {}).status_code == 403
    assert client.post(reverse(f"admin:{app}_{model}_add"), {}).status_code == 403
    delete = reverse(f"admin:{app}_{model}_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_no_model_permission_competes_with_the_roles(db):
    """Issuing was also a Django model permission (issue_reportrun) that nothing consulted; the roles
    decide (Action.ISSUE in reports.runs.issue_run), so it is gone."""
    assert not Permission.objects.filter(codename="issue_reportrun").exists()


@pytest.mark.parametrize(
    "page", ["reports_reporttype", "reports_reportsection", "indicators_indicator", "accounts_roleassignment"]
)
def test_the_admin_of_templates_and_reference_data_asks_the_roles(w, client, page):
    """Staff with the administrator role (MANAGE), not superusers and without Django model permissions,
    edit templates and reference data; staff with the office's role do not (403)."""
    for name, expected in (("admin", 200), ("office", 403)):
        user = w.users[name]
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        assert client.get(reverse(f"admin:{page}_changelist")).status_code == expected, name
        assert client.get(reverse(f"admin:{page}_add")).status_code == expected, name


def test_a_superuser_manages_before_any_unit_exists(db, client):
    """A fresh installation has no org unit yet: its superuser must still reach the reference data."""
    client.force_login(User.objects.create_superuser("root", password="x"))
    assert client.get(reverse("admin:indicators_indicator_changelist")).status_code == 200
    assert client.get(reverse("admin:quality_validationrule_add")).status_code == 200
