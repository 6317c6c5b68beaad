"""The histories in plain Vietnamese (issue 17, point 7): a comment-only edit reads as a comment change,
the kind of value by its name, the form's title without the unit twice."""

import re

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.html import strip_tags

from baocao.collection.entry import EntryInput, form_fields, save_entry
from baocao.collection.models import DataValue
from baocao.core.numbers import format_number
from baocao.testing.factories import logged_in

FORM_ARGS = ["BM_TPLS_CA", "TPLS_CA", "202006"]


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))  # cells apart


def test_a_comment_only_edit_reads_as_a_comment_change(client, police):
    field = next(f for _, group in form_fields(police) for f in group if f.indicator.code == "HS_VU")
    stored = DataValue.objects.get(indicator__code="HS_VU", org_unit__code="TPLS_CA", period="202006")
    typed, before = format_number(stored.value), stored.comment or "(trống)"
    clerk = User.objects.get(username="ca.canbo")
    outcome = save_entry(
        police, clerk, [EntryInput(field.member.pk, typed, "Đã đối chiếu với sổ thụ lý", field.version)]
    )
    assert not outcome.errors
    logged_in(client, "ca.canbo")
    history = _text(
        client.get(reverse("collection:value_history", args=["HS_VU", "TPLS_CA", "202006", "actual"]))
    )
    assert f"Ghi chú: {before} Ghi chú: Đã đối chiếu với sổ thụ lý" in history
    assert f"(chỉ sửa ghi chú, số liệu {typed} không đổi)" in history
    assert f"{typed} {typed}" not in history  # was "old → new" with the same number twice
    assert "· Thực hiện" in history and "actual" not in history
    form_history = _text(client.get(reverse("collection:submission_history", args=FORM_ARGS)))
    assert f"Ghi chú: {before} Ghi chú: Đã đối chiếu với sổ thụ lý" in form_history


def test_the_form_history_names_the_unit_once_and_the_month_in_words(client, police):
    logged_in(client, "ca.canbo")
    page = client.get(reverse("collection:submission_history", args=FORM_ARGS)).content.decode()
    title = strip_tags(re.search(r"<h1>(.*?)</h1>", page, re.S).group(1))
    assert title.count("Công an thành phố") == 1
    assert "202006" not in title and "6/2020" in title
