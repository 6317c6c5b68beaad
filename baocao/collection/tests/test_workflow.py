"""Submission workflow, audit of status and value changes, optimistic locking and reopening, on the demo
(Công an thành phố's June 2020 form; demo users per role)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from baocao.collection.entry import EntryInput, form_fields, save_entry
from baocao.collection.models import ChangeSource, DataValue, SubmissionEvent, ValueChange
from baocao.collection.values import import_values_csv
from baocao.collection.workflow import WorkflowError, get_submission, timeliness, transition
from baocao.core.csvio import ImportRejected
from baocao.core.periods import Period
from baocao.indicators.models import DataSet
from baocao.orgunits.models import OrgUnit

JUNE = Period.month(2020, 6)


def user(name: str) -> User:
    return User.objects.get(username=name)


def field(submission, code: str):
    return next(f for _, group in form_fields(submission) for f in group if f.indicator.code == code)


def test_the_whole_way_with_an_audit_trail(police):
    with pytest.raises(PermissionDenied, match="gửi số liệu của Công an thành phố"):
        transition(police, "submit", user("ca.canbo"))  # staff enter, the head submits
    police = transition(police, "submit", user("ca.truong"))
    with pytest.raises(WorkflowError, match="Cần ghi lý do khi trả lại"):
        transition(police, "return", user("vanphong"))
    police = transition(police, "return", user("vanphong"), reason="Thiếu số vụ ma túy")
    assert police.status == "returned"
    police = transition(police, "submit", user("ca.truong"))
    police = transition(police, "accept", user("vanphong"))
    with pytest.raises(PermissionDenied):
        transition(police, "approve", user("vanphong"))
    police = transition(police, "approve", user("lanhdao"))
    police = transition(police, "lock", user("vanphong"))
    events = list(
        SubmissionEvent.objects.filter(submission=police).values_list("from_status", "to_status", "reason")
    )
    assert events == [
        ("draft", "submitted", ""),
        ("submitted", "returned", "Thiếu số vụ ma túy"),
        ("returned", "submitted", ""),
        ("submitted", "accepted", ""),
        ("accepted", "approved", ""),
        ("approved", "locked", ""),
    ]
    assert SubmissionEvent.objects.filter(submission=police, changed_by__username="lanhdao").count() == 1
    with pytest.raises(WorkflowError, match="đang ở trạng thái “Đã khóa”"):
        transition(police, "submit", user("ca.truong"))


def test_approved_figures_never_change_silently_and_reopening_needs_a_leader_and_a_reason(police):
    for step, who in (("submit", "ca.truong"), ("accept", "vanphong"), ("approve", "lanhdao")):
        police = transition(police, step, user(who))
    hs_vu = field(police, "HS_VU")
    with pytest.raises(ImportRejected) as rejected:
        import_values_csv("indicator,org_unit,period,kind,value\nHS_VU,TPLS_CA,202006,actual,9\n")
    assert "đã phê duyệt, không sửa được" in rejected.value.summary()
    outcome = save_entry(police, user("ca.canbo"), [EntryInput(hs_vu.member.pk, "9")])
    assert "đã phê duyệt, không sửa được" in outcome.form_error
    assert (
        DataValue.objects.get(indicator__code="HS_VU", org_unit__code="TPLS_CA", period="202006").value == 7
    )
    with pytest.raises(PermissionDenied):
        transition(police, "reopen", user("vanphong"), reason="Sai số")
    with pytest.raises(WorkflowError, match="Cần ghi lý do"):
        transition(police, "reopen", user("lanhdao"))
    police = transition(police, "reopen", user("lanhdao"), reason="Công an báo sai số vụ")
    assert police.status == "returned"
    outcome = save_entry(police, user("ca.canbo"), [EntryInput(hs_vu.member.pk, "9")])
    assert outcome.ok and outcome.saved == 1
    change = ValueChange.objects.filter(indicator__code="HS_VU", period="202006").latest("changed_at")
    assert (change.old_value, change.new_value, change.changed_by.username, change.source) == (
        Decimal(7),
        Decimal(9),
        "ca.canbo",
        ChangeSource.WEB,
    )
    event = SubmissionEvent.objects.filter(submission=police).latest("changed_at")
    assert (event.from_status, event.to_status, event.reason) == (
        "approved",
        "returned",
        "Công an báo sai số vụ",
    )


def test_two_people_saving_the_same_value_nothing_is_lost(police):
    hs_vu = field(police, "HS_VU")
    loaded = hs_vu.version  # both pages were loaded at this version
    first = save_entry(police, user("ca.canbo"), [EntryInput(hs_vu.member.pk, "8", version=loaded)])
    assert first.ok
    second = save_entry(police, user("ca.truong"), [EntryInput(hs_vu.member.pk, "10", version=loaded)])
    conflict = second.conflicts[hs_vu.member.pk]
    assert (conflict.mine, conflict.theirs) == ("10", "8")
    assert "Cán bộ Công an thành phố" in conflict.by
    assert (
        DataValue.objects.get(indicator__code="HS_VU", org_unit__code="TPLS_CA", period="202006").value == 8
    )
    # Knowing the other value, the second person overwrites on purpose (their page now has the new version).
    third = save_entry(
        police, user("ca.truong"), [EntryInput(hs_vu.member.pk, "10", version=conflict.version)]
    )
    assert third.ok
    assert ValueChange.objects.filter(indicator__code="HS_VU", period="202006", source="web").count() == 2


def test_entry_errors_name_the_field_and_nothing_is_written(police):
    fields = {f.indicator.code: f for _, group in form_fields(police) for f in group}
    before = list(DataValue.objects.order_by("pk").values_list("value", flat=True))
    outcome = save_entry(
        police,
        user("ca.canbo"),
        [
            EntryInput(fields["HS_VU"].member.pk, "8"),  # fine alone
            EntryInput(fields["HS_CHET"].member.pk, "abc"),
            EntryInput(fields["HS_BI_THUONG"].member.pk, "-2"),
            EntryInput(fields["MT_VU"].member.pk, "1,5"),
        ],
    )
    assert not outcome.ok and outcome.saved == 0
    assert set(outcome.errors) == {fields[c].member.pk for c in ("HS_CHET", "HS_BI_THUONG", "MT_VU")}
    assert "abc" in outcome.errors[fields["HS_CHET"].member.pk]
    assert "âm" in outcome.errors[fields["HS_BI_THUONG"].member.pk]
    assert "nguyên" in outcome.errors[fields["MT_VU"].member.pk]
    assert list(DataValue.objects.order_by("pk").values_list("value", flat=True)) == before
    # Vietnamese notation is read as written; empty fields are skipped, never erase a value.
    heroin = fields["MT_HEROIN"]
    assert save_entry(
        police,
        user("ca.canbo"),
        [EntryInput(heroin.member.pk, "1,75"), EntryInput(fields["HS_VU"].member.pk, "")],
    ).ok
    assert DataValue.objects.get(
        indicator__code="MT_HEROIN", org_unit__code="TPLS_CA", period="202006"
    ).value == Decimal("1.75")
    assert (
        DataValue.objects.get(indicator__code="HS_VU", org_unit__code="TPLS_CA", period="202006").value == 7
    )


def test_other_units_and_roles_cannot_enter(police):
    hs_vu = field(police, "HS_VU")
    for name in ("pkt.canbo", "vanphong", "lanhdao"):
        with pytest.raises(PermissionDenied):
            save_entry(police, user(name), [EntryInput(hs_vu.member.pk, "9")])


def test_form_shows_previous_and_last_year_and_trong_do_rows(police):
    hs_vu = field(police, "HS_VU")
    assert (hs_vu.stored.value, hs_vu.previous) == (Decimal(7), Decimal(4))
    children = [f for _, group in form_fields(police) for f in group if f.level == 1]
    assert children and all(f.indicator.parent is not None for f in children)


def test_timeliness_on_time_late_missing(police, django_capture_on_commit_callbacks):

    deadline = police.data_set.deadline(JUNE)
    assert deadline.isoformat() == "2020-06-16"  # cut-off Sunday 14/6 + 2 working days
    transition(police, "submit", user("ca.truong"))
    police.refresh_from_db()
    police.submitted_at = timezone.make_aware(timezone.datetime(2020, 6, 16, 17, 0))
    police.save()
    tax = get_submission(DataSet.objects.get(code="BM_TPLS_CCT"), OrgUnit.objects.get(code="TPLS_CCT"), JUNE)
    transition(tax, "submit", user("cct.truong"))  # today: long after the deadline
    states = {(r.org_unit.code, r.state) for r in timeliness(JUNE)}
    assert (
        ("TPLS_CA", "on_time") in states
        and ("TPLS_CCT", "late") in states
        and ("TPLS_PKT", "missing") in states
    )
