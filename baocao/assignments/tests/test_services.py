"""Bad input is refused with a Vietnamese error naming the field, and nothing is written; permissions."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from baocao.assignments import services
from baocao.assignments.models import Completion, DeadlineExtension, Directive, ProgressUpdate, Task

D = datetime.date


def new_task(org, **kwargs):
    fields = {
        "content": "Báo cáo",
        "lead_unit": org.econ,
        "assigned_on": D(2020, 5, 20),
        "deadline": D(2020, 6, 10),
    }
    return services.create_task(org.office, **{**fields, **kwargs})


def refused(call, field, text):
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict
    assert text in " ".join(caught.value.message_dict[field])


def test_deadline_before_assignment_is_refused(org):
    refused(
        lambda: new_task(org, deadline=D(2020, 5, 19)),
        "deadline",
        "Hạn hoàn thành (19/5/2020) trước ngày giao",
    )
    assert not Task.objects.exists()


def test_unknown_unit_is_refused(org):
    refused(
        lambda: new_task(org, lead_unit="KHONG_CO"),
        "lead_unit",
        "Đơn vị chủ trì: không có đơn vị mã “KHONG_CO”",
    )
    refused(lambda: new_task(org, cooperating_units=["C_PTNMT", "X"]), "cooperating_units", "mã “X”")
    assert not Task.objects.exists()


def test_deadline_kind_must_be_one_of_two(org):
    refused(lambda: new_task(org, monthly_day=20), "deadline", "chỉ một trong hai")
    refused(lambda: new_task(org, deadline=None, monthly_day=32), "monthly_day", "từ 1 đến 31")


def test_completion_date_in_the_future_is_refused(org):
    t = new_task(org)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused(
        lambda: services.report_completion(org.staff, t, completed_on=tomorrow), "completed_on", "ở tương lai"
    )
    refused(
        lambda: services.report_completion(org.staff, t, completed_on=D(2020, 5, 1)),
        "completed_on",
        "trước ngày giao",
    )
    assert not Completion.objects.exists()


def test_extension_without_approver_or_reason_is_refused(org):
    t = new_task(org)

    def extend(**kwargs):
        fields = {"new_deadline": D(2020, 6, 20), "approved_on": D(2020, 6, 1), "reason": "Chờ số liệu"}
        return services.extend_deadline(org.office, t, **{**fields, **kwargs})

    refused(extend, "approver_name", "phải có người đồng ý")
    refused(lambda: extend(reason=" ", approver_name="Chủ tịch"), "reason", "Lý do gia hạn")
    assert not DeadlineExtension.objects.exists()
    assert extend(approver=org.leader).approved_by == "Chủ tịch"


def test_recurring_task_needs_a_real_occurrence(org):
    t = new_task(org, deadline=None, monthly_day=20)
    refused(
        lambda: services.report_completion(org.staff, t, completed_on=D(2020, 6, 1)),
        "occurrence",
        "Kỳ thực hiện",
    )
    refused(
        lambda: services.report_completion(
            org.staff, t, completed_on=D(2020, 6, 1), occurrence=D(2020, 5, 21)
        ),
        "occurrence",
        "không phải một hạn",
    )


def test_return_needs_a_reason_and_only_once(org):
    t = new_task(org)
    done = services.report_completion(org.staff, t, completed_on=D(2020, 6, 1))
    refused(
        lambda: services.report_completion(org.staff, t, completed_on=D(2020, 6, 2)),
        "completed_on",
        "đã được báo cáo",
    )
    refused(
        lambda: services.return_completion(org.office, done, reason="  "), "return_reason", "Lý do trả lại"
    )
    services.return_completion(org.office, done, reason="Thiếu văn bản")
    refused(
        lambda: services.return_completion(org.office, done, reason="Lần nữa"),
        "return_reason",
        "đã bị trả lại",
    )
    done.refresh_from_db()
    assert (done.is_returned, done.return_reason, done.returned_by) == (True, "Thiếu văn bản", org.office)


def test_permissions(org):
    with pytest.raises(PermissionDenied, match="giao và theo dõi nhiệm vụ"):
        services.create_task(
            org.staff, content="x", lead_unit=org.econ, assigned_on=D(2020, 5, 1), deadline=D(2020, 6, 1)
        )
    t = new_task(org)
    other = new_task(org, lead_unit=org.land)
    with pytest.raises(PermissionDenied):
        services.report_completion(org.office, t, completed_on=D(2020, 6, 1))  # the office does not report
    with pytest.raises(PermissionDenied):
        services.report_completion(org.staff, other, completed_on=D(2020, 6, 1))  # another unit's task
    done = services.report_completion(org.staff, t, completed_on=D(2020, 6, 1))
    with pytest.raises(PermissionDenied):
        services.return_completion(org.staff, done, reason="Tự trả lại")
    with pytest.raises(PermissionDenied):
        services.create_directive(
            org.staff, number="1/KH-UBND", issued_on=D(2020, 1, 1), issuer="UBND", summary="x"
        )


def test_progress_with_evidence_file_limits(org):
    t = new_task(org)
    update = services.report_progress(
        org.staff,
        t,
        text="Đã dự thảo",
        reported_on=D(2020, 6, 1),
        evidence=io.BytesIO(b"%PDF-1.4"),
        evidence_name="../../bc.pdf",
    )
    assert (update.evidence_name, update.evidence_type, bytes(update.evidence)) == (
        "bc.pdf",
        "application/pdf",
        b"%PDF-1.4",
    )
    refused(
        lambda: services.report_progress(
            org.staff, t, text="x", evidence=io.BytesIO(b"MZ"), evidence_name="a.exe"
        ),
        "evidence",
        "chỉ nhận",
    )
    big = io.BytesIO(b"0" * (5 * 1024 * 1024 + 1))
    refused(
        lambda: services.report_progress(org.staff, t, text="x", evidence=big, evidence_name="a.pdf"),
        "evidence",
        "5 MB",
    )
    assert ProgressUpdate.objects.count() == 1


def test_directive_is_recorded_once(org):
    args = {
        "number": "137/KH-UBND",
        "issued_on": D(2020, 5, 5),
        "issuer": "UBND thành phố",
        "summary": "Kế hoạch",
    }
    first = services.create_directive(org.office, kind="Kế hoạch", **args)
    assert services.create_directive(org.office, **args) == first
    assert str(first) == "Kế hoạch số 137/KH-UBND ngày 5/5/2020"
    assert Directive.objects.count() == 1
