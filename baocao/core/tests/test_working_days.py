"""The working-day rule (issue 17, point 3): weekends, Vietnam's public holidays from the ``holidays``
package and the administrator's yearly swaps; deadlines of forms follow it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from baocao.core import dates
from baocao.core.dates import (
    add_working_days,
    day_off_reason,
    first_working_day,
    is_working_day,
    working_days_between,
)
from baocao.core.models import DayAdjustment
from baocao.core.periods import Period
from baocao.indicators.models import DataSet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rows made here vanish with the test's rollback, which sends no signal: forget them afterwards.
    dates.clear_working_day_cache()
    yield
    dates.clear_working_day_cache()


def test_tet_2020_is_seven_days_off():
    # Tết Canh Tý: 29 Tết (Thu 23/1) to mùng 5 (Wed 29/1/2020); work resumes Thursday 30/1.
    assert [d for d in range(20, 32) if not is_working_day(date(2020, 1, d))] == [23, 24, 25, 26, 27, 28, 29]
    assert add_working_days(date(2020, 1, 22), 1) == date(2020, 1, 30)
    assert add_working_days(date(2020, 1, 21), 2) == date(2020, 1, 30)
    assert working_days_between(date(2020, 1, 22), date(2020, 1, 31)) == 2
    assert day_off_reason(date(2020, 1, 27)) == "Mùng ba Tết Nguyên Đán"


def test_30_4_and_1_5_2020_then_the_weekend():
    # Thursday 30/4 and Friday 1/5/2020, then the weekend: the next working day after 29/4 is Monday 4/5.
    assert add_working_days(date(2020, 4, 29), 1) == date(2020, 5, 4)
    assert add_working_days(date(2020, 5, 4), -1) == date(2020, 4, 29)  # reminders count backwards
    assert first_working_day(date(2020, 4, 30)) == date(2020, 5, 4)
    assert day_off_reason(date(2020, 5, 1)) == "Ngày Quốc tế Lao động"


def test_30_4_2019_with_its_substitute_saturday():
    # 2019: Monday 29/4 off in exchange for Saturday 4/5 worked (Công văn 6519/VPCP-KGVX, in the package).
    assert not is_working_day(date(2019, 4, 29))
    assert is_working_day(date(2019, 5, 4))
    assert add_working_days(date(2019, 4, 26), 1) == date(2019, 5, 2)
    assert add_working_days(date(2019, 5, 3), 1) == date(2019, 5, 4)
    assert working_days_between(date(2019, 4, 26), date(2019, 5, 6)) == 4  # 2/5, 3/5, Sat 4/5, 6/5


def test_national_day_2020_and_2021():
    assert add_working_days(date(2020, 9, 1), 1) == date(2020, 9, 3)  # Wednesday 2/9/2020
    assert add_working_days(date(2021, 9, 1), 1) == date(2021, 9, 6)  # Thu 2/9 and Fri 3/9/2021 since 2021


def test_the_administrators_yearly_swap_moves_deadlines():
    # A decision the package does not know: Thursday 3/9/2020 off, Saturday 12/9/2020 worked instead.
    decision = "Thông báo số 01/TB-TEST"
    off = DayAdjustment.objects.create(date=date(2020, 9, 3), kind="day_off", decision=decision)
    DayAdjustment.objects.create(date=date(2020, 9, 12), kind="working_day", decision=decision)
    assert add_working_days(date(2020, 9, 1), 1) == date(2020, 9, 4)
    assert add_working_days(date(2020, 9, 11), 1) == date(2020, 9, 12)
    assert day_off_reason(date(2020, 9, 3)) == "Ngày nghỉ theo Thông báo số 01/TB-TEST"
    off.delete()
    assert add_working_days(date(2020, 9, 1), 1) == date(2020, 9, 3)


def test_an_adjustment_must_change_something():
    national_day = DayAdjustment(date=date(2020, 9, 2), kind="day_off", decision="x")
    with pytest.raises(ValidationError) as refused:
        national_day.full_clean()
    assert refused.value.message_dict["kind"] == [
        "Thứ Tư 2/9/2020 đã là ngày nghỉ (Quốc khánh); không cần thêm ngày nghỉ."
    ]
    wednesday = DayAdjustment(date=date(2020, 9, 9), kind="working_day", decision="x")
    with pytest.raises(ValidationError) as refused:
        wednesday.full_clean()
    assert "Thứ Tư 9/9/2020 đã là ngày làm việc" in refused.value.message_dict["kind"][0]


def test_a_forms_deadline_skips_30_4_and_1_5():
    # April 2020 closes on Tuesday 14/4 (Decree 09); 12 working days later is Monday 4/5, not Thursday 30/4.
    data_set = DataSet(code="X", name="X", period_type="month", deadline_working_days=12)
    assert data_set.deadline(Period.parse("202004")) == date(2020, 5, 4)


def test_administrator_adds_a_swap_in_the_admin(admin_client):
    page = admin_client.get("/quan-tri/core/dayadjustment/add/")
    assert page.status_code == 200
    refused = admin_client.post(
        "/quan-tri/core/dayadjustment/add/", {"date": "02/09/2020", "kind": "day_off", "decision": "TB 1"}
    )
    assert "đã là ngày nghỉ (Quốc khánh)" in refused.content.decode()
    saved = admin_client.post(
        "/quan-tri/core/dayadjustment/add/", {"date": "12/09/2020", "kind": "working_day", "decision": "TB 1"}
    )
    assert saved.status_code == 302
    assert is_working_day(date(2020, 9, 12))


def test_another_process_change_is_seen_at_the_next_request(client):
    assert not is_working_day(date(2020, 9, 12))  # Saturday, now cached for 2020
    # bulk_create sends no signal, as a change made by another server process would not reach this one
    saturday = DayAdjustment(date=date(2020, 9, 12), kind="working_day", decision="TB")
    DayAdjustment.objects.bulk_create([saturday])
    client.get("/dang-nhap/")
    assert is_working_day(date(2020, 9, 12))


def test_the_admin_form_answers_nonsense_in_vietnamese(admin_client):
    page = admin_client.post(
        "/quan-tri/core/dayadjustment/add/", {"date": "99/99/9999", "kind": "xyz", "decision": ""}
    )
    assert page.status_code == 200
    assert not DayAdjustment.objects.exists()
    assert "Nhập một ngày hợp lệ." in page.content.decode()
