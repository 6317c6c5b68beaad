"""The workflow of a unit's data set for a period (Submission):

    draft ──submit──▶ submitted ──accept──▶ accepted ──approve──▶ approved ──lock──▶ locked
      ▲                  │  ▲                  │                      │                │
      └──── returned ◀───┘  └──── (resubmit) ◀─┘ return               └──── reopen ────┘ (→ returned)

Each step checks the actor's role for the unit (accounts.permissions), refuses a stale page (optimistic
version), writes a SubmissionEvent (who, when, from → to, reason, through what) in the same transaction.
Returning and reopening need a reason; only a leader reopens approved or locked figures. The people a
step concerns are told in the same transaction (collection.notices → baocao.notifications). The office's
table accepts or approves many forms at once (:func:`bulk_transition`): one step per form, each in its own
transaction, and a result per form.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from baocao.accounts.permissions import Action, require
from baocao.collection import notices
from baocao.collection.models import ChangeSource, Submission, SubmissionEvent, SubmissionStatus
from baocao.core import clock
from baocao.core.periods import Period
from baocao.core.text import nfc
from baocao.core.users import MaybeUser, acting_user
from baocao.indicators.models import DataSet
from baocao.orgunits.models import OrgUnit

__all__ = [
    "BULK_STEPS",
    "STEPS",
    "BulkOutcome",
    "Step",
    "WorkflowError",
    "bulk_transition",
    "find_submission",
    "get_submission",
    "timeliness",
    "transition",
]

S = SubmissionStatus


class WorkflowError(ValueError):
    """A step that cannot be taken now; the message is Vietnamese and names the reason."""


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    action: Action
    sources: frozenset[str]
    target: str
    needs_reason: bool = False


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("submit", "Gửi số liệu", Action.SUBMIT, frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
        Step("return", "Trả lại", Action.RETURN, frozenset({S.SUBMITTED, S.ACCEPTED}), S.RETURNED, True),
        Step("accept", "Tiếp nhận", Action.ACCEPT, frozenset({S.SUBMITTED}), S.ACCEPTED),
        Step("approve", "Phê duyệt", Action.APPROVE, frozenset({S.ACCEPTED}), S.APPROVED),
        Step("lock", "Khóa số liệu", Action.LOCK, frozenset({S.APPROVED}), S.LOCKED),
        Step("reopen", "Mở lại để sửa", Action.REOPEN, frozenset({S.APPROVED, S.LOCKED}), S.RETURNED, True),
    )
}

# Checks run before a step (name → functions returning problems); data quality registers here.
BEFORE_STEP: dict[str, list[Callable[[Submission], list[str]]]] = {name: [] for name in STEPS}


def _form_period(data_set: DataSet, period: Period | str) -> Period:
    period = Period.parse(period) if isinstance(period, str) else period
    if period.type != data_set.period_type:
        raise WorkflowError(f"Biểu mẫu “{data_set.name}” báo cáo theo {period.type.label.lower()} khác.")
    return period


def find_submission(data_set: DataSet, org_unit: OrgUnit, period: Period | str) -> Submission:
    """The unit's submission of ``data_set`` for ``period`` if it exists, otherwise an UNSAVED draft:
    reading a form (a GET) never writes; the draft is stored by :func:`get_submission` when something
    is saved or a step is taken."""
    period = _form_period(data_set, period)
    found = Submission.objects.filter(data_set=data_set, org_unit=org_unit, period=period.id).first()
    return found or Submission(data_set=data_set, org_unit=org_unit, period=period.id)


def get_submission(data_set: DataSet, org_unit: OrgUnit, period: Period | str) -> Submission:
    """The unit's submission of ``data_set`` for ``period``, created as a draft the first time (only on
    the paths that write: saving values, taking a step)."""
    period = _form_period(data_set, period)
    submission, _ = Submission.objects.get_or_create(data_set=data_set, org_unit=org_unit, period=period.id)
    return submission


def steps_for(submission: Submission) -> list[Step]:
    """Steps possible from the submission's current status (whoever may take them)."""
    return [step for step in STEPS.values() if submission.status in step.sources]


@transaction.atomic
def transition(
    submission: Submission,
    step_name: str,
    user: MaybeUser,
    *,
    reason: str = "",
    source: str = ChangeSource.WEB,
    expected_version: int | None = None,
) -> Submission:
    """Take one step. Raises PermissionDenied (django.core.exceptions) or WorkflowError, both with a
    Vietnamese message, and then changes nothing."""
    step = STEPS.get(step_name)
    if step is None:
        raise WorkflowError(f"Không có thao tác “{step_name}”.")
    current = (
        Submission.objects.select_for_update().select_related("org_unit", "data_set").get(pk=submission.pk)
    )
    require(user, step.action, current.org_unit)
    if expected_version is not None and current.version != expected_version:
        raise WorkflowError(
            f"Bộ số liệu vừa được người khác chuyển sang “{current.get_status_display()}”; hãy tải lại trang."
        )
    if current.status not in step.sources:
        raise WorkflowError(
            f"Không thể {step.label.lower()} khi bộ số liệu "
            f"đang ở trạng thái “{current.get_status_display()}”."
        )
    reason = nfc(reason).strip()
    if step.needs_reason and not reason:
        raise WorkflowError(f"Cần ghi lý do khi {step.label.lower()}.")
    problems = [problem for check in BEFORE_STEP[step.name] for problem in check(current)]
    if problems:
        raise WorkflowError(f"Chưa {step.label.lower()} được: " + "; ".join(problems))
    now = clock.now()  # the domain's now: the demo submits in June 2020, on time
    SubmissionEvent.objects.create(
        submission=current,
        from_status=current.status,
        to_status=step.target,
        reason=reason,
        source=source,
        changed_by=acting_user(user),
    )
    current.status = step.target
    current.version += 1
    if step.name == "submit":
        current.submitted_at = current.submitted_at or now
        current.last_submitted_at = now
    current.save()
    notices.after_step(current, step.name, user, reason)
    return current


BULK_STEPS = ("accept", "approve")  # the steps the office's table takes for many forms at once


@dataclass(frozen=True)
class BulkOutcome:
    submission: Submission
    ok: bool
    message: str  # the refusal's reason when not ok

    @property
    def form(self) -> str:
        """The form as the office names it: the data set and the unit's name (never its internal code)."""
        return f"{self.submission.data_set.name} – {self.submission.org_unit.name}"


def bulk_transition(
    submission_ids: list[int], step_name: str, user: MaybeUser, *, source: str = ChangeSource.WEB
) -> list[BulkOutcome]:
    """Take ``step_name`` (accept or approve) on each submission, each in its own transaction: one form
    that cannot be taken (permission, status, a blocking quality rule) does not hold back the others, and
    nothing of a refused form changes. Submissions are taken in the table's order (data set, unit).
    Raises PermissionDenied, changing nothing, when the user may not take the step on every form asked."""
    if step_name not in BULK_STEPS:
        raise WorkflowError(
            f"Không thể {STEPS[step_name].label.lower() if step_name in STEPS else step_name}"
            " nhiều biểu cùng lúc."
        )
    submissions = list(
        Submission.objects.filter(pk__in=submission_ids).select_related("data_set", "org_unit")
    )
    # Permission first, for every form asked (the page offers only the forms the user may act on): a
    # request naming another unit's form is refused whole, not answered form by form.
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Cần đăng nhập để tiếp nhận hoặc phê duyệt số liệu.")
    require(user, STEPS[step_name].action, {s.org_unit for s in submissions})
    ordered = sorted(submissions, key=lambda s: (s.data_set.name, s.org_unit.sort_order, s.org_unit.name))
    outcomes = []
    for submission in ordered:
        try:
            done = transition(submission, step_name, user, source=source)
        except (WorkflowError, PermissionDenied) as exc:
            outcomes.append(BulkOutcome(submission, False, str(exc)))
        else:
            outcomes.append(BulkOutcome(done, True, ""))
    return outcomes


@dataclass(frozen=True)
class Timeliness:
    data_set: DataSet
    org_unit: OrgUnit
    deadline: datetime.date
    submission: Submission | None

    @property
    def state(self) -> str:
        """ "on_time", "late" or "missing" (first submission compared with the deadline)."""
        if self.submission is None or self.submission.submitted_at is None:
            return "missing"
        submitted = timezone.localtime(self.submission.submitted_at).date()
        return "on_time" if submitted <= self.deadline else "late"

    @property
    def state_label(self) -> str:
        return {"on_time": "Đúng hạn", "late": "Muộn", "missing": "Chưa gửi"}[self.state]


def timeliness(period: Period, units: QuerySet[OrgUnit] | None = None) -> list[Timeliness]:
    """Completeness and timeliness of every active data set's required units for ``period``
    (``units``: an OrgUnit queryset to restrict to, e.g. what the user may view)."""
    rows = []
    data_sets = DataSet.objects.filter(is_active=True, period_type=period.type).prefetch_related("org_units")
    submissions = {
        (s.data_set_id, s.org_unit_id): s
        for s in Submission.objects.filter(period=period.id).select_related("org_unit")
    }
    allowed = None if units is None else set(units.values_list("pk", flat=True))
    for data_set in data_sets:
        deadline = data_set.deadline(period)
        for unit in sorted(data_set.org_units.all(), key=lambda u: (u.sort_order, u.code)):
            if allowed is not None and unit.pk not in allowed:
                continue
            rows.append(Timeliness(data_set, unit, deadline, submissions.get((data_set.pk, unit.pk))))
    return rows
