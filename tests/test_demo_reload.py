"""`make run` twice: the second `load_demo` finds June's forms already sent (submit_demo_forms) and must
still load, keeping those forms and their values as sent (review of issue 17, point 6)."""

import pytest
from django.core.management import call_command

from baocao.collection.models import DataValue, Submission, SubmissionStatus
from baocao.demo.loader import submit_demo_forms


@pytest.mark.django_db
def test_load_demo_again_after_the_forms_were_sent(demo):
    assert submit_demo_forms() > 0
    sent = dict(Submission.objects.exclude(status=SubmissionStatus.DRAFT).values_list("pk", "status"))
    values = DataValue.objects.count()

    call_command("load_demo")  # refused whole before: "Tệp không được nhập … đã gửi, không sửa được"

    assert dict(Submission.objects.filter(pk__in=sent).values_list("pk", "status")) == sent
    assert DataValue.objects.count() >= values
