"""Pages of data collection: a unit's forms, the entry page (values, comments, workflow steps), the
units' narrative for the report, the office's completeness and timeliness table, and the histories.

Every page starts from accounts.permissions: what the user may see (VIEW) and do (ENTER, SUBMIT, ...)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from baocao.accounts.permissions import Action, can, units_for
from baocao.collection.entry import (
    Banner,
    EntryField,
    EntryInput,
    change_text,
    form_fields,
    form_label,
    next_step,
    save_entry,
)
from baocao.collection.models import (
    DataValue,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    ValueChange,
    ValueKind,
)
from baocao.collection.narrative_views import narrative_page  # the narrative pages share their URL check
from baocao.collection.services import latest_month_for
from baocao.collection.workflow import (
    STEPS,
    WorkflowError,
    find_submission,
    get_submission,
    steps_for,
    transition,
)
from baocao.core import clock
from baocao.core.numbers import format_number
from baocao.core.periods import Period, PeriodError, PeriodType
from baocao.indicators.models import DataSet, Indicator
from baocao.quality.services import entry_checks  # data quality: rule messages per field
from baocao.reports.markup import to_editor
from baocao.reports.models import ContributionChange, ReportSection, ReportType, SectionAssignment
from baocao.reports.narrative import empty_sections, render_context, show_chip


def period_from_request(request: HttpRequest) -> Period:
    """The period asked for (``?period=``), or the month of the latest stored values."""
    text = request.GET.get("period", "").strip()
    if text:
        try:
            return Period.parse(text)
        except PeriodError:
            messages.error(request, f"Kỳ “{text}” không hợp lệ; dùng kỳ gần nhất.")
    return latest_month_for(request.user) or Period.containing(PeriodType.MONTH, clock.today())


FUTURE_DAYS = 366  # a form opens at most a year ahead (a period such as 999912 is a 404, not a page)


def _form(request: HttpRequest, data_set: str, unit: str, period: str, create: bool = False) -> Submission:
    """The submission behind a form URL; 404 for unknown codes, a unit the user may not see, an invalid
    period or one too far ahead. Reading (``create=False``) never writes: a form without a submission
    yet gets an unsaved draft; the paths that save or take a step pass ``create=True``."""
    data_set_obj = get_object_or_404(DataSet, code=data_set, is_active=True)
    visible = units_for(request.user, Action.VIEW)
    unit_obj = get_object_or_404(visible.filter(data_sets=data_set_obj), code=unit)
    try:
        period_obj = Period.parse(period)
    except PeriodError as exc:
        raise Http404(str(exc)) from None
    if period_obj.calendar_window[0] > timezone.localdate() + datetime.timedelta(days=FUTURE_DAYS):
        raise Http404(f"Kỳ {period_obj.label} còn quá xa: chỉ mở được biểu mẫu của các kỳ đến năm sau.")
    try:
        if create:
            return get_submission(data_set_obj, unit_obj, period_obj)
        return find_submission(data_set_obj, unit_obj, period_obj)
    except WorkflowError as exc:
        raise Http404(str(exc)) from None


@login_required
def my_forms(request: HttpRequest) -> HttpResponse:
    """The forms of the units the user enters or submits data for, with their status for a period."""
    period = period_from_request(request)
    units = units_for(request.user, Action.ENTER) | units_for(request.user, Action.SUBMIT)
    data_sets = DataSet.objects.filter(
        is_active=True, period_type=period.type, org_units__in=units
    ).distinct()
    statuses = {
        (s.data_set_id, s.org_unit_id): s
        for s in Submission.objects.filter(period=period.id, org_unit__in=units)
    }
    # What each unit holds for the period: a form whose values exist is "Đang nhập", not "Chưa nhập".
    held = set(
        DataValue.objects.filter(period=period.id, org_unit__in=units).values_list(
            "org_unit_id", "indicator_id", "kind"
        )
    )
    rows = []
    for data_set in data_sets.prefetch_related("org_units", "members"):
        members = [(m.indicator_id, m.kind) for m in data_set.members.all()]
        for unit in data_set.org_units.filter(pk__in=units.values("pk")).order_by("sort_order"):
            submission = statuses.get((data_set.pk, unit.pk))
            has_values = any((unit.pk, i, k) in held for i, k in members)
            label = form_label(submission.status if submission else None, has_values)
            rows.append((data_set, unit, label, data_set.deadline(period)))
    return render(request, "collection/my_forms.html", {"period": period, "rows": rows})


def _version(text: str) -> int | None:
    """A posted version number; None unless ASCII digits of a sensible length ("²" is a digit to
    str.isdigit, and 5.000 digits exceed int()'s limit: both were 500s)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _inputs(request: HttpRequest, fields: list) -> list[EntryInput]:
    inputs = []
    for field in fields:
        if field.key not in request.POST:
            continue
        version = request.POST.get(f"{field.key}_version", "")
        inputs.append(
            EntryInput(
                field.member.pk,
                request.POST.get(field.key, ""),
                request.POST.get(f"{field.key}_comment", ""),
                _version(version),
                (
                    request.POST.get(f"{field.key}_original", ""),
                    request.POST.get(f"{field.key}_original_comment", ""),
                ),
            )
        )
    return inputs


@login_required
def entry(request: HttpRequest, data_set: str, unit: str, period: str) -> HttpResponse:
    """Enter a unit's figures for a period (keyboard only works: fields in order, Enter saves), then take
    the workflow steps the user's role allows on the same page."""
    submission = _form(request, data_set, unit, period, create=request.method == "POST")
    can_enter = can(request.user, Action.ENTER, submission.org_unit) and submission.is_editable
    groups = form_fields(submission)
    fields = [f for _, group in groups for f in group]
    outcome = None
    if request.method == "POST":
        step = request.POST.get("step", "save")
        if step == "save":
            # The value action decides: permission (403), the rules, the closed form, conflicts.
            outcome = save_entry(submission, request.user, _inputs(request, fields))
            if outcome.ok:
                messages.success(request, f"Đã lưu {outcome.saved} số liệu.")
                return redirect(request.path)
        else:
            try:
                if step == "submit" and can_enter:
                    outcome = save_entry(submission, request.user, _inputs(request, fields))
                    if not outcome.ok:
                        raise WorkflowError("chưa lưu được số liệu, xem các ô báo lỗi")
                reason = request.POST.get("reason", "")
                version = request.POST.get("version", "")
                submission = _transition(request, submission, step, reason, version)
            except WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, f"{STEPS[step].label}: xong. Trạng thái: {submission.get_status_display()}."
                )
                return redirect(request.path)
            groups = form_fields(submission)
            fields = [f for _, group in groups for f in group]
    posted = request.POST if request.method == "POST" else None
    steps = [s for s in steps_for(submission) if can(request.user, s.action, submission.org_unit)]
    events = list(submission.events.select_related("changed_by")) if submission.pk else []
    returned = events[-1] if events and submission.status == SubmissionStatus.RETURNED else None
    banner = _banner(request, submission, any(f.stored for f in fields), returned)
    context = {
        "banner": banner,
        "returned": returned,
        "submit_step": next((s for s in steps if s.name == "submit"), None),
        "submission": submission,
        "period": Period.parse(submission.period),
        "groups": groups,
        "can_enter": can_enter,
        "steps": steps,
        "outcome": outcome,
        "posted": posted,
        "deadline": submission.data_set.deadline(Period.parse(submission.period)),
        "events": events,
        "quality": entry_checks(submission),  # data quality: every violation, and per field
        "empty_narrative": _empty_narrative(submission) if steps else [],
    }
    return render(request, "collection/entry.html", context)


def _empty_narrative(submission: Submission) -> list[tuple[ReportType, list[ReportSection]]]:
    """The report sections assigned to the form's unit that it has not written for the period yet, by
    report type of the form's period type: the head sees them before sending."""
    period = Period.parse(submission.period)
    types = ReportType.objects.filter(
        pk__in=SectionAssignment.objects.filter(org_unit=submission.org_unit).values("report_type"),
        period_type=period.type.value,
    ).order_by("name")
    found = [(report_type, empty_sections(report_type, submission.org_unit, period)) for report_type in types]
    return [(report_type, sections) for report_type, sections in found if sections]


def _banner(
    request: HttpRequest, submission: Submission, has_values: bool, returned: SubmissionEvent | None
) -> Banner:
    """The entry page's state and next step, worded for the user's role on the form's unit."""
    unit_obj = submission.org_unit
    return next_step(
        submission,
        has_values=has_values,
        may_enter=can(request.user, Action.ENTER, unit_obj) and submission.is_editable,
        may_submit=can(request.user, Action.SUBMIT, unit_obj),
        may_receive=can(request.user, Action.ACCEPT, unit_obj),
        may_approve=can(request.user, Action.APPROVE, unit_obj),
        reason=returned.reason if returned else "",
    )


def _transition(
    request: HttpRequest, submission: Submission, step: str, reason: str, version: str
) -> Submission:
    return transition(
        submission,
        step,
        request.user,
        reason=reason,
        expected_version=_version(version),
    )


def _saved_field(field: EntryField, stored: DataValue | None) -> dict[str, object]:
    """What the grid shows of a field after saving: the value as read back, its version, its comment
    and the read-only change columns."""
    value = stored.value if stored else None
    return {
        "text": format_number(value) if value is not None else "",
        "comment": stored.comment if stored else "",
        "version": stored.version if stored else 0,
        "change_previous": change_text(value, field.previous),
        "change_last_year": change_text(value, field.last_year),
    }


@login_required
@require_POST
def autosave(request: HttpRequest, data_set: str, unit: str, period: str) -> JsonResponse:
    """Save the grid's changed cells — one as the user leaves it, or a pasted block — all-or-nothing, as
    JSON for the page's script. ``dry_run=1`` checks without writing (a pasted block before Enter)."""
    submission = _form(request, data_set, unit, period, create=True)
    fields = [f for _, group in form_fields(submission) for f in group]
    inputs = _inputs(request, fields)
    if not inputs:
        return JsonResponse({"error": "Không có ô số liệu nào để lưu."}, status=400)
    by_id = {f.member.pk: f for f in fields}
    dry_run = request.POST.get("dry_run") == "1"
    try:  # the value action decides permission, the rules, the closed form and conflicts
        outcome = save_entry(submission, request.user, inputs, dry_run=dry_run)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    if outcome.form_error:
        return JsonResponse({"error": outcome.form_error}, status=409)
    if outcome.errors:
        errors = {by_id[m].key if m in by_id else f"f{m}": text for m, text in outcome.errors.items()}
        single = len(inputs) == 1
        return JsonResponse(
            {
                "error": next(iter(errors.values()))
                if single
                else f"Chưa lưu: {len(errors)} ô sai, không ô nào được ghi. Sửa các ô viền đỏ rồi bấm Enter.",
                "errors": errors,
            },
            status=400,
        )
    if outcome.conflicts:
        conflicts = {
            by_id[m].key: {"message": c.message, "theirs": c.theirs, "version": c.version}
            for m, c in outcome.conflicts.items()
        }
        first = next(iter(outcome.conflicts.values()))
        return JsonResponse(
            {
                "conflict": first.message,
                "theirs": first.theirs,
                "version": first.version,
                "conflicts": conflicts,
            },
            status=409,
        )
    if dry_run:
        return JsonResponse({"checked": len(inputs), "saved": 0})
    sent = [by_id[item.member_id] for item in inputs]
    stored = {
        (v.indicator_id, v.kind): v
        for v in DataValue.objects.filter(
            org_unit=submission.org_unit, period=submission.period, indicator__in=[f.indicator for f in sent]
        )
    }
    saved = {f.key: _saved_field(f, stored.get((f.indicator.pk, f.kind))) for f in sent}
    checks = entry_checks(submission)  # data quality: rule messages after this save (never raises)
    returned = submission.events.last() if submission.status == SubmissionStatus.RETURNED else None
    banner = _banner(request, submission, True, returned)  # the form holds values now
    body: dict[str, object] = {
        "saved": outcome.saved,
        "fields": saved,
        "warnings_by_field": checks.by_key,
        "violations": [f"{v.importance_label}: {v.rule_name} – {v.text}" for v in checks.violations],
        "banner": {"state": banner.state, "next": banner.next, "tone": banner.tone},
    }
    if len(sent) == 1:  # one cell: its values at the top level too (the first shape of this answer)
        body.update(saved[sent[0].key])
        body["warnings"] = checks.by_key.get(sent[0].key, [])
    return JsonResponse(body)


@login_required
def value_history(request: HttpRequest, indicator: str, unit: str, period: str, kind: str) -> HttpResponse:
    """Every change of one value: who, when, old → new, through what."""
    unit_obj = get_object_or_404(units_for(request.user, Action.VIEW), code=unit)
    indicator_obj = get_object_or_404(Indicator, code=indicator)
    try:
        period_obj = Period.parse(period)
    except PeriodError as exc:  # was a 500: the URL's period is validated like every other
        raise Http404(str(exc)) from None
    if kind not in ValueKind.values:
        raise Http404(f"Không có loại số liệu “{kind[:40]}”.")
    changes = ValueChange.objects.filter(
        indicator=indicator_obj, org_unit=unit_obj, period=period_obj.id, kind=kind
    ).select_related("changed_by")
    return render(
        request,
        "collection/value_history.html",
        {
            "indicator": indicator_obj,
            "unit": unit_obj,
            "period": period_obj,
            "kind": ValueKind(kind).label,  # "Thực hiện", never the code "actual"
            "changes": changes,
        },
    )


@login_required
def submission_history(request: HttpRequest, data_set: str, unit: str, period: str) -> HttpResponse:
    """Every status change and every value change of one submission."""
    submission = _form(request, data_set, unit, period)
    codes = submission.data_set.indicators.values("pk")
    changes = ValueChange.objects.filter(
        org_unit=submission.org_unit, period=submission.period, indicator__in=codes
    ).select_related("changed_by", "indicator")
    return render(
        request,
        "collection/submission_history.html",
        {
            "submission": submission,
            "period": Period.parse(submission.period),
            "events": submission.events.select_related("changed_by") if submission.pk else [],
            "changes": changes,
        },
    )


@login_required
def contribution_history(request: HttpRequest, unit: str, period: str) -> HttpResponse:
    """Every change of a unit's narrative in a period: section, who, when, old → new, through what."""
    unit_obj, period_obj = narrative_page(request, unit, period)
    changes = list(
        ContributionChange.objects.filter(org_unit=unit_obj, period=period_obj.id).select_related(
            "changed_by", "report_type"
        )
    )
    titles = {
        (s.report_type_id, s.key): s.title
        for s in ReportSection.objects.filter(report_type__in={c.report_type_id for c in changes})
    }
    # A clerk reads the history as the editor shows the text: figures as the values they print now, the
    # marks as marks (to_editor sanitises), never the stored template code or HTML tags written out.
    contexts = {c.report_type_id: render_context(c.report_type, period_obj) for c in changes}

    def shown(source: str, report_type_id: int) -> str:
        context = contexts[report_type_id]
        return mark_safe(to_editor(source, lambda tag: show_chip(tag, context)))  # nh3-cleaned

    rows = [
        (
            c,
            titles.get((c.report_type_id, c.section_key), c.section_key),
            shown(c.old_text, c.report_type_id) if c.old_text else "",
            shown(c.new_text, c.report_type_id) if c.new_text else "",
        )
        for c in changes
    ]
    return render(
        request,
        "collection/contribution_history.html",
        {"unit": unit_obj, "period": period_obj, "rows": rows},
    )
