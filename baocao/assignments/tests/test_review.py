"""The review sentence: wording, zero-padded counts, the order of the units, and the all-good sentence."""

import datetime

from baocao.assignments import services
from baocao.assignments.models import ReviewName
from baocao.assignments.review import report_provider, review
from baocao.core.periods import Period
from baocao.orgunits.models import OrgUnit

D = datetime.date
JUNE = Period.month(2020, 6)


def add(org, unit, deadline, completed_on=None, advisory=False):
    t = services.create_task(
        org.office,
        content="Nội dung",
        lead_unit=unit,
        assigned_on=D(2020, 5, 16),
        deadline=deadline,
        is_advisory=advisory,
    )
    if completed_on:
        services.report_completion(org.admin, t, completed_on=completed_on)
    return t


def test_all_on_time(org):
    add(org, org.econ, D(2020, 6, 10), D(2020, 6, 10))
    assert review(OrgUnit.objects.all(), JUNE).sentence == (
        "Trong tháng, các đơn vị đã thực hiện đúng tiến độ các nội dung được giao."
    )


def test_wording_counts_and_order(org):
    # Economy: one late by 1 day; land: one late by 5 days → land first (more days late), then economy.
    add(org, org.econ, D(2020, 6, 1), D(2020, 6, 2))
    add(org, org.land, D(2020, 6, 1), D(2020, 6, 6))
    text = review(OrgUnit.objects.all(), JUNE).sentence
    assert text.index("Phòng Tài nguyên và Môi trường: 01") < text.index("Phòng Kinh tế: 01")
    # An undelivered advisory task and an overdue ordinary one put economy first.
    add(org, org.econ, D(2020, 6, 5), advisory=True)
    add(org, org.econ, D(2020, 6, 5))
    ReviewName.objects.create(org_unit=org.econ, name="phòng Kinh tế")
    assert review(OrgUnit.objects.all(), JUNE).sentence == (
        "Trong tháng, còn một số đơn vị tham mưu thực hiện một số nội dung công việc "
        "chưa kịp thời và chậm tiến độ: "
        "phòng Kinh tế: chưa tham mưu 01 nội dung, 01 nội dung quá hạn chưa hoàn thành, "
        "01 nội dung đã hoàn thành nhưng chậm tiến độ; "
        "Phòng Tài nguyên và Môi trường: 01 nội dung đã hoàn thành nhưng chậm tiến độ."
    )


def test_provider_is_scoped_to_the_reports_unit_and_has_a_sample(org):
    add(org, org.econ, D(2020, 6, 1), D(2020, 6, 2))
    data = report_provider(org.land, JUNE)
    assert data["don_vi"] == [] and data["tong"]["tong"] == 0
    data = report_provider(org.city, JUNE)
    assert data["don_vi"] == [
        {"stt": 1, "ten": "Phòng Kinh tế", "tong": 1, "dung_han": 0, "cham": 1, "trong_han": 0, "qua_han": 0}
    ]
    sample = report_provider(None, JUNE)
    assert set(sample) == set(data) and set(sample["don_vi"][0]) == set(data["don_vi"][0])
