"""Narrative history (issue 14): the narrative's history page is a clerk's page too, so it reads like the
editor: figures as the values they print, the marks as marks, never template code or HTML tags."""

import pytest
from django.urls import reverse

from baocao.reports.tests.test_narrative_editor import visible
from baocao.testing.factories import logged_in


@pytest.mark.django_db
def test_the_police_clerk_reads_the_narrative_history_without_template_code(client, police):
    url = reverse("collection:contribution_history", args=["TPLS_CA", "202006"])
    page = logged_in(client, "ca.canbo").get(url).content.decode()
    text = visible(page)
    assert "Phạm pháp hình sự xảy ra" in text  # the demo's stored police text is in the history
    assert "{{" not in text and "f.HS_VU" not in text and "|dem" not in text
    assert "<b>" not in text  # the bold mark is bold, not the tag written out
    assert "Phạm pháp hình sự xảy ra 07 vụ" in " ".join(text.split())  # the figure reads as the stored value
