"""`make run` twice: the second `load_demo` finds June's forms already sent (submit_demo_forms) and must
still load, keeping those forms and their values as sent (review of issue 17, point 6)."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from baocao.collection.models import DataValue, Submission, SubmissionStatus
from baocao.demo.loader import DEMO_TODAY, load_demo_bundle, submit_demo_forms
from baocao.demo.reform import WARD_BUNDLE, load_ward_values


@pytest.mark.django_db
def test_load_demo_again_after_the_forms_were_sent(demo):
    assert submit_demo_forms() > 0
    sent = dict(Submission.objects.exclude(status=SubmissionStatus.DRAFT).values_list("pk", "status"))
    values = DataValue.objects.count()

    call_command("load_demo")  # refused whole before: "Tệp không được nhập … đã gửi, không sửa được"

    assert dict(Submission.objects.filter(pk__in=sent).values_list("pk", "status")) == sent
    assert DataValue.objects.count() >= values


@pytest.mark.django_db
def test_the_demo_on_its_day_opens_on_june_2020_not_on_the_wards_2025(demo, client_as):
    """`make run` serves the demo as of 16/6/2020 with the ward demo loaded too: the clerk's forms list and
    the office's receiving table opened on 'tháng 6/2025', a month after the demo's today."""
    load_demo_bundle(WARD_BUNDLE)
    load_ward_values()
    with override_settings(BAOCAO_TODAY=DEMO_TODAY.isoformat()):
        forms = client_as("ca.canbo").get("/so-lieu/nhap/").content.decode()
        receiving = client_as("vanphong").get("/so-lieu/tiep-nhan/").content.decode()
    assert "Nhập số liệu – tháng 6/2020" in forms and "2025" not in forms
    assert "Tình hình gửi số liệu – tháng 6/2020" in receiving


@pytest.mark.django_db
def test_the_administrators_home_on_the_demos_day_is_the_city_not_the_ward_of_2025(demo, client_as):
    """The superuser's dashboard picked the unit that reported last of all (the ward formed in 2025) and
    read 'Tổng quan tháng 6/2020 – Phường Lương Văn Tri', a ward that did not exist on 16/6/2020."""
    load_demo_bundle(WARD_BUNDLE)
    load_ward_values()
    with override_settings(BAOCAO_TODAY=DEMO_TODAY.isoformat()):
        home = client_as("admin").get("/").content.decode()
    assert "Tổng quan tháng 6/2020 – Thành phố Lạng Sơn" in home
