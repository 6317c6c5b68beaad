"""Pages: my units' tasks, a task, the office's per-unit table of a period with drill-down, Excel."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from baocao.accounts.permissions import Action, can, for_user, units_for
from baocao.assignments import excel, services
from baocao.assignments.models import Completion, ProgressUpdate, Task
from baocao.assignments.review import review
from baocao.assignments.status import STATUS_ORDER, Item, Status, task_items
from baocao.core import clock
from baocao.core.csvio import ImportRejected
from baocao.core.dates import DateParseError, parse_date
from baocao.core.periods import Period, PeriodError, PeriodType
from baocao.orgunits.models import OrgUnit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DUE_SOON_DAYS = 7


def visible_tasks(user: object) -> QuerySet[Task]:
    tasks = Task.objects.select_related("lead_unit", "directive").prefetch_related(
        "extensions", "completions"
    )
    return for_user(tasks, user, Action.VIEW, field="lead_unit")  # type: ignore[arg-type]


def current_items(tasks: QuerySet[Task], today: datetime.date, since: datetime.date | None) -> list[Item]:
    """Items at ``today``: open ones (monthly occurrences due within the next days too) and, with
    ``since``, those completed since then; overdue first, then by deadline."""
    horizon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    items = [item for task in tasks for item in task_items(task, today, since=since, until=horizon)]
    if since is None:
        items = [item for item in items if not item.is_done]
    return sorted(items, key=lambda i: (i.is_done, i.status != Status.OPEN_OVERDUE, i.deadline, i.task.pk))


def reminders(user: object, today: datetime.date | None = None) -> dict[str, list[Item]]:
    today = today or clock.today()
    items = current_items(visible_tasks(user).filter(assigned_on__lte=today), today, None)
    return {
        "overdue": [i for i in items if i.status == Status.OPEN_OVERDUE],
        "due_soon": [i for i in items if i.status == Status.OPEN_ON_TIME and i.days_left <= DUE_SOON_DAYS],
    }


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    since = Period.containing(PeriodType.MONTH, today).reporting_window[0]
    items = current_items(visible_tasks(request.user), today, since)
    return render(
        request,
        "assignments/my_tasks.html",
        {
            "items": items,
            "today": today,
            "since": since,
            "due_soon_days": DUE_SOON_DAYS,
            "can_assign": units_for(request.user, Action.ASSIGN).exists(),
        },
    )


def _date(request: HttpRequest, name: str, label: str, required: bool = True) -> datetime.date | None:
    text = request.POST.get(name, "").strip()
    if not text:
        if required:
            raise ValidationError({name: f"{label}: chưa nhập."})
        return None
    try:
        return parse_date(text)
    except DateParseError as exc:
        raise ValidationError({name: f"{label}: {exc}"}) from None


def _task(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(visible_tasks(request.user), pk=pk)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    today = clock.today()
    items = task_items(task, today, until=today + datetime.timedelta(days=DUE_SOON_DAYS))
    open_occurrences = [i.occurrence for i in items if i.occurrence and not i.is_done]
    unit = task.lead_unit
    return render(
        request,
        "assignments/task.html",
        {
            "task": task,
            "items": items,
            "open_occurrences": open_occurrences,
            "progress": task.progress.select_related("reported_by").defer("evidence"),
            "completions": task.completions.select_related("reported_by", "returned_by"),
            "extensions": task.extensions.select_related("approver"),
            "may_enter": can(request.user, Action.ENTER, unit),
            "may_assign": can(request.user, Action.ASSIGN, unit),
            "may_return": can(request.user, Action.RETURN, unit),
            "today": today,
        },
    )


def _done(request: HttpRequest, task: Task, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("assignments:task", pk=task.pk)


def _failed(request: HttpRequest, task: Task, exc: ValidationError) -> HttpResponse:
    for text in exc.messages:
        messages.error(request, text)
    return redirect("assignments:task", pk=task.pk)


@login_required
@require_POST
def add_progress(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    upload = request.FILES.get("evidence")
    try:
        services.report_progress(
            request.user,
            task,
            text=request.POST.get("text", ""),
            reported_on=_date(request, "reported_on", "Ngày báo cáo", required=False),
            document_ref=request.POST.get("document_ref", ""),
            evidence=upload.file if upload else None,
            evidence_name=upload.name or "" if upload else "",
        )
    except ValidationError as exc:
        return _failed(request, task, exc)
    return _done(request, task, "Đã ghi tiến độ.")


@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    try:
        services.report_completion(
            request.user,
            task,
            completed_on=_date(request, "completed_on", "Ngày hoàn thành"),
            occurrence=_date(request, "occurrence", "Kỳ thực hiện", required=False),
            note=request.POST.get("note", ""),
            document_ref=request.POST.get("document_ref", ""),
        )
    except ValidationError as exc:
        return _failed(request, task, exc)
    return _done(request, task, "Đã báo cáo hoàn thành nhiệm vụ.")


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    try:
        services.extend_deadline(
            request.user,
            task,
            new_deadline=_date(request, "new_deadline", "Hạn mới"),
            approved_on=_date(request, "approved_on", "Ngày đồng ý gia hạn"),
            approver_name=request.POST.get("approver_name", ""),
            reason=request.POST.get("reason", ""),
            occurrence=_date(request, "occurrence", "Kỳ thực hiện", required=False),
        )
    except ValidationError as exc:
        return _failed(request, task, exc)
    return _done(request, task, "Đã ghi gia hạn.")


@login_required
@require_POST
def return_completion(request: HttpRequest, pk: int) -> HttpResponse:
    completion = get_object_or_404(Completion.objects.filter(task__in=visible_tasks(request.user)), pk=pk)
    try:
        services.return_completion(request.user, completion, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _failed(request, completion.task, exc)
    return _done(request, completion.task, "Đã trả lại báo cáo hoàn thành; nhiệm vụ tính là chưa hoàn thành.")


@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(ProgressUpdate.objects.filter(task__in=visible_tasks(request.user)), pk=pk)
    if not update.evidence:
        raise Http404("Không có tệp minh chứng.")
    response = HttpResponse(
        bytes(update.evidence), content_type=update.evidence_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(update.evidence_name)}"
    return response


def _quote(name: str) -> str:
    return quote(name or "minh-chung", safe="")


def _period(request: HttpRequest, tasks: QuerySet[Task]) -> tuple[Period, str]:
    latest = tasks.order_by("-assigned_on").values_list("assigned_on", flat=True).first()
    default = Period.containing(PeriodType.MONTH, latest or clock.today())
    try:
        return (Period.parse(request.GET["ky"]) if request.GET.get("ky") else default), ""
    except PeriodError as exc:
        return default, str(exc)


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """The office's table: per unit, the tasks of a period by status, with links to the tasks."""
    units = units_for(request.user, Action.VIEW)
    period, error = _period(request, visible_tasks(request.user))
    result = review(units, period)
    rows = [(u, [(s, u.count(s)) for s in STATUS_ORDER]) for u in result.units]
    context = {
        "period": period,
        "result": result,
        "rows": rows,
        "statuses": STATUS_ORDER,
        "totals": [result.totals[s] for s in STATUS_ORDER],
        "error": error,
        "can_import": units_for(request.user, Action.ASSIGN).exists(),
    }
    return render(request, "assignments/summary.html", context, status=400 if error else 200)


@login_required
def drill_down(request: HttpRequest, period: str, unit: str) -> HttpResponse:
    try:
        period_obj = Period.parse(period)
    except PeriodError as exc:
        raise Http404(str(exc)) from None
    org_unit = get_object_or_404(units_for(request.user, Action.VIEW), code=unit)
    result = review(OrgUnit.objects.filter(pk=org_unit.pk), period_obj)
    items = [i for u in result.units for i in u.items]
    wanted = request.GET.get("trang-thai")
    if wanted in Status.values:
        items = [i for i in items if i.status == wanted]
    context = {
        "period": period_obj,
        "unit": org_unit,
        "items": items,
        "status": Status(wanted) if wanted in Status.values else None,
    }
    return render(request, "assignments/drill_down.html", context)


@login_required
def summary_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    try:
        period_obj = Period.parse(period)
    except PeriodError as exc:
        raise Http404(str(exc)) from None
    data = excel.review_xlsx(review(units_for(request.user, Action.VIEW), period_obj))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="nhiem-vu-{period_obj.id}.xlsx"'
    return response


@login_required
def import_tasks(request: HttpRequest) -> HttpResponse:
    if not units_for(request.user, Action.ASSIGN).exists():
        raise PermissionDenied(f"Bạn không có quyền {Action.ASSIGN.label}.")
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = bool(request.POST.get("dry_run"))
        if upload is None:
            errors = ["Chưa chọn tệp Excel."]
        else:
            try:
                result = excel.import_tasks_xlsx(request.user, upload.read(excel.MAX_BYTES + 1), dry_run)
            except ImportRejected as exc:
                errors = [str(e) for e in exc.errors]
            else:
                if result.dry_run:
                    messages.success(request, f"Kiểm tra xong: {result.count} nhiệm vụ hợp lệ, chưa ghi gì.")
                else:
                    messages.success(request, f"Đã nhập {result.count} nhiệm vụ.")
                return redirect("assignments:import")
    return render(request, "assignments/import.html", {"errors": errors}, status=400 if errors else 200)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(excel.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhiem-vu.xlsx"'
    return response


class NewTaskForm(forms.Form):
    """One task, optionally with the directive that assigns it (recorded once, found again by số/ngày)."""

    directive_number = forms.CharField(
        label="Văn bản chỉ đạo: số, ký hiệu (ví dụ 137/KH-UBND)", required=False
    )
    directive_date = forms.CharField(label="Ngày văn bản (dd/mm/yyyy)", required=False)
    directive_issuer = forms.CharField(label="Cơ quan ban hành", required=False, initial="UBND thành phố")
    directive_summary = forms.CharField(
        label="Trích yếu văn bản", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    content = forms.CharField(label="Nội dung nhiệm vụ", widget=forms.Textarea(attrs={"rows": 3}))
    lead_unit = forms.ModelChoiceField(label="Đơn vị chủ trì", queryset=OrgUnit.objects.none())
    cooperating_units = forms.ModelMultipleChoiceField(
        label="Đơn vị phối hợp", queryset=OrgUnit.objects.none(), required=False
    )
    assigned_on = forms.CharField(label="Ngày giao (dd/mm/yyyy)")
    deadline = forms.CharField(label="Hạn hoàn thành (dd/mm/yyyy) – nhiệm vụ một lần", required=False)
    monthly_day = forms.IntegerField(
        label="Hoặc: hằng tháng trước ngày", min_value=1, max_value=31, required=False
    )
    is_advisory = forms.BooleanField(
        label="Nhiệm vụ tham mưu (chưa nộp thì ghi “chưa tham mưu”)", required=False
    )

    def __init__(self, *args, units: QuerySet[OrgUnit], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead_unit", "cooperating_units"):
            self.fields[name].queryset = units.order_by("sort_order", "code")  # type: ignore[attr-defined]

    def _date(self, name: str) -> datetime.date | None:
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except DateParseError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_directive_date(self) -> datetime.date | None:
        return self._date("directive_date")

    def clean_assigned_on(self) -> datetime.date | None:
        return self._date("assigned_on")

    def clean_deadline(self) -> datetime.date | None:
        return self._date("deadline")


@login_required
def new_task(request: HttpRequest) -> HttpResponse:
    """The office records a task (and its directive) through a form; the services check everything."""
    units = units_for(request.user, Action.ASSIGN)
    if not units.exists():
        raise PermissionDenied("Chỉ văn phòng và lãnh đạo được giao nhiệm vụ.")
    form = NewTaskForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                directive = None
                if data["directive_number"]:
                    directive = services.create_directive(
                        request.user,
                        number=data["directive_number"],
                        issued_on=data["directive_date"] or data["assigned_on"],
                        issuer=data["directive_issuer"],
                        summary=data["directive_summary"],
                    )
                task = services.create_task(
                    request.user,
                    content=data["content"],
                    lead_unit=data["lead_unit"],
                    assigned_on=data["assigned_on"],
                    deadline=data["deadline"],
                    monthly_day=data["monthly_day"],
                    cooperating_units=list(data["cooperating_units"]),
                    is_advisory=data["is_advisory"],
                    directive=directive,
                )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                target = {
                    "number": "directive_number",
                    "issued_on": "directive_date",
                    "issuer": "directive_issuer",
                    "summary": "directive_summary",
                }.get(field, field)
                form.add_error(target if target in form.fields else None, problems)
        else:
            messages.success(request, f"Đã giao nhiệm vụ cho {task.lead_unit.name}.")
            return redirect("assignments:task", pk=task.pk)
    return render(request, "assignments/new_task.html", {"form": form})
